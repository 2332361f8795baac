import { CircleAlert } from 'lucide-react';
import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes } from 'react';
import { cn } from '../../../lib/cn';

/**
 * Settings inputs: a label, a hint, and the problem with the value right under it (announced, and tied
 * to the control with `aria-describedby` / `aria-invalid`).
 */

export const controlClass =
  'w-full rounded-md border bg-white px-3 py-2 text-sm text-slate-900 placeholder:text-slate-400 focus-visible:outline-2 focus-visible:outline-indigo-600 disabled:cursor-not-allowed disabled:bg-slate-50 disabled:text-slate-500';

interface FieldProps {
  label: string;
  hint?: ReactNode;
  error?: string | undefined;
}

export function FieldError({ id, error }: { id: string; error: string | undefined }) {
  if (!error) return null;
  return (
    <p id={id} role="alert" className="flex items-start gap-1 text-xs text-red-700">
      <CircleAlert aria-hidden className="mt-px size-3.5 shrink-0" />
      {error}
    </p>
  );
}

function useFieldIds(hint: ReactNode, error: string | undefined) {
  const id = useId();
  const describedBy = [error ? `${id}-error` : null, hint ? `${id}-hint` : null].filter(Boolean).join(' ') || undefined;
  return { id, describedBy };
}

function Shell({ id, label, hint, error, children }: FieldProps & { id: string; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium text-slate-700">
        {label}
      </label>
      {children}
      <FieldError id={`${id}-error`} error={error} />
      {hint ? (
        <p id={`${id}-hint`} className="text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
    </div>
  );
}

export function InputField({ label, hint, error, className, ...rest }: InputHTMLAttributes<HTMLInputElement> & FieldProps) {
  const { id, describedBy } = useFieldIds(hint, error);
  return (
    <Shell id={id} label={label} hint={hint} error={error}>
      <input
        id={id}
        aria-describedby={describedBy}
        aria-invalid={error ? true : undefined}
        className={cn(controlClass, error ? 'border-red-500' : 'border-slate-300', className)}
        {...rest}
      />
    </Shell>
  );
}

export function SelectInput({
  label,
  hint,
  error,
  options,
  className,
  ...rest
}: SelectHTMLAttributes<HTMLSelectElement> & FieldProps & { options: readonly { value: string; label: string }[] }) {
  const { id, describedBy } = useFieldIds(hint, error);
  return (
    <Shell id={id} label={label} hint={hint} error={error}>
      <select
        id={id}
        aria-describedby={describedBy}
        aria-invalid={error ? true : undefined}
        className={cn(controlClass, error ? 'border-red-500' : 'border-slate-300', className)}
        {...rest}
      >
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </Shell>
  );
}

export function Section({ title, description, children }: { title: string; description?: ReactNode; children: ReactNode }) {
  const id = useId();
  return (
    <section aria-labelledby={id} className="grid gap-4 border-t border-slate-200 py-6 first-of-type:border-t-0 first-of-type:pt-0 md:grid-cols-[14rem_minmax(0,1fr)] md:gap-8">
      <div>
        <h2 id={id} className="text-base font-semibold text-slate-900">
          {title}
        </h2>
        {description ? <div className="mt-1 text-sm text-slate-500">{description}</div> : null}
      </div>
      <div className="flex max-w-xl flex-col gap-4">{children}</div>
    </section>
  );
}
