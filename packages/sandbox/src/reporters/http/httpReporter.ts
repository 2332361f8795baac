import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_LIMITS } from '@specline/protocol';
import type { SpecEvent } from '@specline/protocol';
import type { Clock, Logger, Reporter } from '../../types';
import { serialize, silentLogger } from '../internal';
import { systemClock } from '../../clock';
import { postJson } from './post';
import type { PostOutcome } from './post';
import { DEFAULT_RETRY_POLICY, backoffDelay } from './retry';
import type { RetryPolicy } from './retry';
import { JsonlAppender, JsonlSpool } from './spool';
import type { SpoolBatch } from './spool';

export interface HttpReporterOptions {
  /** Server base URL, e.g. `http://localhost:8000`. */
  callbackUrl: string;
  sandboxId: string;
  /** The sandbox token, sent as `Authorization: Bearer <token>`. */
  token: string;
  /** Send when this many events are buffered. Default 100 (at most 500, the server's batch limit). */
  batchSize?: number;
  /** Send buffered events at the latest this long after the first of them. Default 250 ms. */
  flushIntervalMs?: number;
  /** Events held in memory at most; beyond that they go to the spool file. Default 10,000. */
  maxBufferedEvents?: number;
  /** Per-request timeout. Default 10 s. */
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  /** While the server is unreachable, try it again this often. Default 5 s. */
  probeIntervalMs?: number;
  /** `close()` waits for the server at most this long, then leaves the spool on disk. Default 30 s. */
  closeTimeoutMs?: number;
  /** Folder of the spool and dead-letter files. Default `<tmpdir>/specline-sandbox-<sandboxId>`. */
  stateDir?: string;
  /** Default `<stateDir>/http-spool.jsonl`. */
  spoolPath?: string;
  /** Default `<stateDir>/http-dead-letter.jsonl`. */
  deadLetterPath?: string;
  clock?: Clock;
  logger?: Logger;
  /** Jitter source in [0, 1). Default `Math.random`. */
  random?: () => number;
}

/** Counters of one reporter, for callers that want to say what happened. */
export interface HttpReporterStats {
  reported: number;
  delivered: number;
  deadLettered: number;
  /** Events in the spool file, not yet delivered. */
  spooled: number;
  unreachable: boolean;
  spoolPath: string;
  deadLetterPath: string;
}

interface Entry {
  /** 1-based position in report order (0 for lines read back from the spool). */
  ordinal: number;
  json: string;
}

type SendResult = { kind: 'done' } | { kind: 'unreachable'; remaining: Entry[] };

const BATCH_OVERHEAD = '{"events":[]}'.length;

/**
 * Delivers events to `POST {callbackUrl}/api/v1/sandboxes/{sandboxId}/events`, one POST per batch
 * (`{events: [...]}`), one request in flight at a time, in report order.
 *
 * - Batches at `batchSize` events or `flushIntervalMs` after the first buffered event; a heartbeat
 *   sends at once, together with everything reported before it.
 * - Network errors, timeouts, 5xx, 408 and 429 are retried (exponential backoff with full jitter,
 *   `Retry-After` honoured) with the very same batch, so the same `event_id`s. Other 4xx are not:
 *   the batch goes to the dead-letter file with the server's `{detail, code}` (for a 422 naming bad
 *   events only those are set aside and the rest is sent again; a 413 batch is split in two).
 * - When retries last longer than `maxRetryDurationMs` the server counts as unreachable: pending
 *   events go to the spool file, new events follow them there, and the server is probed every
 *   `probeIntervalMs`; once it answers the spool is replayed in order and sending resumes.
 * - Memory is bounded by `maxBufferedEvents`; beyond that events queue in the spool file.
 */
export class HttpReporter implements Reporter {
  readonly url: string;
  readonly #token: string;
  readonly #batchSize: number;
  readonly #flushIntervalMs: number;
  readonly #maxBuffered: number;
  readonly #requestTimeoutMs: number;
  readonly #retry: RetryPolicy;
  readonly #probeIntervalMs: number;
  readonly #closeTimeoutMs: number;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #random: () => number;
  readonly #spool: JsonlSpool;
  readonly #deadLetter: JsonlAppender;

  #buffer: Entry[] = [];
  #reported = 0;
  #settled = 0;
  #delivered = 0;
  #deadLettered = 0;
  /** Every buffered event with an ordinal up to this is due now. */
  #dueUntil = 0;
  #unreachable = false;
  #timer: AbortController | undefined;
  #wake = new AbortController();
  #pumping: Promise<void> | undefined;
  #dirty = false;
  #waiters: { target: number; resolve: () => void }[] = [];
  #closing = false;
  #closeDeadline = Infinity;
  #closed = false;
  #closePromise: Promise<void> | undefined;

  constructor(options: HttpReporterOptions) {
    const base = options.callbackUrl.replace(/\/+$/, '');
    this.url = `${base}/api/v1/sandboxes/${encodeURIComponent(options.sandboxId)}/events`;
    this.#token = options.token;
    this.#batchSize = Math.min(Math.max(1, options.batchSize ?? 100), EVENT_LIMITS.maxBatchEvents);
    this.#flushIntervalMs = options.flushIntervalMs ?? 250;
    this.#maxBuffered = Math.max(this.#batchSize, options.maxBufferedEvents ?? 10_000);
    this.#requestTimeoutMs = options.requestTimeoutMs ?? 10_000;
    this.#retry = { ...DEFAULT_RETRY_POLICY, ...options.retry };
    this.#probeIntervalMs = options.probeIntervalMs ?? 5_000;
    this.#closeTimeoutMs = options.closeTimeoutMs ?? 30_000;
    this.#clock = options.clock ?? systemClock;
    this.#logger = options.logger ?? silentLogger;
    this.#random = options.random ?? Math.random;
    const stateDir = options.stateDir ?? join(tmpdir(), `specline-sandbox-${options.sandboxId.replace(/[^\w.-]/g, '_')}`);
    this.#spool = new JsonlSpool(options.spoolPath ?? join(stateDir, 'http-spool.jsonl'), this.#logger);
    this.#deadLetter = new JsonlAppender(options.deadLetterPath ?? join(stateDir, 'http-dead-letter.jsonl'), this.#logger);
    // Events an earlier process left in the spool go first.
    this.#reported = this.#spool.pending;
    if (this.#spool.pending > 0) {
      this.#logger.info('http reporter: replaying events left in the spool', { path: this.#spool.path, events: this.#spool.pending });
      this.#kick();
    }
  }

  stats(): HttpReporterStats {
    return {
      reported: this.#reported,
      delivered: this.#delivered,
      deadLettered: this.#deadLettered,
      spooled: this.#spool.pending,
      unreachable: this.#unreachable,
      spoolPath: this.#spool.path,
      deadLetterPath: this.#deadLetter.path,
    };
  }

  report(event: SpecEvent): Promise<void> {
    if (this.#closed) {
      this.#logger.warn('http reporter: event reported after close; not sent', { event_type: event.event_type, event_id: event.event_id });
      return Promise.resolve();
    }
    const serialized = serialize(event);
    if (!serialized.ok) {
      this.#logger.error('http reporter: event cannot be sent as JSON; skipped', { event_type: event.event_type, error: serialized.error });
      return Promise.resolve();
    }
    const dataBytes = serialize(event.data);
    const size = dataBytes.ok ? Buffer.byteLength(dataBytes.json) : 0;
    if (size > EVENT_LIMITS.maxEventBytes) {
      this.#logger.error('http reporter: event payload over the server limit; set aside in the dead-letter file', {
        event_type: event.event_type,
        bytes: size,
        limit: EVENT_LIMITS.maxEventBytes,
        path: this.#deadLetter.path,
      });
      return this.#writeDeadLetter([serialized.json], { status: null, reason: `payload is ${size} bytes; the limit is ${EVENT_LIMITS.maxEventBytes}` });
    }
    const entry: Entry = { ordinal: ++this.#reported, json: serialized.json };
    if (this.#unreachable || this.#spool.pending > 0) {
      // Something is already waiting on disk: queue behind it to keep the order.
      const written = this.#spool.append([entry.json]);
      if (!this.#unreachable) this.#kick();
      return written;
    }
    if (this.#buffer.length >= this.#maxBuffered) {
      this.#logger.warn('http reporter: buffer full; queueing events in the spool file', { buffered: this.#buffer.length, path: this.#spool.path });
      const moved = this.#buffer.map((e) => e.json);
      this.#buffer = [];
      const written = this.#spool.append([...moved, entry.json]);
      this.#kick();
      return written;
    }
    this.#buffer.push(entry);
    if (event.event_type === 'spec.heartbeat') {
      this.#dueUntil = entry.ordinal;
      this.#kick();
    } else if (this.#closing || this.#buffer.length >= this.#batchSize) {
      this.#kick();
    } else {
      this.#armTimer();
    }
    return Promise.resolve();
  }

  /**
   * Resolves when everything reported before the call is delivered or set aside (dead letter) or,
   * while the server is unreachable, safely in the spool file.
   */
  async flush(): Promise<void> {
    if (this.#closed) return;
    const target = this.#reported;
    this.#dueUntil = Math.max(this.#dueUntil, target);
    this.#kick();
    await new Promise<void>((resolve) => {
      this.#waiters.push({ target, resolve });
      this.#checkWaiters();
    });
    await this.#spool.sync();
  }

  /**
   * Sends everything, waiting for an unreachable server up to `closeTimeoutMs`; what is still
   * undelivered then stays in the spool file (logged with its path, see {@link stats}).
   */
  close(): Promise<void> {
    this.#closePromise ??= this.#shutdown();
    return this.#closePromise;
  }

  async #shutdown(): Promise<void> {
    this.#closing = true;
    this.#closeDeadline = this.#clock.now() + this.#closeTimeoutMs;
    this.#timer?.abort();
    this.#timer = undefined;
    this.#interrupt();
    this.#kick();
    while (this.#pumping) await this.#pumping;
    this.#closed = true;
    this.#checkWaiters();
    if (this.#spool.pending > 0) {
      this.#logger.warn('http reporter: server unreachable at close; undelivered events left in the spool file', {
        events: this.#spool.pending,
        path: this.#spool.path,
      });
    }
    await this.#spool.close();
    await this.#deadLetter.close();
  }

  // ── scheduling ──────────────────────────────────────────────────────────────

  #kick(): void {
    this.#dirty = true;
    this.#pumping ??= this.#pump();
  }

  /** Ends the current wait (probe or backoff) early: used by close. */
  #interrupt(): void {
    this.#wake.abort();
    this.#wake = new AbortController();
  }

  async #sleep(ms: number): Promise<void> {
    try {
      await this.#clock.sleep(ms, this.#wake.signal);
    } catch {
      // Interrupted: the caller re-checks its state.
    }
  }

  #armTimer(): void {
    if (this.#timer || this.#closing || this.#buffer.length === 0) return;
    const timer = new AbortController();
    this.#timer = timer;
    this.#clock.sleep(this.#flushIntervalMs, timer.signal).then(
      () => {
        if (this.#timer !== timer) return;
        this.#timer = undefined;
        this.#dueUntil = Math.max(this.#dueUntil, this.#reported);
        this.#kick();
      },
      () => undefined,
    );
  }

  #checkWaiters(): void {
    const done = (target: number) => this.#closed || this.#settled >= target || this.#unreachable;
    const ready = this.#waiters.filter((waiter) => done(waiter.target));
    this.#waiters = this.#waiters.filter((waiter) => !done(waiter.target));
    for (const waiter of ready) waiter.resolve();
  }

  async #pump(): Promise<void> {
    try {
      for (;;) {
        this.#dirty = false;
        const progressed = await this.#step();
        this.#checkWaiters();
        if (!progressed && !this.#dirty) break;
      }
    } catch (error) {
      this.#logger.error('http reporter: delivery loop failed', { error: String(error) });
    } finally {
      this.#pumping = undefined;
      this.#checkWaiters();
      this.#armTimer();
    }
  }

  /** Does one unit of work; `false` when there is nothing to do now. */
  async #step(): Promise<boolean> {
    if (this.#unreachable) return this.#probe();
    const first = this.#buffer[0];
    if (first && (this.#closing || this.#buffer.length >= this.#batchSize || first.ordinal <= this.#dueUntil)) {
      const entries = this.#takeBatch();
      const result = await this.#send(entries, false);
      if (result.kind === 'done') {
        this.#settled += entries.length;
      } else {
        this.#settled += entries.length - result.remaining.length;
        await this.#goUnreachable(result.remaining);
      }
      return true;
    }
    if (this.#spool.pending > 0) {
      const batch = await this.#readSpool();
      if (!batch) return false;
      return this.#sendSpoolBatch(batch, false);
    }
    return false;
  }

  /** While unreachable: wait, then try the head of the spool once. */
  async #probe(): Promise<boolean> {
    let wait = this.#probeIntervalMs;
    if (this.#closing) {
      const left = this.#closeDeadline - this.#clock.now();
      if (left <= 0) return false;
      wait = Math.min(wait, left);
    }
    await this.#sleep(wait);
    const batch = await this.#readSpool();
    if (!batch) {
      this.#unreachable = false;
      return true;
    }
    await this.#sendSpoolBatch(batch, true);
    return true;
  }

  async #readSpool(): Promise<SpoolBatch | null> {
    const batch = await this.#spool.read(this.#batchSize, EVENT_LIMITS.maxBatchBytes - BATCH_OVERHEAD);
    if (!batch && this.#spool.pending > 0) {
      this.#logger.error('http reporter: spool file is shorter than expected; forgetting the difference', { path: this.#spool.path, expected: this.#spool.pending });
      await this.#spool.discard();
    }
    return batch;
  }

  async #sendSpoolBatch(batch: SpoolBatch, probe: boolean): Promise<boolean> {
    const entries = batch.lines.map((json) => ({ ordinal: 0, json }));
    const result = await this.#send(entries, probe);
    if (result.kind === 'unreachable') {
      // Still on disk, uncommitted: it is sent again, whole, once the server answers.
      if (!this.#unreachable) await this.#goUnreachable([]);
      return true;
    }
    if (this.#unreachable) {
      this.#unreachable = false;
      this.#logger.info('http reporter: server answered again; replaying the spool', { events: this.#spool.pending });
    }
    await this.#spool.commit(batch);
    this.#settled += entries.length;
    return true;
  }

  #takeBatch(): Entry[] {
    let bytes = BATCH_OVERHEAD;
    let count = 0;
    for (const entry of this.#buffer) {
      const size = Buffer.byteLength(entry.json) + 1;
      if (count >= this.#batchSize || (count > 0 && bytes + size > EVENT_LIMITS.maxBatchBytes)) break;
      bytes += size;
      count++;
    }
    return this.#buffer.splice(0, count);
  }

  async #goUnreachable(head: Entry[]): Promise<void> {
    this.#unreachable = true;
    const rest = this.#buffer.map((entry) => entry.json);
    this.#buffer = [];
    this.#timer?.abort();
    this.#timer = undefined;
    this.#logger.warn('http reporter: server unreachable; spooling events to disk and probing', {
      url: this.url,
      path: this.#spool.path,
      probe_interval_ms: this.#probeIntervalMs,
    });
    await this.#spool.prepend(head.map((entry) => entry.json));
    await this.#spool.append(rest);
  }

  // ── sending ─────────────────────────────────────────────────────────────────

  #post(entries: readonly Entry[]): Promise<PostOutcome> {
    return postJson({
      url: this.url,
      token: this.#token,
      body: `{"events":[${entries.map((entry) => entry.json).join(',')}]}`,
      timeoutMs: this.#requestTimeoutMs,
      now: this.#clock.now(),
    });
  }

  /**
   * Sends one batch until it is accepted, refused, or the server counts as unreachable. With
   * `probe`, one try only. Refused events are written to the dead-letter file.
   */
  async #send(entries: Entry[], probe: boolean): Promise<SendResult> {
    const started = this.#clock.now();
    for (let retry = 1; ; retry++) {
      const outcome = await this.#post(entries);
      switch (outcome.kind) {
        case 'ok':
          this.#delivered += entries.length;
          return { kind: 'done' };
        case 'reject':
          return this.#rejected(entries, outcome);
        case 'retry': {
          if (probe) return { kind: 'unreachable', remaining: entries };
          const delay = outcome.retryAfterMs ?? backoffDelay(retry, this.#retry, this.#random);
          const at = this.#clock.now() + delay;
          if (at - started > this.#retry.maxRetryDurationMs || (this.#closing && at > this.#closeDeadline)) {
            return { kind: 'unreachable', remaining: entries };
          }
          this.#logger.warn('http reporter: send failed; retrying', { reason: outcome.reason, retry, delay_ms: delay, events: entries.length });
          await this.#sleep(delay);
          break;
        }
      }
    }
  }

  async #rejected(entries: Entry[], outcome: Extract<PostOutcome, { kind: 'reject' }>): Promise<SendResult> {
    const { status, error } = outcome;
    this.#logger.error('http reporter: server refused a batch', { status, code: error?.code, detail: error?.detail, errors: error?.errors, events: entries.length });
    if (status === 413 && entries.length > 1) {
      const half = Math.ceil(entries.length / 2);
      const first = await this.#send(entries.slice(0, half), false);
      if (first.kind === 'unreachable') return { kind: 'unreachable', remaining: [...first.remaining, ...entries.slice(half)] };
      return this.#send(entries.slice(half), false);
    }
    const bad = new Set((error?.errors ?? []).map((issue) => issue.index).filter((index): index is number => index !== undefined && index < entries.length));
    if (status === 422 && bad.size > 0 && bad.size < entries.length) {
      await this.#writeDeadLetter(
        entries.filter((_, index) => bad.has(index)).map((entry) => entry.json),
        { status, reason: outcome.reason, error },
      );
      return this.#send(entries.filter((_, index) => !bad.has(index)), false);
    }
    await this.#writeDeadLetter(
      entries.map((entry) => entry.json),
      { status, reason: outcome.reason, error },
    );
    return { kind: 'done' };
  }

  #writeDeadLetter(jsons: readonly string[], info: { status: number | null; reason: string; error?: unknown }): Promise<void> {
    this.#deadLettered += jsons.length;
    const head = JSON.stringify({ rejected_at: new Date(this.#clock.now()).toISOString(), status: info.status, reason: info.reason, error: info.error ?? null });
    return this.#deadLetter.append(`${head.slice(0, -1)},"events":[${jsons.join(',')}]}`);
  }
}
