import { describe, expect, it } from 'vitest';
import { Batcher } from './batcher';

/** A batcher over an in-memory "table" that records every batch it was asked to load. */
function squares(maxBatch?: number, maxInFlight = 2) {
  const batches: string[][] = [];
  let running = 0;
  let mostRunning = 0;
  const batcher = new Batcher<string, number>({
    id: (k) => k,
    maxInFlight: () => maxInFlight,
    ...(maxBatch === undefined ? {} : { maxBatch }),
    load: async (keys) => {
      batches.push(keys);
      running++;
      mostRunning = Math.max(mostRunning, running);
      await new Promise((resolve) => setImmediate(resolve));
      running--;
      if (keys.includes('boom')) throw new Error('query failed');
      return new Map(keys.filter((k) => k !== 'missing').map((k) => [k, Number(k) ** 2]));
    },
  });
  return { batcher, batches, mostRunning: () => mostRunning };
}

describe('Batcher', () => {
  it('answers lookups of one turn with one load, identical keys sharing one slot', async () => {
    const { batcher, batches } = squares();
    const answers = await Promise.all(['2', '3', '2', 'missing'].map((k) => batcher.load(k)));
    expect(answers).toEqual([4, 9, 4, undefined]);
    expect(batches).toEqual([['2', '3', 'missing']]);
    expect(batcher.stats()).toMatchObject({ batches: 1, lookups: 4, keys: 3, largestBatch: 3, inFlight: 0 });
  });

  it('splits at maxBatch distinct keys and never runs more than maxInFlight loads at once', async () => {
    const { batcher, batches, mostRunning } = squares(2, 1);
    const keys = ['1', '2', '1', '3', '4', '5'];
    const answers = await Promise.all(keys.map((k) => batcher.load(k)));
    expect(answers).toEqual([1, 4, 1, 9, 16, 25]);
    expect(batches.map((b) => b.length)).toEqual([2, 2, 1]);
    expect(batches.flat().sort()).toEqual(['1', '2', '3', '4', '5']);
    expect(mostRunning()).toBe(1);
  });

  it('rejects every lookup of a failed batch, and later lookups still load', async () => {
    const { batcher } = squares();
    const failed = await Promise.allSettled([batcher.load('boom'), batcher.load('7')]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    await expect(batcher.load('7')).resolves.toBe(49);
  });

  it('remembers nothing: a key asked after its batch answered is loaded again', async () => {
    const { batcher, batches } = squares();
    await batcher.load('2');
    await batcher.load('2');
    expect(batches).toEqual([['2'], ['2']]);
  });
});
