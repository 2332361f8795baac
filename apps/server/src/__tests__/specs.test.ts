import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNoopProvider } from '../launcher/provider';
import { newId } from '../services/ids';
import { specAcceptanceCriteria, specRequirements, specTasks, specVersions, specs } from '../store/schema';
import { BACKENDS, createProject, createTestServer, registerUser, type TestServer, type TestUser } from './harness';

interface SpecBody {
  id: string;
  project_id: string;
  title: string;
  description: string;
  status: string;
  phase: string;
  current_phase: string | null;
  archived: boolean;
  requirements_approved: boolean;
  requirements_approved_at: string | null;
  design_approved: boolean;
  design_approved_at: string | null;
  progress: number;
  requirements: { id: string; criteria: { id: string }[] }[];
  tasks: { id: string; position: number }[];
  design: unknown;
  linked_tickets: number;
  sandbox_id: string | null;
}

describe.each(BACKENDS)('spec routes on %s', (backend) => {
  let server: TestServer;
  const provider = createNoopProvider();
  let alice: TestUser;
  let bob: TestUser;
  let project: { id: string };
  beforeAll(async () => {
    server = await createTestServer(backend, { provider });
    alice = await registerUser(server.app, 'alice');
    bob = await registerUser(server.app, 'bob');
    project = await createProject(server.app, alice, 'Specs');
    await createProject(server.app, bob, 'Bob’s');
  });
  afterAll(async () => {
    await server.close();
  });

  type Method = 'GET' | 'POST' | 'PATCH' | 'DELETE';
  /** `user: null` → anonymous. */
  const call = (method: Method, url: string, user: TestUser | null = alice, payload?: object) =>
    server.app.inject({ method, url, ...(user ? { headers: user.headers } : {}), ...(payload ? { payload } : {}) });
  const newSpec = async (title = 'A spec', projectId = project.id): Promise<SpecBody> => {
    const res = await call('POST', '/api/v1/specs', alice, { title, description: 'what it does', project_id: projectId });
    expect(res.statusCode).toBe(201);
    return res.json<SpecBody>();
  };
  /** A requirement with one criterion, written as a run would (not through the edit routes). */
  const seedRequirement = async (specId: string, completed = false) => {
    const reqId = newId.requirement();
    await server.context.db.insert(specRequirements).values({ id: reqId, specId, localId: 'REQ-001', title: 'Limit', condition: 'WHEN a key exceeds its limit', action: 'THE SYSTEM SHALL answer 429', text: 'WHEN a key exceeds its limit THE SYSTEM SHALL answer 429' });
    await server.context.db.insert(specAcceptanceCriteria).values({ id: newId.criterion(), requirementId: reqId, localId: 'REQ-001.AC-1', text: 'answers 429', completed });
    return reqId;
  };
  const versionsOf = async (specId: string) => server.context.db.select().from(specVersions).where(eq(specVersions.specId, specId));

  it('creates a draft spec and reads the full DTO', async () => {
    const spec = await newSpec('Rate limiter');
    expect(spec).toMatchObject({ title: 'Rate limiter', description: 'what it does', project_id: project.id, status: 'draft', phase: 'Requirements', current_phase: null, archived: false, requirements: [], tasks: [], design: null, linked_tickets: 0, progress: 0 });
    const got = await call('GET', `/api/v1/specs/${spec.id}`);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(spec);
    expect((await versionsOf(spec.id)).map((v) => v.changeType)).toEqual(['created']);
  });

  it('lists non-archived specs of a project (the original returned none), archived only on request, paginated', async () => {
    const p = await createProject(server.app, alice, 'Listing');
    const [a, b, c] = [await newSpec('one', p.id), await newSpec('two', p.id), await newSpec('three', p.id)];
    const archived = await call('DELETE', `/api/v1/specs/${b.id}`);
    expect(archived.statusCode).toBe(200);
    expect(archived.json<{ message: string }>().message).toContain('archived');

    const list = (await call('GET', `/api/v1/specs/project/${p.id}`)).json<{ specs: SpecBody[]; total: number; has_more: boolean }>();
    expect(list.specs.map((s) => s.id).sort()).toEqual([a.id, c.id].sort());
    expect(list).toMatchObject({ total: 2, has_more: false });
    expect(list.specs[0]).not.toHaveProperty('requirements');

    const withArchived = (await call('GET', `/api/v1/specs/project/${p.id}?include_archived=true`)).json<{ specs: SpecBody[]; total: number }>();
    expect(withArchived.total).toBe(3);
    expect(withArchived.specs.find((s) => s.id === b.id)?.archived).toBe(true);

    const page = (await call('GET', `/api/v1/specs/project/${p.id}?include_archived=true&limit=2&offset=0`)).json<{ specs: SpecBody[]; total: number; has_more: boolean }>();
    expect(page).toMatchObject({ total: 3, has_more: true });
    expect(page.specs).toHaveLength(2);
    const drafts = (await call('GET', `/api/v1/specs/project/${p.id}?status=draft`)).json<{ total: number }>();
    expect(drafts.total).toBe(2);
    expect((await call('GET', `/api/v1/specs/project/${p.id}?status=weird`)).statusCode).toBe(422);
    expect((await call('GET', `/api/v1/specs/project/${p.id}`, bob)).statusCode).toBe(404);
  });

  it('patches title/description only, records a version; status and phase are not writable', async () => {
    const spec = await newSpec();
    const res = await call('PATCH', `/api/v1/specs/${spec.id}`, alice, { title: 'Renamed' });
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ title: 'Renamed', description: 'what it does' });
    const versionsBefore = (await versionsOf(spec.id)).length;
    const sneaky = await call('PATCH', `/api/v1/specs/${spec.id}`, alice, { status: 'completed', phase: 'Done' });
    expect(sneaky.statusCode).toBe(200);
    expect(await versionsOf(spec.id), 'a patch that changes nothing records no version').toHaveLength(versionsBefore);
    const [row] = await server.context.db.select().from(specs).where(eq(specs.id, spec.id));
    expect(row).toMatchObject({ status: 'draft', phase: 'Requirements', title: 'Renamed' });
    const before = await versionsOf(spec.id);
    const bad = await call('PATCH', `/api/v1/specs/${spec.id}`, alice, { title: '' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json()).toMatchObject({ code: 'validation_failed', errors: [{ path: 'body.title' }] });
    expect(await versionsOf(spec.id)).toHaveLength(before.length);
  });

  it('create validates the body (422, nothing stored) and needs membership of project_id (404)', async () => {
    const count = async () => (await server.context.db.select().from(specs)).length;
    const before = await count();
    const bad = await call('POST', '/api/v1/specs', alice, { title: '', project_id: project.id });
    expect(bad.statusCode).toBe(422);
    expect(bad.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe('body.title');
    expect((await call('POST', '/api/v1/specs', bob, { title: 'x', project_id: project.id })).statusCode).toBe(404);
    expect(await count()).toBe(before);
  });

  it('approve-requirements: 409 without requirements; sets flag, timestamp and phase Design without touching status', async () => {
    const spec = await newSpec();
    const none = await call('POST', `/api/v1/specs/${spec.id}/approve-requirements`);
    expect(none.statusCode).toBe(409);
    expect(none.json()).toMatchObject({ code: 'precondition_failed' });
    const design = await call('POST', `/api/v1/specs/${spec.id}/approve-design`);
    expect(design.statusCode).toBe(409);

    await seedRequirement(spec.id);
    const ok = await call('POST', `/api/v1/specs/${spec.id}/approve-requirements`);
    expect(ok.statusCode).toBe(200);
    const body = ok.json<SpecBody>();
    expect(body).toMatchObject({ requirements_approved: true, phase: 'Design', status: 'draft', design_approved: false });
    expect(body.requirements_approved_at).not.toBeNull();

    const noDesign = await call('POST', `/api/v1/specs/${spec.id}/approve-design`);
    expect(noDesign.statusCode).toBe(409);
    expect(noDesign.json<{ detail: string }>().detail).toContain('design');
    await call('PATCH', `/api/v1/specs/${spec.id}`, alice, {});
    const put = await server.app.inject({ method: 'PUT', url: `/api/v1/specs/${spec.id}/design`, headers: alice.headers, payload: { architecture: 'one service' } });
    expect(put.statusCode).toBe(200);
    const approved = await call('POST', `/api/v1/specs/${spec.id}/approve-design`);
    expect(approved.statusCode).toBe(200);
    expect(approved.json()).toMatchObject({ design_approved: true, phase: 'Implementation', status: 'draft', requirements_approved: true });
    const types = (await versionsOf(spec.id)).map((v) => v.changeType);
    expect(types).toEqual(expect.arrayContaining(['requirements_approved', 'design_updated', 'design_approved']));

    // Not blocked: the spec can still be run after approval (the original set `executing` here forever).
    const run = await call('POST', `/api/v1/specs/${spec.id}/execute`);
    expect(run.json()).toMatchObject({ status: 'started' });
  });

  it('approve-requirements is refused while a run is executing', async () => {
    const spec = await newSpec();
    await seedRequirement(spec.id);
    expect((await call('POST', `/api/v1/specs/${spec.id}/execute`)).json()).toMatchObject({ status: 'started' });
    const res = await call('POST', `/api/v1/specs/${spec.id}/approve-requirements`);
    expect(res.statusCode).toBe(409);
    expect(res.json()).toMatchObject({ code: 'precondition_failed' });
  });

  it('execute starts a run, a second execute answers already_running; cancel stops it, a second cancel is 409 not_running', async () => {
    const spec = await newSpec();
    const first = await call('POST', `/api/v1/specs/${spec.id}/execute`);
    expect(first.statusCode).toBe(200);
    const started = first.json<{ status: string; sandbox_id: string; spec_id: string }>();
    expect(started).toMatchObject({ status: 'started', spec_id: spec.id });
    expect(provider.launched.at(-1)?.specId).toBe(spec.id);
    const second = await call('POST', `/api/v1/specs/${spec.id}/execute`, alice, { prd: false });
    expect(second.json()).toMatchObject({ status: 'already_running', sandbox_id: started.sandbox_id });

    const cancel = await call('POST', `/api/v1/specs/${spec.id}/cancel`);
    expect(cancel.statusCode).toBe(200);
    expect(cancel.json()).toMatchObject({ id: spec.id, status: 'cancelled' });
    const again = await call('POST', `/api/v1/specs/${spec.id}/cancel`);
    expect(again.statusCode).toBe(409);
    expect(again.json()).toMatchObject({ code: 'not_running' });
    expect((await call('POST', `/api/v1/specs/${spec.id}/execute`, alice, { prd: 'yes' })).statusCode).toBe(422);
  });

  it('launch creates a spec and starts it (auto_execute), or leaves a draft; Idempotency-Key makes a double click one spec', async () => {
    const res = await call('POST', '/api/v1/specs/launch', alice, { title: 'Launched', description: 'go', project_id: project.id });
    expect(res.statusCode).toBe(201);
    const launched = res.json<{ spec_id: string; status: string; sandbox_id: string | null; current_phase: string | null }>();
    expect(launched).toMatchObject({ status: 'executing', current_phase: 'explore' });
    expect(launched.sandbox_id).toBeTruthy();
    const draft = (await call('POST', '/api/v1/specs/launch', alice, { title: 'Later', description: '', project_id: project.id, auto_execute: false })).json<{ spec_id: string; status: string }>();
    expect(draft.status).toBe('draft');
    expect((await call('GET', `/api/v1/specs/${draft.spec_id}`)).json()).toMatchObject({ status: 'draft' });

    const count = async () => (await server.context.db.select().from(specs)).length;
    const before = await count();
    const body = { title: 'Twice', description: 'x', project_id: project.id };
    const headers = { ...alice.headers, 'idempotency-key': 'launch-1' };
    const one = await server.app.inject({ method: 'POST', url: '/api/v1/specs/launch', headers, payload: body });
    const two = await server.app.inject({ method: 'POST', url: '/api/v1/specs/launch', headers, payload: body });
    expect(two.json()).toEqual(one.json());
    expect(await count()).toBe(before + 1);
    expect((await call('POST', '/api/v1/specs/launch', bob, body)).statusCode).toBe(404);
  });

  it('versions: newest first, paginated, total is the real count', async () => {
    const spec = await newSpec();
    for (const title of ['v2', 'v3', 'v4']) await call('PATCH', `/api/v1/specs/${spec.id}`, alice, { title });
    const page = (await call('GET', `/api/v1/specs/${spec.id}/versions?limit=2`)).json<{ versions: { version_number: number; change_type: string }[]; total: number; has_more: boolean }>();
    expect(page.total).toBe(4);
    expect(page.has_more).toBe(true);
    expect(page.versions.map((v) => v.version_number)).toEqual([4, 3]);
    const rest = (await call('GET', `/api/v1/specs/${spec.id}/versions?limit=2&offset=2`)).json<{ versions: { version_number: number; change_type: string }[]; has_more: boolean }>();
    expect(rest.versions.map((v) => [v.version_number, v.change_type])).toEqual([
      [2, 'updated'],
      [1, 'created'],
    ]);
    expect(rest.has_more).toBe(false);
  });

  it('criteria-status: 0 criteria → 0% and not complete; counts per requirement', async () => {
    const spec = await newSpec();
    const empty = (await call('GET', `/api/v1/specs/${spec.id}/criteria-status`)).json<unknown>();
    expect(empty).toEqual({ spec_id: spec.id, total_criteria: 0, completed_criteria: 0, completion_percentage: 0, all_complete: false, by_requirement: {} });
    const reqId = await seedRequirement(spec.id, true);
    await server.context.db.insert(specAcceptanceCriteria).values({ id: newId.criterion(), requirementId: reqId, localId: 'REQ-001.AC-2', text: 'logs it', completed: false, position: 1 });
    const half = (await call('GET', `/api/v1/specs/${spec.id}/criteria-status`)).json<{ completion_percentage: number; all_complete: boolean; total_criteria: number; by_requirement: Record<string, { total: number; completed: number; requirement_title: string }> }>();
    expect(half).toMatchObject({ total_criteria: 2, completed_criteria: 1, completion_percentage: 50, all_complete: false });
    expect(half.by_requirement[reqId]).toMatchObject({ requirement_title: 'Limit', total: 2, completed: 1 });
  });

  it('execution-status counts tasks by status; phase-data shows the stored phase data', async () => {
    const spec = await newSpec();
    const none = (await call('GET', `/api/v1/specs/${spec.id}/execution-status`)).json<unknown>();
    expect(none).toEqual({ spec_id: spec.id, total_tasks: 0, status_counts: {}, progress: 0, is_complete: false });
    await server.context.db.insert(specTasks).values([
      { id: newId.specTask(), specId: spec.id, title: 'a', status: 'completed', position: 0 },
      { id: newId.specTask(), specId: spec.id, title: 'b', status: 'pending', position: 1 },
      { id: newId.specTask(), specId: spec.id, title: 'c', status: 'completed', position: 2 },
      { id: newId.specTask(), specId: spec.id, title: 'd', status: 'blocked', position: 3 },
    ]);
    const status = (await call('GET', `/api/v1/specs/${spec.id}/execution-status`)).json<unknown>();
    expect(status).toEqual({ spec_id: spec.id, total_tasks: 4, status_counts: { completed: 2, pending: 1, blocked: 1 }, progress: 50, is_complete: false });

    await server.context.db.update(specs).set({ phaseData: { explore: { codebase_summary: 'x' } }, currentPhase: 'requirements', lastError: 'boom' }).where(eq(specs.id, spec.id));
    const pd = (await call('GET', `/api/v1/specs/${spec.id}/phase-data`)).json<unknown>();
    expect(pd).toEqual({ spec_id: spec.id, current_phase: 'requirements', phase_data: { explore: { codebase_summary: 'x' } }, phase_status: {}, last_error: 'boom' });
  });

  it('exports JSON and a Markdown attachment with a sane filename and progress as 0–100 %', async () => {
    const spec = await newSpec('Rate limiter: per-key / "quotas"');
    await seedRequirement(spec.id);
    await server.context.db.update(specs).set({ progress: 48 }).where(eq(specs.id, spec.id));
    const md = await call('GET', `/api/v1/specs/${spec.id}/export?format=markdown`);
    expect(md.statusCode).toBe(200);
    expect(md.headers['content-type']).toMatch(/^text\/markdown/);
    const disposition = String(md.headers['content-disposition']);
    expect(disposition).toMatch(/^attachment; filename="spec-rate-limiter-per-key-quotas-[a-z0-9]{8}\.md"$/);
    expect(md.body).toContain('# Rate limiter: per-key / "quotas"');
    expect(md.body).toContain('**Progress:** 48%');
    expect(md.body).not.toContain('4800');
    expect(md.body).toContain('WHEN a key exceeds its limit THE SYSTEM SHALL answer 429');
    expect(md.body).toContain('- [ ] REQ-001.AC-1: answers 429');

    const json = await call('GET', `/api/v1/specs/${spec.id}/export?format=json`);
    expect(json.headers['content-type']).toMatch(/^application\/json/);
    expect(String(json.headers['content-disposition'])).toMatch(/\.json"$/);
    const doc = json.json<{ spec: SpecBody }>();
    expect(doc.spec).toMatchObject({ id: spec.id, progress: 48 });
    expect(doc.spec.requirements).toHaveLength(1);
    expect((await call('GET', `/api/v1/specs/${spec.id}/export?format=pdf`)).statusCode).toBe(422);
  });

  it('linked-tickets lists the tickets whose spec_id is this spec', async () => {
    const ticket = (await call('POST', '/api/v1/tickets', alice, { title: 'Driven', project_id: project.id, workflow_mode: 'spec_driven' })).json<{ id: string; spec_id: string }>();
    const res = await call('GET', `/api/v1/specs/${ticket.spec_id}/linked-tickets`);
    expect(res.json()).toMatchObject({ spec_id: ticket.spec_id, total: 1, tickets: [{ id: ticket.id, spec_id: ticket.spec_id }] });
    expect((await call('GET', `/api/v1/specs/${ticket.spec_id}`)).json()).toMatchObject({ linked_tickets: 1 });
  });

  it('every spec route: 401 anonymous, 404 for a member of another project, without leaking the title', async () => {
    const spec = await newSpec('Top secret title');
    const routes: [Method, string, object?][] = [
      ['GET', `/api/v1/specs/${spec.id}`],
      ['PATCH', `/api/v1/specs/${spec.id}`, { title: 'x' }],
      ['DELETE', `/api/v1/specs/${spec.id}`],
      ['POST', `/api/v1/specs/${spec.id}/approve-requirements`],
      ['POST', `/api/v1/specs/${spec.id}/approve-design`],
      ['GET', `/api/v1/specs/${spec.id}/versions`],
      ['POST', `/api/v1/specs/${spec.id}/execute`],
      ['POST', `/api/v1/specs/${spec.id}/cancel`],
      ['GET', `/api/v1/specs/${spec.id}/phase-data`],
      ['GET', `/api/v1/specs/${spec.id}/execution-status`],
      ['GET', `/api/v1/specs/${spec.id}/criteria-status`],
      ['GET', `/api/v1/specs/${spec.id}/export?format=markdown`],
      ['GET', `/api/v1/specs/${spec.id}/linked-tickets`],
      ['GET', `/api/v1/specs/project/${project.id}`],
    ];
    for (const [method, url, body] of routes) {
      const anon = await call(method, url, null, body);
      expect(anon.statusCode, `${method} ${url}`).toBe(401);
      const stranger = await call(method, url, bob, body);
      expect(stranger.statusCode, `${method} ${url}`).toBe(404);
      expect(stranger.body).not.toContain('Top secret');
    }
    const [row] = await server.context.db.select().from(specs).where(eq(specs.id, spec.id));
    expect(row).toMatchObject({ title: 'Top secret title', archived: false, status: 'draft' });
  });
});
