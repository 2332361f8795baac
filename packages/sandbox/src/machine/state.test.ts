import { describe, expect, it } from 'vitest';
import { addUsage, backoffDelay, currentPhase, initialState, reduce, type RunState } from './state';
import type { RetryFeedback } from '../types';

const feedback = (attempt: number, text = 'bad'): RetryFeedback => ({ attempt, score: 0.4, text, problems: [], previousOutput: { x: attempt } });
const run = (state: RunState, ...actions: Parameters<typeof reduce>[1][]) => actions.reduce(reduce, state);

describe('reduce', () => {
  const start = () => initialState(['explore', 'requirements'], { prior: { a: 1 } }, 2);

  it('moves to the next phase on a pass and succeeds after the last', () => {
    let s = run(start(), { type: 'attempt_started' }, { type: 'attempt_passed', output: { e: 1 } });
    expect(currentPhase(s)).toBe('requirements');
    expect(s).toMatchObject({ status: 'running', attempt: 0, phasesCompleted: ['explore'], phaseData: { prior: { a: 1 }, explore: { e: 1 } } });
    s = run(s, { type: 'attempt_started' }, { type: 'attempt_passed', output: { r: 1 } });
    expect(s.status).toBe('succeeded');
    expect(currentPhase(s)).toBeNull();
    expect(run(s, { type: 'attempt_started' })).toBe(s);
  });

  it('retries while attempts remain, keeping the feedback and the usage, then fails', () => {
    let s = run(start(), { type: 'attempt_started' }, { type: 'attempt_failed', reason: 'evaluation_failed', feedback: feedback(1), usage: { cost_usd: 1 }, retryable: true });
    expect(s).toMatchObject({ status: 'retrying', attempt: 1, feedback: feedback(1), usage: { cost_usd: 1 } });
    s = run(s, { type: 'attempt_started' }, { type: 'attempt_failed', reason: 'evaluation_failed', feedback: feedback(2, 'still bad'), usage: { cost_usd: 2 }, retryable: true });
    expect(s.status).toBe('failed');
    expect(s.failure).toEqual({ phase: 'explore', reason: 'evaluation_failed', error: 'still bad', retryCount: 1, score: 0.4, feedback: 'still bad' });
    expect(s.usage).toEqual({ cost_usd: 3 });
  });

  it('fails at once on a non-retryable failure or an abort', () => {
    const s = run(start(), { type: 'attempt_started' }, { type: 'attempt_failed', reason: 'evaluation_failed', feedback: feedback(1), retryable: false });
    expect(s.failure).toMatchObject({ phase: 'explore', retryCount: 0 });
    const a = run(start(), { type: 'attempt_passed', output: {} }, { type: 'attempt_started' }, { type: 'aborted', reason: 'cancelled', error: 'stop' });
    expect(a.failure).toEqual({ phase: 'requirements', reason: 'cancelled', error: 'stop', retryCount: 0 });
  });
});

describe('helpers', () => {
  it('backoff doubles from the base', () => {
    expect([1, 2, 3].map((n) => backoffDelay(2_000, n))).toEqual([2_000, 4_000, 8_000]);
    expect(backoffDelay(-5, 2)).toBe(0);
  });
  it('addUsage sums known counters and keeps extra fields', () => {
    expect(addUsage(undefined, undefined)).toBeUndefined();
    expect(addUsage({ input_tokens: 1, model: 'x' }, { input_tokens: 2, output_tokens: 3 })).toEqual({ input_tokens: 3, output_tokens: 3, model: 'x' });
  });
});
