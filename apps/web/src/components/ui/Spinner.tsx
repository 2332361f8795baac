import { Loader2 } from 'lucide-react';
import { cn } from '../../lib/cn';

/** A labelled loading indicator (`role="status"`). */
export function Spinner({ label = 'Loading…', className }: { label?: string; className?: string }) {
  return (
    <div role="status" className={cn('flex items-center justify-center gap-2 p-6 text-sm text-slate-500', className)}>
      <Loader2 aria-hidden className="size-5 animate-spin motion-reduce:animate-none" />
      <span>{label}</span>
    </div>
  );
}
