/** Retry policy shared by the HTTP reporter and the HTTP ticket sink. */

export interface RetryPolicy {
  /** First backoff ceiling. Default 500 ms. */
  baseDelayMs: number;
  /** Largest backoff ceiling. Default 30 s. */
  maxDelayMs: number;
  /** Give up retrying one request after this long (the reporter then spools). Default 60 s. */
  maxRetryDurationMs: number;
}

export const DEFAULT_RETRY_POLICY: RetryPolicy = { baseDelayMs: 500, maxDelayMs: 30_000, maxRetryDurationMs: 60_000 };

/**
 * Exponential backoff with full jitter: a uniform wait in [0, min(max, base · 2^(retry-1))].
 * `retry` counts from 1; `random` returns [0, 1).
 */
export function backoffDelay(retry: number, policy: Pick<RetryPolicy, 'baseDelayMs' | 'maxDelayMs'>, random: () => number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** Math.max(0, retry - 1));
  return Math.round(ceiling * Math.min(1, Math.max(0, random())));
}

/**
 * `Retry-After` as milliseconds from `now`: delta-seconds (`"7"`) or an HTTP-date. `undefined` when
 * absent or unreadable; a date in the past gives 0.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Statuses worth retrying: the server may answer differently later. Other 4xx never are. */
export function isRetryableStatus(status: number): boolean {
  return status === 408 || status === 429 || status >= 500;
}
