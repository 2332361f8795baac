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
import { SpecFeed, Subscriber } from './feed';
import { DEFAULT_HUB_LIMITS, type CloseReason, type HubDeps, type HubLimits, type HubLogger, type HubStats, type SubscribeOptions, type Subscription } from './hubTypes';
import { Pacer } from './pacer';

export { FeedEvent, type FeedSlice } from './frames';
export * from './hubTypes';

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
