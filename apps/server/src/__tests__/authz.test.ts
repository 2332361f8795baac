/**
 * Walks EVERY route of the app through the table in `authzTable.ts`: anonymous → 401; a logged-in
 * stranger → 404 (owner actions: 404, and 403 for a plain member); a sandbox token on user routes → 401;
 * on sandbox routes, another sandbox's token → 403 and a user session → 401. No refused request changes
 * alice's tenant, and no answer to anyone else contains her data.
 */
import { WS_CLOSE } from '@specline/protocol';
import type { WebSocket } from 'ws';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildFixtures, progressEvent, publicByRule, registeredRoutes, TABLE, tenantSnapshot, type Fixtures, type Row } from './authzTable';
import { BACKENDS, createTestServer, type TestServer } from './harness';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

describe.each(BACKENDS)('authorization of every route on %s', (backend) => {
  let server: TestServer;
  let f: Fixtures;
  let before: unknown;
  beforeAll(async () => {
    server = await createTestServer(backend);
    f = await buildFixtures(server.app, server.context.db);
    before = await tenantSnapshot(server.context.db, f);
  });
  afterAll(async () => {
    await server.close();
  });

  const rows = () =>
    Object.entries(TABLE).flatMap(([key, row]) => {
      const [method, path] = key.split(' ') as [Method, string];
      return row.url ? [{ key, method, path, row, url: row.url(f), body: row.body?.(f) }] : [];
    });
  const rowsOf = (...access: Row['access'][]) => rows().filter((r) => access.includes(r.row.access));
  const send = (method: Method, url: string, headers: Record<string, string>, body?: object) =>
    server.app.inject({ method, url, headers, ...(body ? { payload: body } : {}) });
  const expectNoLeak = (body: string, what: string) => {
    for (const marker of f.markers) expect(body.includes(marker), `${what} leaked ${marker}`).toBe(false);
  };

  it('has a table row for every registered route (a new route without one fails here)', () => {
    const registered = registeredRoutes(server.app);
    expect(registered).toContain('POST /api/v1/tickets');
    expect(registered).toContain('DELETE /api/v1/specs/:id/tasks/:task_id');
    const missing = registered.filter((key) => !(key in TABLE) && !publicByRule(key.split(' ')[1]!));
    expect(missing, 'routes without an authz table row').toEqual([]);
    const stale = Object.keys(TABLE).filter((key) => !registered.includes(key));
    expect(stale, 'table rows for routes that do not exist').toEqual([]);
  });

  it('documents every table route (but the WebSocket) in the OpenAPI document, with tags', async () => {
    const doc = (await send('GET', '/api/v1/openapi.json', {})).json<{ paths: Record<string, Record<string, { tags?: string[] }>> }>();
    for (const [key, row] of Object.entries(TABLE)) {
      const [method, path] = key.split(' ') as [string, string];
      if (row.access === 'websocket' || path === '/api/v1/openapi.json') continue;
      const op = doc.paths[path.replace(/:([a-z_]+)/g, '{$1}')]?.[method.toLowerCase()];
      expect(op, `${key} in openapi.json`).toBeDefined();
      expect(op?.tags?.length, `${key} tags`).toBeGreaterThan(0);
    }
  });

  it('anonymous callers get 401 unauthorized on every non-public route', async () => {
    for (const r of rowsOf('user', 'member', 'owner', 'sandbox')) {
      const res = await send(r.method, r.url, {}, r.body);
      expect(res.statusCode, r.key).toBe(401);
      expect(res.json<{ code: string }>().code, r.key).toMatch(/^(unauthorized|token_revoked)$/);
      expectNoLeak(res.body, r.key);
    }
  });

  it('a logged-in stranger gets 404 on member and owner routes, and only their own data elsewhere', async () => {
    for (const r of rowsOf('member', 'owner')) {
      const res = await send(r.method, r.url, f.bob.headers, r.body);
      expect(res.statusCode, r.key).toBe(404);
      expect(res.json<{ code: string }>().code, r.key).toBe('not_found');
      expectNoLeak(res.body, r.key);
    }
    for (const r of rowsOf('user')) {
      const res = await send(r.method, r.url, f.bob.headers, r.body);
      expect(res.statusCode, r.key).toBeLessThan(300);
      expectNoLeak(res.body, r.key);
    }
    // The last user row was logout, which ended bob's session: his token is dead now; log him in again.
    expect((await send('GET', '/api/v1/auth/me', f.bob.headers)).statusCode).toBe(401);
    const login = await send('POST', '/api/v1/auth/login', {}, { email: f.bob.email, password: 'correct horse battery' });
    const token = login.json<{ access_token: string }>().access_token;
    f.bob = { ...f.bob, token, headers: { authorization: `Bearer ${token}` } };
    const bobsTickets = await send('GET', `/api/v1/tickets?project_id=${f.project}`, f.bob.headers);
    expect(bobsTickets.json()).toMatchObject({ tickets: [], total: 0 });
  });

  it('a plain member gets 403 forbidden on owner-only routes', async () => {
    for (const r of rowsOf('owner')) {
      const res = await send(r.method, r.url, f.mallory.headers, r.body);
      expect(res.statusCode, r.key).toBe(403);
      expect(res.json<{ code: string }>().code, r.key).toBe('forbidden');
    }
  });

  it('a sandbox token (even of this very spec) is not a user session: 401 on every user route', async () => {
    const headers = { authorization: `Bearer ${f.sandboxA.token}` };
    for (const r of rowsOf('user', 'member', 'owner')) {
      const res = await send(r.method, r.url, headers, r.body);
      expect(res.statusCode, r.key).toBe(401);
      expectNoLeak(res.body, r.key);
    }
  });

  it('sandbox routes: a user session is 401; the token of sandbox B used on sandbox/spec A is 403', async () => {
    const tokenB = { authorization: `Bearer ${f.sandboxB.token}` };
    for (const r of rowsOf('sandbox')) {
      for (const user of [f.alice, f.bob]) {
        const res = await send(r.method, r.url, user.headers, r.body);
        expect(res.statusCode, `${r.key} with a user session`).toBe(401);
      }
      const res = await send(r.method, r.url, tokenB, r.body);
      expect(res.statusCode, `${r.key} with sandbox B's token`).toBe(403);
      expectNoLeak(res.body, r.key);
    }
    // B's token on its own sandbox path, naming spec A in the body: refused, nothing stored for A.
    const smuggled = await send('POST', `/api/v1/sandboxes/${f.sandboxB.id}/events`, tokenB, progressEvent(f.spec, 'smuggled'));
    expect(smuggled.statusCode).toBe(403);
    expect(smuggled.json()).toMatchObject({ code: 'spec_mismatch' });
  });

  it('worker routes: only the worker token — anonymous, user sessions and sandbox tokens are 401, and nothing leaks', async () => {
    expect(rowsOf('worker').length).toBe(4);
    for (const r of rowsOf('worker')) {
      for (const headers of [{}, f.alice.headers, f.bob.headers, { authorization: `Bearer ${f.sandboxA.token}` }]) {
        const res = await send(r.method, r.url, headers, r.body);
        expect(res.statusCode, r.key).toBe(401);
        expect(res.json<{ code: string }>().code, r.key).toBe('unauthorized');
        expectNoLeak(res.body, r.key);
      }
    }
  });

  it('websocket: no session → closed 4401; a stranger subscribing to alice’s spec gets not_found and none of its events', async () => {
    const closed = await new Promise<number>((resolve, reject) => {
      server.app.injectWS('/api/v1/ws/events', {}, { onInit: (ws) => ws.on('close', (code) => resolve(code)) }).catch(reject);
    });
    expect(closed).toBe(WS_CLOSE.unauthorized);

    const ws: WebSocket = await server.app.injectWS(`/api/v1/ws/events?token=${f.bob.token}`);
    const messages: string[] = [];
    const answered = new Promise<void>((resolve) =>
      ws.on('message', (data: Buffer) => {
        messages.push(data.toString());
        if (messages.some((m) => m.includes('"error"') || m.includes('"subscribed"'))) resolve();
      }),
    );
    ws.send(JSON.stringify({ v: 1, type: 'subscribe', spec_ids: [f.spec], after: 0 }));
    await answered;
    ws.send(JSON.stringify({ v: 1, type: 'ping' }));
    await new Promise<void>((resolve) => ws.on('message', (data: Buffer) => data.toString().includes('pong') && resolve()));
    ws.close();
    const parsed = messages.map((m) => JSON.parse(m) as { type: string; code?: string });
    expect(parsed.some((m) => m.type === 'error' && m.code === 'not_found')).toBe(true);
    expect(parsed.filter((m) => m.type === 'event' || m.type === 'subscribed')).toEqual([]);
    for (const m of messages) expectNoLeak(m, 'websocket');
  });

  it('none of the refused requests changed alice’s tenant', async () => {
    expect(await tenantSnapshot(server.context.db, f)).toEqual(before);
  });
});
