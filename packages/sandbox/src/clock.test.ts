import { describe, expect, it } from 'vitest';
import { createManualClock, systemClock } from './clock';

describe('createManualClock', () => {
  it('fires sleeps and intervals in time order as time advances', async () => {
    const clock = createManualClock(1000);
    const log: string[] = [];
    void clock.sleep(300).then(() => log.push(`sleep300@${clock.now()}`));
    void clock.sleep(100).then(() => log.push(`sleep100@${clock.now()}`));
    const stop = clock.every(150, () => log.push(`tick@${clock.now()}`));
    await clock.advance(299);
    expect(log).toEqual(['sleep100@1100', 'tick@1150']);
    expect(clock.now()).toBe(1299);
    await clock.advance(1);
    // Same instant: timers fire in the order they were created.
    expect(log).toEqual(['sleep100@1100', 'tick@1150', 'sleep300@1300', 'tick@1300']);
    stop();
    await clock.advance(1000);
    expect(log).toHaveLength(4);
    expect(clock.pending()).toBe(0);
  });

  it('fires a sleep scheduled by code woken inside the same advance', async () => {
    const clock = createManualClock();
    const log: number[] = [];
    void clock.sleep(10).then(async () => {
      log.push(clock.now());
      await clock.sleep(10);
      log.push(clock.now());
    });
    await clock.advance(25);
    expect(log).toEqual([10, 20]);
  });

  it('rejects a sleep with the abort reason and drops its timer', async () => {
    const clock = createManualClock();
    const controller = new AbortController();
    const sleeping = clock.sleep(1000, controller.signal);
    controller.abort(new Error('stop'));
    await expect(sleeping).rejects.toThrow('stop');
    expect(clock.pending()).toBe(0);
    await expect(clock.sleep(5, controller.signal)).rejects.toThrow('stop');
  });

  it('settle advances until the promise resolves', async () => {
    const clock = createManualClock();
    const result = clock.settle(
      (async () => {
        await clock.sleep(5000);
        await clock.sleep(5000);
        return clock.now();
      })(),
    );
    await expect(result).resolves.toBe(10_000);
  });
});

describe('systemClock', () => {
  it('rejects an already aborted sleep without waiting', async () => {
    const controller = new AbortController();
    controller.abort(new Error('gone'));
    await expect(systemClock.sleep(60_000, controller.signal)).rejects.toThrow('gone');
    expect(Math.abs(systemClock.now() - Date.now())).toBeLessThan(1000);
  });
});
