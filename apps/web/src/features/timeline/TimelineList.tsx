import { useCallback, useEffect, useLayoutEffect, useRef, useState, type ReactNode } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { ArrowUp, LoaderCircle } from 'lucide-react';
import type { StoredEvent } from '@specline/protocol';
import { TimelineRow } from './TimelineRow';

export interface TimelineListProps {
  /** Rows newest first. */
  rows: StoredEvent[];
  /** Changes when the filters change: the list goes back to the newest event. */
  resetKey: string;
  hasOlder: boolean;
  loadingOlder: boolean;
  olderError: Error | null;
  onLoadOlder: () => void;
  /** Height of the scroll area in px. */
  height?: number;
  /** A separator shown above a row (keyed by its spec_seq): where one run's events end and another's begin. */
  headers?: ReadonlyMap<number, ReactNode>;
}

const AT_TOP_PX = 4;
const ESTIMATED_ROW_PX = 58;

/**
 * The virtualized event list, newest at the top. When new events arrive while the reader is scrolled down,
 * the rows they are reading stay where they are (the offset is compensated) and a "Jump to newest" button
 * counts what came in. Scrolling near the oldest loaded row asks for the page before it.
 */
export function TimelineList({ rows, resetKey, hasOlder, loadingOlder, olderError, onLoadOlder, height = 480, headers }: TimelineListProps) {
  const scrollRef = useRef<HTMLDivElement>(null);
  const [expanded, setExpanded] = useState<ReadonlySet<number>>(() => new Set());
  const [unseen, setUnseen] = useState(0);
  const atTop = useRef(true);
  const anchor = useRef<{ seq: number; delta: number } | null>(null);
  const newestSeen = useRef<number>(rows[0]?.spec_seq ?? 0);

  const virtualizer = useVirtualizer({
    count: rows.length,
    getScrollElement: () => scrollRef.current,
    estimateSize: () => ESTIMATED_ROW_PX,
    overscan: 6,
    getItemKey: (index) => rows[index]?.spec_seq ?? index,
  });
  const items = virtualizer.getVirtualItems();

  const onToggle = useCallback((seq: number) => {
    setExpanded((previous) => {
      const next = new Set(previous);
      if (!next.delete(seq)) next.add(seq);
      return next;
    });
  }, []);

  const rememberAnchor = useCallback(() => {
    const element = scrollRef.current;
    if (!element) return;
    const top = element.scrollTop;
    atTop.current = top <= AT_TOP_PX;
    if (atTop.current) {
      anchor.current = null;
      setUnseen(0);
      return;
    }
    const first = virtualizer.getVirtualItems().find((item) => item.end > top);
    const row = first ? rows[first.index] : undefined;
    anchor.current = first && row ? { seq: row.spec_seq, delta: top - first.start } : null;
  }, [rows, virtualizer]);

  // New rows at the top: keep the reader's rows in place unless they are at the top already.
  useLayoutEffect(() => {
    const newest = rows[0]?.spec_seq ?? 0;
    const previous = newestSeen.current;
    newestSeen.current = Math.max(previous, newest);
    if (newest <= previous) return;
    const added = rows.findIndex((row) => row.spec_seq <= previous);
    const count = added === -1 ? rows.length : added;
    const element = scrollRef.current;
    if (atTop.current || !anchor.current || !element || previous === 0) return;
    const { seq, delta } = anchor.current;
    const index = rows.findIndex((row) => row.spec_seq === seq);
    const start = index >= 0 ? virtualizer.measurementsCache[index]?.start : undefined;
    if (start !== undefined) element.scrollTop = start + delta;
    setUnseen((n) => n + count);
  }, [rows, virtualizer]);

  // Filters changed: start again from the newest event.
  useLayoutEffect(() => {
    atTop.current = true;
    anchor.current = null;
    newestSeen.current = 0;
    setUnseen(0);
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
  }, [resetKey]);

  // Near the oldest loaded row (or nothing to show yet): fetch the page before it.
  const lastIndex = items.at(-1)?.index ?? -1;
  useEffect(() => {
    if (!hasOlder || loadingOlder || olderError) return;
    if (rows.length === 0 || lastIndex >= rows.length - 10) onLoadOlder();
  }, [hasOlder, loadingOlder, olderError, lastIndex, rows.length, onLoadOlder]);

  const jumpToNewest = () => {
    atTop.current = true;
    anchor.current = null;
    setUnseen(0);
    if (scrollRef.current) scrollRef.current.scrollTop = 0;
    virtualizer.scrollToOffset(0);
  };

  return (
    <div className="relative">
      {unseen > 0 && (
        <button
          type="button"
          onClick={jumpToNewest}
          className="absolute left-1/2 top-2 z-10 inline-flex -translate-x-1/2 items-center gap-1 rounded-full bg-blue-600 px-3 py-1 text-xs font-medium text-white shadow focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-300"
        >
          <ArrowUp aria-hidden="true" className="h-3 w-3" />
          Jump to newest ({unseen} new)
        </button>
      )}
      <div ref={scrollRef} onScroll={rememberAnchor} tabIndex={0} aria-label="Events, newest first" className="overflow-y-auto focus:outline-none focus-visible:ring-2 focus-visible:ring-blue-500" style={{ height }}>
        <div role="list" style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
          {items.map((item) => {
            const event = rows[item.index];
            if (!event) return null;
            return (
              <div
                key={item.key}
                role="listitem"
                aria-posinset={item.index + 1}
                aria-setsize={rows.length}
                data-index={item.index}
                ref={virtualizer.measureElement}
                style={{ position: 'absolute', top: 0, left: 0, width: '100%', transform: `translateY(${item.start}px)` }}
              >
                {headers?.get(event.spec_seq)}
                <TimelineRow event={event} expanded={expanded.has(event.spec_seq)} onToggle={onToggle} />
              </div>
            );
          })}
        </div>
        <div className="px-3 py-3 text-center text-xs text-slate-500">
          {loadingOlder ? (
            <span className="inline-flex items-center gap-1">
              <LoaderCircle aria-hidden="true" className="h-3 w-3 motion-safe:animate-spin" /> Loading older events…
            </span>
          ) : olderError ? (
            <span>
              Could not load older events: {olderError.message}{' '}
              <button type="button" onClick={onLoadOlder} className="font-medium text-blue-700 underline">
                Retry
              </button>
            </span>
          ) : hasOlder ? (
            <button type="button" onClick={onLoadOlder} className="font-medium text-blue-700 underline">
              Load older events
            </button>
          ) : rows.length > 0 ? (
            'Beginning of the run'
          ) : null}
        </div>
      </div>
    </div>
  );
}
