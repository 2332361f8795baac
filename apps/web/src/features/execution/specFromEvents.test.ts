import { describe, expect, it } from 'vitest';
import type { Spec, StoredEvent } from '@specline/protocol';
import { makeSpec } from '../../test/fixtures';
import { makeEvent } from '../timeline/__tests__/fakeEventsApi';
import { applyEventsToSpec, followsStream, NO_REFRESH, refreshOf } from './specFromEvents';
import { specPollInterval, STREAM_DOWN_POLL_MS } from './useLiveSpec';

const ID = 'reduce-spec';
const ev = (seq: number, type: string, data: Record<string, unknown> = {}, sandbox = 'sb-1'): StoredEvent => ({
  ...makeEvent(ID, seq, type, data, (data['phase'] as StoredEvent['phase']) ?? null),
  sandbox_id: sandbox,
});
const started = (seq: number, phases: string[], sandbox = 'sb-1') => ev(seq, 'spec.execution_started', { title: 't', description: '', phases }, sandbox);
const completed = (seq: number, phase: string, extra: Record<string, unknown> = {}) =>
  ev(seq, 'spec.phase_completed', { phase, eval_score: 0.9, duration_seconds: 1, retry_count: 0, phase_output: {}, ...extra });

function draft(overrides: Partial<Spec> = {}): Spec {
  return makeSpec({ id: ID, status: 'draft', current_phase: null, phases: [], phase_status: {}, progress: 0, usage: null, sandbox_id: null, requirements: [], ...overrides });
}

describe('applyEventsToSpec (the server ingest rules, in the browser)', () => {
  it('follows a run: status, current phase, phase states, progress, usage and the end', () => {
    let spec = applyEventsToSpec(draft({ status: 'queued', queue_position: 1 }), [started(1, ['explore', 'requirements', 'design', 'tasks', 'sync'])]);
    expect(spec).toMatchObject({ status: 'executing', sandbox_id: 'sb-1', progress: 0, queue_position: null, phases: ['explore', 'requirements', 'design', 'tasks', 'sync'] });

    spec = applyEventsToSpec(spec, [ev(2, 'spec.phase_started', { phase: 'explore', attempt: 1 }), ev(3, 'spec.progress', { message: 'reading' })]);
    expect(spec.current_phase).toBe('explore');
    expect(spec.phase_status.explore?.state).toBe('running');

    spec = applyEventsToSpec(spec, [
      completed(4, 'explore', { usage: { input_tokens: 100, output_tokens: 10, cost_usd: 0.01 }, executor: 'planner', model: null }),
      ev(5, 'spec.phase_started', { phase: 'requirements', attempt: 1 }),
      ev(6, 'spec.phase_retry', { phase: 'requirements', retry_count: 1, max_retries: 2, reason: 'evaluation_failed', eval_score: 0.4, eval_feedback: 'too vague', usage: { input_tokens: 50, output_tokens: 5, cost_usd: 0.005 } }),
    ]);
    expect(spec.progress).toBe(20);
    expect(spec.phase_status.explore).toMatchObject({ state: 'passed', executor: 'planner', eval_score: 0.9 });
    expect(spec.phase_status.requirements).toMatchObject({ state: 'retrying', attempt: 2, max_attempts: 3, error: 'too vague' });
    expect(spec.usage).toEqual({ input_tokens: 150, output_tokens: 15, cost_usd: 0.015 });

    // A late retry of a passed phase does not reopen it; heartbeats move the phase forward only.
    spec = applyEventsToSpec(spec, [
      ev(7, 'spec.phase_retry', { phase: 'explore', retry_count: 1, max_retries: 2, reason: 'timeout' }),
      ev(8, 'spec.heartbeat', { phases_completed: ['explore'], current_phase: 'explore' }),
    ]);
    expect(spec.phase_status.explore?.state).toBe('passed');
    expect(spec.current_phase).toBe('requirements');
    expect(spec.last_heartbeat_at).not.toBeNull();

    spec = applyEventsToSpec(spec, [
      ev(9, 'spec.phase_failed', { phase: 'requirements', reason: 'evaluation_failed', eval_feedback: 'REQ-002 has no criteria', retry_count: 3 }),
      ev(10, 'spec.execution_failed', { failed_phase: 'requirements', error: 'requirements failed evaluation' }),
    ]);
    expect(spec.status).toBe('executing');
    expect(spec.last_error).toBe('requirements failed evaluation');

    spec = applyEventsToSpec(spec, [ev(11, 'agent.completed', { spec_id: ID, success: false, phase_data: {}, failed_phase: 'requirements', usage: { input_tokens: 999, output_tokens: 99, cost_usd: 0.5 } })]);
    expect(spec).toMatchObject({ status: 'failed', progress: 20, active_agents: 0, usage: { input_tokens: 999, output_tokens: 99, cost_usd: 0.5 } });
    // A terminal status is not moved again by a repeated end.
    expect(applyEventsToSpec(spec, [ev(12, 'agent.completed', { spec_id: ID, success: true, phase_data: {} })]).status).toBe('failed');
  });

  it('a review gate ends the run awaiting approval; a cancelled phase ends it cancelled', () => {
    const running = applyEventsToSpec(draft(), [started(1, ['explore', 'requirements']), completed(2, 'explore'), completed(3, 'requirements')]);
    const waiting = applyEventsToSpec(running, [ev(4, 'agent.completed', { spec_id: ID, success: true, phase_data: {}, awaiting_approval: 'requirements' })]);
    expect(waiting).toMatchObject({ status: 'awaiting_approval', awaiting_approval: 'requirements', progress: 100, last_error: null });

    const cancelled = applyEventsToSpec(running, [
      ev(4, 'spec.phase_failed', { phase: 'design', reason: 'cancelled', retry_count: 0 }),
      ev(5, 'agent.completed', { spec_id: ID, success: false, phase_data: {} }),
    ]);
    expect(cancelled.status).toBe('cancelled');
  });

  it('ignores late events of an earlier sandbox, and a new run resets what the last one left (keeping the phases a continuation starts after)', () => {
    const done = applyEventsToSpec(draft(), [started(1, ['explore', 'requirements', 'design']), completed(2, 'explore'), completed(3, 'requirements'), completed(4, 'design'), ev(5, 'agent.completed', { spec_id: ID, success: true, phase_data: {} })]);
    expect(done.status).toBe('completed');
    const untouched = applyEventsToSpec(done, [ev(6, 'spec.phase_failed', { phase: 'design', reason: 'timeout', retry_count: 1 }, 'sb-old')]);
    expect(untouched).toBe(done);

    const rerun = applyEventsToSpec(done, [started(7, ['design'], 'sb-2')]);
    expect(rerun).toMatchObject({ status: 'executing', sandbox_id: 'sb-2', phases: ['explore', 'requirements', 'design'], progress: 67, last_error: null });
    expect(rerun.phase_status.design).toBeUndefined();
    expect(rerun.phase_status.requirements?.state).toBe('passed');

    // The same start seen again once the run has progressed (replayed after a refetch) resets nothing.
    const progressed = applyEventsToSpec(rerun, [ev(8, 'spec.phase_started', { phase: 'design', attempt: 1 }, 'sb-2')]);
    expect(applyEventsToSpec(progressed, [started(7, ['design'], 'sb-2')]).phase_status.design?.state).toBe('running');
  });

  it('returns the same object for events that change nothing it holds (progress lines, tool calls, unknown types)', () => {
    const spec = draft({ status: 'executing', sandbox_id: 'sb-1' });
    expect(applyEventsToSpec(spec, [ev(1, 'spec.progress', { message: 'x' }), ev(2, 'custom.thing', {}), ev(3, 'spec.phase_started', { phase: 'nope' })])).toBe(spec);
  });
});

describe('refreshOf: which events make the page read the spec again', () => {
  it('only phases that bring rows, and the run end; a run start refreshes the runs and lists, not the spec', () => {
    expect(refreshOf([ev(1, 'spec.progress'), ev(2, 'spec.heartbeat'), ev(3, 'spec.phase_started', { phase: 'explore' }), ev(4, 'spec.phase_retry', { phase: 'design' })])).toEqual(NO_REFRESH);
    expect(refreshOf([completed(1, 'explore')])).toEqual({ ...NO_REFRESH, phaseData: true });
    expect(refreshOf([completed(1, 'requirements')]).detail).toBe(true);
    expect(refreshOf([started(1, ['explore'])])).toEqual({ ...NO_REFRESH, runs: true, lists: true });
    expect(refreshOf([ev(1, 'agent.completed', { success: true })])).toEqual({ detail: true, phaseData: true, runs: true, tickets: true, lists: true });
  });

  it('the spec is polled only while the stream is down, or slowly while it waits in the queue', () => {
    expect(specPollInterval('executing', 'live')).toBe(false);
    expect(specPollInterval('executing', 'connecting')).toBe(false);
    expect(specPollInterval('executing', 'polling')).toBe(STREAM_DOWN_POLL_MS);
    expect(specPollInterval('executing', 'reconnecting')).toBe(STREAM_DOWN_POLL_MS);
    expect(specPollInterval('completed', 'idle')).toBe(false);
    expect(specPollInterval('queued', 'live')).toBeGreaterThan(5_000);
    expect(followsStream('queued') && followsStream('executing') && !followsStream('completed')).toBe(true);
  });
});
