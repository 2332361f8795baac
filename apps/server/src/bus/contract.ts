/**
 * The contract every `EventBus` keeps, run against each implementation (`bus.test.ts`):
 * `runBusContract('memory', () => createMemoryBus())`. No sleeps: "not delivered" is asserted by
 * publishing a later sentinel and waiting for it, since a bus delivers one publisher's messages in order.
 */
import { randomUUID } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import type { EventBus, SpecAdvanced } from './eventBus';

export interface BusFactoryOptions {
  onError?: (error: unknown) => void;
}

/** Collects the messages a handler receives and lets a test wait for the n-th one. */
function recorder() {
  const received: SpecAdvanced[] = [];
  const waiters: { count: number; resolve: () => void }[] = [];
  const handler = (message: SpecAdvanced) => {
    received.push(message);
    for (const waiter of [...waiters]) {
      if (received.length >= waiter.count) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve();
      }
    }
  };
  const waitFor = (count: number) =>
    received.length >= count ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ count, resolve }));
  return { received, handler, waitFor };
}

export function runBusContract(name: string, factory: (options: BusFactoryOptions) => Promise<EventBus> | EventBus): void {
  describe(`EventBus contract: ${name}`, () => {
    const open: EventBus[] = [];
    const make = async (options: BusFactoryOptions = {}) => {
      const bus = await factory(options);
      open.push(bus);
      return bus;
    };
    const spec = () => `spec-${randomUUID()}`;

    afterEach(async () => {
      await Promise.all(open.splice(0).map((bus) => bus.close()));
    });

    it('delivers a published advance to the subscribers of that spec, in publish order', async () => {
      const bus = await make();
      const a = spec();
      const rec = recorder();
      await bus.subscribe(a, rec.handler);
      for (let seq = 1; seq <= 20; seq++) await bus.publish({ spec_id: a, spec_seq: seq });
      await rec.waitFor(20);
      expect(rec.received.map((m) => m.spec_seq)).toEqual(Array.from({ length: 20 }, (_, i) => i + 1));
      expect(rec.received.every((m) => m.spec_id === a)).toBe(true);
    });

    it('does not deliver another spec’s advances', async () => {
      const bus = await make();
      const [a, b] = [spec(), spec()];
      const onlyA = recorder();
      const onlyB = recorder();
      await bus.subscribe(a, onlyA.handler);
      await bus.subscribe(b, onlyB.handler);
      await bus.publish({ spec_id: b, spec_seq: 7 });
      await bus.publish({ spec_id: a, spec_seq: 1 });
      await onlyA.waitFor(1);
      await onlyB.waitFor(1);
      expect(onlyA.received).toEqual([{ spec_id: a, spec_seq: 1 }]);
      expect(onlyB.received).toEqual([{ spec_id: b, spec_seq: 7 }]);
    });

    it('fans out to every handler of a spec; unsubscribing one keeps the others', async () => {
      const bus = await make();
      const a = spec();
      const first = recorder();
      const second = recorder();
      const offFirst = await bus.subscribe(a, first.handler);
      await bus.subscribe(a, second.handler);
      await bus.publish({ spec_id: a, spec_seq: 1 });
      await Promise.all([first.waitFor(1), second.waitFor(1)]);
      await offFirst();
      await bus.publish({ spec_id: a, spec_seq: 2 });
      await second.waitFor(2);
      expect(first.received.map((m) => m.spec_seq)).toEqual([1]);
      expect(second.received.map((m) => m.spec_seq)).toEqual([1, 2]);
    });

    it('stops delivering after the last unsubscribe, and a new subscribe works again', async () => {
      const bus = await make();
      const [a, sentinel] = [spec(), spec()];
      const rec = recorder();
      const watch = recorder();
      await bus.subscribe(sentinel, watch.handler);
      const off = await bus.subscribe(a, rec.handler);
      await off();
      await off(); // idempotent
      await bus.publish({ spec_id: a, spec_seq: 1 });
      await bus.publish({ spec_id: sentinel, spec_seq: 1 });
      await watch.waitFor(1);
      expect(rec.received).toEqual([]);
      const again = recorder();
      await bus.subscribe(a, again.handler);
      await bus.publish({ spec_id: a, spec_seq: 2 });
      await again.waitFor(1);
      expect(again.received).toEqual([{ spec_id: a, spec_seq: 2 }]);
    });

    it('the same function subscribed twice gets two independent subscriptions', async () => {
      const bus = await make();
      const a = spec();
      const rec = recorder();
      const offOne = await bus.subscribe(a, rec.handler);
      await bus.subscribe(a, rec.handler);
      await bus.publish({ spec_id: a, spec_seq: 1 });
      await rec.waitFor(2);
      await offOne();
      await bus.publish({ spec_id: a, spec_seq: 2 });
      await rec.waitFor(3);
      expect(rec.received.map((m) => m.spec_seq)).toEqual([1, 1, 2]);
    });

    it('concurrent subscribes to one spec are all live once they resolve', async () => {
      const bus = await make();
      const a = spec();
      const recs = Array.from({ length: 5 }, () => recorder());
      await Promise.all(recs.map((r) => bus.subscribe(a, r.handler)));
      await bus.publish({ spec_id: a, spec_seq: 3 });
      await Promise.all(recs.map((r) => r.waitFor(1)));
      for (const r of recs) expect(r.received).toEqual([{ spec_id: a, spec_seq: 3 }]);
    });

    it('a handler that throws does not stop the other handlers and is reported', async () => {
      const errors: unknown[] = [];
      const bus = await make({ onError: (error) => errors.push(error) });
      const a = spec();
      const rec = recorder();
      await bus.subscribe(a, () => {
        throw new Error('handler broke');
      });
      await bus.subscribe(a, rec.handler);
      await bus.publish({ spec_id: a, spec_seq: 1 });
      await bus.publish({ spec_id: a, spec_seq: 2 });
      await rec.waitFor(2);
      expect(rec.received.map((m) => m.spec_seq)).toEqual([1, 2]);
      expect(errors.map((e) => (e as Error).message)).toEqual(['handler broke', 'handler broke']);
    });

    it('reports health, and after close pings false and publishing is a no-op', async () => {
      const bus = await make();
      expect(await bus.ping()).toBe(true);
      await bus.close();
      expect(await bus.ping()).toBe(false);
      await expect(bus.publish({ spec_id: spec(), spec_seq: 1 })).resolves.toBeUndefined();
      await expect(bus.subscribe(spec(), () => undefined)).rejects.toThrow(/closed/);
    });
  });
}
