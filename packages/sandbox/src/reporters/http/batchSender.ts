/**
 * Sends one batch of events to the server: retries with backoff, splits a batch the server finds too
 * large, and sets refused events aside in the dead-letter file.
 */
import { EVENT_LIMITS } from '@specline/protocol';
import type { Clock, Logger } from '../../types';
import type { DeadLetterFile } from './deadLetter';
import { postJson } from './post';
import type { PostOutcome } from './post';
import { backoffDelay } from './retry';
import type { RetryPolicy } from './retry';

export interface Entry {
  /** 1-based position in report order (0 for lines read back from the spool). */
  ordinal: number;
  json: string;
}

/** `unreachable`: the server did not answer in time; `remaining` are the entries not yet settled, in order. */
export type SendResult = { kind: 'done' } | { kind: 'unreachable'; remaining: Entry[] };

/** Bytes of a batch body around its events. */
export const BATCH_OVERHEAD = '{"events":[]}'.length;

/** Removes and returns the head of `buffer` that fits one batch (at most `batchSize` events, at least one). */
export function takeBatch(buffer: Entry[], batchSize: number): Entry[] {
  let bytes = BATCH_OVERHEAD;
  let count = 0;
  for (const entry of buffer) {
    const size = Buffer.byteLength(entry.json) + 1;
    if (count >= batchSize || (count > 0 && bytes + size > EVENT_LIMITS.maxBatchBytes)) break;
    bytes += size;
    count++;
  }
  return buffer.splice(0, count);
}

export interface BatchSenderOptions {
  url: string;
  token: string;
  requestTimeoutMs: number;
  retry: RetryPolicy;
  clock: Clock;
  logger: Logger;
  random: () => number;
  deadLetter: DeadLetterFile;
  /** Waits between retries; may end early (the loop then re-checks its limits after the next try). */
  sleep: (ms: number) => Promise<void>;
  /** While closing: no retry may be planned past this clock time. `undefined` otherwise. */
  closeDeadline: () => number | undefined;
}

export class BatchSender {
  readonly #options: BatchSenderOptions;
  #delivered = 0;

  constructor(options: BatchSenderOptions) {
    this.#options = options;
  }

  /** Events the server accepted. */
  get delivered(): number {
    return this.#delivered;
  }

  #post(entries: readonly Entry[]): Promise<PostOutcome> {
    const { url, token, requestTimeoutMs, clock } = this.#options;
    return postJson({
      url,
      token,
      body: `{"events":[${entries.map((entry) => entry.json).join(',')}]}`,
      timeoutMs: requestTimeoutMs,
      now: clock.now(),
    });
  }

  /**
   * Sends one batch until it is accepted, refused, or the server counts as unreachable. With
   * `probe`, one try only. Refused events are written to the dead-letter file.
   */
  async send(entries: Entry[], probe: boolean): Promise<SendResult> {
    const { clock, retry: policy, random, logger } = this.#options;
    const started = clock.now();
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
          // A server's Retry-After is honoured up to the backoff ceiling: the ceiling is derived from the run's
          // lease (SANDBOX_LEASE_SECONDS), and waiting longer would let the lease expire under a live run.
          const delay = outcome.retryAfterMs !== undefined ? Math.min(outcome.retryAfterMs, policy.maxDelayMs) : backoffDelay(retry, policy, random);
          const at = clock.now() + delay;
          const closeDeadline = this.#options.closeDeadline();
          if (at - started > policy.maxRetryDurationMs || (closeDeadline !== undefined && at > closeDeadline)) {
            return { kind: 'unreachable', remaining: entries };
          }
          logger.warn('http reporter: send failed; retrying', { reason: outcome.reason, retry, delay_ms: delay, events: entries.length });
          await this.#options.sleep(delay);
          break;
        }
      }
    }
  }

  async #rejected(entries: Entry[], outcome: Extract<PostOutcome, { kind: 'reject' }>): Promise<SendResult> {
    const { status, error } = outcome;
    this.#options.logger.error('http reporter: server refused a batch', { status, code: error?.code, detail: error?.detail, errors: error?.errors, events: entries.length });
    if (status === 413 && entries.length > 1) {
      const half = Math.ceil(entries.length / 2);
      const first = await this.send(entries.slice(0, half), false);
      if (first.kind === 'unreachable') return { kind: 'unreachable', remaining: [...first.remaining, ...entries.slice(half)] };
      return this.send(entries.slice(half), false);
    }
    const bad = new Set((error?.errors ?? []).map((issue) => issue.index).filter((index): index is number => index !== undefined && index < entries.length));
    if (status === 422 && bad.size > 0 && bad.size < entries.length) {
      await this.#options.deadLetter.write(
        entries.filter((_, index) => bad.has(index)).map((entry) => entry.json),
        { status, reason: outcome.reason, error },
      );
      return this.send(entries.filter((_, index) => !bad.has(index)), false);
    }
    await this.#options.deadLetter.write(
      entries.map((entry) => entry.json),
      { status, reason: outcome.reason, error },
    );
    return { kind: 'done' };
  }
}
