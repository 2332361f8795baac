import type { QueryClient } from '@tanstack/react-query';
import type { Spec, StoredEvent } from '@specline/protocol';
import { queryKeys } from '../../lib/queryKeys';
import { realSchedule, type Connection, type Schedule, type SpecEventFeed } from '../timeline/eventFeed';
import { anyRefresh, applyEventsToSpec, NO_REFRESH, refreshOf, type Refresh } from './specFromEvents';

/** How long live events are gathered before one refresh serves all of them (a phase ending emits several). */
export const REFRESH_COALESCE_MS = 150;

export interface LiveSpecSyncOptions {
  specId: string;
  feed: SpecEventFeed;
  queryClient: QueryClient;
  schedule?: Schedule;
  coalesceMs?: number;
  /** Called with every batch of live events before the cache is written (toasts). */
  onEvents?: (events: readonly StoredEvent[]) => void;
}

/**
 * Keeps the cached spec of one page in step with its run, from the events the timeline's stream already
 * receives (one stream per spec, never a second): each live batch is written into the `GET /specs/{id}`
 * cache entry with {@link applyEventsToSpec}; only the events that bring rows the events do not carry (a
 * phase's requirements/design/tasks, the run's end) cause a refetch, and a burst of them one refetch, never
 * two at once. When the stream first comes up for a run the spec is read once more (events stored between
 * the page's spec read and the timeline's backfill reach neither), and events that arrive while a refetch is
 * under way are applied again on top of its answer, so a read that started before them cannot undo them.
 */
export class LiveSpecSync {
  private readonly schedule: Schedule;
  private readonly coalesceMs: number;
  private pending: Refresh = NO_REFRESH;
  private cancelTimer: (() => void) | null = null;
  private inFlight = false;
  private stopped = true;
  private lastConnection: Connection = 'idle';
  private offLive: (() => void) | null = null;
  private offSnapshot: (() => void) | null = null;

  constructor(private readonly options: LiveSpecSyncOptions) {
    this.schedule = options.schedule ?? realSchedule;
    this.coalesceMs = options.coalesceMs ?? REFRESH_COALESCE_MS;
  }

  start(): void {
    if (!this.stopped) return;
    this.stopped = false;
    const { feed } = this.options;
    this.lastConnection = feed.getSnapshot().connection;
    this.offLive = feed.onLive((events) => this.onLive(events));
    this.offSnapshot = feed.subscribe(() => this.onConnection(feed.getSnapshot().connection));
  }

  stop(): void {
    this.stopped = true;
    this.offLive?.();
    this.offSnapshot?.();
    this.offLive = this.offSnapshot = null;
    this.cancelTimer?.();
    this.cancelTimer = null;
    this.pending = NO_REFRESH;
  }

  private get detailKey() {
    return queryKeys.specs.detail(this.options.specId);
  }

  private onLive(events: readonly StoredEvent[]): void {
    this.options.onEvents?.(events);
    this.apply(events);
    this.request(refreshOf(events));
  }

  /** The stream came up (first time for this run, or again after it was idle): read the spec once to close the gap. */
  private onConnection(connection: Connection): void {
    const previous = this.lastConnection;
    this.lastConnection = connection;
    if (connection === 'live' && (previous === 'idle' || previous === 'connecting')) this.request({ ...NO_REFRESH, detail: true });
  }

  private apply(events: readonly StoredEvent[]): void {
    if (events.length === 0) return;
    this.options.queryClient.setQueryData<Spec>(this.detailKey, (old) => (old ? applyEventsToSpec(old, events) : old));
  }

  private request(refresh: Refresh): void {
    this.pending = merge(this.pending, refresh);
    this.scheduleFlush();
  }

  /** One refresh at a time: what comes in while one is under way waits for it, then goes out together. */
  private scheduleFlush(): void {
    if (this.stopped || this.inFlight || this.cancelTimer || !anyRefresh(this.pending)) return;
    this.cancelTimer = this.schedule(() => {
      this.cancelTimer = null;
      void this.flush();
    }, this.coalesceMs);
  }

  private async flush(): Promise<void> {
    if (this.stopped || !anyRefresh(this.pending)) return;
    const refresh = this.pending;
    this.pending = NO_REFRESH;
    this.inFlight = true;
    const { queryClient, specId, feed } = this.options;
    const invalidate = (queryKey: readonly unknown[], exact = false) => queryClient.invalidateQueries({ queryKey, exact });
    const jobs: Promise<unknown>[] = [];
    if (refresh.detail) {
      // Events after this point may or may not be in the answer: they are applied again on top of it.
      const from = feed.store.highest;
      jobs.push(invalidate(this.detailKey, true).then(() => this.apply(eventsAfter(feed, from))));
      jobs.push(invalidate(queryKeys.specs.executionStatus(specId)), invalidate(queryKeys.specs.criteriaStatus(specId)));
      jobs.push(invalidate(queryKeys.specs.versionsAll(specId)), invalidate(queryKeys.specs.proposals(specId)));
    }
    if (refresh.phaseData) jobs.push(invalidate(queryKeys.specs.phaseData(specId)));
    if (refresh.runs) jobs.push(invalidate(queryKeys.specs.runs(specId)));
    if (refresh.tickets) jobs.push(invalidate(queryKeys.specs.linkedTickets(specId)));
    if (refresh.lists) jobs.push(invalidate(queryKeys.specs.lists));
    await Promise.allSettled(jobs);
    this.inFlight = false;
    this.scheduleFlush();
  }
}

function merge(a: Refresh, b: Refresh): Refresh {
  return { detail: a.detail || b.detail, phaseData: a.phaseData || b.phaseData, runs: a.runs || b.runs, tickets: a.tickets || b.tickets, lists: a.lists || b.lists };
}

/** The feed's events after `seq`, ascending (scanned from the end: few, however long the run). */
function eventsAfter(feed: SpecEventFeed, seq: number): StoredEvent[] {
  const all = feed.store.ascending();
  let i = all.length;
  while (i > 0 && all[i - 1]!.spec_seq > seq) i--;
  return all.slice(i);
}

const syncs = new WeakMap<SpecEventFeed, { sync: LiveSpecSync; refs: number }>();

/** One sync per feed however many components follow the spec (the page and its Execution tab); released by the returned function. */
export function retainLiveSpecSync(options: LiveSpecSyncOptions): () => void {
  let entry = syncs.get(options.feed);
  if (!entry) {
    entry = { sync: new LiveSpecSync(options), refs: 0 };
    syncs.set(options.feed, entry);
  }
  const held = entry;
  held.refs++;
  held.sync.start();
  let released = false;
  return () => {
    if (released) return;
    released = true;
    held.refs--;
    if (held.refs === 0) {
      held.sync.stop();
      syncs.delete(options.feed);
    }
  };
}
