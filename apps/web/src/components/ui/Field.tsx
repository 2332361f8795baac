import { useId, type InputHTMLAttributes, type ReactNode, type SelectHTMLAttributes, type TextareaHTMLAttributes } from 'react';
import { cn } from '../../lib/cn';
import { fieldError } from '../../lib/errors';
import { useFieldErrorScope } from './FieldErrorScope';

const control = 'w-full rounded-md border border-slate-300 bg-white px-3 py-2 text-sm text-slate-900 placeholder:text-slate-400 focus-visible:outline-2 focus-visible:outline-indigo-600';

/**
 * What every field takes besides its control's attributes: `errorPath` (the API path of its value,
 * `body.title`) shows the last submit's problem with it next to the field; `limit` (a length the server
 * allows, read from the protocol schema) is shown before it is reached, with a counter near it.
 */
export interface FieldExtras {
  label: string;
  hint?: ReactNode;
  errorPath?: string;
  /** An error sentence of the form's own (shown like a submit's). */
  error?: string;
  limit?: number;
}

function lengthOf(value: unknown): number {
  return typeof value === 'string' ? value.length : 0;
}

/** "Up to 500 characters." far from the limit; "480 of 500 characters" near it; how many too many past it. */
export function limitText(length: number, limit: number): string {
  if (length > limit) return `${length} of ${limit} characters: ${length - limit} too many.`;
  if (length >= limit * 0.8) return `${length} of ${limit} characters`;
  return `Up to ${limit} characters.`;
}

function Wrapper({ id, label, hint, error, limit, length, children }: { id: string; label: string; hint?: ReactNode; error?: string | undefined; limit?: number | undefined; length: number; children: ReactNode }) {
  return (
    <div className="flex flex-col gap-1">
      <label htmlFor={id} className="text-sm font-medium text-slate-700">
        {label}
      </label>
      {children}
      {hint ? (
        <p id={`${id}-hint`} className="text-xs text-slate-500">
          {hint}
        </p>
      ) : null}
      {limit !== undefined ? (
        <p id={`${id}-limit`} data-testid="field-limit" className={cn('text-xs', length > limit ? 'font-medium text-red-700' : 'text-slate-500')}>
          {limitText(length, limit)}
        </p>
      ) : null}
      {error ? (
        <p id={`${id}-error`} role="alert" className="text-sm text-red-700">
          {error}
        </p>
      ) : null}
    </div>
  );
}

/** The field's error sentence (own, or the scope's for its path) and its `aria-describedby`. */
function useFieldState(id: string, { label, hint, errorPath, error, limit }: FieldExtras, value: unknown) {
  const scopeError = useFieldErrorScope(errorPath);
  const sentence = error ?? (errorPath ? fieldError(scopeError, errorPath, { label, value }) : undefined);
  const describedBy = [hint ? `${id}-hint` : '', limit !== undefined ? `${id}-limit` : '', sentence ? `${id}-error` : ''].filter(Boolean).join(' ') || undefined;
  return { sentence, describedBy, invalid: sentence ? true : undefined };
}

export function TextField({ label, hint, errorPath, error, limit, className, ...rest }: InputHTMLAttributes<HTMLInputElement> & FieldExtras) {
  const id = useId();
  const state = useFieldState(id, { label, hint, errorPath, error, limit }, rest.value);
  return (
    <Wrapper id={id} label={label} hint={hint} error={state.sentence} limit={limit} length={lengthOf(rest.value)}>
      <input id={id} aria-describedby={state.describedBy} aria-invalid={state.invalid} className={cn(control, className)} {...rest} />
    </Wrapper>
  );
}

export function TextAreaField({ label, hint, errorPath, error, limit, className, ...rest }: TextareaHTMLAttributes<HTMLTextAreaElement> & FieldExtras) {
  const id = useId();
  const state = useFieldState(id, { label, hint, errorPath, error, limit }, rest.value);
  return (
    <Wrapper id={id} label={label} hint={hint} error={state.sentence} limit={limit} length={lengthOf(rest.value)}>
      <textarea id={id} aria-describedby={state.describedBy} aria-invalid={state.invalid} className={cn(control, 'min-h-20', className)} {...rest} />
    </Wrapper>
  );
}

export function SelectField({
  label,
  hint,
  errorPath,
  error,
  className,
  options,
  ...rest
}: SelectHTMLAttributes<HTMLSelectElement> & Omit<FieldExtras, 'limit'> & { options: readonly { value: string; label: string }[] }) {
  const id = useId();
  const state = useFieldState(id, { label, hint, errorPath, error }, rest.value);
  return (
    <Wrapper id={id} label={label} hint={hint} error={state.sentence} length={0}>
      <select id={id} aria-describedby={state.describedBy} aria-invalid={state.invalid} className={cn(control, className)} {...rest}>
        {options.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
    </Wrapper>
  );
}
