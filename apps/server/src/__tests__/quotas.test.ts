/**
 * Concurrent-run quotas (issue 11) through the API, on both backends: a 4th concurrent launch by one
 * user is queued (status `queued`, its position in the answer and in the Spec) and starts by itself when
 * one of the three ends; per-project and overall limits; a queued run can be cancelled; a launch's API
 * key override waits sealed, never in clear; registration is throttled per address.
 */
import type { LaunchSpecResponse, Spec } from '@specline/protocol';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNoopProvider } from '../launcher/provider';
import { specs } from '../store/schema';
import { BACKENDS, createProject, createTestServer, registerUser, type TestServer, type TestUser } from './harness';
import { waitFor } from './launcherFixtures';

describe.each(BACKENDS)('run quotas on %s', (backend) => {
  let server: TestServer;
  const provider = createNoopProvider();
  beforeAll(async () => {
    server = await createTestServer(backend, { provider, config: { quotas: { runsPerUser: 3, runsPerProject: 5, runs: 6 } } });
  });
  afterAll(async () => {
    await server.close();
  });

  async function launch(user: TestUser, projectId: string, title: string): Promise<LaunchSpecResponse> {
    const res = await server.app.inject({ method: 'POST', url: '/api/v1/specs/launch', headers: user.headers, payload: { title, description: `${title} for the reports page`, project_id: projectId } });
    expect(res.statusCode, res.body).toBe(201);
    return res.json<LaunchSpecResponse>();
  }
  async function spec(user: TestUser, id: string): Promise<Spec> {
    const res = await server.app.inject({ method: 'GET', url: `/api/v1/specs/${id}`, headers: user.headers });
    expect(res.statusCode, res.body).toBe(200);
    return res.json<Spec>();
  }
  async function cancel(user: TestUser, id: string): Promise<void> {
    const res = await server.app.inject({ method: 'POST', url: `/api/v1/specs/${id}/cancel`, headers: user.headers });
    expect(res.statusCode, res.body).toBe(200);
  }

  it('a 4th concurrent launch by one user is queued, with its position, and starts when one of the three ends', async () => {
    const user = await registerUser(server.app, 'quota');
    const project = await createProject(server.app, user, 'Quota');
    const first = [await launch(user, project.id, 'One'), await launch(user, project.id, 'Two'), await launch(user, project.id, 'Three')];
    expect(first.map((a) => a.status)).toEqual(['executing', 'executing', 'executing']);
    const fourth = await launch(user, project.id, 'Four');
    expect(fourth.status).toBe('queued');
    expect(fourth.sandbox_id).toBeNull();
    expect(fourth.message).toMatch(/run queued \(position 1\): you have 3 runs executing \(at most 3 at a time\)/);
    const queued = await spec(user, fourth.spec_id);
    expect(queued).toMatchObject({ status: 'queued', queue_position: 1, sandbox_id: null });
    // Executing it again does not start it either: it stays in line.
    const again = await server.app.inject({ method: 'POST', url: `/api/v1/specs/${fourth.spec_id}/execute`, headers: user.headers, payload: {} });
    expect(again.statusCode, again.body).toBe(200);
    expect(again.json()).toMatchObject({ status: 'queued', queue_position: 1 });
    expect((await spec(user, fourth.spec_id)).status).toBe('queued');

    await cancel(user, first[0]!.spec_id);
    const started = await waitFor('the queued run to start', async () => {
      const s = await spec(user, fourth.spec_id);
      return s.status === 'executing' ? s : undefined;
    });
    expect(started.queue_position).toBeNull();
    expect(started.sandbox_id).toEqual(expect.any(String));
    expect(provider.launched.some((l) => l.specId === fourth.spec_id)).toBe(true);
    for (const id of [first[1]!.spec_id, first[2]!.spec_id, fourth.spec_id]) await cancel(user, id);
  });

  it('the project and overall limits queue too, in order; a queued run can be cancelled; an API key override waits sealed', async () => {
    const users = await Promise.all([1, 2, 3].map((i) => registerUser(server.app, `member${i}`)));
    const owner = users[0]!;
    const project = await createProject(server.app, owner, 'Shared');
    for (const member of users.slice(1)) {
      const res = await server.app.inject({ method: 'POST', url: `/api/v1/projects/${project.id}/members`, headers: owner.headers, payload: { email: member.email } });
      expect(res.statusCode, res.body).toBe(201);
    }
    // 2 + 2 + 1 = 5 runs of the project (each user under their own limit of 3).
    const running = [
      await launch(users[0]!, project.id, 'A1'),
      await launch(users[0]!, project.id, 'A2'),
      await launch(users[1]!, project.id, 'B1'),
      await launch(users[1]!, project.id, 'B2'),
      await launch(users[2]!, project.id, 'C1'),
    ];
    expect(running.every((a) => a.status === 'executing')).toBe(true);
    // The 6th asks for its own model key (execute's launch override).
    const draft = await server.app.inject({ method: 'POST', url: '/api/v1/specs', headers: users[2]!.headers, payload: { title: 'C2', description: 'C2 for the reports page', project_id: project.id } });
    expect(draft.statusCode, draft.body).toBe(201);
    const sixthId = draft.json<{ id: string }>().id;
    const executed = await server.app.inject({
      method: 'POST',
      url: `/api/v1/specs/${sixthId}/execute`,
      headers: users[2]!.headers,
      payload: { model_settings: { executor: 'openai', api_key: 'sk-queued-SECRET-123456' } },
    });
    expect(executed.statusCode, executed.body).toBe(200);
    const sixth = { spec_id: sixthId, ...executed.json<{ status: string; message: string }>() };
    expect(sixth.status).toBe('queued');
    expect(sixth.message).toContain('the project has 5 runs executing (at most 5 at a time)');
    const [row] = await server.context.db.select({ request: specs.queuedRequest, by: specs.queuedBy }).from(specs).where(eq(specs.id, sixth.spec_id));
    expect(row?.by).toBe(users[2]!.id);
    expect(row?.request).toHaveProperty('model_api_key_sealed');
    expect(JSON.stringify(row?.request ?? {})).not.toContain('sk-queued-SECRET-123456');

    // Another project: the overall limit (6) queues a run of a user under both other limits.
    const other = await createProject(server.app, owner, 'Other');
    const joined = await server.app.inject({ method: 'POST', url: `/api/v1/projects/${other.id}/members`, headers: owner.headers, payload: { email: users[1]!.email } });
    expect(joined.statusCode, joined.body).toBe(201);
    expect((await launch(owner, other.id, 'O1')).status).toBe('executing');
    expect((await launch(owner, other.id, 'O2')).status).toBe('queued'); // owner: 3 executing (A1, A2, O1)
    const seventh = await launch(users[1]!, other.id, 'B3');
    expect(seventh.status).toBe('queued');
    expect(seventh.message).toContain('the server runs 6 runs (at most 6 at a time)');
    expect((await spec(users[1]!, seventh.spec_id)).queue_position).toBe(3);

    await cancel(users[1]!, seventh.spec_id);
    expect((await spec(users[1]!, seventh.spec_id))).toMatchObject({ status: 'cancelled', queue_position: null });
    // One project run ends: the queued C2 starts (the queue goes by order and quota), with its sealed key opened for the sandbox.
    await cancel(users[1]!, running[2]!.spec_id);
    await waitFor('C2 to start', async () => ((await spec(users[2]!, sixth.spec_id)).status === 'executing' ? true : undefined));
    const launched = provider.launched.find((l) => l.specId === sixth.spec_id)!;
    expect(launched.modelEnv?.['OPENAI_API_KEY']).toBe('sk-queued-SECRET-123456');
  });
});

describe.each(BACKENDS)('registration throttle on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer(backend, { config: { registerPerIpPerHour: 3 } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('refuses the 4th registration from one address within the hour with 429 and Retry-After', async () => {
    for (let i = 0; i < 3; i++) await registerUser(server.app, `reg${i}`);
    const res = await server.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: 'fourth@example.test', password: 'correct horse battery', name: 'Fourth' } });
    expect(res.statusCode, res.body).toBe(429);
    expect(res.json()).toMatchObject({ code: 'rate_limited' });
    expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
  });
});
