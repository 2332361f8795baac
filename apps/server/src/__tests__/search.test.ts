import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { containsPattern, searchTerms, snippetOf } from '../services/search';
import { BACKENDS, createProject, createTestServer, registerUser, type TestServer, type TestUser } from './harness';

interface Hit {
  kind: string;
  id: string;
  local_id: string | null;
  title: string;
  snippet: string;
  project_id: string;
  project_name: string;
  spec_id: string | null;
  archived: boolean;
}
interface Results {
  query: string;
  specs: Hit[];
  requirements: Hit[];
  tickets: Hit[];
}

describe('search helpers', () => {
  it('splits a query into distinct lower-case words', () => {
    expect(searchTerms('  Refund  ORDER refund ')).toEqual(['refund', 'order']);
  });
  it('escapes LIKE wildcards so they match literally', () => {
    expect(containsPattern('50%_off\\')).toBe('%50\\%\\_off\\\\%');
  });
  it('cuts a snippet around the first match', () => {
    const long = `${'x '.repeat(100)}the refund window ${'y '.repeat(100)}`;
    const s = snippetOf([long], ['refund']);
    expect(s).toContain('the refund window');
    expect(s.startsWith('…')).toBe(true);
    expect(s.endsWith('…')).toBe(true);
  });
});

describe.each(BACKENDS)('GET /search on %s', (backend) => {
  let server: TestServer;
  let alice: TestUser;
  let bob: TestUser;
  let project: { id: string };
  let bobProject: { id: string };
  let specId: string;
  let requirementId: string;
  let ticketId: string;

  const as = async <T>(user: TestUser, method: 'POST' | 'DELETE', url: string, payload?: object): Promise<T> => {
    const res = await server.app.inject({ method, url, headers: user.headers, ...(payload ? { payload } : {}) });
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`);
    return (res.body ? res.json<T>() : undefined) as T;
  };
  const find = (user: TestUser | undefined, query: string) =>
    server.app.inject({ method: 'GET', url: `/api/v1/search?${query}`, ...(user ? { headers: user.headers } : {}) });

  beforeAll(async () => {
    server = await createTestServer(backend);
    alice = await registerUser(server.app, 'alice');
    bob = await registerUser(server.app, 'bob');
    project = await createProject(server.app, alice, 'Bookshop');
    bobProject = await createProject(server.app, bob, 'Bob secret project');
    specId = (await as<{ id: string }>(alice, 'POST', '/api/v1/specs', { title: 'Add order refunds', description: 'Customers get money back within 30 days.', project_id: project.id })).id;
    requirementId = (
      await as<{ id: string }>(alice, 'POST', `/api/v1/specs/${specId}/requirements`, {
        title: 'Refund window',
        condition: 'WHEN a customer asks within the grace period',
        action: 'THE SYSTEM SHALL credit the original card',
      })
    ).id;
    ticketId = (await as<{ id: string }>(alice, 'POST', '/api/v1/tickets', { title: 'Refund button missing', description: 'The 50%_off coupon page too', project_id: project.id })).id;
    // Bob's tenant holds the same words: none of it may reach alice, and none of alice's may reach bob.
    const bobSpec = (await as<{ id: string }>(bob, 'POST', '/api/v1/specs', { title: 'Refund policy for bob', description: 'grace period', project_id: bobProject.id })).id;
    await as(bob, 'POST', `/api/v1/specs/${bobSpec}/requirements`, { title: 'Bob refund', action: 'THE SYSTEM SHALL credit the original card' });
    await as(bob, 'POST', '/api/v1/tickets', { title: 'Bob refund ticket', project_id: bobProject.id });
  });
  afterAll(async () => {
    await server.close();
  });

  it('finds a requirement by a word of its text, with its spec and project', async () => {
    const res = await find(alice, 'q=credit');
    expect(res.statusCode).toBe(200);
    const body = res.json<Results>();
    expect(body.requirements).toHaveLength(1);
    expect(body.requirements[0]).toMatchObject({ kind: 'requirement', id: requirementId, title: 'Refund window', spec_id: specId, project_id: project.id, project_name: 'Bookshop', archived: false });
    expect(body.requirements[0]!.snippet).toContain('credit the original card');
    expect(body.specs).toEqual([]);
    expect(body.tickets).toEqual([]);
  });

  it('groups specs, requirements and tickets; any case; every word must match', async () => {
    const body = (await find(alice, 'q=REFUND')).json<Results>();
    expect(body.specs.map((h) => h.id)).toEqual([specId]);
    expect(body.requirements.map((h) => h.id)).toEqual([requirementId]);
    expect(body.tickets.map((h) => h.id)).toEqual([ticketId]);
    expect(body.tickets[0]).toMatchObject({ kind: 'ticket', project_name: 'Bookshop', spec_id: null });
    const both = (await find(alice, `q=${encodeURIComponent('refund grace')}`)).json<Results>();
    expect(both.requirements.map((h) => h.id)).toEqual([requirementId]);
    expect(both.specs).toEqual([]);
    expect(both.tickets).toEqual([]);
  });

  it("never shows another tenant's specs, requirements or tickets", async () => {
    const aliceView = JSON.stringify((await find(alice, 'q=refund')).json<Results>());
    expect(aliceView).not.toContain('bob');
    expect(aliceView).not.toContain(bobProject.id);
    const bobView = (await find(bob, 'q=refund')).json<Results>();
    const ids = [...bobView.specs, ...bobView.requirements, ...bobView.tickets].map((h) => h.project_id);
    expect(ids.length).toBe(3);
    expect(new Set(ids)).toEqual(new Set([bobProject.id]));
    expect(JSON.stringify(bobView)).not.toContain('Bookshop');
  });

  it('a member sees the project once added, and not after removal', async () => {
    const carol = await registerUser(server.app, 'carol');
    expect((await find(carol, 'q=refund')).json<Results>().specs).toEqual([]);
    await as(alice, 'POST', `/api/v1/projects/${project.id}/members`, { email: carol.email });
    expect((await find(carol, 'q=refund')).json<Results>().specs.map((h) => h.id)).toEqual([specId]);
    await as(alice, 'DELETE', `/api/v1/projects/${project.id}/members/${carol.id}`);
    expect((await find(carol, 'q=refund')).json<Results>().specs).toEqual([]);
  });

  it('treats % and _ literally', async () => {
    expect((await find(alice, `q=${encodeURIComponent('50%_off')}`)).json<Results>().tickets.map((h) => h.id)).toEqual([ticketId]);
    const wild = (await find(alice, `q=${encodeURIComponent('%')}`)).json<Results>();
    expect(wild.tickets.map((h) => h.id)).toEqual([ticketId]);
    expect(wild.specs).toEqual([]);
    expect((await find(alice, 'q=_')).json<Results>().tickets.map((h) => h.id)).toEqual([ticketId]);
  });

  it('still finds an archived spec, marked as archived', async () => {
    const archived = (await as<{ id: string }>(alice, 'POST', '/api/v1/specs', { title: 'Old zebra import', project_id: project.id })).id;
    await as(alice, 'DELETE', `/api/v1/specs/${archived}`);
    const body = (await find(alice, 'q=zebra')).json<Results>();
    expect(body.specs).toMatchObject([{ id: archived, archived: true }]);
  });

  it('honours limit per kind, title matches first', async () => {
    for (const title of ['Shipping labels', 'Printing', 'Label printer']) {
      await as(alice, 'POST', '/api/v1/specs', { title, description: title === 'Printing' ? 'prints a label' : '', project_id: project.id });
    }
    const body = (await find(alice, 'q=label&limit=2')).json<Results>();
    expect(body.specs).toHaveLength(2);
    expect(body.specs.map((h) => h.title).sort()).toEqual(['Label printer', 'Shipping labels']);
  });

  it.each([
    ['q missing', '', 'querystring.q'],
    ['q empty', 'q=', 'querystring.q'],
    ['q only spaces', 'q=%20%20', 'querystring.q'],
    ['q over 200 characters', `q=${'a'.repeat(201)}`, 'querystring.q'],
    ['q repeated', 'q=a&q=b', 'querystring.q'],
    ['limit 0', 'q=a&limit=0', 'querystring.limit'],
    ['limit 51', 'q=a&limit=51', 'querystring.limit'],
    ['limit not a number', 'q=a&limit=lots', 'querystring.limit'],
  ])('refuses %s with 422 validation_failed naming the field', async (_name, query, path) => {
    const res = await find(alice, query);
    expect(res.statusCode).toBe(422);
    const body = res.json<{ code: string; detail: string; errors: { path: string }[] }>();
    expect(body.code).toBe('validation_failed');
    expect(body.errors.map((e) => e.path)).toContain(path);
  });

  it('accepts exactly 200 characters, and a NUL is refused before it reaches the database', async () => {
    expect((await find(alice, `q=${'a'.repeat(200)}`)).statusCode).toBe(200);
    const nul = await find(alice, 'q=a%00b');
    expect(nul.statusCode).toBe(422);
    expect(nul.json<{ code: string }>().code).toBe('validation_failed');
  });

  it('a member can change roles only as an owner; the last owner cannot step down', async () => {
    const dave = await registerUser(server.app, 'dave');
    await as(alice, 'POST', `/api/v1/projects/${project.id}/members`, { email: dave.email });
    const patch = (user: TestUser, target: string, payload: object) =>
      server.app.inject({ method: 'PATCH', url: `/api/v1/projects/${project.id}/members/${target}`, headers: user.headers, payload });
    expect((await patch(dave, dave.id, { role: 'owner' })).json<{ code: string }>().code).toBe('forbidden');
    const last = await patch(alice, alice.id, { role: 'member' });
    expect(last.statusCode).toBe(409);
    expect(last.json<{ code: string }>().code).toBe('conflict');
    const bad = await patch(alice, dave.id, { role: 'admin' });
    expect(bad.statusCode).toBe(422);
    expect(bad.json<{ errors: { path: string }[] }>().errors.map((e) => e.path)).toContain('body.role');
    const promoted = await patch(alice, dave.id, { role: 'owner' });
    expect(promoted.statusCode).toBe(200);
    expect(promoted.json()).toMatchObject({ user_id: dave.id, email: dave.email, role: 'owner' });
    // Two owners now: alice may step down, and dave (an owner) may manage members.
    expect((await patch(alice, alice.id, { role: 'member' })).json()).toMatchObject({ role: 'member' });
    expect((await patch(dave, alice.id, { role: 'owner' })).json()).toMatchObject({ role: 'owner' });
    expect((await patch(bob, dave.id, { role: 'member' })).statusCode).toBe(404);
    expect((await patch(alice, bob.id, { role: 'member' })).statusCode).toBe(404);
  });

  it('needs a login', async () => {
    const res = await find(undefined, 'q=refund');
    expect(res.statusCode).toBe(401);
  });
});
