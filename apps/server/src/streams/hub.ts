/**
 * The stream hub: per spec ONE feed shared by all its subscribers (SSE and WebSocket alike).
 *
 * A feed wakes on a bus message (and on a slow safety poll while it has subscribers, so a lost bus
 * message only delays), reads the rows with `spec_seq` above its cursor ONCE, and offers them to every
 * subscriber synchronously: the shared loop never awaits a socket.
 *
 * A subscriber first catches up from the table in pages (awaiting its OWN connection's drain between
 * pages), then goes live. Delivery is exactly-once and in order per subscriber: it tracks the last
 * `spec_seq` delivered, drops what it already has, and when an offer does not start right after it
 * (the seam between replay and live, or a missed wake-up) it catches up from the table again. A live
 * subscriber whose connection backlog passes the limits is closed as `slow_consumer` with the last
 * delivered `spec_seq`, from which the client resumes.
 */
import type { StoredEvent } from '@specline/protocol';
import type { EventBus } from '../bus/eventBus';
import type { Queryable } from '../store/db';
import { readEventsAfter } from '../services/events';

export interface FeedEvent {
  spec_seq: number;
  event: StoredEvent;
  /** `JSON.stringify(event)`, computed once per feed read and shared by every subscriber. */
  json: string;
}

export interface HubLimits {
  /** A live subscriber whose connection holds more unsent bytes than this is closed as slow. */
  maxBufferedBytes: number;
  /** … or more unsent frames (writes) than this. */
  maxPendingFrames: number;
  /** Rows per catch-up page and per feed read. */
  pageSize: number;
  /** Safety poll of a feed with subscribers. */
  pollIntervalMs: number;
  /** How long a catching-up subscriber waits for its connection to drain before it counts as slow. */
  drainTimeoutMs: number;
  /** How long a stream the server closed may take to flush before its socket is destroyed. */
  closeGraceMs: number;
}

export const DEFAULT_HUB_LIMITS: HubLimits = {
  maxBufferedBytes: 4 * 1024 * 1024,
  maxPendingFrames: 2_000,
  pageSize: 500,
  pollIntervalMs: 2_000,
  drainTimeoutMs: 30_000,
  closeGraceMs: 5_000,
};

/** What a subscriber needs from its connection. */
export interface SubscriberSink {
  /** Writes the frames of these events (already filtered) in one go; never awaits. */
  send(events: readonly FeedEvent[]): void;
  /** What the connection holds but has not handed to the kernel yet. */
  backlog(): { bytes: number; frames: number };
  /** Resolves when the connection drained (or closed). */
  drained(): Promise<void>;
  /** The subscriber fell too far behind: the connection must close with `slow_consumer`. */
  onSlow(resumeAfter: number): void;
  /** Reading the store failed: the connection should close (the client resumes). */
  onError(error: unknown): void;
}

export interface SubscribeOptions {
  specId: string;
  /** Deliver events with `spec_seq` above this. */
  after: number;
  sink: SubscriberSink;
  /** Events that fail the filter advance the cursor but are not sent. */
  filter?: (event: StoredEvent) => boolean;
}

export interface Subscription {
  readonly specId: string;
  /** Last `spec_seq` delivered (or skipped by the filter): the resume point. */
  readonly delivered: number;
  close(): void;
}

export interface HubLogger {
  warn(fields: Record<string, unknown>, message: string): void;
}

export interface HubDeps {
  db: Queryable;
  bus: EventBus;
  logger: HubLogger;
  limits?: Partial<HubLimits>;
}

const toFeedEvent = (event: StoredEvent): FeedEvent => ({ spec_seq: event.spec_seq, event, json: JSON.stringify(event) });

class Subscriber implements Subscription {
  delivered: number;
  private mode: 'catchup' | 'live' | 'closed' = 'catchup';
  constructor(
    private readonly feed: SpecFeed,
    private readonly options: SubscribeOptions,
  ) {
    this.delivered = options.after;
  }
  get specId(): string {
    return this.options.specId;
  }
  get closed(): boolean {
    return this.mode === 'closed';
  }

  /** Called by the feed, synchronously, with events in `spec_seq` order. */
  offer(events: readonly FeedEvent[]): void {
    if (this.mode !== 'live') return;
    const fresh = events.filter((e) => e.spec_seq > this.delivered);
    if (fresh.length === 0) return;
    if (fresh[0]!.spec_seq !== this.delivered + 1) {
      this.catchUp();
      return;
    }
    // What the connection still holds from earlier offers decides: a consumer that kept up has
    // flushed it, whatever the size of this one.
    const { bytes, frames } = this.options.sink.backlog();
    const limits = this.feed.hub.limits;
    if (bytes > limits.maxBufferedBytes || frames > limits.maxPendingFrames) {
      this.slow();
      return;
    }
    this.deliver(fresh);
  }

  private deliver(events: readonly FeedEvent[]): void {
    const filter = this.options.filter;
    const visible = filter ? events.filter((e) => filter(e.event)) : events;
    if (visible.length) this.options.sink.send(visible);
    this.delivered = events[events.length - 1]!.spec_seq;
  }

  /** Replays from the table until caught up with the feed, then goes live. */
  catchUp(): void {
    this.mode = 'catchup';
    void this.replay().catch((error: unknown) => {
      if (this.mode === 'closed') return;
      this.close();
      this.options.sink.onError(error);
    });
  }

  private async replay(): Promise<void> {
    const { hub } = this.feed;
    for (;;) {
      const rows = await readEventsAfter(hub.db, this.specId, this.delivered, hub.limits.pageSize);
      if (this.mode === 'closed') return;
      if (rows.length) this.deliver(rows.map(toFeedEvent));
      if (rows.length === hub.limits.pageSize) {
        if (!(await this.waitForRoom())) return;
        continue;
      }
      if (this.feed.cursor !== null && this.feed.cursor > this.delivered) continue;
      this.mode = 'live';
      return;
    }
  }

  /** Waits for this connection to drain below the limits; false when it did not in time (then it is closed as slow). */
  private async waitForRoom(): Promise<boolean> {
    const { sink } = this.options;
    const limits = this.feed.hub.limits;
    const full = () => {
      const { bytes, frames } = sink.backlog();
      return bytes > limits.maxBufferedBytes / 4 || frames > limits.maxPendingFrames / 4;
    };
    if (!full()) return true;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), limits.drainTimeoutMs);
      timer.unref();
    });
    const result = await Promise.race([sink.drained().then(() => 'drained' as const), timedOut]);
    clearTimeout(timer);
    if (this.mode === 'closed') return false;
    if (result === 'timeout') {
      this.slow();
      return false;
    }
    return true;
  }

  private slow(): void {
    if (this.mode === 'closed') return;
    this.close();
    this.options.sink.onSlow(this.delivered);
  }

  close(): void {
    if (this.mode === 'closed') return;
    this.mode = 'closed';
    this.feed.remove(this);
  }
}

class SpecFeed {
  /** Highest `spec_seq` this feed has read; `null` until it knows where the spec stands. */
  cursor: number | null = null;
  readonly subscribers = new Set<Subscriber>();
  private reading = false;
  private again = false;
  private stopped = false;
  private busOff: (() => Promise<void>) | undefined;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly hub: StreamHub,
    readonly specId: string,
  ) {}

  start(startAt: number): void {
    this.cursor = startAt;
    this.timer = setInterval(() => this.wake(), this.hub.limits.pollIntervalMs);
    this.timer.unref();
    this.hub.bus
      .subscribe(this.specId, (message) => {
        if (this.cursor === null || message.spec_seq > this.cursor) this.wake();
      })
      .then((off) => {
        if (this.stopped) void off().catch(() => undefined);
        else this.busOff = off;
        // Anything committed while the subscription was being set up.
        this.wake();
      })
      .catch((error: unknown) => this.hub.logger.warn({ err: error, spec_id: this.specId }, 'bus subscribe failed; the feed relies on its poll'));
  }

  wake(): void {
    if (this.stopped) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    this.reading = true;
    void this.read().finally(() => {
      this.reading = false;
    });
  }

  private async read(): Promise<void> {
    try {
      do {
        this.again = false;
        const rows = await readEventsAfter(this.hub.db, this.specId, this.cursor ?? 0, this.hub.limits.pageSize);
        if (this.stopped) return;
        if (rows.length === 0) continue;
        this.cursor = rows[rows.length - 1]!.spec_seq;
        const events = rows.map(toFeedEvent);
        for (const subscriber of [...this.subscribers]) subscriber.offer(events);
        if (rows.length === this.hub.limits.pageSize) this.again = true;
      } while (this.again && !this.stopped);
    } catch (error) {
      this.hub.logger.warn({ err: error, spec_id: this.specId }, 'stream feed read failed; retrying on the next wake-up');
    }
  }

  remove(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size === 0) this.stop();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    this.hub.dropFeed(this);
    const off = this.busOff;
    this.busOff = undefined;
    if (off) void off().catch(() => undefined);
  }
}

export type CloseReason = 'shutting_down';

export class StreamHub {
  readonly db: Queryable;
  readonly bus: EventBus;
  readonly logger: HubLogger;
  /** Mutable so a test (or a benchmark) can tighten them. */
  readonly limits: HubLimits;
  private readonly feeds = new Map<string, SpecFeed>();
  private readonly connections = new Set<(reason: CloseReason) => void>();
  private shuttingDown = false;

  constructor(deps: HubDeps) {
    this.db = deps.db;
    this.bus = deps.bus;
    this.logger = deps.logger;
    this.limits = { ...DEFAULT_HUB_LIMITS, ...deps.limits };
  }

  get closing(): boolean {
    return this.shuttingDown;
  }

  /**
   * Subscribes to a spec from `after`. `startAt` is where the spec stood when access was checked
   * (its `last_spec_seq`): a new feed starts reading there.
   */
  subscribe(options: SubscribeOptions, startAt: number): Subscription {
    let feed = this.feeds.get(options.specId);
    if (!feed) {
      feed = new SpecFeed(this, options.specId);
      this.feeds.set(options.specId, feed);
      feed.start(startAt);
    }
    const subscriber = new Subscriber(feed, options);
    feed.subscribers.add(subscriber);
    subscriber.catchUp();
    return subscriber;
  }

  /** Registers a connection's closer, called on shutdown; returns the unregister function. */
  track(close: (reason: CloseReason) => void): () => void {
    this.connections.add(close);
    return () => this.connections.delete(close);
  }

  /** Feeds running now (one per spec with subscribers). */
  get feedCount(): number {
    return this.feeds.size;
  }

  dropFeed(feed: SpecFeed): void {
    if (this.feeds.get(feed.specId) === feed) this.feeds.delete(feed.specId);
  }

  /** Closes every stream with `shutting_down` and stops every feed. */
  shutdown(): void {
    this.shuttingDown = true;
    for (const close of [...this.connections]) close('shutting_down');
    this.connections.clear();
    for (const feed of [...this.feeds.values()]) feed.stop();
  }
}
