import type { BusHandler, EventBus, SpecAdvanced } from './eventBus';

export interface MemoryBusOptions {
  /** Called when a handler throws; the other handlers still run. */
  onError?: (error: unknown) => void;
}

/**
 * In-process bus: the default when `REDIS_URL` is unset. Handlers run on a microtask, never inside
 * `publish`, in publish order; a handler that throws does not stop the others (nor crash the process).
 */
export function createMemoryBus(options: MemoryBusOptions = {}): EventBus {
  const onError = options.onError ?? (() => undefined);
  const handlers = new Map<string, Set<BusHandler>>();
  let closed = false;
  const deliver = (handler: BusHandler, message: SpecAdvanced) => {
    try {
      handler(message);
    } catch (error) {
      onError(error);
    }
  };
  return {
    kind: 'memory',
    publish(message: SpecAdvanced) {
      if (closed) return Promise.resolve();
      const set = handlers.get(message.spec_id);
      if (set) {
        const copy = { spec_id: message.spec_id, spec_seq: message.spec_seq };
        for (const handler of [...set]) queueMicrotask(() => deliver(handler, copy));
      }
      return Promise.resolve();
    },
    subscribe(specId, handler) {
      if (closed) return Promise.reject(new Error('the bus is closed'));
      let set = handlers.get(specId);
      if (!set) handlers.set(specId, (set = new Set()));
      // Wrap so the same function subscribed twice gets two independent subscriptions.
      const entry: BusHandler = (message) => handler(message);
      set.add(entry);
      return Promise.resolve(() => {
        const current = handlers.get(specId);
        current?.delete(entry);
        if (current?.size === 0) handlers.delete(specId);
        return Promise.resolve();
      });
    },
    ping: () => Promise.resolve(!closed),
    close() {
      closed = true;
      handlers.clear();
      return Promise.resolve();
    },
  };
}
