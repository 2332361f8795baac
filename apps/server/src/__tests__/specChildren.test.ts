import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { specAcceptanceCriteria, specRequirements, specTasks, specVersions, specs } from '../store/schema';
import { BACKENDS, createProject, createTestServer, registerUser, type TestServer, type TestUser } from './harness';

interface Req {
  id: string;
  title: string;
  condition: string;
  action: string;
  text: string;
  priority: string;
  status: string;
  edited_at: string | null;
  position: number;
  criteria: { id: string; text: string; completed: boolean }[];
}
interface Task {
  id: string;
  title: string;
  dependencies: string[];
  position: number;
  status: string;
  edited_at: string | null;
}

describe.each(BACKENDS)('spec children routes on %s', (backend) => {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let project: { id: string };
  beforeAll(async () => {
    server = await createTestServer(backend);
    alice = await registerUser(server.app, 'alice');
    bob = await registerUser(server.app, 'bob');
    project = await createProject(server.app, alice, 'Children');
    await createProject(server.app, bob, 'Elsewhere');
  });
  afterAll(async () => {
    await server.close();
  });

  type Method = 'GET' | 'POST' | 'PATCH' | 'PUT' | 'DELETE';
  const call = (method: Method, url: string, payload?: object, user: TestUser | null = alice) =>
    server.app.inject({ method, url, ...(user ? { headers: user.headers } : {}), ...(payload ? { payload } : {}) });
  const newSpec = async () => (await call('POST', '/api/v1/specs', { title: 'S', project_id: project.id })).json<{ id: string }>().id;
  const versionCount = async (specId: string) => (await server.context.db.select().from(specVersions).where(eq(specVersions.specId, specId))).length;
  /** Everything a bad request must leave alone. */
  const snapshot = async (specId: string) => ({
    reqs: await server.context.db.select().from(specRequirements).where(eq(specRequirements.specId, specId)).orderBy(specRequirements.id),
    crits: await server.context.db.select().from(specAcceptanceCriteria).orderBy(specAcceptanceCriteria.id),
    tasks: await server.context.db.select().from(specTasks).where(eq(specTasks.specId, specId)).orderBy(specTasks.id),
    spec: (await server.context.db.select().from(specs).where(eq(specs.id, specId)))[0],
    versions: await versionCount(specId),
  });

  it('requirements CRUD: create with criteria, edit (edited_at, EARS text), delete; each records a version', async () => {
    const specId = await newSpec();
    const created = await call('POST', `/api/v1/specs/${specId}/requirements`, {
      title: 'Limit',
      condition: 'WHEN a key exceeds its limit',
      action: 'THE SYSTEM SHALL answer 429',
      priority: 'HIGH',
      acceptance_criteria: ['answers 429', 'sets Retry-After'],
    });
    expect(created.statusCode).toBe(201);
    const req = created.json<Req>();
    expect(req).toMatchObject({ title: 'Limit', text: 'WHEN a key exceeds its limit THE SYSTEM SHALL answer 429', priority: 'high', status: 'pending', position: 0 });
    expect(req.edited_at).not.toBeNull();
    expect(req.criteria.map((c) => c.text)).toEqual(['answers 429', 'sets Retry-After']);
    const second = (await call('POST', `/api/v1/specs/${specId}/requirements`, { title: 'Log', action: 'THE SYSTEM SHALL log' })).json<Req>();
    expect(second).toMatchObject({ position: 1, condition: '', text: 'THE SYSTEM SHALL log' });

    const patched = await call('PATCH', `/api/v1/specs/${specId}/requirements/${req.id}`, { action: 'THE SYSTEM SHALL answer 429 with a body', status: 'in_progress' });
    expect(patched.statusCode).toBe(200);
    expect(patched.json<Req>()).toMatchObject({ text: 'WHEN a key exceeds its limit THE SYSTEM SHALL answer 429 with a body', status: 'in_progress', title: 'Limit' });

    const spec = (await call('GET', `/api/v1/specs/${specId}`)).json<{ requirements: Req[] }>();
    expect(spec.requirements.map((r) => r.id)).toEqual([req.id, second.id]);
    expect(spec.requirements[0]?.criteria).toHaveLength(2);

    const del = await call('DELETE', `/api/v1/specs/${specId}/requirements/${second.id}`);
    expect(del.statusCode).toBe(204);
    expect((await call('GET', `/api/v1/specs/${specId}`)).json<{ requirements: Req[] }>().requirements.map((r) => r.id)).toEqual([req.id]);
    expect((await call('DELETE', `/api/v1/specs/${specId}/requirements/${second.id}`)).statusCode).toBe(404);
    expect(await versionCount(specId)).toBe(1 + 4);
  });

  it('requirement validation: 422 with paths and nothing changed; a requirement of another spec is 404', async () => {
    const specId = await newSpec();
    const other = await newSpec();
    const req = (await call('POST', `/api/v1/specs/${specId}/requirements`, { title: 'R', action: 'THE SYSTEM SHALL x' })).json<Req>();
    const before = await snapshot(specId);
    const bad = await call('POST', `/api/v1/specs/${specId}/requirements`, { title: '', action: '', priority: 'urgent' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json<{ errors: { path: string }[] }>().errors.map((e) => e.path).sort()).toEqual(['body.action', 'body.priority', 'body.title']);
    const badPatch = await call('PATCH', `/api/v1/specs/${specId}/requirements/${req.id}`, { status: 'done' });
    expect(badPatch.statusCode).toBe(422);
    expect(badPatch.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe('body.status');
    expect((await call('PATCH', `/api/v1/specs/${other}/requirements/${req.id}`, { title: 'hijack' })).statusCode).toBe(404);
    expect(await snapshot(specId)).toEqual(before);
  });

  it('criteria CRUD: add, complete (edited_at), delete; unknown ids 404; bad body 422', async () => {
    const specId = await newSpec();
    const req = (await call('POST', `/api/v1/specs/${specId}/requirements`, { title: 'R', action: 'THE SYSTEM SHALL x' })).json<Req>();
    const base = `/api/v1/specs/${specId}/requirements/${req.id}/criteria`;
    const c = await call('POST', base, { text: 'works' });
    expect(c.statusCode).toBe(201);
    const crit = c.json<{ id: string; text: string; completed: boolean }>();
    expect(crit).toMatchObject({ text: 'works', completed: false, local_id: 'REQ-9001.AC-901' });
    const done = await call('PATCH', `${base}/${crit.id}`, { completed: true });
    expect(done.json()).toMatchObject({ id: crit.id, completed: true, text: 'works' });
    const [row] = await server.context.db.select().from(specAcceptanceCriteria).where(eq(specAcceptanceCriteria.id, crit.id));
    expect(row?.editedAt).not.toBeNull();
    const status = (await call('GET', `/api/v1/specs/${specId}/criteria-status`)).json<unknown>();
    expect(status).toMatchObject({ total_criteria: 1, completed_criteria: 1, completion_percentage: 100, all_complete: true });

    const before = await snapshot(specId);
    expect((await call('POST', base, { text: '' })).statusCode).toBe(422);
    expect((await call('PATCH', `${base}/${crit.id}`, { completed: 'yes' })).statusCode).toBe(422);
    expect((await call('PATCH', `${base}/crit-nope`, { text: 'x' })).statusCode).toBe(404);
    expect((await call('POST', `/api/v1/specs/${specId}/requirements/req-nope/criteria`, { text: 'x' })).statusCode).toBe(404);
    expect(await snapshot(specId)).toEqual(before);

    expect((await call('DELETE', `${base}/${crit.id}`)).statusCode).toBe(204);
    expect((await call('GET', `/api/v1/specs/${specId}`)).json<{ requirements: Req[] }>().requirements[0]?.criteria).toEqual([]);
  });

  it('PUT design: validated, stored, stamps edited_at; the spec shows it', async () => {
    const specId = await newSpec();
    const body = {
      architecture: 'One service behind a gateway',
      data_model: '### Bucket',
      api_spec: [{ method: 'get', path: '/limits', description: 'read limits' }],
      components: [{ id: 'DES-001', name: 'Limiter', responsibility: 'counts', file_path: 'src/limiter.ts' }],
      architecture_diagram: 'graph TD; A-->B',
    };
    const res = await call('PUT', `/api/v1/specs/${specId}/design`, body);
    expect(res.statusCode).toBe(200);
    const design = res.json<{ edited_at: string | null; api_spec: unknown[] }>();
    expect(design).toMatchObject({
      architecture: 'One service behind a gateway',
      api_spec: [{ method: 'GET', path: '/limits', endpoint: '/limits', description: 'read limits' }],
      components: [{ id: 'DES-001', name: 'Limiter', responsibility: 'counts', file_path: 'src/limiter.ts' }],
      error_handling: '',
      architecture_diagram: 'graph TD; A-->B',
    });
    expect(design.edited_at).not.toBeNull();
    expect((await call('GET', `/api/v1/specs/${specId}`)).json<{ design: unknown }>().design).toEqual(design);

    const before = await snapshot(specId);
    const dup = await call('PUT', `/api/v1/specs/${specId}/design`, { components: [{ id: 'DES-001', name: 'a' }, { id: 'DES-001', name: 'b' }] });
    expect(dup.statusCode).toBe(422);
    expect(dup.json()).toMatchObject({ code: 'validation_failed', errors: [{ path: 'body.components.1.id' }] });
    const wrongType = await call('PUT', `/api/v1/specs/${specId}/design`, { api_spec: [{ method: '', path: '/x' }] });
    expect(wrongType.statusCode).toBe(422);
    expect(wrongType.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe('body.api_spec.0.method');
    expect(await snapshot(specId)).toEqual(before);
  });

  it('tasks CRUD: ordered by position, dependencies validated (exist in this spec, not self, no cycle), delete unlinks', async () => {
    const specId = await newSpec();
    const otherSpec = await newSpec();
    const base = `/api/v1/specs/${specId}/tasks`;
    const a = (await call('POST', base, { title: 'A', estimated_hours: 2 })).json<Task>();
    const b = (await call('POST', base, { title: 'B', dependencies: [a.id] })).json<Task>();
    const c = (await call('POST', base, { title: 'C', dependencies: [b.id, a.id, b.id] })).json<Task>();
    expect(a).toMatchObject({ position: 0, dependencies: [], status: 'pending', estimated_hours: 2 });
    expect(b).toMatchObject({ position: 1, dependencies: [a.id] });
    expect(c.dependencies).toEqual([b.id, a.id]);
    const list = await call('GET', base);
    expect(list.statusCode).toBe(200);
    expect(list.json<Task[]>().map((t) => t.title)).toEqual(['A', 'B', 'C']);
    const foreign = (await call('POST', `/api/v1/specs/${otherSpec}/tasks`, { title: 'X' })).json<Task>();

    const before = await snapshot(specId);
    const cycle = await call('PATCH', `${base}/${a.id}`, { dependencies: [c.id] });
    expect(cycle.statusCode).toBe(422);
    expect(cycle.json<{ detail: string; errors: { path: string }[] }>().errors[0]?.path).toBe('body.dependencies');
    expect(cycle.json<{ detail: string }>().detail).toContain('cycle');
    const self = await call('PATCH', `${base}/${a.id}`, { dependencies: [a.id] });
    expect(self.json()).toMatchObject({ code: 'validation_failed', errors: [{ path: 'body.dependencies.0', message: 'a task cannot depend on itself' }] });
    const unknown = await call('POST', base, { title: 'D', dependencies: ['spec-task-nope', foreign.id] });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)).toEqual(['body.dependencies.0', 'body.dependencies.1']);
    expect((await call('POST', base, { title: '', estimated_hours: -1 })).statusCode).toBe(422);
    expect((await call('PATCH', `${base}/${foreign.id}`, { title: 'hijack' })).statusCode).toBe(404);
    expect(await snapshot(specId)).toEqual(before);

    const edited = await call('PATCH', `${base}/${c.id}`, { status: 'in_progress', dependencies: [a.id], assigned_agent: 'agent-1' });
    expect(edited.statusCode).toBe(200);
    expect(edited.json<Task>()).toMatchObject({ status: 'in_progress', dependencies: [a.id], assigned_agent: 'agent-1' });
    expect(edited.json<Task>().edited_at).not.toBeNull();

    expect((await call('DELETE', `${base}/${a.id}`)).statusCode).toBe(204);
    const after = (await call('GET', base)).json<Task[]>();
    expect(after.map((t) => [t.title, t.dependencies])).toEqual([
      ['B', []],
      ['C', []],
    ]);
    expect((await call('DELETE', `${base}/${a.id}`)).statusCode).toBe(404);
  });

  it('an archived spec is read-only: every write answers 409 conflict naming the archive, nothing changes; reads still work', async () => {
    const specId = await newSpec();
    const req = (await call('POST', `/api/v1/specs/${specId}/requirements`, { title: 'R', action: 'THE SYSTEM SHALL x', acceptance_criteria: ['c'] })).json<Req>();
    const task = (await call('POST', `/api/v1/specs/${specId}/tasks`, { title: 'T' })).json<Task>();
    expect((await call('PUT', `/api/v1/specs/${specId}/design`, { architecture: 'a' })).statusCode).toBe(200);
    expect((await call('DELETE', `/api/v1/specs/${specId}`)).statusCode).toBe(200);
    const crit = req.criteria[0]!.id;
    const s = `/api/v1/specs/${specId}`;
    const writes: [Method, string, object?][] = [
      ['PATCH', s, { title: 'renamed' }],
      ['POST', `${s}/approve-requirements`],
      ['POST', `${s}/approve-design`],
      ['POST', `${s}/execute`],
      ['POST', `${s}/requirements`, { title: 't', action: 'a' }],
      ['PATCH', `${s}/requirements/${req.id}`, { title: 't' }],
      ['DELETE', `${s}/requirements/${req.id}`],
      ['POST', `${s}/requirements/${req.id}/criteria`, { text: 't' }],
      ['PATCH', `${s}/requirements/${req.id}/criteria/${crit}`, { completed: true }],
      ['DELETE', `${s}/requirements/${req.id}/criteria/${crit}`],
      ['PUT', `${s}/design`, { architecture: 'x' }],
      ['POST', `${s}/tasks`, { title: 't' }],
      ['PATCH', `${s}/tasks/${task.id}`, { title: 't' }],
      ['DELETE', `${s}/tasks/${task.id}`],
    ];
    const before = await snapshot(specId);
    for (const [method, url, body] of writes) {
      const res = await call(method, url, body);
      expect(res.statusCode, `${method} ${url}`).toBe(409);
      expect(res.json(), `${method} ${url}`).toEqual({ code: 'conflict', detail: `spec ${specId} is archived: an archived spec is read-only` });
    }
    expect(await snapshot(specId)).toEqual(before);
    expect(before.spec).toMatchObject({ archived: true, status: 'draft' });

    for (const url of [s, `${s}/tasks`, `${s}/versions`, `${s}/criteria-status`, `${s}/execution-status`, `${s}/phase-data`, `${s}/export?format=markdown`, `${s}/linked-tickets`]) {
      expect((await call('GET', url)).statusCode, url).toBe(200);
    }
    expect((await call('GET', s)).json()).toMatchObject({ id: specId, archived: true, requirements: [{ id: req.id }], tasks: [{ id: task.id }] });
    const again = await call('DELETE', s);
    expect(again.statusCode, 'archiving again stays a harmless no-op').toBe(200);
    expect(again.json<{ message: string }>().message).toContain('already archived');
    // A stranger still learns nothing: 404, not the 409 that would reveal the spec exists.
    expect((await call('PATCH', s, { title: 'x' }, bob)).statusCode).toBe(404);
  });

  it('every child route: 401 anonymous, 404 for a member of another project, nothing changed', async () => {
    const specId = await newSpec();
    const req = (await call('POST', `/api/v1/specs/${specId}/requirements`, { title: 'Secret req', action: 'THE SYSTEM SHALL hide', acceptance_criteria: ['c'] })).json<Req>();
    const task = (await call('POST', `/api/v1/specs/${specId}/tasks`, { title: 'Secret task' })).json<Task>();
    const crit = req.criteria[0]!.id;
    const s = `/api/v1/specs/${specId}`;
    const routes: [Method, string, object?][] = [
      ['POST', `${s}/requirements`, { title: 't', action: 'a' }],
      ['PATCH', `${s}/requirements/${req.id}`, { title: 't' }],
      ['DELETE', `${s}/requirements/${req.id}`],
      ['POST', `${s}/requirements/${req.id}/criteria`, { text: 't' }],
      ['PATCH', `${s}/requirements/${req.id}/criteria/${crit}`, { completed: true }],
      ['DELETE', `${s}/requirements/${req.id}/criteria/${crit}`],
      ['PUT', `${s}/design`, { architecture: 'x' }],
      ['GET', `${s}/tasks`],
      ['POST', `${s}/tasks`, { title: 't' }],
      ['PATCH', `${s}/tasks/${task.id}`, { title: 't' }],
      ['DELETE', `${s}/tasks/${task.id}`],
    ];
    const before = await snapshot(specId);
    for (const [method, url, body] of routes) {
      expect((await call(method, url, body, null)).statusCode, `${method} ${url}`).toBe(401);
      const stranger = await call(method, url, body, bob);
      expect(stranger.statusCode, `${method} ${url}`).toBe(404);
      expect(stranger.body).not.toMatch(/Secret/);
    }
    expect(await snapshot(specId)).toEqual(before);
  });
});
