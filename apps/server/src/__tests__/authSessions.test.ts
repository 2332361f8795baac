/**
 * Sessions, login limits and password policy (issue 12): logout revokes the token server-side;
 * `POST /auth/refresh` trades the refresh cookie for a new short-lived access token and rotates it (a
 * replay outside the grace period ends the session); cookies are Secure when the public URL is https;
 * login is limited per account with backoff, for every client address and every server sharing the
 * counters; common passwords and the account's own email are refused.
 */
import { randomUUID } from 'node:crypto';
import { eq } from 'drizzle-orm';
import type { InjectOptions, LightMyRequestResponse } from 'fastify';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createMemoryLimitStore, createRedisLimitStore, type LimitStore } from '../limits/limitStore';
import { RATE_LIMITS, loginBackoffMs } from '../http/rateLimits';
import { sessions, users } from '../store/schema';
import { BACKENDS, TEST_REDIS_URL, createTestServer, registerUser, type TestServer } from './harness';

const PASSWORD = 'correct horse battery';

function cookie(res: LightMyRequestResponse, name: string) {
  return res.cookies.find((c) => c.name === name);
}

describe.each(BACKENDS)('sessions on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer(backend, { config: { sessions: { accessTtlSeconds: 120, refreshTtlSeconds: 3600 } } });
  });
  afterAll(async () => {
    await server.close();
  });

  const inject = (options: InjectOptions) => server.app.inject(options);
  const login = async (email: string, remoteAddress = '10.1.0.1') =>
    inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress, payload: { email, password: PASSWORD } });

  it('login answers a short-lived access token and sets the refresh cookie (httpOnly, SameSite=Strict, only for /api/v1/auth)', async () => {
    const u = await registerUser(server.app, 'short');
    const res = await login(u.email);
    expect(res.statusCode).toBe(200);
    expect(res.json()).toMatchObject({ token_type: 'bearer', expires_in: 120 });
    expect(res.headers['cache-control']).toBe('no-store');
    expect(cookie(res, 'specline_session')).toMatchObject({ httpOnly: true, sameSite: 'Lax', path: '/', maxAge: 120 });
    expect(cookie(res, 'specline_refresh')).toMatchObject({ httpOnly: true, sameSite: 'Strict', path: '/api/v1/auth', maxAge: 3600 });
    expect(cookie(res, 'specline_refresh')?.value).toMatch(/^rt_/);
  });

  it('after logout the same Bearer token and cookie get 401, and the refresh cookie is dead too', async () => {
    const u = await registerUser(server.app, 'bye');
    const res = await login(u.email);
    const access = res.json<{ access_token: string }>().access_token;
    const refresh = cookie(res, 'specline_refresh')!.value;
    expect((await inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${access}` } })).statusCode).toBe(200);
    const out = await inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${access}` } });
    expect(out.statusCode).toBe(204);
    expect(cookie(out, 'specline_session')?.value).toBe('');
    expect(cookie(out, 'specline_refresh')).toMatchObject({ value: '', path: '/api/v1/auth' });
    const me = await inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${access}` } });
    expect(me.statusCode).toBe(401);
    expect(me.json()).toMatchObject({ code: 'unauthorized' });
    expect((await inject({ method: 'GET', url: '/api/v1/projects', cookies: { specline_session: access } })).statusCode).toBe(401);
    expect((await inject({ method: 'POST', url: '/api/v1/auth/refresh', cookies: { specline_refresh: refresh } })).statusCode).toBe(401);
    // The other session of the same user (the registration's) is untouched.
    expect((await inject({ method: 'GET', url: '/api/v1/auth/me', headers: u.headers })).statusCode).toBe(200);
    // Logging out again: nothing live to end.
    expect((await inject({ method: 'POST', url: '/api/v1/auth/logout', headers: { authorization: `Bearer ${access}` } })).statusCode).toBe(401);
  });

  it('logout with only the refresh cookie (the access token expired) ends the session', async () => {
    const u = await registerUser(server.app, 'expired');
    const res = await login(u.email);
    const access = res.json<{ access_token: string }>().access_token;
    const out = await inject({ method: 'POST', url: '/api/v1/auth/logout', cookies: { specline_refresh: cookie(res, 'specline_refresh')!.value } });
    expect(out.statusCode).toBe(204);
    expect((await inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${access}` } })).statusCode).toBe(401);
  });

  it('POST /auth/refresh: a new access token and a rotated refresh cookie; the old refresh token within the grace gets an access token only', async () => {
    const u = await registerUser(server.app, 'refresh');
    const first = await login(u.email);
    const r1 = cookie(first, 'specline_refresh')!.value;
    const res = await inject({ method: 'POST', url: '/api/v1/auth/refresh', cookies: { specline_refresh: r1 } });
    expect(res.statusCode).toBe(200);
    const body = res.json<{ access_token: string; expires_in: number; user: { id: string } }>();
    expect(body).toMatchObject({ expires_in: 120, user: { id: u.id } });
    expect(cookie(res, 'specline_session')?.value).toBe(body.access_token);
    const r2 = cookie(res, 'specline_refresh')!.value;
    expect(r2).not.toBe(r1);
    expect((await inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${body.access_token}` } })).statusCode).toBe(200);
    // A second tab that still held r1 (it raced the first): an access token, no new refresh cookie.
    const late = await inject({ method: 'POST', url: '/api/v1/auth/refresh', cookies: { specline_refresh: r1 } });
    expect(late.statusCode).toBe(200);
    expect(cookie(late, 'specline_refresh')).toBeUndefined();
    // r2 keeps working.
    expect((await inject({ method: 'POST', url: '/api/v1/auth/refresh', cookies: { specline_refresh: r2 } })).statusCode).toBe(200);
  });

  it('a refresh token replayed after the grace period ends its session (theft detection)', async () => {
    const u = await registerUser(server.app, 'replay');
    const first = await login(u.email);
    const r1 = cookie(first, 'specline_refresh')!.value;
    const rotated = await inject({ method: 'POST', url: '/api/v1/auth/refresh', cookies: { specline_refresh: r1 } });
    const access = rotated.json<{ access_token: string }>().access_token;
    const r2 = cookie(rotated, 'specline_refresh')!.value;
    // The rotation happened a minute ago (the grace is 30 s).
    const sessionId = first.json<{ access_token: string }>().access_token.split('.')[1]!;
    const sid = (JSON.parse(Buffer.from(sessionId, 'base64url').toString('utf8')) as { sid: string }).sid;
    await server.context.db.update(sessions).set({ rotatedAt: new Date(Date.now() - 60_000) }).where(eq(sessions.id, sid));
    const replay = await inject({ method: 'POST', url: '/api/v1/auth/refresh', cookies: { specline_refresh: r1 } });
    expect(replay.statusCode).toBe(401);
    expect(replay.json<{ detail: string }>().detail).toMatch(/already used/);
    expect((await inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${access}` } })).statusCode).toBe(401);
    expect((await inject({ method: 'POST', url: '/api/v1/auth/refresh', cookies: { specline_refresh: r2 } })).statusCode).toBe(401);
  });

  it('refresh without a cookie, or with a made-up one, is 401 and changes nothing', async () => {
    const count = async () => (await server.context.db.select().from(sessions)).length;
    const before = await count();
    for (const cookies of [{}, { specline_refresh: 'rt_made-up' }, { specline_refresh: '' }] as Record<string, string>[]) {
      const res = await inject({ method: 'POST', url: '/api/v1/auth/refresh', cookies });
      expect(res.statusCode).toBe(401);
      expect(res.json()).toMatchObject({ code: 'unauthorized' });
    }
    expect(await count()).toBe(before);
  });

  it('refuses the common passwords and the account’s own email with 422 on body.password; stores nothing', async () => {
    const before = (await server.context.db.select().from(users)).length;
    for (const [password, email] of [
      ['12345678', `a-${randomUUID()}@example.test`],
      ['password', `b-${randomUUID()}@example.test`],
      ['Password1', `c-${randomUUID()}@example.test`],
      ['iloveyou', `d-${randomUUID()}@example.test`],
      ['ada.lovelace@example.test', 'Ada.Lovelace@example.test'],
      ['ada.lovelace', 'ada.lovelace@example.test'],
    ] as const) {
      const res = await inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email, password, name: 'N' } });
      expect(res.statusCode, password).toBe(422);
      const body = res.json<{ code: string; errors: { path: string; message: string }[] }>();
      expect(body.code).toBe('validation_failed');
      expect(body.errors.map((e) => e.path)).toEqual(['body.password']);
    }
    expect((await server.context.db.select().from(users)).length).toBe(before);
  });
});

describe.each(BACKENDS)('login limits on %s', (backend) => {
  let a: TestServer;
  let b: TestServer;
  let shared: LimitStore[];
  beforeAll(async () => {
    // Two servers sharing their counters: in Redis on the postgres backend (two connections, as two processes would), one store in memory otherwise.
    const prefix = `specline-test-limits-${randomUUID()}:`;
    shared = backend === 'postgres' ? [await createRedisLimitStore({ url: TEST_REDIS_URL, prefix }), await createRedisLimitStore({ url: TEST_REDIS_URL, prefix })] : [createMemoryLimitStore()];
    a = await createTestServer(backend, { limits: shared[0]! });
    b = await createTestServer(backend, { limits: shared[1] ?? shared[0]!, config: {} });
  });
  afterAll(async () => {
    await a.close();
    await b.close();
    for (const s of shared) await s.close();
  });

  it('blocks an account after 5 failures, from any address and on every server, with Retry-After; the right password waits too; other accounts are unaffected', async () => {
    // b's database is its own: the same account exists on both (as on two servers over one database).
    const victim = await registerUser(a.app, 'victim');
    await b.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: victim.email, password: PASSWORD, name: 'victim' } });
    const other = await registerUser(a.app, 'other');
    const attempt = (server: TestServer, email: string, password: string, remoteAddress: string) =>
      server.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress, payload: { email, password } });
    const codes: number[] = [];
    // 5 wrong passwords from 5 addresses, alternating servers: the per-IP limit (10) is never reached.
    for (let i = 0; i < RATE_LIMITS.loginAccount.freeFailures; i++) codes.push((await attempt(i % 2 ? b : a, victim.email, `wrong-${i}`, `10.2.0.${i}`)).statusCode);
    expect(codes).toEqual([401, 401, 401, 401, 401]);
    for (const server of [a, b]) {
      const blocked = await attempt(server, victim.email.toUpperCase(), PASSWORD, '10.2.1.1');
      expect(blocked.statusCode).toBe(429);
      expect(blocked.json()).toMatchObject({ code: 'rate_limited' });
      expect(Number(blocked.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    }
    expect((await attempt(a, other.email, PASSWORD, '10.2.0.1')).statusCode).toBe(200);
  });

  it('backs off exponentially: 1 s after the 5th failure, doubling, at most 15 min', () => {
    expect([4, 5, 6, 7, 10, 40].map(loginBackoffMs)).toEqual([0, 1000, 2000, 4000, 32_000, 15 * 60_000]);
  });

  it('the per-IP login limit is shared by the servers too', async () => {
    const ip = '10.3.0.1';
    const codes: number[] = [];
    for (let i = 0; i < 11; i++) {
      const server = i % 2 ? b : a;
      codes.push((await server.app.inject({ method: 'POST', url: '/api/v1/auth/login', remoteAddress: ip, payload: { email: `n${i}-${randomUUID()}@example.test`, password: 'whatever' } })).statusCode);
    }
    expect(codes.slice(0, 10).every((c) => c === 401)).toBe(true);
    expect(codes[10]).toBe(429);
  });
});

describe.each(BACKENDS)('Secure cookies on %s', (backend) => {
  it('are Secure whenever the public URL is https (and HSTS is sent), without COOKIE_SECURE', async () => {
    const server = await createTestServer(backend, { config: { publicUrl: 'https://specline.example', cookieSecure: false } });
    try {
      const res = await server.app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: `s-${randomUUID()}@example.test`, password: PASSWORD, name: 'S' } });
      expect(res.statusCode).toBe(201);
      expect(cookie(res, 'specline_session')?.secure).toBe(true);
      expect(cookie(res, 'specline_refresh')?.secure).toBe(true);
      expect(res.headers['strict-transport-security']).toMatch(/max-age=31536000/);
      expect(res.headers['content-security-policy']).toMatch(/upgrade-insecure-requests/);
    } finally {
      await server.close();
    }
  });
});
