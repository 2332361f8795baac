import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, createProject, createTestServer, registerUser, type TestServer, type TestUser } from './harness';

interface Version {
  version_number: number;
  change_type: string;
  change_summary: string;
  change_details: Record<string, unknown> | null;
}
interface Req {
  id: string;
  local_id: string | null;
  title: string;
  condition: string;
  action: string;
  priority: string;
  status: string;
  criteria: { id: string; local_id: string | null; text: string }[];
}

/** Issue 15, flow 6: history names rows by their display ids and lists only what really changed. */
describe.each(BACKENDS)('spec history of person edits on %s', (backend) => {
  let server: TestServer;
  let alice: TestUser;
  beforeAll(async () => {
    server = await createTestServer(backend);
    alice = await registerUser(server.app, 'alice');
  });
  afterAll(async () => {
    await server.close();
  });

  const call = (method: 'GET' | 'POST' | 'PATCH' | 'DELETE', url: string, payload?: object) => server.app.inject({ method, url, headers: alice.headers, ...(payload ? { payload } : {}) });
  const versions = async (specId: string) => (await call('GET', `/api/v1/specs/${specId}/versions?limit=100`)).json<{ versions: Version[] }>().versions;

  it('a hand-added requirement and its criteria get ids; an edit lists only changed fields; a no-op edit records nothing', async () => {
    const project = await createProject(server.app, alice);
    const spec = (await call('POST', '/api/v1/specs', { title: 'History', project_id: project.id })).json<{ id: string }>();
    const base = `/api/v1/specs/${spec.id}/requirements`;
    const req = (await call('POST', base, { title: 'Refunds', action: 'THE SYSTEM SHALL refund', acceptance_criteria: ['refund issued', 'email sent'] })).json<Req>();
    expect(req.local_id).toBe('REQ-9001');
    expect(req.criteria.map((c) => c.local_id)).toEqual(['REQ-9001.AC-901', 'REQ-9001.AC-902']);
    const second = (await call('POST', base, { title: 'Another', action: 'THE SYSTEM SHALL y' })).json<Req>();
    expect(second.local_id).toBe('REQ-9002');

    const added = (await call('POST', `${base}/${req.id}/criteria`, { text: 'audit logged' })).json<{ local_id: string | null }>();
    expect(added.local_id).toBe('REQ-9001.AC-903');

    // The edit form sends every field; only the title changed.
    const before = (await versions(spec.id)).length;
    const edit = await call('PATCH', `${base}/${req.id}`, { title: 'Order refunds', condition: req.condition, action: req.action, priority: req.priority, status: req.status });
    expect(edit.statusCode).toBe(200);
    const [latest] = await versions(spec.id);
    expect(latest?.change_summary).toBe('Edited REQ-9001 (title)');
    expect(latest?.change_details).toMatchObject({ requirement: 'REQ-9001', fields: ['title'], title: { old: 'Refunds', new: 'Order refunds' } });
    expect(latest?.change_details).not.toHaveProperty('action');
    expect(latest?.change_details).not.toHaveProperty('priority');
    expect((await versions(spec.id)).length).toBe(before + 1);

    const same = await call('PATCH', `${base}/${req.id}`, { title: 'Order refunds', condition: req.condition, action: req.action, priority: req.priority, status: req.status });
    expect(same.statusCode).toBe(200);
    expect(same.json<Req>().title).toBe('Order refunds');
    expect((await versions(spec.id)).length).toBe(before + 1);

    const crit = req.criteria[0]!;
    await call('PATCH', `${base}/${req.id}/criteria/${crit.id}`, { completed: true });
    const [ticked] = await versions(spec.id);
    expect(ticked?.change_summary).toBe('Ticked REQ-9001.AC-901');
    expect(ticked?.change_details).toMatchObject({ criterion: 'REQ-9001.AC-901', completed: { old: false, new: true } });
    expect(ticked?.change_details).not.toHaveProperty('text');
    await call('PATCH', `${base}/${req.id}/criteria/${crit.id}`, { text: crit.text, completed: true });
    expect((await versions(spec.id))[0]?.version_number).toBe(ticked?.version_number);

    await call('DELETE', `${base}/${req.id}/criteria/${req.criteria[1]!.id}`);
    expect((await versions(spec.id))[0]?.change_summary).toBe('Deleted REQ-9001.AC-902');
  });

  it('a task edit that sends every field lists only the changed ones (estimates compared as numbers); a no-op records nothing', async () => {
    const project = await createProject(server.app, alice);
    const spec = (await call('POST', '/api/v1/specs', { title: 'Tasks history', project_id: project.id })).json<{ id: string }>();
    const task = (await call('POST', `/api/v1/specs/${spec.id}/tasks`, { title: 'Write refund', estimated_hours: 0.1, priority: 'high' })).json<{
      id: string;
      title: string;
      description: string;
      phase: string;
      priority: string;
      estimated_hours: number;
      dependencies: string[];
    }>();
    const all = { title: task.title, description: task.description, phase: task.phase, priority: task.priority, estimated_hours: 0.1, dependencies: task.dependencies, status: 'pending' };
    const before = (await versions(spec.id)).length;
    expect((await call('PATCH', `/api/v1/specs/${spec.id}/tasks/${task.id}`, all)).statusCode).toBe(200);
    expect((await versions(spec.id)).length).toBe(before);
    const edit = await call('PATCH', `/api/v1/specs/${spec.id}/tasks/${task.id}`, { ...all, estimated_hours: 2, status: 'completed' });
    expect(edit.statusCode).toBe(200);
    const [latest] = await versions(spec.id);
    expect(latest?.change_summary).toMatch(/^Edited task "Write refund" \((estimated hours, status|status, estimated hours)\)$/);
    expect([...((latest?.change_details?.['fields'] as string[] | undefined) ?? [])].sort()).toEqual(['estimated_hours', 'status']);
    expect(latest?.change_details).toMatchObject({ status: { old: 'pending', new: 'completed' }, estimated_hours: { old: 0.1, new: 2 } });
    expect(latest?.change_details).not.toHaveProperty('title');
  });
});
