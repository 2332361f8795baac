/**
 * Issue 10 on both backends without a child process: the no-op provider records each launch request
 * (phases, context, approval mode, reviewer's comment) and the test reports the run's events as its
 * sandbox would, through the real ingestion route. Covers what `reviewFlow.test.ts` (the real sandbox)
 * does not: the context a continued run gets, the refusals, SYNC's gate, proposals field by field, and
 * how runs are closed.
 */
import type { Phase, ReviewResponse, Spec, SpecProposalList, SpecRunList, StoredEvent } from '@specline/protocol';
import { and, eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNoopProvider, type LaunchRequest } from '../launcher/provider';
import { parseDataModelMarkdown } from '../services/runContext';
import { specAcceptanceCriteria, specRequirements, specRuns, specs, specVersions } from '../store/schema';
import { BACKENDS, createProject, createTestServer, registerUser, type TestServer, type TestUser } from './harness';
import { eventFactory } from './ingestHarness';

const EXPLORE = { codebase_summary: 'A small library.', project_type: 'library', tech_stack: ['typescript'], structure: {}, key_files: [], conventions: {}, entry_points: [], test_structure: '', feature_summary: { name: 'CSV', one_liner: 'CSV export', scope_in: [], scope_out: [] } };
const requirementsOutput = (first = 'Export a report') => ({
  feature_name: 'CSV export',
  requirements: [
    { id: 'REQ-001', title: first, type: 'functional', priority: 'high', category: 'behaviour', text: 'WHEN a user asks THE SYSTEM SHALL export the report', acceptance_criteria: [{ id: 'REQ-001.AC-1', text: 'valid CSV' }, { id: 'REQ-001.AC-2', text: 'a header row' }] },
    { id: 'REQ-002', title: 'Refuse bad filters', type: 'functional', priority: 'medium', text: 'IF a filter is invalid THE SYSTEM SHALL answer 422', acceptance_criteria: [{ id: 'REQ-002.AC-1', text: 'names the filter' }] },
  ],
});
const designOutput = (responsibility = 'Writes CSV') => ({
  architecture_overview: 'One exporter module.',
  components: [{ id: 'DES-001', name: 'Exporter', responsibility, file_path: 'src/export.ts', requirements: ['REQ-001', 'REQ-002'], change: 'create' }],
  data_models: [{ name: 'Report', description: 'A report', fields: [{ name: 'id', type: 'int', description: 'key' }, { name: 'title', type: 'text' }] }],
  api_endpoints: [{ method: 'GET', path: '/reports/{id}/csv', description: 'The CSV' }],
  error_handling: 'Invalid filters answer 422.',
  testing_strategy: 'One test per criterion.',
});
const tasksOutput = (title = 'Write the exporter') => ({
  tickets: [{ id: 'TKT-001', title: 'Export', description: '', priority: 'high', requirements: ['REQ-001'] }],
  tasks: [
    { id: 'TSK-001', ticket_id: 'TKT-001', title, description: 'Builds REQ-001', estimated_hours: 2, depends_on: [], requirements: ['REQ-001'] },
    { id: 'TSK-002', ticket_id: 'TKT-001', title: 'Test the exporter', description: 'Tests', estimated_hours: 1, depends_on: ['TSK-001'], requirements: ['REQ-001'] },
  ],
});

describe.each(BACKENDS)('review runs, context and proposals on %s', (backend) => {
  let server: TestServer;
  let launched: LaunchRequest[];
  let user: TestUser;
  let projectId: string;

  beforeAll(async () => {
    const provider = createNoopProvider();
    launched = provider.launched;
    server = await createTestServer(backend, { provider });
    user = await registerUser(server.app, 'reviewer');
    projectId = (await createProject(server.app, user, 'Review runs')).id;
  });
  afterAll(async () => {
    await server.close();
  });

  type Method = 'GET' | 'POST' | 'PATCH' | 'PUT';
  const call = (method: Method, url: string, payload?: object) => server.app.inject({ method, url, headers: user.headers, ...(payload ? { payload } : {}) });
  const ok = async <T>(method: Method, url: string, payload?: object): Promise<T> => {
    const res = await call(method, url, payload);
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBeLessThan(300);
    return res.json<T>();
  };
  const getSpec = (id: string) => ok<Spec>('GET', `/api/v1/specs/${id}`);
  const newSpec = async (project = projectId) => (await ok<{ id: string }>('POST', '/api/v1/specs', { title: 'Export reports as CSV', project_id: project })).id;
  const lastLaunch = (specId: string) => launched.filter((l) => l.specId === specId).at(-1)!;

  /** Reports a run as its sandbox would: the phases' outputs, then the end (a review gate, success or a failure). */
  async function report(launch: LaunchRequest, outputs: [Phase, Record<string, unknown>][], end: { awaiting?: Phase; failed?: Phase } = {}) {
    const ev = eventFactory(launch.specId);
    const events = [ev('spec.execution_started', { title: launch.title, description: launch.description, phases: launch.phases })];
    for (const [phase, output] of outputs) {
      events.push(ev('spec.phase_started', { phase, attempt: 1 }, phase));
      events.push(ev('spec.phase_completed', { phase, eval_score: 0.9, duration_seconds: 1.5, retry_count: 0, phase_output: output }, phase));
    }
    const done = outputs.map(([p]) => p);
    if (end.awaiting) {
      const next = launch.phases[launch.phases.indexOf(end.awaiting) + 1] ?? null;
      events.push(ev('spec.awaiting_approval', { phase: end.awaiting, next_phase: next, phases_completed: done }, end.awaiting));
      events.push(ev('agent.completed', { spec_id: launch.specId, success: true, phase_data: {}, phases_completed: done, awaiting_approval: end.awaiting }));
    } else if (end.failed) {
      events.push(ev('spec.phase_failed', { phase: end.failed, reason: 'evaluation_failed', retry_count: 2, eval_score: 0.2, eval_feedback: 'bad' }, end.failed));
      events.push(ev('spec.execution_failed', { failed_phase: end.failed, error: 'failed evaluation' }, end.failed));
      events.push(ev('agent.completed', { spec_id: launch.specId, success: false, phase_data: {}, phases_completed: done, failed_phase: end.failed, error: 'failed evaluation' }));
    } else {
      events.push(ev('spec.execution_completed', { phases_completed: done, markdown_artifacts: {}, ticket_creation: { tickets_created: 0, tasks_created: 0, errors: [] } }));
      events.push(ev('agent.completed', { spec_id: launch.specId, success: true, phase_data: {}, phases_completed: done }));
    }
    const res = await server.app.inject({ method: 'POST', url: `/api/v1/sandboxes/${launch.sandboxId}/events`, headers: { authorization: `Bearer ${launch.token}` }, payload: { events } });
    expect(res.statusCode, res.body).toBe(200);
  }

  /** A review-mode spec stopped after REQUIREMENTS (as the sandbox leaves it). */
  async function atRequirementsGate(): Promise<string> {
    const specId = await newSpec();
    await ok('POST', `/api/v1/specs/${specId}/execute`, { approval_mode: 'review' });
    await report(lastLaunch(specId), [['explore', EXPLORE], ['requirements', requirementsOutput()]], { awaiting: 'requirements' });
    return specId;
  }

  it('projects carry approval_mode (default auto); a launch takes the project’s, execute’s override wins; bad values are 422 naming the field', async () => {
    const created = await ok<{ id: string; approval_mode: string }>('POST', '/api/v1/projects', { name: 'Reviewed', approval_mode: 'review' });
    expect(created.approval_mode).toBe('review');
    expect((await ok<{ approval_mode: string }>('GET', `/api/v1/projects/${projectId}`)).approval_mode).toBe('auto');
    const bad = await call('PATCH', `/api/v1/projects/${created.id}`, { approval_mode: 'manual' });
    expect(bad.statusCode).toBe(422);
    expect(JSON.stringify(bad.json())).toContain('approval_mode');
    const specId = await newSpec(created.id);
    const started = await ok<{ run_id: string }>('POST', `/api/v1/specs/${specId}/execute`, {});
    expect(lastLaunch(specId)).toMatchObject({ approvalMode: 'review', phases: ['explore', 'requirements', 'design', 'tasks', 'sync'], phaseData: {} });
    expect((await getSpec(specId)).approval_mode).toBe('review');
    await report(lastLaunch(specId), [['explore', EXPLORE]], { failed: 'requirements' });
    expect((await call('POST', `/api/v1/specs/${specId}/execute`, { approval_mode: 'gated' })).statusCode).toBe(422);
    await ok('POST', `/api/v1/specs/${specId}/execute`, { approval_mode: 'auto' });
    expect(lastLaunch(specId).approvalMode).toBe('auto');
    expect(started.run_id).toMatch(/^run-/);
    await ok<{ approval_mode: string }>('PATCH', `/api/v1/projects/${created.id}`, { approval_mode: 'auto' }).then((p) => expect(p.approval_mode).toBe('auto'));
  });

  it('a review gate: awaiting_approval with the phase, the run closed as awaiting_approval, every event tagged with its run and filterable by it', async () => {
    const specId = await atRequirementsGate();
    const spec = await getSpec(specId);
    expect(spec).toMatchObject({ status: 'awaiting_approval', awaiting_approval: 'requirements', progress: 40, last_error: null, design: null });
    const [run] = await server.context.db.select().from(specRuns).where(eq(specRuns.specId, specId));
    expect(run).toMatchObject({ status: 'awaiting_approval', awaitingPhase: 'requirements', kind: 'launch', approvalMode: 'review' });
    expect(run!.endedAt).toBeInstanceOf(Date);
    const events = (await ok<{ events: StoredEvent[] }>('GET', `/api/v1/specs/${specId}/events?run_id=${run!.id}&limit=1000`)).events;
    expect(events.length).toBeGreaterThan(5);
    expect(new Set(events.map((e) => e.run_id))).toEqual(new Set([run!.id]));
    expect((await ok<{ events: StoredEvent[] }>('GET', `/api/v1/specs/${specId}/events?run_id=run-other`)).events).toEqual([]);
    const versions = await server.context.db.select().from(specVersions).where(eq(specVersions.specId, specId));
    expect(versions.map((v) => v.changeType)).toContain('run_awaiting_approval');
  });

  it('approving at the gate starts design, tasks, sync from the requirements as a person left them (edits and additions, with ids assigned for good); refusals while it runs', async () => {
    const specId = await atRequirementsGate();
    const before = await getSpec(specId);
    const req1 = before.requirements.find((r) => r.local_id === 'REQ-001')!;
    await ok('PATCH', `/api/v1/specs/${specId}/requirements/${req1.id}`, { title: 'Export a FILTERED report' });
    await ok('POST', `/api/v1/specs/${specId}/requirements/${req1.id}/criteria`, { text: 'keeps the filters' });
    const added = await ok<{ id: string }>('POST', `/api/v1/specs/${specId}/requirements`, { title: 'Log every export', condition: 'WHEN a report is exported', action: 'THE SYSTEM SHALL log it', acceptance_criteria: ['one line per export'] });

    const approved = await ok<ReviewResponse>('POST', `/api/v1/specs/${specId}/approve-requirements`);
    expect(approved).toMatchObject({ status: 'executing', requirements_approved: true, design_approved: false, phase: 'Design', current_phase: 'design' });
    const launch = lastLaunch(specId);
    expect(launch).toMatchObject({ phases: ['design', 'tasks', 'sync'], approvalMode: 'review' });
    expect(launch.reviewFeedback).toBeUndefined();
    expect(Object.keys(launch.phaseData)).toEqual(['explore', 'requirements']);
    expect(launch.phaseData['explore']).toEqual(EXPLORE);
    const context = launch.phaseData['requirements'] as ReturnType<typeof requirementsOutput>;
    expect(context.feature_name).toBe('CSV export');
    expect(context.requirements.map((r) => [r.id, r.title])).toEqual([
      ['REQ-001', 'Export a FILTERED report'],
      ['REQ-002', 'Refuse bad filters'],
      ['REQ-9001', 'Log every export'],
    ]);
    expect(context.requirements[0]).toMatchObject({ category: 'behaviour', priority: 'high' });
    expect(context.requirements[0]!.acceptance_criteria.map((c) => c.id)).toEqual(['REQ-001.AC-1', 'REQ-001.AC-2', 'REQ-001.AC-901']);
    expect(context.requirements[2]).toMatchObject({ text: 'WHEN a report is exported THE SYSTEM SHALL log it', acceptance_criteria: [{ id: 'REQ-9001.AC-901', text: 'one line per export' }] });
    // The ids were given to the person's rows for good (still theirs: edited_at kept).
    const [row] = await server.context.db.select().from(specRequirements).where(eq(specRequirements.id, added.id));
    expect(row).toMatchObject({ localId: 'REQ-9001' });
    expect(row!.editedAt).toBeInstanceOf(Date);
    expect((await server.context.db.select().from(specAcceptanceCriteria).where(and(eq(specAcceptanceCriteria.requirementId, req1.id), eq(specAcceptanceCriteria.text, 'keeps the filters'))))[0]?.localId).toBe('REQ-001.AC-901');

    const running = await getSpec(specId);
    expect(running).toMatchObject({ phases: ['explore', 'requirements', 'design', 'tasks', 'sync'], progress: 40, awaiting_approval: null });
    expect(running.phase_status.requirements?.state).toBe('passed');
    // While the run is live: approvals 409 precondition_failed, rejections and re-runs 409 already_running.
    expect((await call('POST', `/api/v1/specs/${specId}/approve-requirements`)).json()).toMatchObject({ code: 'precondition_failed' });
    expect((await call('POST', `/api/v1/specs/${specId}/approve-design`)).json()).toMatchObject({ code: 'precondition_failed' });
    expect((await call('POST', `/api/v1/specs/${specId}/reject-requirements`, { comment: 'no' })).json()).toMatchObject({ code: 'already_running' });
    expect((await call('POST', `/api/v1/specs/${specId}/rerun`, { from_phase: 'design' })).json()).toMatchObject({ code: 'already_running' });

    // The sandbox's SYNC is refused before the design is approved (review mode), accepted after.
    await report(launch, [['design', designOutput()]], { awaiting: 'design' });
    expect(await getSpec(specId)).toMatchObject({ status: 'awaiting_approval', awaiting_approval: 'design', progress: 60 });
    const syncBody = { tickets: [{ local_id: 'TKT-001', title: 'Export' }], tasks: [] };
    const early = await server.app.inject({ method: 'POST', url: `/api/v1/specs/${specId}/sync`, headers: { authorization: `Bearer ${launch.token}` }, payload: syncBody });
    expect(early.statusCode).toBe(401); // that run is over: its token is revoked

    const design = await ok<ReviewResponse>('POST', `/api/v1/specs/${specId}/approve-design`);
    const next = lastLaunch(specId);
    expect(next.phases).toEqual(['tasks', 'sync']);
    expect(Object.keys(next.phaseData)).toEqual(['explore', 'requirements', 'design']);
    expect((next.phaseData['design'] as { components: { responsibility: string }[] }).components[0]!.responsibility).toBe('Writes CSV');
    expect(design.run_id).not.toBe(approved.run_id);
    const sync = await server.app.inject({ method: 'POST', url: `/api/v1/specs/${specId}/sync`, headers: { authorization: `Bearer ${next.token}` }, payload: syncBody });
    expect(sync.statusCode, sync.body).toBe(200);
    // A person edits the design while the run goes on: the approval is withdrawn and SYNC is refused again.
    const current = (await getSpec(specId)).design!;
    await ok('PUT', `/api/v1/specs/${specId}/design`, { ...current, architecture: 'Two modules.', api_spec: current.api_spec.map((e) => ({ method: e.method, path: e.path, description: e.description })) });
    const refused = await server.app.inject({ method: 'POST', url: `/api/v1/specs/${specId}/sync`, headers: { authorization: `Bearer ${next.token}` }, payload: syncBody });
    expect(refused.statusCode).toBe(409);
    expect(refused.json()).toMatchObject({ code: 'precondition_failed' });
  });

  it('approving outside a gate (auto mode) only records the approval; run_id null', async () => {
    const specId = await newSpec();
    await ok('POST', `/api/v1/specs/${specId}/execute`, {});
    await report(lastLaunch(specId), [['explore', EXPLORE], ['requirements', requirementsOutput()], ['design', designOutput()], ['tasks', tasksOutput()]]);
    const count = launched.length;
    const answer = await ok<ReviewResponse>('POST', `/api/v1/specs/${specId}/approve-requirements`);
    expect(answer).toMatchObject({ status: 'completed', requirements_approved: true, run_id: null, message: 'Requirements approved (2); next: the design' });
    expect((await ok<ReviewResponse>('POST', `/api/v1/specs/${specId}/approve-design`)).run_id).toBeNull();
    expect(launched.length).toBe(count);
  });

  it('reject-requirements re-runs them from their own output with the comment; withdraws the approvals; records the comment; bad input changes nothing', async () => {
    const specId = await atRequirementsGate();
    expect((await call('POST', `/api/v1/specs/${specId}/reject-requirements`, {})).statusCode).toBe(422);
    expect((await call('POST', `/api/v1/specs/${specId}/reject-requirements`, { comment: 'x'.repeat(5001) })).statusCode).toBe(422);
    expect((await call('POST', `/api/v1/specs/${specId}/reject-design`, { comment: 'no design yet' })).json()).toMatchObject({ code: 'precondition_failed' });
    expect((await getSpec(specId)).status).toBe('awaiting_approval');
    const answer = await ok<ReviewResponse>('POST', `/api/v1/specs/${specId}/reject-requirements`, { comment: 'Split REQ-001 in two' });
    expect(answer).toMatchObject({ status: 'executing', requirements_approved: false, current_phase: 'requirements' });
    const launch = lastLaunch(specId);
    expect(launch).toMatchObject({ phases: ['requirements', 'design', 'tasks', 'sync'], reviewFeedback: 'Split REQ-001 in two', approvalMode: 'review' });
    expect(Object.keys(launch.phaseData)).toEqual(['explore', 'requirements']);
    const runs = await ok<SpecRunList>('GET', `/api/v1/specs/${specId}/runs`);
    expect(runs.runs[0]).toMatchObject({ kind: 'rejection', status: 'running', from_phase: 'requirements', comment: 'Split REQ-001 in two', planned_phases: ['requirements', 'design', 'tasks', 'sync'] });
    const versions = await server.context.db.select().from(specVersions).where(eq(specVersions.specId, specId));
    expect(versions.find((v) => v.changeType === 'requirements_rejected')?.changeDetails).toMatchObject({ comment: 'Split REQ-001 in two' });
  });

  it('rerun: 409 naming a missing earlier output; from the phase a failed run stopped in it is a resume; the context has the edited design (data models read back from its Markdown)', async () => {
    const specId = await newSpec();
    expect((await call('POST', `/api/v1/specs/${specId}/rerun`, { from_phase: 'design' })).json()).toMatchObject({ code: 'precondition_failed', detail: expect.stringContaining('no stored explore, requirements output') as unknown });
    await ok('POST', `/api/v1/specs/${specId}/execute`, {});
    await report(lastLaunch(specId), [['explore', EXPLORE], ['requirements', requirementsOutput()], ['design', designOutput()]], { failed: 'tasks' });
    expect((await getSpec(specId)).status).toBe('failed');
    const design = (await getSpec(specId)).design!;
    await ok('PUT', `/api/v1/specs/${specId}/design`, {
      ...design,
      architecture: 'Exporter and a queue.',
      data_model: '### Report\nA report\n- `id`: int — key\n- `title`: text\n- `owner`: text — who made it\n\n### Job\n- `state`: text',
      api_spec: design.api_spec.map((e) => ({ method: e.method, path: e.path, description: e.description })),
    });
    const answer = await ok<ReviewResponse>('POST', `/api/v1/specs/${specId}/rerun`, { from_phase: 'tasks' });
    expect(answer.run_id).toMatch(/^run-/);
    const launch = lastLaunch(specId);
    expect(launch).toMatchObject({ phases: ['tasks', 'sync'], approvalMode: 'auto' });
    const ctx = launch.phaseData['design'] as ReturnType<typeof designOutput> & { data_models: { name: string; fields: { name: string }[] }[] };
    expect(ctx.architecture_overview).toBe('Exporter and a queue.');
    expect(ctx.components[0]).toMatchObject({ id: 'DES-001', file_path: 'src/export.ts', requirements: ['REQ-001', 'REQ-002'], change: 'create' });
    expect(ctx.data_models.map((m) => [m.name, m.fields.map((f) => f.name)])).toEqual([['Report', ['id', 'title', 'owner']], ['Job', ['state']]]);
    expect((await ok<SpecRunList>('GET', `/api/v1/specs/${specId}/runs`)).runs.map((r) => r.kind)).toEqual(['resume', 'launch']);
  });

  it('parseDataModelMarkdown reads back what the design stores', () => {
    expect(parseDataModelMarkdown('### Report\nA report\n- `id`: int — key\n- `title`: text')).toEqual([{ name: 'Report', description: 'A report', fields: [{ name: 'id', type: 'int', description: 'key' }, { name: 'title', type: 'text' }] }]);
    expect(parseDataModelMarkdown('free text only')).toEqual([]);
  });

  it('proposals: a run never overwrites edited rows — it proposes updates, additions and removals; a later output supersedes them; accept applies the fields and withdraws approvals; dismiss keeps the row', async () => {
    const specId = await newSpec();
    await ok('POST', `/api/v1/specs/${specId}/execute`, {});
    await report(lastLaunch(specId), [['explore', EXPLORE], ['requirements', requirementsOutput()], ['design', designOutput()], ['tasks', tasksOutput()]]);
    let spec = await getSpec(specId);
    const req1 = spec.requirements.find((r) => r.local_id === 'REQ-001')!;
    const req2 = spec.requirements.find((r) => r.local_id === 'REQ-002')!;
    await ok('PATCH', `/api/v1/specs/${specId}/requirements/${req1.id}`, { title: 'My export' });
    await ok('PATCH', `/api/v1/specs/${specId}/requirements/${req2.id}`, { priority: 'low' });
    const task = spec.tasks.find((t) => t.local_id === 'TSK-001')!;
    await ok('PATCH', `/api/v1/specs/${specId}/tasks/${task.id}`, { title: 'My exporter task' });
    await ok('POST', `/api/v1/specs/${specId}/approve-requirements`);

    // A re-run from requirements: REQ-001 changes, REQ-002 is gone, REQ-001 gets a new criterion.
    await ok('POST', `/api/v1/specs/${specId}/rerun`, { from_phase: 'requirements' });
    const changed = requirementsOutput('Export the report as CSV');
    changed.requirements[0]!.acceptance_criteria.push({ id: 'REQ-001.AC-3', text: 'keeps the filters' });
    changed.requirements.pop();
    await report(lastLaunch(specId), [['requirements', changed], ['design', designOutput()], ['tasks', tasksOutput('Write the CSV exporter')]]);
    spec = await getSpec(specId);
    expect(spec.requirements.find((r) => r.id === req1.id)).toMatchObject({ title: 'My export' });
    expect(spec.requirements.find((r) => r.id === req2.id)).toMatchObject({ priority: 'low' });
    expect(spec.tasks.find((t) => t.id === task.id)?.title).toBe('My exporter task');
    let open = (await ok<SpecProposalList>('GET', `/api/v1/specs/${specId}/proposals?status=open`)).proposals;
    const summary = open.map((p) => [p.kind, p.action, p.local_id]).sort();
    expect(summary).toEqual([
      ['criterion', 'add', 'REQ-001.AC-3'],
      ['requirement', 'remove', 'REQ-002'],
      ['requirement', 'update', 'REQ-001'],
      ['task', 'update', 'TSK-001'],
    ]);
    const update = open.find((p) => p.kind === 'requirement' && p.action === 'update')!;
    expect(update.changes).toEqual([{ field: 'title', before: 'My export', after: 'Export the report as CSV' }]);
    expect(open.find((p) => p.kind === 'task')!.changes).toEqual([{ field: 'title', before: 'My exporter task', after: 'Write the CSV exporter' }]);

    // Another output of the same phase supersedes them.
    await ok('POST', `/api/v1/specs/${specId}/rerun`, { from_phase: 'requirements' });
    await report(lastLaunch(specId), [['requirements', requirementsOutput('Export it')], ['design', designOutput()], ['tasks', tasksOutput('Write the CSV exporter')]]);
    const all = (await ok<SpecProposalList>('GET', `/api/v1/specs/${specId}/proposals`)).proposals;
    expect(all.filter((p) => p.status === 'superseded').length).toBeGreaterThanOrEqual(3);
    open = all.filter((p) => p.status === 'open');
    const titleProposal = open.find((p) => p.kind === 'requirement' && p.local_id === 'REQ-001')!;
    expect(titleProposal.changes).toEqual([{ field: 'title', before: 'My export', after: 'Export it' }]);
    expect(open.find((p) => p.kind === 'requirement' && p.action === 'remove')).toBeUndefined();
    expect(open.find((p) => p.kind === 'requirement' && p.local_id === 'REQ-002')?.changes).toEqual([{ field: 'priority', before: 'low', after: 'medium' }]);

    // Accept: the title becomes the run's (the row stays the person's); the approvals are withdrawn.
    await ok('POST', `/api/v1/specs/${specId}/approve-requirements`);
    const accepted = await ok<{ status: string }>('POST', `/api/v1/specs/${specId}/proposals/${titleProposal.id}/accept`);
    expect(accepted.status).toBe('accepted');
    spec = await getSpec(specId);
    expect(spec.requirements.find((r) => r.id === req1.id)).toMatchObject({ title: 'Export it', edited_at: expect.any(String) as unknown });
    expect(spec).toMatchObject({ requirements_approved: false, phase: 'Requirements' });
    const dismiss = open.find((p) => p.kind === 'task')!;
    expect((await ok<{ status: string }>('POST', `/api/v1/specs/${specId}/proposals/${dismiss.id}/dismiss`)).status).toBe('dismissed');
    expect((await getSpec(specId)).tasks.find((t) => t.id === task.id)?.title).toBe('My exporter task');
    expect((await call('POST', `/api/v1/specs/${specId}/proposals/${dismiss.id}/dismiss`)).json()).toMatchObject({ code: 'conflict' });
    const versions = await server.context.db.select().from(specVersions).where(eq(specVersions.specId, specId));
    expect(versions.map((v) => v.changeType)).toEqual(expect.arrayContaining(['proposal_accepted', 'proposal_dismissed']));
  });

  it('a cancelled run and a failed launch close their runs; runs list newest first with pagination', async () => {
    const specId = await newSpec();
    await ok('POST', `/api/v1/specs/${specId}/execute`, {});
    await ok('POST', `/api/v1/specs/${specId}/cancel`);
    await ok('POST', `/api/v1/specs/${specId}/execute`, {});
    await report(lastLaunch(specId), [['explore', EXPLORE]], { failed: 'requirements' });
    const page = await ok<SpecRunList>('GET', `/api/v1/specs/${specId}/runs?limit=1`);
    expect(page).toMatchObject({ total: 2, has_more: true });
    expect(page.runs[0]).toMatchObject({ status: 'failed', error: expect.stringContaining('failed evaluation') as unknown });
    expect(page.runs[0]!.phases.find((p) => p.phase === 'requirements')).toMatchObject({ state: 'failed', attempts: 3, score: 0.2 });
    expect(page.runs[0]!.phases.find((p) => p.phase === 'explore')).toMatchObject({ state: 'passed', attempts: 1, score: 0.9, duration: 1.5 });
    const older = await ok<SpecRunList>('GET', `/api/v1/specs/${specId}/runs?offset=1`);
    expect(older.runs[0]).toMatchObject({ status: 'cancelled', error: expect.stringMatching(/^cancelled by /) as unknown });
    expect(older.runs[0]!.ended_at).not.toBeNull();
    expect((await server.context.db.select().from(specs).where(eq(specs.id, specId)))[0]?.runId).toBe(page.runs[0]!.id);
  });
});
