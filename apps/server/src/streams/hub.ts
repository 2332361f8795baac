/**
 * The stream hub: per spec ONE feed shared by all its subscribers (SSE and WebSocket alike).
 *
 * A feed wakes on a bus message (and on a slow safety poll), reads the rows with `spec_seq` above its
 * cursor ONCE (`readFeedRows`: the JSON comes built from the database), turns them into ONE batch of
 * SSE frames in one Buffer (frames.ts), keeps it in its ring (ring.ts, bounded in bytes) and offers it
 * to every subscriber synchronously: every subscriber writes the same bytes, and the loop never awaits
 * a socket. A feed outlives its last subscriber by `feedLingerMs`, so clients that all drop and come
 * back find the ring still there.
 *
 * A subscriber first catches up: from the ring when it holds the next event (no database read), else
 * from the store in pages, each page read admitted at a bounded concurrency (admission.ts), awaiting its
 * OWN connection's drain between pages; then it goes live. Delivery is exactly-once and in order per
 * subscriber: it tracks the last `spec_seq` delivered, drops what it already has, and when an offer does
 * not start right after it (the seam between replay and live, or a missed wake-up) it catches up again.
 * A live subscriber whose connection backlog passes the limits is closed as `slow_consumer` with the
 * last delivered `spec_seq`, from which the client resumes.
 */
import type { EventBus } from '../bus/eventBus';
import { notFound } from '../http/errors';
import { Batcher, type BatcherStats } from '../services/batcher';
import { specAccessKey, specCursorsFor, type SpecCursor } from '../services/events';
import type { Queryable } from '../store/db';
import { Admission, type AdmissionStats } from './admission';
import { buildBatch, sliceOf, type FeedBatch, type FeedEvent, type FeedSlice } from './frames';
import { Pacer } from './pacer';
import { FrameRing } from './ring';
import { readFeedRows } from './rows';

export { FeedEvent, type FeedSlice } from './frames';

export interface HubLimits {
  /** A live subscriber whose connection holds more unsent bytes than this is closed as slow. */
  maxBufferedBytes: number;
  /** … or more unsent frames (writes) than this. */
  maxPendingFrames: number;
  /** Rows per catch-up page and per feed read. */
  pageSize: number;
  /** Safety poll of a feed. */
  pollIntervalMs: number;
  /** How long a catching-up subscriber waits for its connection to drain before it counts as slow. */
  drainTimeoutMs: number;
  /** How long a stream the server closed may take to flush before its socket is destroyed. */
  closeGraceMs: number;
  /** Bytes of recent frames each feed keeps for resumes (`SSE_RING_BYTES`). */
  ringBytes: number;
  /** Store reads (catch-up pages, access checks) of the streams running at once (`SSE_RESUME_CONCURRENCY`). */
  resumeConcurrency: number;
  /** How long a feed with no subscribers keeps reading (and its ring) before it stops (`SSE_FEED_LINGER_SECONDS`). */
  feedLingerMs: number;
  /**
   * A feed reads at most once per this interval (`SSE_FEED_INTERVAL_MS`): wake-ups closer together are
   * coalesced into one read, so every subscriber gets fewer, larger writes (a wake-up after a quiet
   * spell reads at once). 0 = read on every wake-up.
   */
  readIntervalMs: number;
  /** Ring replays run for at most this long per turn of the event loop, then yield (pacer.ts). */
  replayBudgetMs: number;
}

export const DEFAULT_HUB_LIMITS: HubLimits = {
  maxBufferedBytes: 4 * 1024 * 1024,
  maxPendingFrames: 2_000,
  pageSize: 500,
  pollIntervalMs: 2_000,
  drainTimeoutMs: 30_000,
  closeGraceMs: 5_000,
  ringBytes: 8 * 1024 * 1024,
  resumeConcurrency: 4,
  feedLingerMs: 30_000,
  readIntervalMs: 20,
  replayBudgetMs: 5,
};

/** What a subscriber needs from its connection. */
export interface SubscriberSink {
  /** Writes these events (already filtered; `chunks` are their SSE frames) in one go; never awaits. */
  send(slice: FeedSlice): void;
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
  filter?: (event: FeedEvent) => boolean;
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

/** Counters for tests and the metrics route. */
export interface HubStats {
  /** Catch-up steps served from a ring (no database read). */
  ringReplays: number;
  /** Catch-up pages read from the store. */
  storePages: number;
  /** Feed reads (one per wake-up with new rows, shared by all subscribers). */
  feedReads: number;
  /** Catch-up steps that waited for their connection to drain (backpressure). */
  drainWaits: number;
  slowClosed: number;
}

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
  /** A method, not a field read: the mode changes across awaits. */
  private isClosed(): boolean {
    return this.mode === 'closed';
  }

  /** Called by the feed, synchronously, with a batch in `spec_seq` order. */
  offer(batch: FeedBatch): void {
    if (this.mode !== 'live' || batch.lastSeq <= this.delivered) return;
    const from = batch.indexOf(this.delivered + 1);
    if (from === -1) {
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
    this.deliver(batch.suffix(from));
  }

  private deliver(slice: FeedSlice): void {
    const filter = this.options.filter;
    if (!filter) this.options.sink.send(slice);
    else {
      const visible = slice.events.filter(filter);
      if (visible.length) this.options.sink.send(visible.length === slice.events.length ? slice : sliceOf(visible));
    }
    this.delivered = slice.events[slice.events.length - 1]!.spec_seq;
  }

  /** Replays (ring, else store) until caught up with the feed, then goes live. */
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
      if (this.isClosed()) return;
      const cursor = this.feed.cursor;
      if (cursor !== null && this.delivered >= cursor) {
        this.mode = 'live';
        return;
      }
      if (this.feed.ring.covers(this.delivered)) {
        // In its turn (pacer.ts): the ring may have moved on meanwhile, so the slice is taken then.
        let replayed = false;
        await hub.pacer.run(() => {
          if (this.isClosed()) return;
          const fromRing = this.feed.ring.sliceAfter(this.delivered, hub.limits.maxBufferedBytes / 4);
          if (!fromRing) return;
          replayed = true;
          hub.stats.ringReplays++;
          this.deliver(fromRing);
        });
        if (this.isClosed()) return;
        if (replayed && !(await this.waitForRoom())) return;
        continue;
      }
      const rows = await hub.admission.run(() => readFeedRows(hub.db, this.specId, this.delivered, hub.limits.pageSize));
      hub.stats.storePages++;
      if (this.isClosed()) return;
      if (rows.length) this.deliver(buildBatch(rows));
      if (rows.length === hub.limits.pageSize) {
        if (!(await this.waitForRoom())) return;
        continue;
      }
      // The store has nothing more: live, unless the feed read further meanwhile (then the ring has it).
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
    if (!full()) return !this.isClosed();
    this.feed.hub.stats.drainWaits++;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), limits.drainTimeoutMs);
      timer.unref();
    });
    const result = await Promise.race([sink.drained().then(() => 'drained' as const), timedOut]);
    clearTimeout(timer);
    if (this.isClosed()) return false;
    if (result === 'timeout') {
      this.slow();
      return false;
    }
    return true;
  }

  private slow(): void {
    if (this.mode === 'closed') return;
    this.feed.hub.stats.slowClosed++;
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
  readonly ring: FrameRing;
  private reading = false;
  private again = false;
  private lastReadAt = 0;
  private deferred: NodeJS.Timeout | undefined;
  private stopped = false;
  private busOff: (() => Promise<void>) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private linger: NodeJS.Timeout | undefined;

  constructor(
    readonly hub: StreamHub,
    readonly specId: string,
  ) {
    this.ring = new FrameRing(() => hub.limits.ringBytes);
  }

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

  add(subscriber: Subscriber): void {
    this.subscribers.add(subscriber);
    if (this.linger) {
      clearTimeout(this.linger);
      this.linger = undefined;
    }
  }

  wake(): void {
    if (this.stopped || this.deferred) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    const wait = this.lastReadAt + this.hub.limits.readIntervalMs - performance.now();
    if (wait > 1) {
      this.deferred = setTimeout(() => {
        this.deferred = undefined;
        this.wake();
      }, wait);
      return;
    }
    this.reading = true;
    void this.read().finally(() => {
      this.reading = false;
      // A wake-up during the read: read again, after the interval.
      if (this.again && !this.stopped) {
        this.again = false;
        this.wake();
      }
    });
  }

  private async read(): Promise<void> {
    try {
      let full: boolean;
      do {
        this.again = false;
        this.lastReadAt = performance.now();
        const rows = await readFeedRows(this.hub.db, this.specId, this.cursor ?? 0, this.hub.limits.pageSize);
        if (this.stopped) return;
        full = rows.length === this.hub.limits.pageSize;
        if (rows.length === 0) continue;
        const batch = buildBatch(rows);
        this.cursor = batch.lastSeq;
        this.ring.push(batch);
        this.hub.stats.feedReads++;
        for (const subscriber of [...this.subscribers]) subscriber.offer(batch);
        // A full page: more is waiting, read it now (a backlog is not coalesced).
      } while (full && !this.stopped);
    } catch (error) {
      this.hub.logger.warn({ err: error, spec_id: this.specId }, 'stream feed read failed; retrying on the next wake-up');
    }
  }

  remove(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size > 0 || this.stopped || this.linger) return;
    const lingerMs = this.hub.limits.feedLingerMs;
    if (lingerMs <= 0 || this.hub.closing) return this.stop();
    this.linger = setTimeout(() => {
      this.linger = undefined;
      if (this.subscribers.size === 0) this.stop();
    }, lingerMs);
    this.linger.unref();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    if (this.linger) clearTimeout(this.linger);
    if (this.deferred) clearTimeout(this.deferred);
    this.hub.dropFeed(this);
    const off = this.busOff;
    this.busOff = undefined;
    if (off) void off().catch(() => undefined);
  }
}

export type CloseReason = 'shutting_down';

interface SpecAccess {
  specId: string;
  userId: string;
}

export class StreamHub {
  readonly db: Queryable;
  readonly bus: EventBus;
  readonly logger: HubLogger;
  /** Mutable so a test (or a benchmark) can tighten them. */
  readonly limits: HubLimits;
  readonly stats: HubStats = { ringReplays: 0, storePages: 0, feedReads: 0, drainWaits: 0, slowClosed: 0 };
  /** Runs ring replays in turns of at most `limits.replayBudgetMs` of the thread (pacer.ts). */
  readonly pacer: Pacer;
  /** Admits the catch-up pages read from the store at `limits.resumeConcurrency`. */
  readonly admission: Admission;
  /**
   * New streams' access checks (spec cursor + membership), batched: the checks asked meanwhile are one
   * query, at most `resumeConcurrency` batches at once, apart from the pages (a storm's reconnects never
   * wait behind pages). No cache: see services/batcher.ts.
   */
  readonly checks: Batcher<SpecAccess, SpecCursor>;
  private readonly feeds = new Map<string, SpecFeed>();
  private readonly connections = new Set<(reason: CloseReason) => void>();
  private shuttingDown = false;

  constructor(deps: HubDeps) {
    this.db = deps.db;
    this.bus = deps.bus;
    this.logger = deps.logger;
    this.limits = { ...DEFAULT_HUB_LIMITS, ...deps.limits };
    this.admission = new Admission(() => this.limits.resumeConcurrency);
    this.pacer = new Pacer(() => this.limits.replayBudgetMs);
    this.checks = new Batcher<SpecAccess, SpecCursor>({
      load: (pairs) => specCursorsFor(this.db, pairs),
      id: (p) => specAccessKey(p.specId, p.userId),
      maxInFlight: () => this.limits.resumeConcurrency,
    });
  }

  get closing(): boolean {
    return this.shuttingDown;
  }

  /** A new stream's access check: the spec (id, last `spec_seq`) if the user is a member of its project, else `not_found`. */
  async checkAccess(specId: string, userId: string): Promise<SpecCursor> {
    const spec = await this.checks.load({ specId, userId });
    if (!spec) throw notFound('spec');
    return spec;
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
    feed.add(subscriber);
    subscriber.catchUp();
    return subscriber;
  }

  /** Registers a connection's closer, called on shutdown; returns the unregister function. */
  track(close: (reason: CloseReason) => void): () => void {
    this.connections.add(close);
    return () => this.connections.delete(close);
  }

  /** Feeds running now (one per spec with subscribers, or lingering after its last one left). */
  get feedCount(): number {
    return this.feeds.size;
  }

  /** Figures for the metrics route and tests. */
  snapshot(): { feeds: number; subscribers: number; ringBytes: number; stats: HubStats & { replayYields: number }; admission: AdmissionStats; checks: BatcherStats } {
    let subscribers = 0;
    let ringBytes = 0;
    for (const feed of this.feeds.values()) {
      subscribers += feed.subscribers.size;
      ringBytes += feed.ring.bytes;
    }
    return { feeds: this.feeds.size, subscribers, ringBytes, stats: { ...this.stats, replayYields: this.pacer.yields }, admission: this.admission.stats(), checks: this.checks.stats() };
  }

  /** The ring's range of a spec's feed (tests): `[first, last]` `spec_seq`, or null. */
  ringRange(specId: string): [number, number] | null {
    const ring = this.feeds.get(specId)?.ring;
    return ring?.firstSeq != null && ring.lastSeq != null ? [ring.firstSeq, ring.lastSeq] : null;
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
