import { Redis } from 'ioredis';
import type { BusHandler, EventBus, SpecAdvanced } from './eventBus';

export interface RedisBusOptions {
  url: string;
  /** Channel prefix, so several deployments (or tests) can share one Redis. */
  prefix?: string;
  /** Connection errors, handler exceptions and malformed messages end up here. */
  onError?: (error: Error) => void;
}

/** Parses a message from the channel; `undefined` for anything that is not `{spec_id, spec_seq}`. */
export function parseBusMessage(raw: string): SpecAdvanced | undefined {
  try {
    const value = JSON.parse(raw) as unknown;
    if (typeof value !== 'object' || value === null) return undefined;
    const { spec_id, spec_seq } = value as Record<string, unknown>;
    return typeof spec_id === 'string' && typeof spec_seq === 'number' && Number.isInteger(spec_seq) && spec_seq >= 0
      ? { spec_id, spec_seq }
      : undefined;
  } catch {
    return undefined;
  }
}

interface Channel {
  handlers: Set<BusHandler>;
  /** Resolves once Redis confirmed the SUBSCRIBE: later subscribers of the channel wait for it too. */
  ready: Promise<unknown>;
}

/**
 * Redis pub/sub bus (`REDIS_URL`). One publisher and one subscriber connection per process; one Redis
 * channel per spec, subscribed while the process has a handler for it. ioredis re-subscribes after a
 * reconnect; a message published meanwhile is lost, which only delays delivery (the hubs also poll).
 */
export async function createRedisBus(options: RedisBusOptions): Promise<EventBus> {
  const prefix = options.prefix ?? 'specline:';
  const onError = options.onError ?? (() => undefined);
  // No offline queue on the publisher: while Redis is down a publish fails at once instead of
  // holding the request that committed the events.
  const pub = new Redis(options.url, { maxRetriesPerRequest: 1, lazyConnect: true, enableOfflineQueue: false });
  const sub = new Redis(options.url, { lazyConnect: true });
  pub.on('error', onError);
  sub.on('error', onError);
  await Promise.all([pub.connect(), sub.connect()]);
  const channelName = (specId: string) => `${prefix}spec:${specId}`;
  const channels = new Map<string, Channel>();
  let closed = false;

  sub.on('message', (name: string, raw: string) => {
    const channel = channels.get(name);
    if (!channel) return;
    const message = parseBusMessage(raw);
    if (!message) {
      onError(new Error(`ignored a malformed bus message on ${name}: ${raw.slice(0, 200)}`));
      return;
    }
    for (const handler of [...channel.handlers]) {
      try {
        handler(message);
      } catch (error) {
        onError(error instanceof Error ? error : new Error(String(error)));
      }
    }
  });

  return {
    kind: 'redis',
    async publish(message) {
      if (closed) return;
      await pub.publish(channelName(message.spec_id), JSON.stringify({ spec_id: message.spec_id, spec_seq: message.spec_seq }));
    },
    async subscribe(specId, handler) {
      if (closed) throw new Error('the bus is closed');
      const name = channelName(specId);
      let channel = channels.get(name);
      if (!channel) {
        channel = { handlers: new Set(), ready: sub.subscribe(name) };
        channels.set(name, channel);
      }
      const entry: BusHandler = (message) => handler(message);
      channel.handlers.add(entry);
      try {
        await channel.ready;
      } catch (error) {
        channel.handlers.delete(entry);
        if (channels.get(name) === channel) channels.delete(name);
        throw error;
      }
      return async () => {
        const current = channels.get(name);
        if (!current?.handlers.delete(entry)) return;
        if (current.handlers.size === 0) {
          channels.delete(name);
          if (!closed) await sub.unsubscribe(name);
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
      closed = true;
      channels.clear();
      await Promise.allSettled([pub.quit(), sub.quit()]);
    },
  };
}
