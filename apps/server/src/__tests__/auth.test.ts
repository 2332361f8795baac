import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_EMAIL, DEMO_PASSWORD, ensureDemoUser } from '../services/demo';
import { projectMembers, users } from '../store/schema';
import { BACKENDS, createTestServer, registerUser, type TestServer } from './harness';

describe.each(BACKENDS)('auth routes on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer(backend);
  });
  afterAll(async () => {
    await server.close();
  });

  const post = (url: string, payload: unknown, headers: Record<string, string> = {}) => server.app.inject({ method: 'POST', url, payload: payload as object, headers });
  const userCount = async () => (await server.context.db.select().from(users)).length;

  it('registers: 201, a LoginResponse, an httpOnly SameSite=Lax session cookie that works for /me', async () => {
    const res = await post('/api/v1/auth/register', { email: 'Ada@Example.test', password: 'correct horse battery', name: 'Ada' });
    expect(res.statusCode).toBe(201);
    const body = res.json<{ access_token: string; token_type: string; expires_in: number; user: { id: string; email: string; name: string } }>();
    expect(body.token_type).toBe('bearer');
    expect(body.expires_in).toBeGreaterThan(0);
    expect(body.user).toMatchObject({ email: 'ada@example.test', name: 'Ada' });
    const cookie = res.cookies.find((c) => c.name === 'specline_session');
    expect(cookie).toMatchObject({ value: body.access_token, httpOnly: true, sameSite: 'Lax', path: '/' });
    expect(cookie?.secure).toBeFalsy();

    const me = await server.app.inject({ method: 'GET', url: '/api/v1/auth/me', cookies: { specline_session: body.access_token } });
    expect(me.statusCode).toBe(200);
    expect(me.json()).toMatchObject({ id: body.user.id, email: 'ada@example.test', name: 'Ada' });
    const row = await server.context.db.select().from(users).where(eq(users.id, body.user.id));
    expect(row[0]?.passwordHash).toMatch(/^scrypt\$/);
    expect(row[0]?.passwordHash).not.toContain('correct horse');
  });

  it('refuses a duplicate email in any case with 409 email_taken and creates nothing', async () => {
    await registerUser(server.app, 'dup').then(async (u) => {
      const before = await userCount();
      const res = await post('/api/v1/auth/register', { email: u.email.toUpperCase(), password: 'another password', name: 'Dup' });
      expect(res.statusCode).toBe(409);
      expect(res.json()).toMatchObject({ code: 'email_taken' });
      expect(await userCount()).toBe(before);
    });
  });

  it('answers 422 with paths for a bad registration and stores nothing', async () => {
    const before = await userCount();
    const res = await post('/api/v1/auth/register', { email: 'not-an-email', password: 'short', name: '' });
    expect(res.statusCode).toBe(422);
    const body = res.json<{ code: string; errors: { path: string }[] }>();
    expect(body.code).toBe('validation_failed');
    expect(body.errors.map((e) => e.path).sort()).toEqual(['body.email', 'body.name', 'body.password']);
    expect(await userCount()).toBe(before);
  });

  it('logs in case-insensitively; a wrong password and an unknown email get the same 401', async () => {
    const u = await registerUser(server.app, 'login');
    const ok = await post('/api/v1/auth/login', { email: u.email.toUpperCase(), password: 'correct horse battery' });
    expect(ok.statusCode).toBe(200);
    expect(ok.json<{ user: { id: string } }>().user.id).toBe(u.id);
    expect(ok.cookies.some((c) => c.name === 'specline_session' && c.httpOnly)).toBe(true);

    const wrong = await post('/api/v1/auth/login', { email: u.email, password: 'wrong password!' });
    const unknown = await post('/api/v1/auth/login', { email: 'nobody@example.test', password: 'wrong password!' });
    expect(wrong.statusCode).toBe(401);
    expect(unknown.statusCode).toBe(401);
    expect(wrong.json()).toEqual(unknown.json());
    expect(wrong.json()).toMatchObject({ code: 'invalid_credentials' });
  });

  it('rate limits login per client: the 11th attempt within a minute is 429 rate_limited, other clients unaffected', async () => {
    // A different account each time: the per-account backoff (authSessions.test.ts) is not what this measures.
    let n = 0;
    const attempt = (remoteAddress: string) =>
      server.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress, payload: { email: `x${++n}@example.test`, password: 'whatever1' } });
    const codes: number[] = [];
    for (let i = 0; i < 11; i++) codes.push((await attempt('10.9.9.9')).statusCode);
    expect(codes.slice(0, 10)).toEqual(Array.from({ length: 10 }, () => 401));
    expect(codes[10]).toBe(429);
    expect((await attempt('10.9.9.9')).json()).toMatchObject({ code: 'rate_limited' });
    expect((await attempt('10.9.9.10')).statusCode).toBe(401);
  });

  it('logs out: 204 and the cookie is cleared', async () => {
    const u = await registerUser(server.app, 'logout');
    const res = await server.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers: u.headers });
    expect(res.statusCode).toBe(204);
    const cleared = res.cookies.find((c) => c.name === 'specline_session');
    expect(cleared?.value).toBe('');
    expect(cleared?.expires?.getTime() ?? 0).toBeLessThan(Date.now());
  });

  it('me and logout need a session: 401 unauthorized, also for a garbage token', async () => {
    for (const headers of [{}, { authorization: 'Bearer not-a-jwt' }]) {
      const me = await server.app.inject({ method: 'GET', url: '/api/v1/auth/me', headers });
      expect(me.statusCode).toBe(401);
      expect(me.json()).toMatchObject({ code: 'unauthorized' });
      const out = await server.app.inject({ method: 'POST', url: '/api/v1/auth/logout', headers });
      expect(out.statusCode).toBe(401);
    }
  });

  it('ensureDemoUser creates the demo login and its project once; the demo login works', async () => {
    const first = await ensureDemoUser(server.context.db);
    const second = await ensureDemoUser(server.context.db);
    expect(first.created).toBe(true);
    expect(second.created).toBe(false);
    expect(second.user.id).toBe(first.user.id);
    expect(second.project.id).toBe(first.project.id);
    const memberships = await server.context.db.select().from(projectMembers).where(eq(projectMembers.userId, first.user.id));
    expect(memberships).toEqual([expect.objectContaining({ projectId: first.project.id, role: 'owner' })]);
    const login = await post('/api/v1/auth/login', { email: DEMO_EMAIL, password: DEMO_PASSWORD }, {});
    expect(login.statusCode).toBe(200);
    const projects = await server.app.inject({ method: 'GET', url: '/api/v1/projects', headers: { authorization: `Bearer ${login.json<{ access_token: string }>().access_token}` } });
    expect(projects.json()).toMatchObject({ total: 1, projects: [{ name: 'Demo project', role: 'owner' }] });
  });

  it('sets the Secure flag when the config says so', async () => {
    const secure = await createTestServer(backend, { config: { cookieSecure: true } });
    try {
      const res = await secure.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: 'sec@example.test', password: 'correct horse battery', name: 'S' } });
      expect(res.cookies.find((c) => c.name === 'specline_session')?.secure).toBe(true);
    } finally {
      await secure.close();
    }
  });
});
