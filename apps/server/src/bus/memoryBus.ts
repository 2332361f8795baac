import type { BusHandler, EventBus, SpecAdvanced } from './eventBus';

/** In-process bus: the default when `REDIS_URL` is unset. Handlers run on a microtask, never inside `publish`. */
export function createMemoryBus(): EventBus {
  const handlers = new Map<string, Set<BusHandler>>();
  let closed = false;
  return {
    kind: 'memory',
    publish(message: SpecAdvanced) {
      if (closed) return Promise.resolve();
      const set = handlers.get(message.spec_id);
      if (set) {
        for (const handler of [...set]) queueMicrotask(() => handler(message));
      }
      return Promise.resolve();
    },
    subscribe(specId, handler) {
      let set = handlers.get(specId);
      if (!set) handlers.set(specId, (set = new Set()));
      set.add(handler);
      return Promise.resolve(() => {
        const current = handlers.get(specId);
        current?.delete(handler);
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
