/** Options and counters of the HTTP reporter, and their defaults. */
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EVENT_LIMITS } from '@specline/protocol';
import type { Clock, Logger } from '../../types';
import { silentLogger } from '../internal';
import { systemClock } from '../../clock';
import { DEFAULT_RETRY_POLICY } from './retry';
import type { RetryPolicy } from './retry';

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

/** {@link HttpReporterOptions} with every default filled in and every limit applied. */
export interface ResolvedHttpReporterOptions {
  /** `POST {callbackUrl}/api/v1/sandboxes/{sandboxId}/events`. */
  url: string;
  token: string;
  batchSize: number;
  flushIntervalMs: number;
  maxBufferedEvents: number;
  requestTimeoutMs: number;
  retry: RetryPolicy;
  probeIntervalMs: number;
  closeTimeoutMs: number;
  spoolPath: string;
  deadLetterPath: string;
  clock: Clock;
  logger: Logger;
  random: () => number;
}

export function resolveHttpReporterOptions(options: HttpReporterOptions): ResolvedHttpReporterOptions {
  const base = options.callbackUrl.replace(/\/+$/, '');
  const batchSize = Math.min(Math.max(1, options.batchSize ?? 100), EVENT_LIMITS.maxBatchEvents);
  const stateDir = options.stateDir ?? join(tmpdir(), `specline-sandbox-${options.sandboxId.replace(/[^\w.-]/g, '_')}`);
  return {
    url: `${base}/api/v1/sandboxes/${encodeURIComponent(options.sandboxId)}/events`,
    token: options.token,
    batchSize,
    flushIntervalMs: options.flushIntervalMs ?? 250,
    maxBufferedEvents: Math.max(batchSize, options.maxBufferedEvents ?? 10_000),
    requestTimeoutMs: options.requestTimeoutMs ?? 10_000,
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    probeIntervalMs: options.probeIntervalMs ?? 5_000,
    closeTimeoutMs: options.closeTimeoutMs ?? 30_000,
    spoolPath: options.spoolPath ?? join(stateDir, 'http-spool.jsonl'),
    deadLetterPath: options.deadLetterPath ?? join(stateDir, 'http-dead-letter.jsonl'),
    clock: options.clock ?? systemClock,
    logger: options.logger ?? silentLogger,
    random: options.random ?? Math.random,
  };
}
