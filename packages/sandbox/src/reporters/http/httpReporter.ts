import { EVENT_LIMITS } from '@specline/protocol';
import type { SpecEvent } from '@specline/protocol';
import type { Clock, Logger, Reporter } from '../../types';
import { serialize } from '../internal';
import { BATCH_OVERHEAD, BatchSender, takeBatch } from './batchSender';
import type { Entry } from './batchSender';
import { DeadLetterFile } from './deadLetter';
import { resolveHttpReporterOptions } from './options';
import type { HttpReporterOptions, HttpReporterStats } from './options';
import { JsonlSpool } from './spool';
import type { SpoolBatch } from './spool';

export type { HttpReporterOptions, HttpReporterStats } from './options';

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
  readonly #batchSize: number;
  readonly #flushIntervalMs: number;
  readonly #maxBuffered: number;
  readonly #probeIntervalMs: number;
  readonly #closeTimeoutMs: number;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #spool: JsonlSpool;
  readonly #deadLetter: DeadLetterFile;
  readonly #sender: BatchSender;

  #buffer: Entry[] = [];
  #reported = 0;
  #settled = 0;
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
    const resolved = resolveHttpReporterOptions(options);
    this.url = resolved.url;
    this.#batchSize = resolved.batchSize;
    this.#flushIntervalMs = resolved.flushIntervalMs;
    this.#maxBuffered = resolved.maxBufferedEvents;
    this.#probeIntervalMs = resolved.probeIntervalMs;
    this.#closeTimeoutMs = resolved.closeTimeoutMs;
    this.#clock = resolved.clock;
    this.#logger = resolved.logger;
    this.#spool = new JsonlSpool(resolved.spoolPath, this.#logger);
    this.#deadLetter = new DeadLetterFile(resolved.deadLetterPath, this.#clock, this.#logger);
    this.#sender = new BatchSender({
      ...resolved,
      deadLetter: this.#deadLetter,
      sleep: (ms) => this.#sleep(ms),
      closeDeadline: () => (this.#closing ? this.#closeDeadline : undefined),
    });
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
      delivered: this.#sender.delivered,
      deadLettered: this.#deadLetter.events,
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
      return this.#deadLetter.write([serialized.json], { status: null, reason: `payload is ${size} bytes; the limit is ${EVENT_LIMITS.maxEventBytes}` });
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
      const entries = takeBatch(this.#buffer, this.#batchSize);
      const result = await this.#sender.send(entries, false);
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
    const result = await this.#sender.send(entries, probe);
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
}
