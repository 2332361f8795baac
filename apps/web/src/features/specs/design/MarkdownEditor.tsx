import { memo, useDeferredValue, useId, type InputHTMLAttributes, type SelectHTMLAttributes } from 'react';
import { cn } from '../../../lib/cn';
import { Markdown } from './Markdown';

export const inputClass =
  'w-full min-w-0 rounded-md border border-slate-300 bg-white px-2.5 py-1.5 text-sm text-slate-900 placeholder:text-slate-500 focus-visible:outline-2 focus-visible:outline-indigo-600';

/** The rendered Markdown, redrawn only when its own text changes (typing elsewhere in the form leaves it alone). */
const Preview = memo(function Preview({ value }: { value: string }) {
  return value.trim() ? <Markdown>{value}</Markdown> : <p className="text-sm text-slate-500">The preview shows here as you type.</p>;
});

function count(length: number, limit: number): string {
  return `${length.toLocaleString('en')} / ${limit.toLocaleString('en')} characters`;
}

/**
 * Markdown with a live preview: the text on the left (above, on a narrow screen), what it will look like
 * on the right. The limit is shown before it is reached.
 */
export function MarkdownEditor({
  label,
  value,
  onChange,
  limit,
  rows = 6,
  hint,
  mono = false,
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  limit: number;
  rows?: number;
  hint?: string;
  mono?: boolean;
}) {
  const id = useId();
  const near = value.length > limit * 0.9;
  // Typing stays responsive on a long text: the preview follows a moment behind when React is busy.
  const previewed = useDeferredValue(value);
  return (
    <div className="flex min-w-0 flex-col gap-1" data-testid="markdown-editor">
      <label htmlFor={id} className="text-sm font-medium text-slate-700">
        {label}
      </label>
      <div className="grid min-w-0 gap-2 md:grid-cols-2">
        <textarea
          id={id}
          rows={rows}
          value={value}
          maxLength={limit}
          onChange={(event) => onChange(event.target.value)}
          aria-describedby={`${id}-count${hint ? ` ${id}-hint` : ''}`}
          className={cn(inputClass, 'resize-y', mono && 'font-mono text-xs')}
        />
        <div role="region" aria-label={`${label}: preview`} className="max-h-80 min-w-0 overflow-auto rounded-md border border-dashed border-slate-300 bg-slate-50 p-2">
          <Preview value={previewed} />
        </div>
      </div>
      <p className="flex flex-wrap justify-between gap-x-3 text-xs text-slate-600">
        <span id={`${id}-hint`}>{hint ?? 'Markdown: **bold**, lists, tables, `code`, ```mermaid diagrams.'}</span>
        <span id={`${id}-count`} className={near ? 'font-medium text-amber-800' : undefined}>
          {count(value.length, limit)}
        </span>
      </p>
    </div>
  );
}

/** A small labelled input of a row editor. */
export function RowInput({ label, className, ...rest }: InputHTMLAttributes<HTMLInputElement> & { label: string }) {
  const id = useId();
  return (
    <div className={cn('flex min-w-0 flex-col gap-0.5', className)}>
      <label htmlFor={id} className="text-xs font-medium text-slate-600">
        {label}
      </label>
      <input id={id} className={inputClass} spellCheck={false} autoComplete="off" {...rest} />
    </div>
  );
}

export function RowSelect({ label, options, className, ...rest }: SelectHTMLAttributes<HTMLSelectElement> & { label: string; options: readonly string[] }) {
  const id = useId();
  return (
    <div className={cn('flex min-w-0 flex-col gap-0.5', className)}>
      <label htmlFor={id} className="text-xs font-medium text-slate-600">
        {label}
      </label>
      <select id={id} className={inputClass} {...rest}>
        {options.map((o) => (
          <option key={o} value={o}>
            {o}
          </option>
        ))}
      </select>
    </div>
  );
}
