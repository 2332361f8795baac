import { describe, expect, it } from 'vitest';
import { createManualClock } from '../clock';
import type { PhaseContext, PhaseExecutor } from '../types';
import { withPacing } from './paced';

const inner: PhaseExecutor = { name: 'inner', execute: () => Promise.resolve({ output: { ok: true } }) };
const context = (lines: string[]): PhaseContext => ({
  spec: { id: 's', title: 't', description: '' },
  cwd: '.',
  phaseData: {},
  attempt: 1,
  maxAttempts: 3,
  progress: (m) => lines.push(m),
});

describe('withPacing', () => {
  it('returns the executor itself when the delay is 0', () => {
    expect(withPacing(inner, { stepDelayMs: 0, clock: createManualClock() })).toBe(inner);
  });

  it('waits the delay on the clock before executing, and says so', async () => {
    const clock = createManualClock();
    const lines: string[] = [];
    let done = false;
    const run = withPacing(inner, { stepDelayMs: 500, clock })
      .execute('explore', context(lines), null, new AbortController().signal)
      .then((r) => {
        done = true;
        return r;
      });
    await clock.advance(499);
    expect(done).toBe(false);
    await clock.advance(1);
    await expect(run).resolves.toEqual({ output: { ok: true } });
    expect(lines).toEqual(['Pacing: waiting 500 ms before explore (--step-delay-ms)']);
  });

  it('stops waiting when cancelled', async () => {
    const clock = createManualClock();
    const controller = new AbortController();
    const run = withPacing(inner, { stepDelayMs: 10_000, clock }).execute('design', context([]), null, controller.signal);
    controller.abort(new Error('cancelled'));
    await expect(run).rejects.toThrow('cancelled');
  });
});
