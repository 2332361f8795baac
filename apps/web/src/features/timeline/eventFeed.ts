import { TERMINAL_EVENT_TYPE, type EventsPage, type StoredEvent } from '@specline/protocol';
import type { StreamStatus } from '@specline/client';
import { EventStore } from './eventStore';
import { matchesServerFilter, type ServerFilter } from './filterEvents';

/** How a feed reaches the server: the seam tests fill with a client over a fake fetch. */
export interface FeedTransport {
  fetchPage(specId: string, query: { order: 'asc' | 'desc'; limit: number; before?: number; after?: number } & ServerFilter, signal?: AbortSignal): Promise<EventsPage>;
  subscribe(
    specId: string,
    after: number,
    handlers: { onEvent: (event: StoredEvent) => void; onStatus: (status: StreamStatus) => void; onError: (error: Error) => void },
  ): { close(): void };
  /** New events after the cursor, ascending (the polling fallback). */
  poll(specId: string, after: number, signal?: AbortSignal): Promise<{ events: StoredEvent[] }>;
}

/** `setTimeout` as a function that returns its own cancel; injectable so tests drive time. */
export type Schedule = (fn: () => void, ms: number) => () => void;
export const realSchedule: Schedule = (fn, ms) => {
  const timer = setTimeout(fn, ms);
  return () => clearTimeout(timer);
};

/** `live` / `reconnecting` / `connecting`: SSE; `polling`: the fallback; `idle`: not following the run. */
export type Connection = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'polling';

export interface FeedSnapshot {
  /** Changes on every change of the store or of the state below. */
  version: number;
  store: EventStore;
  status: 'loading' | 'ready' | 'error';
  error: Error | null;
  connection: Connection;
  hasOlder: boolean;
  loadingOlder: boolean;
  olderError: Error | null;
  /** Events the server holds for this view (from the last page read). */
  totalCount: number;
}

export interface PagerOptions {
  specId: string;
  transport: FeedTransport;
  /** Only events the server filter lets through (a filtered view); null for the whole stream. */
  filter?: ServerFilter | null;
  firstPageSize?: number;
  olderPageSize?: number;
}

/** Loaded events of one view with paging back in time: the newest page first, older pages on demand. */
export class EventPager {
  readonly store = new EventStore();
  protected readonly options: Required<Omit<PagerOptions, 'filter'>> & { filter: ServerFilter | null };
  protected state: Omit<FeedSnapshot, 'version' | 'store'> = {
    status: 'loading',
    error: null,
    connection: 'idle',
    hasOlder: false,
    loadingOlder: false,
    olderError: null,
    totalCount: 0,
  };
  private snapshot: FeedSnapshot;
  private revision = 0;
  private readonly listeners = new Set<() => void>();
  private notifyQueued = false;
  protected disposed = false;
  protected readonly abort = new AbortController();

  constructor(options: PagerOptions) {
    this.options = { firstPageSize: 200, olderPageSize: 1000, ...options, filter: options.filter ?? null };
    this.snapshot = this.makeSnapshot();
  }

  get specId(): string {
    return this.options.specId;
  }

  private makeSnapshot(): FeedSnapshot {
    return { ...this.state, store: this.store, version: this.revision * 1_000_000 + this.store.version };
  }

  getSnapshot = (): FeedSnapshot => this.snapshot;

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  /** Publishes a new snapshot; notifications are coalesced to one per microtask. */
  protected changed(patch: Partial<FeedPagerState> = {}): void {
    this.state = { ...this.state, ...patch };
    this.revision++;
    this.snapshot = this.makeSnapshot();
    if (this.notifyQueued) return;
    this.notifyQueued = true;
    queueMicrotask(() => {
      this.notifyQueued = false;
      for (const listener of this.listeners) listener();
    });
  }

  /** Loads the newest page (again, after an error). */
  async load(): Promise<void> {
    this.changed({ status: 'loading', error: null });
    try {
      const page = await this.options.transport.fetchPage(this.specId, { order: 'desc', limit: this.options.firstPageSize, ...this.options.filter }, this.abort.signal);
      if (this.disposed) return;
      this.store.add(page.events);
      this.changed({ status: 'ready', hasOlder: page.has_more, totalCount: Math.max(page.total_count, this.store.size) });
      this.afterLoad();
    } catch (error) {
      if (this.disposed) return;
      this.changed({ status: 'error', error: asError(error) });
    }
  }

  protected afterLoad(): void {}

  /** Loads the page before the oldest loaded event. Concurrent calls share one request. */
  async loadOlder(): Promise<void> {
    if (this.state.loadingOlder || !this.state.hasOlder || this.state.status !== 'ready') return;
    this.changed({ loadingOlder: true, olderError: null });
    try {
      const page = await this.options.transport.fetchPage(
        this.specId,
        { order: 'desc', limit: this.options.olderPageSize, before: this.store.lowest, ...this.options.filter },
        this.abort.signal,
      );
      if (this.disposed) return;
      this.store.add(page.events);
      this.changed({ loadingOlder: false, hasOlder: page.has_more && page.events.length > 0 });
    } catch (error) {
      if (this.disposed) return;
      this.changed({ loadingOlder: false, olderError: asError(error) });
    }
  }

  /** Merges events that arrived live (already deduplicated and filtered by the caller or here). */
  ingest(events: readonly StoredEvent[]): StoredEvent[] {
    const accepted = this.options.filter ? events.filter((e) => matchesServerFilter(e, this.options.filter)) : events;
    const fresh = this.store.add(accepted);
    if (fresh.length > 0) this.changed({ totalCount: this.state.totalCount + fresh.length });
    return fresh;
  }

  dispose(): void {
    this.disposed = true;
    this.abort.abort();
    this.listeners.clear();
  }
}

type FeedPagerState = Omit<FeedSnapshot, 'version' | 'store'>;

export interface FeedOptions extends PagerOptions {
  /** Poll period of the fallback (default 2 s). */
  pollIntervalMs?: number;
  schedule?: Schedule;
}

/**
 * The whole event stream of a spec: backfill (newest page), then tail through SSE from the highest loaded
 * `spec_seq`; if the stream gives up, polls `after=<cursor>` every 2 s until the run ends. Listeners of
 * {@link SpecEventFeed.onLive} get each live event once (toasts, filtered views, spec refreshes).
 */
export class SpecEventFeed extends EventPager {
  private wantLive = false;
  private stream: { close(): void } | null = null;
  private streamToken: object | null = null;
  private cancelPoll: (() => void) | null = null;
  private polling = false;
  private terminalSeen = false;
  private readonly liveListeners = new Set<(events: StoredEvent[]) => void>();
  private readonly schedule: Schedule;
  private readonly pollIntervalMs: number;

  constructor(options: FeedOptions) {
    super({ ...options, filter: null });
    this.schedule = options.schedule ?? realSchedule;
    this.pollIntervalMs = options.pollIntervalMs ?? 2000;
  }

  /** Calls `listener` with every batch of new live (or polled) events. */
  onLive(listener: (events: StoredEvent[]) => void): () => void {
    this.liveListeners.add(listener);
    return () => this.liveListeners.delete(listener);
  }

  /** Follow the run (true while it executes) or stop following it. */
  setLive(live: boolean): void {
    if (live === this.wantLive) return;
    this.wantLive = live;
    if (live) this.terminalSeen = false;
    this.reconcile();
  }

  protected override afterLoad(): void {
    this.reconcile();
  }

  private reconcile(): void {
    if (this.disposed) return;
    const follow = this.wantLive && this.state.status === 'ready';
    if (!follow) {
      this.stopStream();
      this.stopPolling();
      if (this.state.connection !== 'idle') this.changed({ connection: 'idle' });
      return;
    }
    if (this.streamToken || this.polling) return;
    this.startStream();
  }

  private deliver(events: StoredEvent[]): void {
    const fresh = this.ingest(events);
    if (fresh.length === 0) return;
    if (fresh.some((e) => e.event_type === TERMINAL_EVENT_TYPE)) {
      this.terminalSeen = true;
      this.stopPolling();
    }
    for (const listener of this.liveListeners) listener(fresh);
  }

  private startStream(): void {
    this.changed({ connection: 'connecting' });
    // Status callbacks may come before subscribe() returns: identify this stream by a token set first.
    const token = {};
    this.streamToken = token;
    const stream = this.options.transport.subscribe(this.specId, this.store.highest, {
      onEvent: (event) => {
        if (this.streamToken === token) this.deliver([event]);
      },
      onStatus: (status) => {
        if (this.streamToken !== token) return;
        switch (status) {
          case 'connecting':
          case 'live':
          case 'reconnecting':
            this.changed({ connection: status });
            return;
          case 'failed':
            this.streamToken = null;
            this.stream = null;
            this.startPolling();
            return;
          case 'closed':
            return;
        }
      },
      onError: () => undefined,
    });
    if (this.streamToken === token) this.stream = stream;
  }

  private stopStream(): void {
    const stream = this.stream;
    this.stream = null;
    this.streamToken = null;
    stream?.close();
  }

  private startPolling(): void {
    if (this.polling || !this.wantLive || this.terminalSeen) {
      if (this.terminalSeen) this.changed({ connection: 'idle' });
      return;
    }
    this.polling = true;
    this.changed({ connection: 'polling' });
    const tick = () => {
      this.cancelPoll = null;
      if (!this.polling) return;
      this.options.transport.poll(this.specId, this.store.highest, this.abort.signal).then(
        ({ events }) => {
          if (!this.polling) return;
          this.deliver(events);
          if (this.polling) this.cancelPoll = this.schedule(tick, this.pollIntervalMs);
        },
        () => {
          if (this.polling) this.cancelPoll = this.schedule(tick, this.pollIntervalMs);
        },
      );
    };
    tick();
  }

  private stopPolling(): void {
    this.polling = false;
    this.cancelPoll?.();
    this.cancelPoll = null;
    if (this.state.connection === 'polling') this.changed({ connection: 'idle' });
  }

  override dispose(): void {
    this.stopStream();
    this.stopPolling();
    this.liveListeners.clear();
    super.dispose();
  }
}

function asError(error: unknown): Error {
  return error instanceof Error ? error : new Error(String(error));
}
