import { act, render, screen, waitFor } from '@testing-library/react';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { describe, expect, it } from 'vitest';
import { createSpeclineClient } from '@specline/client';
import type { Spec, StoredEvent } from '@specline/protocol';
import { ApiProvider } from '../../lib/api';
import { makeRequirement, makeSpec, makeTask } from '../../test/fixtures';
import type { Schedule } from '../timeline/eventFeed';
import { createFeedTransport, SpecFeedProvider } from '../timeline/feedContext';
import { FakeEventsApi, makeEvent } from '../timeline/__tests__/fakeEventsApi';
import { applyEventsToSpec } from './specFromEvents';
import { useLiveSpec } from './useLiveSpec';

/** What a page shows of the spec: enough to see status and progress follow the events. */
function Probe({ specId }: { specId: string }) {
  const { spec, connection } = useLiveSpec(specId);
  if (!spec) return <p>loading</p>;
  return (
    <dl>
      <dd data-testid="status">{spec.status}</dd>
      <dd data-testid="progress">{spec.progress}</dd>
      <dd data-testid="phase">{spec.current_phase ?? '-'}</dd>
      <dd data-testid="states">{(['explore', 'requirements', 'design', 'tasks', 'sync'] as const).map((p) => `${p}:${spec.phase_status[p]?.state ?? 'pending'}`).join(' ')}</dd>
      <dd data-testid="rows">{`${spec.requirements.length} req · ${spec.tasks.length} tasks`}</dd>
      <dd data-testid="connection">{connection}</dd>
    </dl>
  );
}

/**
 * The page's world: the spec route (counted, answering the server's current spec, or held until the test
 * lets it go) and the events routes of the timeline's fake, with a schedule the test runs by hand, so
 * "no refresh was scheduled" is a fact rather than a wait.
 */
function setup(initial: Spec, stored: StoredEvent[] = []) {
  const api = new FakeEventsApi(initial.id);
  api.events = stored;
  const specReads: number[] = [];
  // The server's spec: its stored events applied (the ingest rules, unit-tested on their own) and the rows a test sets.
  let rows: Partial<Spec> = {};
  let hold: Promise<void> | null = null;
  const fetchImpl: typeof fetch = async (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, 'http://app.test');
    if (url.pathname === `/api/v1/specs/${initial.id}`) {
      specReads.push(api.events.length);
      const answer = { ...applyEventsToSpec(initial, api.events), ...rows };
      if (hold) await hold;
      return Response.json(answer);
    }
    return api.fetch(input, init);
  };
  const ticks: (() => void)[] = [];
  const schedule: Schedule = (fn) => {
    ticks.push(fn);
    return () => {
      const at = ticks.indexOf(fn);
      if (at >= 0) ticks.splice(at, 1);
    };
  };
  const client = createSpeclineClient({ fetch: fetchImpl });
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity } } });
  const transport = createFeedTransport({ client, fetch: fetchImpl, stream: { sleep: () => Promise.resolve() } });
  render(
    <QueryClientProvider client={queryClient}>
      <ApiProvider client={client}>
        <SpecFeedProvider transport={transport} schedule={schedule}>
          <Probe specId={initial.id} />
        </SpecFeedProvider>
      </ApiProvider>
    </QueryClientProvider>,
  );
  const runTicks = () => act(() => ticks.splice(0).forEach((fn) => fn()));
  return {
    api,
    specReads,
    ticks,
    runTicks,
    setServer: (next: Partial<Spec>) => (rows = { ...rows, ...next }),
    holdReads: () => {
      let release!: () => void;
      hold = new Promise<void>((resolve) => (release = resolve));
      return () => {
        hold = null;
        release();
      };
    },
    emit: (...events: StoredEvent[]) => act(() => api.emit(...events)),
  };
}

const text = (id: string) => screen.getByTestId(id).textContent;
const PHASES = ['explore', 'requirements', 'design', 'tasks', 'sync'] as const;

describe('useLiveSpec: the spec follows the run from its events (issue 14)', () => {
  it('during a simulated run the spec is read only after row-bringing events and the run end, once per burst; status and progress follow the events', async () => {
    const S = 'live-run';
    const at = (seq: number, type: string, data: Record<string, unknown> = {}) => makeEvent(S, seq, type, data, (data['phase'] as never) ?? null);
    const done = (seq: number, phase: string) => at(seq, 'spec.phase_completed', { phase, eval_score: 0.9, duration_seconds: 1, retry_count: 0, phase_output: {} });
    const spec = makeSpec({ id: S, status: 'executing', sandbox_id: 'sb-1', current_phase: 'explore', phases: [...PHASES], phase_status: {}, progress: 0, requirements: [], tasks: [] });
    const world = setup(spec, [at(1, 'spec.execution_started', { title: 't', description: '', phases: [...PHASES] })]);

    // First read, then the stream comes up and the spec is read once more (the gap between the two reads).
    await waitFor(() => expect(text('connection')).toBe('live'));
    expect(world.specReads).toHaveLength(1);
    await waitFor(() => expect(world.ticks).toHaveLength(1));
    world.runTicks();
    await waitFor(() => expect(world.specReads).toHaveLength(2));

    // Phase starts, progress lines, heartbeats, a retry: written into the spec, nothing read, nothing scheduled.
    world.emit(at(2, 'spec.phase_started', { phase: 'explore', attempt: 1 }), at(3, 'spec.progress', { message: 'Reading files' }), at(4, 'spec.heartbeat', { phases_completed: [], current_phase: 'explore' }));
    await waitFor(() => expect(text('states')).toContain('explore:running'));
    expect(world.ticks).toHaveLength(0);

    // EXPLORE passes: the stepper and progress move from the event; its output is phase data, not a spec row.
    world.emit(done(5, 'explore'), at(6, 'spec.phase_started', { phase: 'requirements', attempt: 1 }));
    await waitFor(() => expect(text('progress')).toBe('20'));
    expect(text('phase')).toBe('requirements');
    world.runTicks();
    world.emit(at(7, 'spec.phase_retry', { phase: 'requirements', retry_count: 1, max_retries: 2, reason: 'evaluation_failed', eval_feedback: 'vague' }));
    await waitFor(() => expect(text('states')).toContain('requirements:retrying'));
    expect(world.ticks).toHaveLength(0);
    expect(world.specReads).toHaveLength(2);

    // REQUIREMENTS passes: its rows are read (once), and the page shows them.
    world.setServer({ requirements: [makeRequirement({ id: 'r1' }), makeRequirement({ id: 'r2' })] });
    world.emit(done(8, 'requirements'));
    await waitFor(() => expect(world.ticks).toHaveLength(1));
    world.runTicks();
    await waitFor(() => expect(text('rows')).toBe('2 req · 0 tasks'));
    expect(world.specReads).toHaveLength(3);

    // A burst — DESIGN, TASKS and SYNC passing, the run's end — is one read.
    world.setServer({ tasks: [makeTask({ id: 't1' })] });
    world.emit(
      at(9, 'spec.phase_started', { phase: 'design', attempt: 1 }),
      done(10, 'design'),
      at(11, 'spec.phase_started', { phase: 'tasks', attempt: 1 }),
      done(12, 'tasks'),
      at(13, 'spec.phase_started', { phase: 'sync', attempt: 1 }),
      at(14, 'spec.tickets_creation_completed', { tickets_created: 1, tasks_created: 1, errors: [] }),
      done(15, 'sync'),
      at(16, 'spec.execution_completed', { phases_completed: [...PHASES], markdown_artifacts: {}, ticket_creation: { tickets_created: 1, tasks_created: 1, errors: [] } }),
      at(17, 'agent.completed', { spec_id: S, success: true, phase_data: {} }),
    );
    await waitFor(() => expect(text('status')).toBe('completed'));
    expect(text('progress')).toBe('100');
    expect(text('states')).toBe('explore:passed requirements:passed design:passed tasks:passed sync:passed');
    expect(world.ticks).toHaveLength(1);
    world.runTicks();
    await waitFor(() => expect(text('rows')).toBe('2 req · 1 tasks'));
    // 17 events: the first read, the stream's catch-up, REQUIREMENTS, and one for the final burst.
    expect(world.specReads).toEqual([1, 1, 8, 17]);
    expect(world.api.openStreams).toBeLessThanOrEqual(1);
  });

  it('a read that started before later events does not undo them, and events during a read wait for it (one read at a time)', async () => {
    const S = 'live-race';
    const at = (seq: number, type: string, data: Record<string, unknown> = {}) => makeEvent(S, seq, type, data, (data['phase'] as never) ?? null);
    const spec = makeSpec({ id: S, status: 'executing', sandbox_id: 'sb-1', current_phase: 'explore', phases: [...PHASES], phase_status: {}, progress: 0, requirements: [] });
    const world = setup(spec);
    await waitFor(() => expect(text('connection')).toBe('live'));
    await waitFor(() => expect(world.ticks).toHaveLength(1));
    world.runTicks();
    await waitFor(() => expect(world.specReads).toHaveLength(2));

    // REQUIREMENTS passes; the read it causes (answering the state right after it) is held while DESIGN starts and passes.
    const release = world.holdReads();
    world.emit(at(1, 'spec.phase_completed', { phase: 'requirements', eval_score: 1, duration_seconds: 1, retry_count: 0, phase_output: {} }));
    await waitFor(() => expect(world.ticks).toHaveLength(1));
    world.runTicks();
    await waitFor(() => expect(world.specReads).toHaveLength(3));
    world.emit(at(2, 'spec.phase_started', { phase: 'design', attempt: 1 }), at(3, 'spec.phase_completed', { phase: 'design', eval_score: 1, duration_seconds: 1, retry_count: 0, phase_output: {} }));
    await waitFor(() => expect(text('states')).toContain('design:passed'));
    // The design's read waits for the one under way.
    expect(world.ticks).toHaveLength(0);
    // The held answer predates DESIGN's events: they are applied again on top of it.
    release();
    await waitFor(() => expect(world.ticks).toHaveLength(1));
    expect(text('states')).toContain('design:passed');
    expect(text('phase')).toBe('design');
    world.runTicks();
    await waitFor(() => expect(world.specReads).toHaveLength(4));
  });
});
