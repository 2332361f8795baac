import { Redis } from 'ioredis';
import type { BusHandler, EventBus, SpecAdvanced } from './eventBus';

export interface RedisBusOptions {
  url: string;
  /** Channel prefix, so several deployments (or tests) can share one Redis. */
  prefix?: string;
  onError?: (error: Error) => void;
}

function parseMessage(raw: string): SpecAdvanced | undefined {
  try {
    const value = JSON.parse(raw) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const { spec_id, spec_seq } = value as Record<string, unknown>;
    return typeof spec_id === 'string' && typeof spec_seq === 'number' ? { spec_id, spec_seq } : undefined;
  } catch {
    return undefined;
  }
}

/** Redis pub/sub bus (`REDIS_URL`). One publisher and one subscriber connection per process. */
export async function createRedisBus(options: RedisBusOptions): Promise<EventBus> {
  const prefix = options.prefix ?? 'specline:';
  const onError = options.onError ?? (() => undefined);
  const pub = new Redis(options.url, { maxRetriesPerRequest: 2, lazyConnect: true });
  const sub = new Redis(options.url, { lazyConnect: true });
  pub.on('error', onError);
  sub.on('error', onError);
  await Promise.all([pub.connect(), sub.connect()]);
  const channel = (specId: string) => `${prefix}spec:${specId}`;
  const handlers = new Map<string, Set<BusHandler>>();

  sub.on('message', (ch: string, raw: string) => {
    const set = handlers.get(ch);
    const message = set && parseMessage(raw);
    if (!set || !message) return;
    for (const handler of [...set]) handler(message);
  });

  return {
    kind: 'redis',
    async publish(message) {
      await pub.publish(channel(message.spec_id), JSON.stringify(message));
    },
    async subscribe(specId, handler) {
      const ch = channel(specId);
      let set = handlers.get(ch);
      if (!set) {
        handlers.set(ch, (set = new Set()));
        await sub.subscribe(ch);
      }
      set.add(handler);
      return async () => {
        const current = handlers.get(ch);
        if (!current) return;
        current.delete(handler);
        if (current.size === 0) {
          handlers.delete(ch);
          await sub.unsubscribe(ch);
        }
      };
    },
    async ping() {
      try {
        return (await pub.ping()) === 'PONG';
      } catch {
        return false;
      }
    },
    async close() {
      handlers.clear();
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
