/**
 * Rate limits that an attacker cannot aim at someone else:
 * - ingestion and sync are limited per authenticated sandbox, counted only after its token checked out;
 *   requests with a missing, unknown or revoked token are limited per client IP (so a flood of forged
 *   requests for a sandbox id never uses up the real sandbox's budget);
 * - login is limited per client IP, and per account with backoff: after
 *   {@link RATE_LIMITS.loginAccount.freeFailures} failed attempts the account is blocked for 1 s, then 2 s,
 *   4 s, … (at most 15 min), for every client, until a successful login resets it. A blocked account
 *   answers 429 without checking the password, so the block is no oracle.
 * The counters live in the {@link LimitStore} (Redis when configured: all servers agree). Over a limit →
 * `429 rate_limited` with `Retry-After`. If Redis fails, ingestion goes on unlimited (logged) and login
 * answers `503 unavailable`.
 */
import { createHash } from 'node:crypto';
import type { LimitStore } from '../limits/limitStore';
import { AppError } from './errors';
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from './dbErrors';

export const RATE_LIMITS = {
  /** A reporter flushes at most 4 times a second plus heartbeats: generous. */
  ingestPerSandbox: { max: 1200, windowMs: 60_000 },
  /** Sandbox routes with a missing, unknown or revoked token, per client IP. */
  unauthenticatedSandboxPerIp: { max: 60, windowMs: 60_000 },
  loginPerIp: { max: 10, windowMs: 60_000 },
  loginAccount: { freeFailures: 5, failureWindowMs: 60 * 60_000, baseBlockMs: 1000, maxBlockMs: 15 * 60_000 },
  /** Registrations per client IP (issue 11); the maximum is `SPECLINE_REGISTER_PER_IP_PER_HOUR`. */
  registerPerIp: { max: 20, windowMs: 60 * 60_000 },
} as const;

export interface RateLimitLogger {
  warn(fields: object, message: string): void;
}

export function rateLimited(resetMs: number, detail: string): AppError {
  const seconds = Math.max(1, Math.ceil(resetMs / 1000));
  return new AppError('rate_limited', `${detail}; retry in ${seconds} s`, { headers: { 'retry-after': String(seconds) } });
}

/** Account keys are hashed: no email in Redis keys. */
const accountKey = (email: string) => createHash('sha256').update(email.trim().toLowerCase()).digest('hex').slice(0, 32);

/** The block after the n-th consecutive failure (n > free): 1 s, 2 s, 4 s, … capped. */
export function loginBackoffMs(failures: number): number {
  const { freeFailures, baseBlockMs, maxBlockMs } = RATE_LIMITS.loginAccount;
  if (failures < freeFailures) return 0;
  return Math.min(maxBlockMs, baseBlockMs * 2 ** Math.min(30, failures - freeFailures));
}

export type RateLimits = ReturnType<typeof createRateLimits>;

export function createRateLimits(store: LimitStore, log: RateLimitLogger, options: { registerPerIpPerHour?: number } = {}) {
  const registerPerIp = { max: options.registerPerIpPerHour ?? RATE_LIMITS.registerPerIp.max, windowMs: RATE_LIMITS.registerPerIp.windowMs };
  const failClosed = (error: unknown): never => {
    log.warn({ err: error }, 'rate limit store failed; refusing login for now');
    throw new AppError('unavailable', 'the login rate limiter is unavailable; retry in a few seconds', {
      headers: { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) },
    });
  };
  const count = async (key: string, limit: { max: number; windowMs: number }, detail: string) => {
    const hit = await store.hit(key, limit.windowMs);
    if (hit.count > limit.max) throw rateLimited(hit.resetMs, detail);
  };
  /** Ingestion keeps going if the store fails: a run must not stall because Redis blinked. */
  const failOpen = async (work: () => Promise<void>) => {
    try {
      await work();
    } catch (error) {
      if (error instanceof AppError) throw error;
      log.warn({ err: error }, 'rate limit store failed; request let through');
    }
  };

  return {
    store,
    /** One authenticated sandbox request (ingest or sync). */
    sandbox: (sandboxId: string) =>
      failOpen(() => count(`sbx:${sandboxId}`, RATE_LIMITS.ingestPerSandbox, `too many requests from sandbox ${sandboxId} (at most ${RATE_LIMITS.ingestPerSandbox.max} a minute)`)),
    /** One sandbox request whose token did not check out, by client IP. */
    unauthenticatedSandbox: (ip: string) =>
      failOpen(() => count(`sbx-ip:${ip}`, RATE_LIMITS.unauthenticatedSandboxPerIp, 'too many requests without a valid sandbox token from this address')),
    /** One login attempt from `ip` (every attempt counts). */
    loginAttempt: (ip: string) =>
      count(`login-ip:${ip}`, RATE_LIMITS.loginPerIp, `too many login attempts from this address (at most ${RATE_LIMITS.loginPerIp.max} a minute)`).catch((error: unknown) =>
        error instanceof AppError ? Promise.reject(error) : failClosed(error),
      ),
    /** One registration attempt from `ip` (every attempt counts); fails closed like login when the store fails. */
    registerAttempt: (ip: string) =>
      count(`register-ip:${ip}`, registerPerIp, `too many registrations from this address (at most ${registerPerIp.max} an hour)`).catch((error: unknown) =>
        error instanceof AppError ? Promise.reject(error) : failClosed(error),
      ),
    /** Throws 429 while the account is in backoff. */
    async loginAllowed(email: string): Promise<void> {
      let ms: number;
      try {
        ms = await store.blockedFor(`login-block:${accountKey(email)}`);
      } catch (error) {
        return failClosed(error);
      }
      if (ms > 0) throw rateLimited(ms, 'too many failed logins for this account; it is blocked for a while');
    },
    async loginFailed(email: string): Promise<void> {
      const key = accountKey(email);
      try {
        const hit = await store.hit(`login-fail:${key}`, RATE_LIMITS.loginAccount.failureWindowMs);
        const ms = loginBackoffMs(hit.count);
        if (ms > 0) await store.block(`login-block:${key}`, ms);
      } catch (error) {
        failClosed(error);
      }
    },
    async loginSucceeded(email: string): Promise<void> {
      const key = accountKey(email);
      await store.reset(`login-fail:${key}`, `login-block:${key}`).catch((error: unknown) => log.warn({ err: error }, 'could not reset the login backoff'));
    },
  };
}
