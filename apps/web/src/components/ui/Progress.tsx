import { cn } from '../../lib/cn';

/** A progress bar screen readers can read: `aria-valuenow` is the rounded value. */
export function Progress({ value, label, className, showValue = false }: { value: number; label: string; className?: string; showValue?: boolean }) {
  const clamped = Math.min(100, Math.max(0, Math.round(value)));
  return (
    <div className={cn('flex items-center gap-2', className)}>
      <div
        role="progressbar"
        aria-label={label}
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={clamped}
        aria-valuetext={`${clamped}%`}
        className="h-2 min-w-16 flex-1 overflow-hidden rounded-full bg-slate-200"
      >
        <div className="h-full rounded-full bg-indigo-600 transition-[width] motion-reduce:transition-none" style={{ width: `${clamped}%` }} />
      </div>
      {showValue ? <span className="w-10 text-right text-xs tabular-nums text-slate-600">{clamped}%</span> : null}
    </div>
  );
}
