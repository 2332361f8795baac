/**
 * Counters behind the rate limits and the login backoff. In process by default; in Redis when
 * `REDIS_URL` is set, so every server process behind a load balancer counts the same hits. A Redis
 * operation is one round trip (a Lua script for `hit`).
 */
import { Redis } from 'ioredis';

export interface LimitHit {
  /** Hits in the current window, this one included. */
  count: number;
  /** Milliseconds until the window ends. */
  resetMs: number;
}

export interface LimitStore {
  kind: 'memory' | 'redis';
  /** Counts one hit on `key` in a fixed window of `windowMs` that starts at its first hit. */
  hit(key: string, windowMs: number): Promise<LimitHit>;
  /** Blocks `key` for `ms` (replacing a shorter or longer block). */
  block(key: string, ms: number): Promise<void>;
  /** Milliseconds left on the block of `key`; 0 when it is not blocked. */
  blockedFor(key: string): Promise<number>;
  /** Forgets `key` (its count or its block). */
  reset(...keys: string[]): Promise<void>;
  close(): Promise<void>;
}

/** In-process store: entries expire lazily; at most `maxKeys` are kept (the oldest are dropped first). */
export function createMemoryLimitStore(options: { maxKeys?: number; now?: () => number } = {}): LimitStore {
  const maxKeys = options.maxKeys ?? 100_000;
  const now = options.now ?? Date.now;
  const entries = new Map<string, { count: number; expiresAt: number }>();
  const live = (key: string) => {
    const entry = entries.get(key);
    if (entry && entry.expiresAt <= now()) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };
  const put = (key: string, value: { count: number; expiresAt: number }) => {
    entries.delete(key);
    entries.set(key, value);
    while (entries.size > maxKeys) entries.delete(entries.keys().next().value!);
  };
  return {
    kind: 'memory',
    hit(key, windowMs) {
      const entry = live(key);
      if (!entry) {
        put(key, { count: 1, expiresAt: now() + windowMs });
        return Promise.resolve({ count: 1, resetMs: windowMs });
      }
      entry.count++;
      return Promise.resolve({ count: entry.count, resetMs: Math.max(0, entry.expiresAt - now()) });
    },
    block(key, ms) {
      put(key, { count: 1, expiresAt: now() + ms });
      return Promise.resolve();
    },
    blockedFor(key) {
      const entry = live(key);
      return Promise.resolve(entry ? Math.max(0, entry.expiresAt - now()) : 0);
    },
    reset(...keys) {
      for (const key of keys) entries.delete(key);
      return Promise.resolve();
    },
    close() {
      entries.clear();
      return Promise.resolve();
    },
  };
}

const HIT_SCRIPT = `
local count = redis.call('INCR', KEYS[1])
if count == 1 then redis.call('PEXPIRE', KEYS[1], ARGV[1]) end
local ttl = redis.call('PTTL', KEYS[1])
if ttl < 0 then redis.call('PEXPIRE', KEYS[1], ARGV[1]); ttl = tonumber(ARGV[1]) end
return {count, ttl}
`;

export interface RedisLimitStoreOptions {
  url: string;
  /** Key prefix, so several deployments (or tests) can share one Redis. */
  prefix?: string;
  onError?: (error: Error) => void;
}

/** Redis store (`REDIS_URL`): one connection, no offline queue (a limit check fails fast while Redis is down). */
export async function createRedisLimitStore(options: RedisLimitStoreOptions): Promise<LimitStore> {
  const prefix = options.prefix ?? 'specline:limits:';
  const redis = new Redis(options.url, { maxRetriesPerRequest: 1, lazyConnect: true, enableOfflineQueue: false });
  redis.on('error', options.onError ?? (() => undefined));
  await redis.connect();
  return {
    kind: 'redis',
    async hit(key, windowMs) {
      const [count, ttl] = (await redis.eval(HIT_SCRIPT, 1, prefix + key, String(Math.max(1, Math.round(windowMs))))) as [number, number];
      return { count, resetMs: Math.max(0, ttl) };
    },
    async block(key, ms) {
      await redis.set(prefix + key, '1', 'PX', Math.max(1, Math.round(ms)));
    },
    async blockedFor(key) {
      const ttl = await redis.pttl(prefix + key);
      return ttl > 0 ? ttl : 0;
    },
    async reset(...keys) {
      if (keys.length) await redis.del(...keys.map((k) => prefix + k));
    },
    async close() {
      await redis.quit().catch(() => undefined);
    },
  };
}
