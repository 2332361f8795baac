/**
 * Issue 10 end to end, on both backends, with a listening server, the REAL local provider and the real
 * sandbox CLI (deterministic planner):
 *
 * 1. a launch with `approval_mode: "review"` stops at `awaiting_approval` after REQUIREMENTS (no design);
 *    a person edits a requirement's title and approves: the design (and later the tasks) are made from
 *    the edited text, and the run stops again after DESIGN; approving it runs TASKS and SYNC (tickets);
 * 2. rejecting the design with a comment re-runs DESIGN, and its attempt got the comment as feedback;
 * 3. `POST /rerun {"from_phase":"design"}` runs no REQUIREMENTS, reuses the stored requirements, is a new
 *    run in `GET /runs`, and its diff lists what changed in the design and the tasks;
 * 4. a run never overwrites a person-edited row: the proposed change is listed, accepted or dismissed.
 */
import path from 'node:path';
import type { EventsPage, ReviewResponse, RunDiff, Spec, SpecProposal, SpecProposalList, SpecRunList, StoredEvent } from '@specline/protocol';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalProvider, REPO_ROOT, type LocalProvider } from '../launcher/localProvider';
import { tickets } from '../store/schema';
import { BACKENDS, createProject, createTestServer, registerUser, type TestServer, type TestUser } from './harness';
import { sandboxSettings, tempDataDir, waitFor } from './launcherFixtures';

const RUN_TIMEOUT = 60_000;

describe.each(BACKENDS)('review gates, re-runs and proposals with a real sandbox on %s', (backend) => {
  let server: TestServer;
  let local: LocalProvider;
  let user: TestUser;
  let projectId: string;

  beforeAll(async () => {
    local = createLocalProvider({
      dataDir: tempDataDir(),
      workdir: path.join(REPO_ROOT, 'packages/protocol'),
      logger: (await import('pino')).pino({ level: 'silent' }),
      stopGraceMs: 3000,
    });
    server = await createTestServer(backend, { listen: true, provider: local, config: { sandbox: sandboxSettings({ provider: 'local', heartbeatIntervalSeconds: 5, missedHeartbeats: 6 }) } });
    user = await registerUser(server.app, 'reviewer');
    projectId = (await createProject(server.app, user, 'Review')).id;
  });
  afterAll(async () => {
    await server.close();
  });

  type Method = 'GET' | 'POST' | 'PATCH' | 'PUT';
  const call = (method: Method, url: string, payload?: object) => server.app.inject({ method, url, headers: user.headers, ...(payload ? { payload } : {}) });
  const ok = async <T>(method: Method, url: string, payload?: object): Promise<T> => {
    const res = await call(method, url, payload);
    expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(200);
    return res.json<T>();
  };
  const getSpec = (id: string) => ok<Spec>('GET', `/api/v1/specs/${id}`);
  const settled = (id: string) =>
    waitFor(`spec ${id} to leave executing`, async () => {
      const spec = await getSpec(id);
      return spec.status === 'executing' ? undefined : spec;
    }, RUN_TIMEOUT, 100);
  const eventsOf = async (id: string, runId?: string): Promise<StoredEvent[]> =>
    (await ok<EventsPage>('GET', `/api/v1/specs/${id}/events?order=asc&limit=1000${runId ? `&run_id=${runId}` : ''}`)).events;
  const completedPhases = (events: StoredEvent[]) => events.filter((e) => e.event_type === 'spec.phase_completed').map((e) => e.event_data['phase']);
  const expectLast = (events: StoredEvent[], data: Record<string, unknown>) => expect(events.at(-1)).toMatchObject({ event_type: 'agent.completed', event_data: data });

  it(
    'review mode: stops after REQUIREMENTS; the edited requirement reaches the design and tasks; rejecting the design re-runs it with the comment; SYNC only after the design is approved; a re-run from design; proposals for edited rows',
    { timeout: 6 * RUN_TIMEOUT },
    async () => {
      const created = await call('POST', '/api/v1/specs', { title: 'Export reports as CSV', description: 'Users can export any report as a CSV file, with the filters they applied, from the report page.', project_id: projectId });
      expect(created.statusCode).toBe(201);
      const specId = created.json<{ id: string }>().id;

      // ── 1. launch in review mode: the run stops after REQUIREMENTS ────────────────────────────
      const started = await ok<{ status: string; run_id: string }>('POST', `/api/v1/specs/${specId}/execute`, { approval_mode: 'review' });
      expect(started.status).toBe('started');
      let spec = await settled(specId);
      expect(spec, spec.last_error ?? '').toMatchObject({ status: 'awaiting_approval', awaiting_approval: 'requirements', approval_mode: 'review', run_id: started.run_id, design: null, tasks: [] });
      expect(spec.requirements.length).toBeGreaterThan(0);
      let events = await eventsOf(specId, started.run_id);
      expect(completedPhases(events)).toEqual(['explore', 'requirements']);
      expect(events.find((e) => e.event_type === 'spec.awaiting_approval')?.event_data).toMatchObject({ phase: 'requirements', next_phase: 'design' });
      expectLast(events, { success: true, awaiting_approval: 'requirements' });
      expect(events.every((e) => e.run_id === started.run_id)).toBe(true);
      const runs1 = await ok<SpecRunList>('GET', `/api/v1/specs/${specId}/runs`);
      expect(runs1.runs).toHaveLength(1);
      expect(runs1.runs[0]).toMatchObject({ id: started.run_id, kind: 'launch', status: 'awaiting_approval', awaiting_phase: 'requirements', approval_mode: 'review', from_phase: null });
      expect(runs1.runs[0]!.phases.map((p) => [p.phase, p.state])).toEqual([['explore', 'passed'], ['requirements', 'passed'], ['design', 'pending'], ['tasks', 'pending'], ['sync', 'pending']]);
      for (const p of runs1.runs[0]!.phases.slice(0, 2)) {
        expect(p.attempts).toBeGreaterThanOrEqual(1);
        expect(p.score).toBeGreaterThan(0);
        expect(p.duration).toBeGreaterThanOrEqual(0);
      }
      // The design cannot be approved before the requirements; no tickets exist.
      expect((await call('POST', `/api/v1/specs/${specId}/approve-design`)).json()).toMatchObject({ code: 'precondition_failed' });
      expect(await server.context.db.select().from(tickets).where(eq(tickets.specId, specId))).toEqual([]);

      // A person edits a requirement's title, then approves.
      const edited = spec.requirements[0]!;
      const title = 'Export ZEBRAFISH reports with their filters';
      await ok('PATCH', `/api/v1/specs/${specId}/requirements/${edited.id}`, { title });
      const approved = await ok<ReviewResponse>('POST', `/api/v1/specs/${specId}/approve-requirements`);
      expect(approved).toMatchObject({ requirements_approved: true, status: 'executing', run_id: expect.any(String) as unknown });
      expect(approved.message).toMatch(/^Requirements approved; the design runs next in sandbox /);
      spec = await settled(specId);
      expect(spec, spec.last_error ?? '').toMatchObject({ status: 'awaiting_approval', awaiting_approval: 'design', requirements_approved: true, design_approved: false, tasks: [] });
      events = await eventsOf(specId, approved.run_id!);
      expect(completedPhases(events)).toEqual(['design']);
      expect(events.some((e) => e.event_data['phase'] === 'requirements' || e.event_type === 'spec.requirements_generated')).toBe(false);
      expectLast(events, { success: true, awaiting_approval: 'design' });
      // The design was made from the edited requirement (as a person left it); its title is unchanged.
      expect(spec.design!.components.some((c) => c.responsibility.includes(`${edited.local_id} (${title})`)), JSON.stringify(spec.design!.components)).toBe(true);
      expect(spec.requirements.find((r) => r.id === edited.id)).toMatchObject({ title, local_id: edited.local_id });
      // The stepper keeps the phases before the continuation.
      expect(spec.phases).toEqual(['explore', 'requirements', 'design', 'tasks', 'sync']);
      expect(spec.phase_status.requirements?.state).toBe('passed');
      expect(await server.context.db.select().from(tickets).where(eq(tickets.specId, specId))).toEqual([]);

      // ── 2. reject the design with a comment: DESIGN re-runs, its attempt got the comment ───────
      expect((await call('POST', `/api/v1/specs/${specId}/reject-design`, { comment: '   ' })).statusCode).toBe(422);
      const comment = 'Name the CSV columns in the exporter component';
      const rejected = await ok<ReviewResponse>('POST', `/api/v1/specs/${specId}/reject-design`, { comment });
      expect(rejected.message).toMatch(/^Design rejected; re-running design with your comment/);
      spec = await settled(specId);
      expect(spec, spec.last_error ?? '').toMatchObject({ status: 'awaiting_approval', awaiting_approval: 'design' });
      events = await eventsOf(specId, rejected.run_id!);
      expect(completedPhases(events)).toEqual(['design']);
      const feedback = events.find((e) => e.event_type === 'spec.progress' && e.event_data['review_comment'] !== undefined);
      expect(feedback?.event_data).toMatchObject({ review_comment: comment, message: expect.stringContaining("Re-running design with the reviewer's comment") as unknown });
      expect(String(feedback?.event_data['eval_feedback'])).toContain(comment);

      // ── approve the design: TASKS and SYNC run, the tickets are made ─────────────────────────
      const approvedDesign = await ok<ReviewResponse>('POST', `/api/v1/specs/${specId}/approve-design`);
      expect(approvedDesign.message).toMatch(/^Design approved; the tasks and SYNC \(tickets\) run next/);
      spec = await settled(specId);
      expect(spec, spec.last_error ?? '').toMatchObject({ status: 'completed', awaiting_approval: null, design_approved: true, progress: 100 });
      events = await eventsOf(specId, approvedDesign.run_id!);
      expect(completedPhases(events)).toEqual(['tasks', 'sync']);
      expect(spec.tasks.length).toBeGreaterThan(0);
      expect(JSON.stringify(spec.tasks)).toContain(title);
      const made = await server.context.db.select().from(tickets).where(eq(tickets.specId, specId));
      expect(made.length).toBeGreaterThan(0);
      // SYNC ran once, after the design approval: every ticket_created belongs to that run.
      const all = await eventsOf(specId);
      expect(all.filter((e) => e.event_type === 'spec.ticket_created').map((e) => e.run_id)).toEqual(made.map(() => approvedDesign.run_id));
      expect(all.map((e) => e.spec_seq)).toEqual(all.map((_, i) => i + 1));

      // ── 3 + 4. person edits, then a re-run from design (auto) ────────────────────────────────
      await ok('PATCH', `/api/v1/specs/${specId}/requirements/${edited.id}`, { title: 'Export PELICAN reports with their filters' });
      const task = spec.tasks[0]!;
      await ok('PATCH', `/api/v1/specs/${specId}/tasks/${task.id}`, { title: 'My own task title' });
      const design = spec.design!;
      await ok('PUT', `/api/v1/specs/${specId}/design`, { ...design, architecture: 'My own architecture notes', api_spec: design.api_spec.map((e) => ({ method: e.method, path: e.path, description: e.description })) });
      expect((await call('POST', `/api/v1/specs/${specId}/rerun`, { from_phase: 'nonsense' })).statusCode).toBe(422);
      const rerun = await ok<ReviewResponse>('POST', `/api/v1/specs/${specId}/rerun`, { from_phase: 'design', approval_mode: 'auto' });
      expect(rerun.message).toMatch(/^Re-running from design/);
      expect((await call('POST', `/api/v1/specs/${specId}/rerun`, { from_phase: 'design' })).json()).toMatchObject({ code: 'already_running' });
      spec = await settled(specId);
      expect(spec, spec.last_error ?? '').toMatchObject({ status: 'completed', approval_mode: 'auto' });
      events = await eventsOf(specId, rerun.run_id!);
      expect(completedPhases(events)).toEqual(['design', 'tasks', 'sync']);
      expect(events.some((e) => e.event_data['phase'] === 'requirements' || e.event_type === 'spec.requirements_generated')).toBe(false);

      const runs = await ok<SpecRunList>('GET', `/api/v1/specs/${specId}/runs`);
      expect(runs.runs.map((r) => [r.kind, r.status, r.from_phase])).toEqual([
        ['rerun', 'completed', 'design'],
        ['approval', 'completed', 'tasks'],
        ['rejection', 'awaiting_approval', 'design'],
        ['approval', 'awaiting_approval', 'design'],
        ['launch', 'awaiting_approval', null],
      ]);
      expect(runs.runs[2]!.comment).toBe(comment);
      expect(runs.runs[0]!.phases.filter((p) => p.state === 'passed').map((p) => p.phase)).toEqual(['design', 'tasks', 'sync']);

      // The diff: what the re-run changed in the design and the tasks (the PELICAN title).
      const diff = await ok<RunDiff>('GET', `/api/v1/specs/${specId}/runs/${rerun.run_id}/diff`);
      expect(diff.phases.map((p) => p.phase)).toEqual(['design', 'tasks', 'sync']);
      const designDiff = diff.phases[0]!;
      expect(designDiff.previous_run_id).toBe(rejected.run_id);
      const component = designDiff.changes.find((c) => c.kind === 'component' && c.change === 'modified');
      expect(component?.fields.find((f) => f.field === 'responsibility')).toMatchObject({
        before: expect.stringContaining('ZEBRAFISH') as unknown,
        after: expect.stringContaining('PELICAN') as unknown,
      });
      const tasksDiff = diff.phases[1]!;
      expect(tasksDiff.previous_run_id).toBe(approvedDesign.run_id);
      expect(tasksDiff.changes.some((c) => c.kind === 'task' && c.change === 'modified' && JSON.stringify(c.fields).includes('PELICAN'))).toBe(true);
      expect((await call('GET', `/api/v1/specs/${specId}/runs/run-nope/diff`)).statusCode).toBe(404);

      // 4. The edited task and design were not overwritten; the run's changes wait as proposals.
      expect(spec.tasks.find((t) => t.id === task.id)?.title).toBe('My own task title');
      expect(spec.design?.architecture).toBe('My own architecture notes');
      const open = await ok<SpecProposalList>('GET', `/api/v1/specs/${specId}/proposals?status=open`);
      const taskProposal = open.proposals.find((p) => p.kind === 'task' && p.local_id === task.local_id);
      expect(taskProposal).toMatchObject({ action: 'update', target_id: task.id, run_id: rerun.run_id, status: 'open' });
      expect(taskProposal!.changes.find((c) => c.field === 'title')).toMatchObject({ before: 'My own task title', after: task.title });
      const designProposal = open.proposals.find((p) => p.kind === 'design');
      expect(designProposal?.changes.find((c) => c.field === 'architecture')).toMatchObject({ before: 'My own architecture notes' });
      expect(designProposal!.changes.some((c) => c.field === 'components' && JSON.stringify(c.after).includes('PELICAN'))).toBe(true);

      const accepted = await ok<SpecProposal>('POST', `/api/v1/specs/${specId}/proposals/${taskProposal!.id}/accept`);
      expect(accepted).toMatchObject({ status: 'accepted', resolved_by: user.id });
      const dismissed = await ok<SpecProposal>('POST', `/api/v1/specs/${specId}/proposals/${designProposal!.id}/dismiss`);
      expect(dismissed.status).toBe('dismissed');
      expect((await call('POST', `/api/v1/specs/${specId}/proposals/${designProposal!.id}/accept`)).json()).toMatchObject({ code: 'conflict' });
      expect((await call('POST', `/api/v1/specs/${specId}/proposals/prop-nope/dismiss`)).statusCode).toBe(404);
      spec = await getSpec(specId);
      expect(spec.tasks.find((t) => t.id === task.id)?.title).toBe(task.title);
      expect(spec.design?.architecture).toBe('My own architecture notes');
    },
  );
});
