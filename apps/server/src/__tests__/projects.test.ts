import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectMembers, projects } from '../store/schema';
import { BACKENDS, createProject, createTestServer, registerUser, type TestServer, type TestUser } from './harness';

describe.each(BACKENDS)('project routes on %s', (backend) => {
  let server: TestServer;
  let owner: TestUser;
  let other: TestUser;
  let stranger: TestUser;
  beforeAll(async () => {
    server = await createTestServer(backend);
    owner = await registerUser(server.app, 'owner');
    other = await registerUser(server.app, 'other');
    stranger = await registerUser(server.app, 'stranger');
  });
  afterAll(async () => {
    await server.close();
  });

  const req = (method: 'GET' | 'POST' | 'DELETE', url: string, user: TestUser | undefined, payload?: object) =>
    server.app.inject({ method, url, ...(user ? { headers: user.headers } : {}), ...(payload ? { payload } : {}) });
  const counts = async () => ({ projects: (await server.context.db.select().from(projects)).length, members: (await server.context.db.select().from(projectMembers)).length });

  it('creates a project owned by the caller and lists only my projects, paginated', async () => {
    const res = await req('POST', '/api/v1/projects', owner, { name: '  Alpha  ' });
    expect(res.statusCode).toBe(201);
    const alpha = res.json<{ id: string; name: string; role: string; created_by: string }>();
    expect(alpha).toMatchObject({ name: 'Alpha', role: 'owner', created_by: owner.id });
    await createProject(server.app, owner, 'Beta');
    await createProject(server.app, owner, 'Gamma');
    await createProject(server.app, stranger, 'Stranger things');

    const page1 = (await req('GET', '/api/v1/projects?limit=2', owner)).json<{ projects: { name: string }[]; total: number; has_more: boolean }>();
    expect(page1.total).toBe(3);
    expect(page1.has_more).toBe(true);
    expect(page1.projects).toHaveLength(2);
    const page2 = (await req('GET', '/api/v1/projects?limit=2&offset=2', owner)).json<{ projects: { name: string }[]; has_more: boolean }>();
    expect(page2.has_more).toBe(false);
    expect([...page1.projects, ...page2.projects].map((p) => p.name).sort()).toEqual(['Alpha', 'Beta', 'Gamma']);

    const got = await req('GET', `/api/v1/projects/${alpha.id}`, owner);
    expect(got.statusCode).toBe(200);
    expect(got.json()).toEqual(alpha);
  });

  it('rejects a bad body or query with 422 and paths, creating nothing', async () => {
    const before = await counts();
    const bad = await req('POST', '/api/v1/projects', owner, { name: '   ' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe('body.name');
    const badQuery = await req('GET', '/api/v1/projects?limit=0', owner);
    expect(badQuery.statusCode).toBe(422);
    expect(badQuery.json<{ errors: { path: string }[] }>().errors[0]?.path).toBe('querystring.limit');
    expect(await counts()).toEqual(before);
  });

  it('manages members: owner adds by email (any case), members list, member cannot add, owner removes', async () => {
    const p = await createProject(server.app, owner, 'Team');
    const added = await req('POST', `/api/v1/projects/${p.id}/members`, owner, { email: other.email.toUpperCase() });
    expect(added.statusCode).toBe(201);
    expect(added.json()).toMatchObject({ user_id: other.id, email: other.email, role: 'member' });

    const asMember = await req('GET', `/api/v1/projects/${p.id}`, other);
    expect(asMember.json()).toMatchObject({ id: p.id, role: 'member' });
    const list = await req('GET', `/api/v1/projects/${p.id}/members`, other);
    expect(list.json<{ members: { user_id: string; role: string }[] }>().members.map((m) => [m.user_id, m.role])).toEqual([
      [owner.id, 'owner'],
      [other.id, 'member'],
    ]);

    const byMember = await req('POST', `/api/v1/projects/${p.id}/members`, other, { email: stranger.email });
    expect(byMember.statusCode).toBe(403);
    expect(byMember.json()).toMatchObject({ code: 'forbidden' });
    const removeByMember = await req('DELETE', `/api/v1/projects/${p.id}/members/${owner.id}`, other);
    expect(removeByMember.statusCode).toBe(403);

    const again = await req('POST', `/api/v1/projects/${p.id}/members`, owner, { email: other.email });
    expect(again.statusCode).toBe(409);
    const unknown = await req('POST', `/api/v1/projects/${p.id}/members`, owner, { email: 'nobody@example.test' });
    expect(unknown.statusCode).toBe(422);
    expect(unknown.json()).toMatchObject({ code: 'validation_failed', errors: [{ path: 'body.email' }] });

    const lastOwner = await req('DELETE', `/api/v1/projects/${p.id}/members/${owner.id}`, owner);
    expect(lastOwner.statusCode).toBe(409);
    const removed = await req('DELETE', `/api/v1/projects/${p.id}/members/${other.id}`, owner);
    expect(removed.statusCode).toBe(204);
    expect((await req('GET', `/api/v1/projects/${p.id}`, other)).statusCode).toBe(404);
    expect((await req('DELETE', `/api/v1/projects/${p.id}/members/${other.id}`, owner)).statusCode).toBe(404);
  });

  it('hides a project from strangers (404) and anonymous callers (401)', async () => {
    const p = await createProject(server.app, owner, 'Private');
    for (const [method, url, body] of [
      ['GET', `/api/v1/projects/${p.id}`],
      ['GET', `/api/v1/projects/${p.id}/members`],
      ['POST', `/api/v1/projects/${p.id}/members`, { email: stranger.email }],
      ['DELETE', `/api/v1/projects/${p.id}/members/${owner.id}`],
    ] as const) {
      const asStranger = await req(method, url, stranger, body);
      expect(asStranger.statusCode, `${method} ${url}`).toBe(404);
      expect(asStranger.body).not.toContain('Private');
      expect((await req(method, url, undefined, body)).statusCode).toBe(401);
    }
    expect((await req('GET', '/api/v1/projects', undefined)).statusCode).toBe(401);
    const mine = (await req('GET', '/api/v1/projects', stranger)).json<{ projects: { name: string }[] }>();
    expect(mine.projects.map((x) => x.name)).not.toContain('Private');
  });
});
