import { useCallback, useDeferredValue, useMemo, useState, type ReactNode } from 'react';
import { HeartPulse, LoaderCircle, Radio, RefreshCw, TriangleAlert } from 'lucide-react';
import type { StoredEvent } from '@specline/protocol';
import { cn } from '../../lib/cn';
import { formatFull } from '../../lib/format';
import type { Connection, FeedSnapshot } from './eventFeed';
import { useFeedSnapshot, useFilteredPager, useSpecEventFeed } from './feedContext';
import { filterEvents, HEARTBEAT_TYPE, NO_FILTERS, serverFilterOf, type HeartbeatSummary, type ServerFilter, type TimelineFilters } from './filterEvents';
import { filterableTypes, TimelineFilterBar } from './TimelineFilterBar';
import { TimelineList } from './TimelineList';
import { formatTimeOfDay } from './TimelineRow';
import { plural } from './summarizeEvent';
import { phaseLabel } from '../review/model';
import { runSeparatorNodes } from '../review/runSeparators';
import { runTitle, type RunView } from '../review/runs';

export interface EventTimelineProps {
  specId: string;
  /** While true the timeline follows the run live (SSE, or polling if the stream gives up). */
  isExecuting: boolean;
  /** Height of the scrolling list in px. */
  height?: number;
  className?: string;
  /** The spec's runs (newest first): a separator row between runs, and a run filter. */
  runs?: readonly RunView[];
  /** The run filter, when the page keeps it (in the URL); null = every run. */
  runId?: string | null;
  onRunIdChange?: (runId: string | null) => void;
  /** The other filters, when the page keeps them (in the URL, see `useTimelineUrlFilters`); else the timeline's own. */
  filters?: Omit<TimelineFilters, 'runId'>;
  /** Called instead of `onRunIdChange` with every change (the run filter included) when the page keeps the filters. */
  onFiltersChange?: (filters: TimelineFilters) => void;
}

export function connectionText(connection: Connection, isExecuting: boolean): string {
  switch (connection) {
    case 'live':
      return 'live';
    case 'connecting':
      return 'connecting…';
    case 'reconnecting':
      return 'reconnecting…';
    case 'polling':
      return 'polling every 2 s';
    case 'idle':
      return isExecuting ? 'waiting for the stream' : 'not running';
  }
}

function ConnectionBadge({ connection, isExecuting }: { connection: Connection; isExecuting: boolean }) {
  const text = connectionText(connection, isExecuting);
  const look =
    connection === 'live'
      ? { icon: Radio, className: 'text-green-700 bg-green-50 ring-green-200' }
      : connection === 'polling'
        ? { icon: RefreshCw, className: 'text-amber-800 bg-amber-50 ring-amber-200' }
        : connection === 'idle'
          ? null
          : { icon: LoaderCircle, className: 'text-blue-700 bg-blue-50 ring-blue-200', spin: true };
  if (!look) return <span className="text-xs text-slate-500">{text[0]?.toUpperCase() + text.slice(1)}</span>;
  const Icon = look.icon;
  return (
    <span className={cn('inline-flex items-center gap-1 rounded-full px-2 py-0.5 text-xs font-medium ring-1 ring-inset', look.className)} data-testid="stream-status" data-connection={connection}>
      <Icon aria-hidden="true" className={cn('h-3 w-3', 'spin' in look && 'motion-safe:animate-spin')} />
      {text[0]?.toUpperCase() + text.slice(1)}
    </span>
  );
}

function countHeartbeats(ascending: readonly StoredEvent[]): HeartbeatSummary {
  let count = 0;
  let lastAt: string | null = null;
  for (let i = ascending.length - 1; i >= 0; i--) {
    const event = ascending[i]!;
    if (event.event_type !== HEARTBEAT_TYPE) continue;
    count++;
    lastAt ??= event.emitted_at;
  }
  return { count, lastAt };
}

function HeartbeatCounter({ summary }: { summary: HeartbeatSummary }) {
  if (summary.count === 0) return null;
  return (
    <div className="flex items-center gap-2 border-b border-slate-100 px-3 py-1.5 text-xs text-slate-600" data-testid="heartbeat-counter">
      <HeartPulse aria-hidden="true" className="h-3.5 w-3.5 text-slate-400" />
      <span>
        {plural(summary.count, 'heartbeat')}
        {summary.lastAt && (
          <>
            , last{' '}
            <time dateTime={summary.lastAt} title={formatFull(summary.lastAt)}>
              {formatTimeOfDay(summary.lastAt)}
            </time>
          </>
        )}
      </span>
    </div>
  );
}

function liveSummary(base: FeedSnapshot, shown: number, filtered: boolean, isExecuting: boolean): string {
  if (base.status === 'loading' && base.store.size === 0) return 'Loading events…';
  if (base.status === 'error') return 'Could not load events';
  const total = plural(base.totalCount, 'event');
  const status = connectionText(base.connection, isExecuting);
  const head = filtered ? `${shown} of ${total} shown` : total;
  return base.connection === 'idle' ? head : `${head} · ${status}`;
}

/**
 * The run's events, newest first: backfilled from the server, then followed live, virtualized, filterable
 * and searchable, heartbeats collapsed into one counter.
 */
const NO_RUNS: readonly RunView[] = [];

export function EventTimeline({ specId, isExecuting, height = 480, className, runs = NO_RUNS, runId, onRunIdChange, filters: pageFilters, onFiltersChange }: EventTimelineProps) {
  const feed = useSpecEventFeed(specId, isExecuting);
  const [ownFilters, setOwnFilters] = useState<TimelineFilters>(NO_FILTERS);
  // The filters are the page's when it passes them (kept in the URL), else the timeline's own; the same for the run filter.
  const filters = useMemo(() => {
    const base: TimelineFilters = pageFilters ? { ...pageFilters, runId: ownFilters.runId ?? null } : ownFilters;
    return runId === undefined ? base : { ...base, runId };
  }, [pageFilters, ownFilters, runId]);
  const setFilters = useCallback(
    (next: TimelineFilters) => {
      setOwnFilters(next);
      if (onFiltersChange) onFiltersChange(next);
      else if (runId !== undefined && (next.runId ?? null) !== runId) onRunIdChange?.(next.runId ?? null);
    },
    [runId, onRunIdChange, onFiltersChange],
  );
  const search = useDeferredValue(filters.search);
  const serverKey = JSON.stringify(serverFilterOf(filters));
  const serverFilter = useMemo(() => JSON.parse(serverKey) as ServerFilter | null, [serverKey]);
  const pager = useFilteredPager(feed, serverFilter);
  const base = useFeedSnapshot(feed);
  const view = useFeedSnapshot(pager ?? feed);

  const { rows } = useMemo(
    () => filterEvents(view.store.ascending(), { ...filters, search }),
    // The store is mutable: `version` says when it changed. The server filter is in `serverKey`.
    [view.store, view.version, serverKey, search],
  );
  const headers = useMemo(() => runSeparatorNodes(rows, runs), [rows, runs]);
  const runOptions = useMemo(() => runs.map((run) => ({ id: run.id, label: runTitle(run, phaseLabel) })), [runs]);
  const heartbeats = useMemo(() => countHeartbeats(base.store.ascending()), [base.store, base.version]);
  const types = useMemo(() => filterableTypes(new Set(base.store.ascending().map((e) => e.event_type))), [base.store, base.version]);
  const onLoadOlder = useCallback(() => void (pager ?? feed).loadOlder(), [pager, feed]);

  const filtered = serverFilter !== null || search.trim() !== '';
  const summary = liveSummary(base, rows.length, filtered, isExecuting);

  let body: ReactNode;
  if (view.status === 'loading' && view.store.size === 0) {
    body = (
      <div className="flex items-center justify-center gap-2 py-12 text-sm text-slate-600" role="status">
        <LoaderCircle aria-hidden="true" className="h-4 w-4 motion-safe:animate-spin" /> Loading events…
      </div>
    );
  } else if (view.status === 'error') {
    body = (
      <div className="flex flex-col items-center gap-2 py-12 text-sm" role="alert">
        <p className="flex items-center gap-1 font-medium text-red-700">
          <TriangleAlert aria-hidden="true" className="h-4 w-4" /> Could not load events
        </p>
        <p className="max-w-md text-center text-slate-600">{view.error?.message}</p>
        <button type="button" onClick={() => void (pager ?? feed).load()} className="rounded border border-slate-300 px-3 py-1 font-medium hover:bg-slate-50">
          Retry
        </button>
      </div>
    );
  } else if (rows.length === 0 && !view.hasOlder && !view.loadingOlder) {
    body = (
      <p className="py-12 text-center text-sm text-slate-600" data-testid="timeline-empty">
        {filtered ? 'No events match these filters.' : heartbeats.count > 0 ? 'Only heartbeats so far — events appear here as the run progresses' : 'No events yet — events appear here as the run progresses'}
      </p>
    );
  } else {
    body = (
      <TimelineList
        rows={rows}
        resetKey={`${serverKey}|${search}`}
        hasOlder={view.hasOlder}
        loadingOlder={view.loadingOlder}
        olderError={view.olderError}
        onLoadOlder={onLoadOlder}
        height={height}
        headers={headers}
      />
    );
  }

  return (
    <section aria-labelledby={`timeline-title-${specId}`} className={cn('rounded-lg border border-slate-200 bg-white', className)} data-testid="event-timeline">
      <header className="flex flex-wrap items-center gap-2 border-b border-slate-200 px-3 py-2">
        <h3 id={`timeline-title-${specId}`} className="text-sm font-semibold text-slate-900">
          Event timeline
        </h3>
        <ConnectionBadge connection={base.connection} isExecuting={isExecuting} />
        <p aria-live="polite" className="ml-auto text-xs text-slate-600" data-testid="timeline-summary">
          {summary}
        </p>
      </header>
      <TimelineFilterBar filters={filters} onChange={setFilters} types={types} runs={runOptions} />
      <HeartbeatCounter summary={heartbeats} />
      {body}
    </section>
  );
}
