/**
 * GitHub issue 12, the 500 classes of the fuzz run replayed one by one: each now gets a 4xx naming what
 * was wrong, and changes nothing. Plus the one place database errors that still get through are mapped
 * (invalid input 422, unavailable 503 with Retry-After), proven with real database errors.
 */
import { WS_CLOSE } from '@specline/protocol';
import { sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toAppError } from '../http/errors';
import { createNoopProvider } from '../launcher/provider';
import { BACKENDS, createTestServer, registerUser, type TestServer } from './harness';
import { buildTenant, fingerprint, type Tenant } from './hardeningFixtures';
import { openWs } from './streamHarness';

interface ErrorAnswer {
  code: string;
  detail: string;
  errors?: { path: string; message: string; index?: number }[];
}

const WORKER_TOKEN = 'hardening-worker-token-0123456789abcdef';

describe.each(BACKENDS)('hardening: the 500s of issue 12 on %s', (backend) => {
  let server: TestServer;
  const provider = createNoopProvider();
  let t: Tenant;
  let before: Record<string, string>;

  beforeAll(async () => {
    // A worker token, so the worker routes get past their token check and validate their parameters too.
    server = await createTestServer(backend, { provider, listen: true, config: { runner: { mode: 'local', workerToken: WORKER_TOKEN, attempts: 3, queueName: 'specline-hardening' } } });
    t = await buildTenant(server.app, provider.launched);
    before = await fingerprint(server.context.db);
  });
  afterAll(async () => {
    await server.close();
  });

  const sandboxHeaders = () => ({ authorization: `Bearer ${t.sandboxToken}` });
  const headersFor = (path: string) =>
    path.startsWith('/api/v1/workers') ? { authorization: `Bearer ${WORKER_TOKEN}` } : path.startsWith('/api/v1/sandboxes') || path.endsWith('/sync') ? sandboxHeaders() : t.owner.headers;
  /** `payload` as raw JSON text, so lone surrogates and odd numbers reach the server exactly as written. */
  const call = (method: string, url: string, payload?: unknown, headers: Record<string, string> = t.owner.headers) =>
    server.app.inject({
      method: method as 'GET',
      url,
      headers: { ...headers, ...(payload === undefined ? {} : { 'content-type': 'application/json' }) },
      ...(payload === undefined ? {} : { payload: typeof payload === 'string' ? payload : JSON.stringify(payload) }),
    });
  const expect4xx = (res: { statusCode: number; body: string }, what: string, status = 422): ErrorAnswer => {
    expect(res.statusCode, `${what}: ${res.body}`).toBe(status);
    const body = JSON.parse(res.body) as ErrorAnswer;
    expect(body.detail.length, what).toBeGreaterThan(10);
    return body;
  };

  it('%00 in any path parameter, on every route that has one: 422 naming the parameter', async () => {
    const doc = (await call('GET', '/api/v1/openapi.json')).json<{ paths: Record<string, Record<string, unknown>> }>();
    const values: Record<string, string> = {
      id: t.spec,
      project_id: t.project,
      req_id: t.requirement,
      criterion_id: t.criterion,
      task_id: t.task,
      user_id: t.owner.id,
      sandbox_id: t.sandbox,
    };
    let checked = 0;
    for (const [path, ops] of Object.entries(doc.paths)) {
      const params = [...path.matchAll(/\{([a-z_]+)\}/g)].map((m) => m[1]!);
      for (const method of Object.keys(ops)) {
        for (const bad of params) {
          const url = path.replace(/\{([a-z_]+)\}/g, (_, name: string) => (name === bad ? 'a%00b' : encodeURIComponent(values[name] ?? 'x')));
          const res = await call(method.toUpperCase(), url, ['post', 'put', 'patch'].includes(method) ? {} : undefined, headersFor(path));
          const body = expect4xx(res, `${method.toUpperCase()} ${url}`);
          expect(body.code).toBe('validation_failed');
          expect(body.errors?.map((e) => e.path), url).toContain(`params.${bad}`);
          checked++;
        }
      }
    }
    expect(checked).toBeGreaterThan(30);
  });

  it('NUL inside body strings: 422 with the field path, nothing stored', async () => {
    const nul = 'a\u0000b';
    const cases: [string, string, unknown, string, Record<string, string>?][] = [
      ['POST', '/api/v1/auth/register', { email: 'nul@example.test', password: 'correct horse battery', name: nul }, 'body.name', {}],
      ['POST', '/api/v1/projects', { name: nul }, 'body.name'],
      ['POST', '/api/v1/tickets', { title: nul, project_id: t.project }, 'body.title'],
      ['POST', '/api/v1/specs', { title: nul, project_id: t.project }, 'body.title'],
      ['POST', '/api/v1/specs/launch', { title: nul, description: 'd', project_id: t.project }, 'body.title'],
      ['PATCH', `/api/v1/specs/${t.spec}`, { title: nul }, 'body.title'],
      ['POST', `/api/v1/specs/${t.spec}/requirements`, { title: 'r', action: nul }, 'body.action'],
      ['PATCH', `/api/v1/specs/${t.spec}/requirements/${t.requirement}`, { condition: nul }, 'body.condition'],
      ['POST', `/api/v1/specs/${t.spec}/requirements/${t.requirement}/criteria`, { text: nul }, 'body.text'],
      ['POST', `/api/v1/specs/${t.spec}/tasks`, { title: 't', description: nul }, 'body.description'],
      ['PATCH', `/api/v1/specs/${t.spec}/tasks/${t.task}`, { assigned_agent: nul }, 'body.assigned_agent'],
      ['PUT', `/api/v1/specs/${t.spec}/design`, { architecture: 'a', components: [{ id: 'DES-001', name: nul }] }, 'body.components.0.name'],
      ['POST', `/api/v1/specs/${t.runSpec}/sync`, { tickets: [{ local_id: nul, title: 'x' }], tasks: [] }, 'body.tickets.0.local_id', sandboxHeaders()],
      ['POST', '/api/v1/projects', { [`k${nul}`]: 1, name: 'p' }, 'body.ka\\u0000b'],
    ];
    for (const [method, url, payload, path, headers] of cases) {
      const body = expect4xx(await call(method, url, payload, headers ?? t.owner.headers), `${method} ${url}`);
      expect(body.code).toBe('validation_failed');
      expect(body.errors?.map((e) => e.path), `${method} ${url}`).toContain(path);
      expect(body.detail).toMatch(/NUL/);
    }
    expect(await fingerprint(server.context.db)).toEqual(before);
  });

  it('%00 in query parameters: 422 naming the parameter', async () => {
    for (const [url, path] of [
      ['/api/v1/tickets?project_id=%00', 'query.project_id'],
      ['/api/v1/tickets?spec_id=a%00', 'query.spec_id'],
      [`/api/v1/specs/${t.spec}/events?event_types=%00`, 'query.event_types'],
      [`/api/v1/specs/${t.spec}/events?event_types=spec.progress&event_types=x%00`, 'query.event_types.1'],
    ] as const) {
      const body = expect4xx(await call('GET', url), url);
      expect(body.errors?.map((e) => e.path)).toContain(path);
    }
  });

  it('a lone surrogate in a spec title or the design text: 422, nothing stored', async () => {
    for (const [method, url, raw, path] of [
      ['POST', '/api/v1/specs', `{"title":"\\ud800x","project_id":${JSON.stringify(t.project)}}`, 'body.title'],
      ['PATCH', `/api/v1/specs/${t.spec}`, '{"description":"ok \\udc00"}', 'body.description'],
      ['PUT', `/api/v1/specs/${t.spec}/design`, '{"architecture":"\\ud800x","testing_strategy":"fine 😀"}', 'body.architecture'],
    ] as const) {
      const body = expect4xx(await call(method, url, raw), `${method} ${url}`);
      expect(body.errors?.map((e) => e.path)).toEqual([path]);
      expect(body.errors?.[0]?.message).toMatch(/surrogate/);
    }
    // A well-formed pair (an emoji) is fine.
    expect((await call('PATCH', `/api/v1/specs/${t.spec}`, '{"description":"fine 😀 \\ud83d\\ude00"}')).statusCode).toBe(200);
    await call('PATCH', `/api/v1/specs/${t.spec}`, { description: 'd' });
  });

  it('ingest: seq of 2^31, 2^32, 2^53−1 and the timestamp 0000-01-01 are 422 (never a retried 500); nothing stored', async () => {
    const stored = await fingerprint(server.context.db);
    const event = (over: Record<string, unknown>) => ({
      event_id: crypto.randomUUID(),
      seq: 1,
      event_type: 'spec.progress',
      timestamp: '2026-12-01T10:00:00Z',
      spec_id: t.runSpec,
      phase: null,
      data: { message: 'x' },
      ...over,
    });
    for (const [over, path, message] of [
      [{ seq: 2 ** 31 }, 'events[1].seq', /2147483647/],
      [{ seq: 2 ** 32 }, 'events[1].seq', /2147483647/],
      [{ seq: 2 ** 53 - 1 }, 'events[1].seq', /2147483647/],
      [{ timestamp: '0000-01-01T00:00:00Z' }, 'events[1].timestamp', /1970-01-01/],
      [{ timestamp: '+275760-09-13T00:00:00Z' }, 'events[1].timestamp', /./],
      [{ data: { message: 'bad \ud800' } }, 'events[1].data.message', /surrogate/],
    ] as const) {
      const res = await call('POST', `/api/v1/sandboxes/${t.sandbox}/events`, { events: [event({}), event(over)] }, sandboxHeaders());
      const body = expect4xx(res, JSON.stringify(over));
      expect(body.errors?.[0]).toMatchObject({ index: 1, path });
      expect(body.errors?.[0]?.message).toMatch(message);
    }
    // Nesting deep enough to overflow a recursive serialiser: 422, not a stack overflow.
    const deep = `{"events":[${JSON.stringify(event({})).replace('{"message":"x"}', `${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}`)}]}`;
    const nested = expect4xx(await call('POST', `/api/v1/sandboxes/${t.sandbox}/events`, deep, sandboxHeaders()), 'deep nesting');
    expect(nested.detail).toMatch(/nested deeper than 100 levels/);
    expect(await fingerprint(server.context.db)).toEqual(stored);
  });

  it('estimated_hours / actual_hours of 1e-320 (float4 underflow): 422 naming the field', async () => {
    const stored = await fingerprint(server.context.db);
    for (const [method, url, raw, path] of [
      ['POST', `/api/v1/specs/${t.spec}/tasks`, '{"title":"t","estimated_hours":1e-320}', 'body.estimated_hours'],
      ['PATCH', `/api/v1/specs/${t.spec}/tasks/${t.task}`, '{"estimated_hours":1e-320}', 'body.estimated_hours'],
      ['PATCH', `/api/v1/specs/${t.spec}/tasks/${t.task}`, '{"actual_hours":1e-320}', 'body.actual_hours'],
      ['POST', `/api/v1/specs/${t.runSpec}/sync`, '{"tickets":[{"local_id":"TKT-001","title":"x"}],"tasks":[{"local_id":"TSK-001","ticket_local_id":"TKT-001","title":"x","estimated_hours":1e-320}]}', 'body.tasks.0.estimated_hours'],
    ] as const) {
      const body = expect4xx(await call(method, url, raw, url.endsWith('/sync') ? sandboxHeaders() : t.owner.headers), `${method} ${url}`);
      expect(body.errors?.map((e) => e.path)).toContain(path);
    }
    expect(await fingerprint(server.context.db)).toEqual(stored);
  });

  it('WebSocket subscribe with spec_ids ["a\\u0000b"] answers validation_failed (not internal) and the socket stays usable', async () => {
    const ws = await openWs(`${server.baseUrl.replace('http', 'ws')}/api/v1/ws/events?token=${t.owner.token}`);
    ws.send({ v: 1, type: 'subscribe', spec_ids: ['a\u0000b'] });
    await ws.until(() => ws.ofType('error').length >= 1);
    ws.send({ v: 1, type: 'subscribe', spec_ids: ['not an id!', 'a'.repeat(201)] });
    await ws.until(() => ws.ofType('error').length >= 2);
    ws.sendRaw('{"v":1,"type":"subscribe","spec_ids":["\\ud800"]}');
    await ws.until(() => ws.ofType('error').length >= 3);
    ws.send({ v: 1, type: 'subscribe', spec_ids: ['spec-does-not-exist', t.spec] });
    await ws.until(() => ws.ofType('subscribed').length >= 1);
    ws.send({ v: 1, type: 'ping' });
    await ws.until(() => ws.ofType('pong').length >= 1);
    const errors = ws.ofType('error');
    expect(errors.map((e) => e.code)).toEqual(['validation_failed', 'validation_failed', 'validation_failed', 'not_found']);
    expect(errors[0]!.detail).toMatch(/spec_ids\.0: contains a NUL/);
    expect(ws.ofType('subscribed')[0]!.spec_ids).toEqual([t.spec]);
    expect(ws.messages.some((m) => m.type === 'error' && m.code === 'internal')).toBe(false);
    ws.socket.close();
  });

  it('the WebSocket refuses a browser Origin other than the public URL (403 before the upgrade); its own origin and no Origin are fine', async () => {
    const url = `${server.baseUrl.replace('http', 'ws')}/api/v1/ws/events?token=${t.owner.token}`;
    await expect(openWs(url, { origin: 'https://evil.example' })).rejects.toThrow(/403/);
    const own = await openWs(url, { origin: server.baseUrl });
    own.send({ v: 1, type: 'ping' });
    await own.until(() => own.ofType('pong').length === 1);
    own.socket.close();
    const none = await openWs(url);
    none.send({ v: 1, type: 'ping' });
    await none.until(() => none.ofType('pong').length === 1);
    none.socket.close();
    // A plain GET of the WebSocket route is a clear 404, and no session still closes with 4401.
    const plain = (await call('GET', '/api/v1/ws/events')).json<ErrorAnswer>();
    expect(plain.code).toBe('not_found');
    expect(plain.detail).toMatch(/WebSocket endpoint/);
    const anonymous = await openWs(`${server.baseUrl.replace('http', 'ws')}/api/v1/ws/events`);
    await anonymous.until(() => anonymous.closeCode !== undefined);
    expect(anonymous.closeCode).toBe(WS_CLOSE.unauthorized);
  });

  it('an id that cannot exist is 422 (bad characters, too long) or 404, never a database error', async () => {
    expect(expect4xx(await call('GET', `/api/v1/specs/${'x'.repeat(99)}%00`), 'long id').errors?.[0]?.path).toBe('params.id');
    // Past Fastify's path-parameter limit (100 characters) no route matches: 404.
    expect(expect4xx(await call('GET', `/api/v1/specs/${'x'.repeat(201)}`), 'too long', 404).code).toBe('not_found');
    expect(expect4xx(await call('GET', '/api/v1/specs/has%20space'), 'space').code).toBe('validation_failed');
    expect(expect4xx(await call('GET', '/api/v1/projects/project-0000'), 'unknown', 404).code).toBe('not_found');
    expect(expect4xx(await call('GET', '/api/v1/specs/project/%E2%80%AE'), 'bidi').code).toBe('validation_failed');
    // Not UTF-8 at all (a lone surrogate's bytes, %FF): Fastify's own refusal, in the ErrorBody shape.
    for (const url of ['/api/v1/specs/%ED%A0%80x', '/api/v1/projects/%FF/members']) {
      expect(expect4xx(await call('GET', url), url).errors).toEqual([{ path: 'url', message: 'the URL is not valid percent-encoded UTF-8' }]);
    }
  });

  it('database errors that get past the boundary are mapped once: a refused value → 422, never a 500', async () => {
    const error = await server.context.db.execute(sql`select ${'a\u0000b'}::text as v`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).toBeDefined();
    const mapped = toAppError(error);
    expect(mapped?.status).toBe(422);
    expect(mapped?.toBody()).toMatchObject({ code: 'validation_failed' });
    expect(JSON.stringify(mapped?.toBody())).not.toContain('a\u0000b');
    const range = await server.context.db.execute(sql`select ${String(2 ** 40)}::int as v`).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(toAppError(range)?.toBody().code).toBe('validation_failed');
    expect(toAppError(range)?.message).toMatch(/out of range/);
  });
});

describe.each(BACKENDS)('an unavailable database on %s', (backend) => {
  it('answers 503 unavailable with Retry-After, not 500', async () => {
    const server = await createTestServer(backend);
    try {
      const user = await registerUser(server.app, 'down');
      await server.context.database.close();
      for (const [method, url, payload] of [
        ['GET', '/api/v1/projects', undefined],
        ['POST', '/api/v1/auth/login', { email: user.email, password: 'correct horse battery' }],
      ] as const) {
        const res = await server.app.inject({ method, url, headers: user.headers, ...(payload ? { payload } : {}) });
        expect(res.statusCode, `${method} ${url}: ${res.body}`).toBe(503);
        expect(res.json()).toMatchObject({ code: 'unavailable' });
        expect(Number(res.headers['retry-after'])).toBeGreaterThan(0);
      }
    } finally {
      await server.close().catch(() => undefined);
    }
  });
});
