/** The stream hub's settings, its subscribers' interface and its counters (hub.ts, feed.ts). */
import type { EventBus } from '../bus/eventBus';
import type { Queryable } from '../store/db';
import type { FeedEvent, FeedSlice } from './frames';

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

export type CloseReason = 'shutting_down';
