import type { Phase } from '@specline/protocol';
import { asc, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseEars } from '../services/phaseRows';
import { reduceRunEffects, type RunState } from '../services/ingestEffects';
import { sandboxes, specAcceptanceCriteria, specRequirements, specTasks, specVersions, specs } from '../store/schema';
import { BACKENDS, createTestServer, type TestServer } from './harness';
import { eventFactory, postEvents, seedSandbox, seedSpec, type SeededSpec } from './ingestHarness';

const requirementsOutput = (texts: string[] = ['WHEN a user submits the form, THE SYSTEM SHALL save it', 'THE SYSTEM SHALL log every request']) => ({
  requirements: texts.map((text, i) => ({
    id: `REQ-00${i + 1}`,
    title: `Requirement ${i + 1}`,
    type: 'functional',
    priority: 'high',
    text,
    acceptance_criteria: [
      { id: `REQ-00${i + 1}.AC-1`, text: `criterion ${i + 1}.1` },
      { id: `REQ-00${i + 1}.AC-2`, text: `criterion ${i + 1}.2` },
    ],
  })),
});

const designOutput = (overview = 'Layered service') => ({
  architecture_overview: overview,
  components: [{ id: 'DES-001', name: 'Api', responsibility: 'HTTP', file_path: 'src/api.ts' }],
  data_models: [{ name: 'Item', fields: [{ name: 'id', type: 'uuid' }] }],
  api_endpoints: [{ method: 'POST', path: '/items', description: 'create' }],
  error_handling: 'errors as JSON',
  testing_strategy: 'vitest',
});

const tasksOutput = (title = 'Build the API') => ({
  tickets: [{ id: 'TKT-001', title: 'API', description: 'the api', priority: 'critical', requirements: ['REQ-001'] }],
  tasks: [
    { id: 'TSK-001', ticket_id: 'TKT-001', title, description: 'd', estimated_hours: 3, depends_on: [], requirements: ['REQ-001'] },
    { id: 'TSK-002', ticket_id: 'TKT-001', title: 'Test it', description: 'd', estimated_hours: 2, depends_on: ['TSK-001'], requirements: ['REQ-001'] },
  ],
});

function runEvents(specId: string) {
  const event = eventFactory(specId);
  return {
    event,
    started: (phases: Phase[] = ['explore', 'requirements', 'design', 'tasks', 'sync']) => event('spec.execution_started', { title: 't', description: 'd', phases }),
    phaseStarted: (phase: Phase, attempt = 1) => event('spec.phase_started', { phase, attempt }, phase),
    retry: (phase: Phase, retry_count: number) =>
      event('spec.phase_retry', { phase, retry_count, max_retries: 2, reason: 'evaluation_failed', eval_score: 0.4, eval_feedback: 'too vague' }, phase),
    completed: (phase: Phase, phase_output: Record<string, unknown> = { summary: phase }, usage?: Record<string, number>) =>
      event('spec.phase_completed', { phase, eval_score: 0.9, duration_seconds: 1, retry_count: 0, phase_output, ...(usage ? { usage } : {}) }, phase),
    failed: (phase: Phase, reason = 'evaluation_failed') => event('spec.phase_failed', { phase, reason, eval_feedback: 'still vague', retry_count: 3 }, phase),
    agentCompleted: (success: boolean, extra: Record<string, unknown> = {}) => event('agent.completed', { spec_id: specId, success, phase_data: {}, ...extra }),
  };
}

describe.each(BACKENDS)('ingestion side effects on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer(backend);
  });
  afterAll(async () => {
    await server.close();
  });

  const spec = async (s: SeededSpec) => (await server.context.db.select().from(specs).where(eq(specs.id, s.specId)))[0]!;
  const post = async (s: SeededSpec, events: unknown[]) => {
    const res = await postEvents(server, s.sandbox, { events });
    expect(res.statusCode, res.body).toBe(200);
  };

  it('moves status, current_phase and progress forward only, and tracks each phase’s attempts', async () => {
    const s = await seedSpec(server);
    const r = runEvents(s.specId);
    await post(s, [r.started(), r.phaseStarted('explore'), r.completed('explore'), r.phaseStarted('requirements')]);
    let row = await spec(s);
    expect(row).toMatchObject({ status: 'executing', currentPhase: 'requirements', progress: 20 });
    await post(s, [r.retry('requirements', 1)]);
    row = await spec(s);
    expect(row.phaseStatus['requirements']).toMatchObject({ state: 'retrying', attempt: 2, max_attempts: 3, eval_score: 0.4, reason: 'evaluation_failed', error: 'too vague' });
    await post(s, [r.phaseStarted('requirements', 2), r.completed('requirements'), r.phaseStarted('design')]);
    // A late, out-of-order event of an earlier phase neither moves the phase back nor reopens a passed phase.
    await post(s, [r.phaseStarted('explore', 1), r.retry('requirements', 1)]);
    row = await spec(s);
    expect(row).toMatchObject({ currentPhase: 'design', progress: 40 });
    expect(row.phaseStatus['explore']).toMatchObject({ state: 'passed', eval_score: 0.9 });
    expect(row.phaseStatus['requirements']).toMatchObject({ state: 'passed', attempt: 2 });
    expect(row.phaseStatus['design']).toMatchObject({ state: 'running', attempt: 1 });
  });

  it('merges phase_data atomically: every merge persists', async () => {
    const s = await seedSpec(server);
    const r = runEvents(s.specId);
    await post(s, [r.completed('explore', { summary: 'one' })]);
    await post(s, [r.completed('requirements', requirementsOutput())]);
    await post(s, [r.completed('design', designOutput())]);
    const row = await spec(s);
    expect(Object.keys(row.phaseData).sort()).toEqual(['design', 'explore', 'requirements']);
    expect(row.phaseData['explore']).toEqual({ summary: 'one' });
    expect(row.phaseData['design']).toEqual(designOutput());
    expect(row.phaseData['requirements']).toEqual(requirementsOutput());
  });

  it('upserts requirements (EARS split), criteria, design and tasks by local id, never overwriting what a person edited', async () => {
    const s = await seedSpec(server);
    const r = runEvents(s.specId);
    const db = server.context.db;
    await post(s, [r.completed('requirements', requirementsOutput()), r.completed('design', designOutput()), r.completed('tasks', tasksOutput())]);
    const reqs = await db.select().from(specRequirements).where(eq(specRequirements.specId, s.specId)).orderBy(asc(specRequirements.position));
    expect(reqs.map((q) => [q.localId, q.condition, q.action, q.priority])).toEqual([
      ['REQ-001', 'WHEN a user submits the form', 'THE SYSTEM SHALL save it', 'high'],
      ['REQ-002', '', 'THE SYSTEM SHALL log every request', 'high'],
    ]);
    const criteria = await db.select().from(specAcceptanceCriteria).where(eq(specAcceptanceCriteria.requirementId, reqs[0]!.id)).orderBy(asc(specAcceptanceCriteria.position));
    expect(criteria.map((c) => [c.localId, c.text])).toEqual([
      ['REQ-001.AC-1', 'criterion 1.1'],
      ['REQ-001.AC-2', 'criterion 1.2'],
    ]);
    expect((await spec(s)).design).toMatchObject({ architecture: 'Layered service', api_spec: [{ method: 'POST', path: '/items', description: 'create' }] });
    const tasks = await db.select().from(specTasks).where(eq(specTasks.specId, s.specId)).orderBy(asc(specTasks.position));
    expect(tasks.map((t) => [t.localId, t.ticketLocalId, t.priority, t.estimatedHours])).toEqual([
      ['TSK-001', 'TKT-001', 'critical', 3],
      ['TSK-002', 'TKT-001', 'critical', 2],
    ]);
    expect(tasks[1]!.dependencies).toEqual([tasks[0]!.id]);

    // A person edits REQ-001, the design and TSK-001; then the run produces new outputs.
    await db.update(specRequirements).set({ title: 'Mine', editedAt: new Date() }).where(eq(specRequirements.id, reqs[0]!.id));
    await db.update(specs).set({ designEditedAt: new Date() }).where(eq(specs.id, s.specId));
    await db.update(specTasks).set({ title: 'My task', editedAt: new Date() }).where(eq(specTasks.id, tasks[0]!.id));
    await post(s, [
      r.completed('requirements', requirementsOutput(['IF the disk is full THEN THE SYSTEM SHALL refuse writes', 'WHILE offline the app shall queue changes'])),
      r.completed('design', designOutput('Rewritten')),
      r.completed('tasks', tasksOutput('Rebuilt API')),
    ]);
    const after = await db.select().from(specRequirements).where(eq(specRequirements.specId, s.specId)).orderBy(asc(specRequirements.position));
    expect(after.map((q) => [q.id, q.title, q.condition, q.action])).toEqual([
      [reqs[0]!.id, 'Mine', 'WHEN a user submits the form', 'THE SYSTEM SHALL save it'],
      [reqs[1]!.id, 'Requirement 2', 'WHILE offline', 'the app shall queue changes'],
    ]);
    expect((await spec(s)).design).toMatchObject({ architecture: 'Layered service' });
    const tasksAfter = await db.select().from(specTasks).where(eq(specTasks.specId, s.specId)).orderBy(asc(specTasks.position));
    expect(tasksAfter.map((t) => [t.id, t.title])).toEqual([
      [tasks[0]!.id, 'My task'],
      [tasks[1]!.id, 'Test it'],
    ]);
  });

  it('a rerun refreshes its rows, removes run-made rows it no longer has (unless edited), keeps rows a person added', async () => {
    const s = await seedSpec(server);
    const r = runEvents(s.specId);
    const db = server.context.db;
    await post(s, [r.completed('requirements', requirementsOutput(['THE SYSTEM SHALL a', 'THE SYSTEM SHALL b', 'THE SYSTEM SHALL c'])), r.completed('tasks', tasksOutput())]);
    const reqs = await db.select().from(specRequirements).where(eq(specRequirements.specId, s.specId)).orderBy(asc(specRequirements.position));
    const tasks = await db.select().from(specTasks).where(eq(specTasks.specId, s.specId)).orderBy(asc(specTasks.position));
    // A person edits REQ-003 and adds a requirement and a task of their own (no local id).
    await db.update(specRequirements).set({ editedAt: new Date() }).where(eq(specRequirements.id, reqs[2]!.id));
    await db.insert(specRequirements).values({ id: 'req-mine', specId: s.specId, title: 'Mine', action: 'THE SYSTEM SHALL m', text: 'THE SYSTEM SHALL m', position: 9 });
    await db.insert(specTasks).values({ id: 'task-mine', specId: s.specId, title: 'My task', position: 9 });

    const one = tasksOutput().tasks[0]!;
    await post(s, [
      r.completed('requirements', requirementsOutput(['WHEN asked THE SYSTEM SHALL a'])),
      r.completed('tasks', { tickets: [{ id: 'TKT-002', title: 'T', description: 'd', priority: 'low', requirements: [] }], tasks: [{ ...one, ticket_id: 'TKT-002', title: 'Renamed', estimated_hours: 5 }] }),
    ]);
    const reqsAfter = await db.select().from(specRequirements).where(eq(specRequirements.specId, s.specId)).orderBy(asc(specRequirements.position));
    expect(reqsAfter.map((q) => [q.id, q.localId, q.condition])).toEqual([
      [reqs[0]!.id, 'REQ-001', 'WHEN asked'],
      [reqs[2]!.id, 'REQ-003', ''],
      ['req-mine', null, ''],
    ]);
    const tasksAfter = await db.select().from(specTasks).where(eq(specTasks.specId, s.specId)).orderBy(asc(specTasks.position));
    expect(tasksAfter.map((t) => [t.id, t.localId, t.title, t.ticketLocalId, t.priority, t.estimatedHours])).toEqual([
      [tasks[0]!.id, 'TSK-001', 'Renamed', 'TKT-002', 'low', 5],
      ['task-mine', null, 'My task', null, 'medium', null],
    ]);
  });

  it('records last_error, sums usage, and notes heartbeats on the spec and the sandbox', async () => {
    const s = await seedSpec(server);
    const r = runEvents(s.specId);
    await post(s, [
      r.completed('explore', { a: 1 }, { input_tokens: 10, output_tokens: 5, cost_usd: 0.25 }),
      r.completed('requirements', { b: 1 }, { input_tokens: 1, output_tokens: 2, cost_usd: 0.5 }),
      r.event('spec.heartbeat', { phases_completed: ['explore', 'requirements'], current_phase: 'design' }),
      r.failed('design'),
    ]);
    const row = await spec(s);
    expect(row.usage).toEqual({ input_tokens: 11, output_tokens: 7, cost_usd: 0.75 });
    expect(row.lastError).toBe('design failed (evaluation_failed): still vague');
    expect(row.lastHeartbeatAt).toBeInstanceOf(Date);
    expect(row.phaseStatus['design']).toMatchObject({ state: 'failed', reason: 'evaluation_failed' });
    const [sandbox] = await server.context.db.select().from(sandboxes).where(eq(sandboxes.id, s.sandbox.sandboxId));
    expect(sandbox).toMatchObject({ status: 'running' });
    expect(sandbox?.lastHeartbeatAt).toBeInstanceOf(Date);
  });

  it('ends the run on agent.completed: completed (progress 100) or failed or cancelled, with a version and the sandbox finished', async () => {
    const finished: [string, string][] = [];
    const runs = server.context.runs;
    const original = runs.finished.bind(runs);
    runs.finished = async (sandboxId, outcome) => {
      finished.push([sandboxId, outcome]);
      await original(sandboxId, outcome);
    };
    try {
      const ok = await seedSpec(server);
      const r = runEvents(ok.specId);
      await post(ok, [r.started(['explore']), r.phaseStarted('explore'), r.completed('explore'), r.agentCompleted(true)]);
      expect(await spec(ok)).toMatchObject({ status: 'completed', progress: 100, lastError: null });
      const versions = await server.context.db.select().from(specVersions).where(eq(specVersions.specId, ok.specId));
      expect(versions.map((v) => v.changeType)).toEqual(['run_completed']);

      const bad = await seedSpec(server);
      const b = runEvents(bad.specId);
      await post(bad, [b.phaseStarted('explore'), b.failed('explore', 'execution_error'), b.event('spec.execution_failed', { failed_phase: 'explore', error: 'boom' }), b.agentCompleted(false, { error: 'boom', failed_phase: 'explore' })]);
      expect(await spec(bad)).toMatchObject({ status: 'failed', lastError: 'boom' });

      const stopped = await seedSpec(server);
      const c = runEvents(stopped.specId);
      await post(stopped, [c.phaseStarted('explore'), c.failed('explore', 'cancelled'), c.agentCompleted(false, { failed_phase: 'explore' })]);
      expect(await spec(stopped)).toMatchObject({ status: 'cancelled' });
      expect(finished).toEqual([
        [ok.sandbox.sandboxId, 'completed'],
        [bad.sandbox.sandboxId, 'failed'],
        [stopped.sandbox.sandboxId, 'cancelled'],
      ]);
    } finally {
      runs.finished = original;
    }
  });

  it('stores but never applies a late event from an earlier run’s sandbox', async () => {
    const s = await seedSpec(server);
    const old = s.sandbox;
    const current = await seedSandbox(server, s.specId);
    const r = runEvents(s.specId);
    const res = await postEvents(server, old, { events: [r.phaseStarted('tasks'), r.completed('tasks', tasksOutput())] });
    expect(res.statusCode).toBe(200);
    const row = await spec(s);
    expect(row).toMatchObject({ sandboxId: current.sandboxId, currentPhase: null, progress: 0, phaseData: {}, lastSpecSeq: 2 });
    expect(await server.context.db.select().from(specTasks).where(eq(specTasks.specId, s.specId))).toEqual([]);
  });
});

describe('EARS split', () => {
  it.each([
    ['WHEN a key exceeds its limit THE SYSTEM SHALL answer 429', 'WHEN a key exceeds its limit', 'THE SYSTEM SHALL answer 429'],
    ['When the user saves, the system shall store the draft', 'When the user saves', 'the system shall store the draft'],
    ['IF the token is invalid, THEN THE SYSTEM SHALL reject the request', 'IF the token is invalid', 'THE SYSTEM SHALL reject the request'],
    ['WHERE dark mode is enabled THE SYSTEM SHALL use the dark palette', 'WHERE dark mode is enabled', 'THE SYSTEM SHALL use the dark palette'],
    ['THE SYSTEM SHALL encrypt data at rest', '', 'THE SYSTEM SHALL encrypt data at rest'],
    ['Users can export reports', '', 'Users can export reports'],
  ])('%s', (text, condition, action) => {
    expect(parseEars(text)).toEqual({ condition, action });
  });
});

describe('run effects reducer', () => {
  const initial: RunState = { status: 'executing', currentPhase: null, phases: ['explore', 'requirements'], phaseStatus: {}, progress: 0, lastError: null, usage: null, lastHeartbeatAt: null };
  const at = new Date('2026-01-01T00:00:00Z');
  const ev = (event_type: string, data: Record<string, unknown>, spec_seq = 1) => ({ spec_seq, event_type, data, emitted_at: at });

  it('a terminal status is final: a later completion does not flip it', () => {
    const done = ev('agent.completed', { spec_id: 's', success: true, phase_data: {} });
    const out = reduceRunEffects({ ...initial, status: 'failed', lastError: 'boom' }, [done], { now: at, runStartedBefore: true });
    expect(out.state).toMatchObject({ status: 'failed', lastError: 'boom' });
    expect(out.terminal).toEqual({ outcome: 'completed', statusChanged: false, error: null });
  });

  it('computes progress from the run’s own phase list', () => {
    const out = reduceRunEffects(initial, [ev('spec.phase_completed', { phase: 'explore', eval_score: 1, duration_seconds: 1, retry_count: 0, phase_output: {} })], { now: at, runStartedBefore: true });
    expect(out.state.progress).toBe(50);
    expect(out.completed).toEqual([{ phase: 'explore', output: {} }]);
  });

  it('a new run’s execution_started resets run-scoped state; a later one in the same run does not', () => {
    const previous: RunState = { ...initial, currentPhase: 'requirements', progress: 100, lastError: 'old', phaseStatus: { explore: { state: 'passed', attempt: 1, max_attempts: null, eval_score: 1, reason: null, error: null, started_at: null, completed_at: null } } };
    const start = ev('spec.execution_started', { title: 't', description: 'd', phases: ['explore', 'design'] });
    expect(reduceRunEffects(previous, [start], { now: at, runStartedBefore: false }).state).toMatchObject({ phases: ['explore', 'design'], currentPhase: null, progress: 0, lastError: null, phaseStatus: {} });
    expect(reduceRunEffects(previous, [start], { now: at, runStartedBefore: true }).state).toMatchObject({ currentPhase: 'requirements', progress: 100 });
  });
});
