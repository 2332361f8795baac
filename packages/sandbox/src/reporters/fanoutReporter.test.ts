import type { SpecEvent } from '@specline/protocol';
import { describe, expect, it } from 'vitest';
import type { Logger, Reporter } from '../types';
import { ArrayReporter } from './arrayReporter';
import { FanoutReporter } from './fanoutReporter';
import { eventFactory } from './testEvents';

class BrokenReporter implements Reporter {
  report(_event: SpecEvent): Promise<void> {
    throw new Error('disk on fire');
  }
  flush(): Promise<void> {
    return Promise.reject(new Error('cannot flush'));
  }
  close(): Promise<void> {
    return Promise.reject(new Error('cannot close'));
  }
}

describe('FanoutReporter', () => {
  it('keeps feeding the other reporters when one throws or rejects, and logs each failure', async () => {
    const errors: string[] = [];
    const logger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: (msg) => errors.push(msg) };
    const before = new ArrayReporter();
    const after = new ArrayReporter();
    const fanout = new FanoutReporter([before, new BrokenReporter(), after], { logger });
    const events = eventFactory().many(3);
    for (const event of events) await expect(fanout.report(event)).resolves.toBeUndefined();
    await expect(fanout.flush()).resolves.toBeUndefined();
    await expect(fanout.close()).resolves.toBeUndefined();
    expect(before.toArray()).toEqual(events);
    expect(after.toArray()).toEqual(events);
    expect(errors).toEqual([
      ...events.map(() => 'fanout reporter: BrokenReporter.report failed'),
      'fanout reporter: BrokenReporter.flush failed',
      'fanout reporter: BrokenReporter.close failed',
    ]);
  });
});
