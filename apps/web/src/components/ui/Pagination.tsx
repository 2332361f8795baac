import { ChevronLeft, ChevronRight } from 'lucide-react';
import { Button } from './Button';

/** Previous / next over an offset-paginated list, with "21–40 of 57". */
export function Pagination({ offset, limit, total, onOffsetChange, label }: { offset: number; limit: number; total: number; onOffsetChange: (offset: number) => void; label: string }) {
  if (total <= limit && offset === 0) return null;
  const first = total === 0 ? 0 : offset + 1;
  const last = Math.min(offset + limit, total);
  return (
    <nav aria-label={label} className="flex items-center justify-between gap-2 pt-3 text-sm text-slate-600">
      <span>
        {first}–{last} of {total}
      </span>
      <div className="flex gap-2">
        <Button size="sm" disabled={offset === 0} onClick={() => onOffsetChange(Math.max(0, offset - limit))} icon={<ChevronLeft aria-hidden className="size-4" />}>
          Previous
        </Button>
        <Button size="sm" disabled={offset + limit >= total} onClick={() => onOffsetChange(offset + limit)} icon={<ChevronRight aria-hidden className="size-4" />}>
          Next
        </Button>
      </div>
    </nav>
  );
}
