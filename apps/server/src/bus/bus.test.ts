import { randomUUID } from 'node:crypto';
import { Redis } from 'ioredis';
import { describe, expect, it } from 'vitest';
import { TEST_REDIS_URL } from '../__tests__/harness';
import { runBusContract } from './contract';
import { createMemoryBus } from './memoryBus';
import { createRedisBus, parseBusMessage } from './redisBus';

runBusContract('memory', (options) => createMemoryBus({ onError: options.onError }));
runBusContract('redis', (options) =>
  createRedisBus({ url: TEST_REDIS_URL, prefix: `specline-bus-test-${randomUUID()}:`, onError: options.onError }),
);

describe('redis bus specifics', () => {
  it('ignores malformed messages on a spec channel and keeps delivering good ones', async () => {
    const prefix = `specline-bus-test-${randomUUID()}:`;
    const errors: Error[] = [];
    const bus = await createRedisBus({ url: TEST_REDIS_URL, prefix, onError: (e) => errors.push(e) });
    const raw = new Redis(TEST_REDIS_URL);
    try {
      const received: unknown[] = [];
      let done!: () => void;
      const got = new Promise<void>((resolve) => (done = resolve));
      await bus.subscribe('s1', (m) => {
        received.push(m);
        done();
      });
      await raw.publish(`${prefix}spec:s1`, 'not json');
      await raw.publish(`${prefix}spec:s1`, JSON.stringify({ spec_id: 's1', spec_seq: 'x' }));
      await bus.publish({ spec_id: 's1', spec_seq: 4 });
      await got;
      expect(received).toEqual([{ spec_id: 's1', spec_seq: 4 }]);
      expect(errors).toHaveLength(2);
      expect(errors[0]?.message).toMatch(/malformed bus message/);
    } finally {
      raw.disconnect();
      await bus.close();
    }
  });

  it('parses only {spec_id: string, spec_seq: non-negative integer}', () => {
    expect(parseBusMessage('{"spec_id":"a","spec_seq":3}')).toEqual({ spec_id: 'a', spec_seq: 3 });
    expect(parseBusMessage('{"spec_id":"a","spec_seq":-1}')).toBeUndefined();
    expect(parseBusMessage('{"spec_id":"a","spec_seq":1.5}')).toBeUndefined();
    expect(parseBusMessage('[]')).toBeUndefined();
    expect(parseBusMessage('null')).toBeUndefined();
  });
});
