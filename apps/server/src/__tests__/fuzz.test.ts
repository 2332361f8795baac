/**
 * The fuzz suite of issue 12: generated from the app's own OpenAPI document, every route (and the
 * WebSocket) gets `FUZZ_RUNS` (default 20) property-based requests (fast-check, seed `FUZZ_SEED`):
 * path parameters that are real ids or ids that cannot exist (`%00`, invalid UTF-8, …), query and
 * body values drawn from each route's JSON Schema mixed with the inputs that were 500s (NUL, lone
 * surrogates, numbers past the column bounds, wrong types, extra keys), and every kind of caller
 * (owner, stranger, anonymous, a garbage token, a sandbox token). It asserts that no answer is a 5xx
 * and that a refused write (4xx) leaves every table exactly as it was. Runs on both backends in
 * `npm test`; the number of requests it sent is printed.
 */
import { ClientToServer, ErrorBody, IngestBody } from '@specline/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { createNoopProvider } from '../launcher/provider';
import { createSession } from '../services/sessions';
import { fromSchema, mutateOne, NASTY_SEGMENTS, nastyString, type JsonSchema, type SchemaContext } from './fuzzArbitraries';
import { buildTenant, fingerprint, type Tenant } from './hardeningFixtures';
import { BACKENDS, createTestServer, registerUser, type TestServer, type TestUser } from './harness';
import { openWs, type WsClient } from './streamHarness';

const RUNS = Number(process.env['FUZZ_RUNS'] ?? 20);
const SEED = Number(process.env['FUZZ_SEED'] ?? 20261201);

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

interface Parameter {
  name: string;
  in: 'path' | 'query' | 'header';
  required?: boolean;
  schema: JsonSchema;
}
interface Operation {
  method: Method;
  path: string;
  parameters: Parameter[];
  body: JsonSchema | undefined;
}
interface OpenApi {
  paths: Record<string, Record<string, { parameters?: Parameter[]; requestBody?: { content?: Record<string, { schema?: JsonSchema }> } }>>;
}

type Caller = 'owner' | 'stranger' | 'none' | 'garbage' | 'sandbox' | 'spare';

interface FuzzRequest {
  method: Method;
  url: string;
  headers: Record<string, string>;
  payload: string | undefined;
  remoteAddress: string;
  caller: Caller;
}

const WRITE = new Set<Method>(['POST', 'PUT', 'PATCH', 'DELETE']);
const PUBLIC = new Set(['/api/v1/health', '/api/v1/health/live', '/api/v1/health/ready', '/api/v1/auth/register', '/api/v1/auth/login', '/api/v1/auth/refresh']);
const isSandboxRoute = (path: string) => path.startsWith('/api/v1/sandboxes/') || path.endsWith('/sync');

/** Percent-encodes any string, lone surrogates included (as the bytes a careless client would send). */
function encodeLoose(value: string): string {
  const wellFormed = (value as unknown as { isWellFormed(): boolean }).isWellFormed();
  if (wellFormed) return encodeURIComponent(value);
  return encodeURIComponent((value as unknown as { toWellFormed(): string }).toWellFormed()).replaceAll('%EF%BF%BD', '%ED%A0%80');
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function operations(doc: OpenApi): Operation[] {
  const ops: Operation[] = [];
  for (const [path, methods] of Object.entries(doc.paths)) {
    if (path.startsWith('/api/v1/docs')) continue;
    for (const [method, op] of Object.entries(methods)) {
      const body = op.requestBody?.content?.['application/json']?.schema;
      ops.push({ method: method.toUpperCase() as Method, path, parameters: op.parameters ?? [], body });
    }
  }
  // Deletions and logout last, so the rest of the run still finds the tenant's rows and sessions.
  const rank = (op: Operation) => (op.path === '/api/v1/auth/logout' ? 2 : op.method === 'DELETE' ? 1 : 0);
  return ops.sort((a, b) => rank(a) - rank(b));
}

describe.each(BACKENDS)('fuzz: every route of the OpenAPI document on %s', (backend) => {
  const provider = createNoopProvider();
  let server: TestServer;
  let t: Tenant;
  let stranger: TestUser;
  let spare: string[];
  let doc: OpenApi;
  const stats = { http: 0, ws: 0, byStatus: new Map<number, number>() };
  const failures: string[] = [];

  beforeAll(async () => {
    server = await createTestServer(backend, { provider, listen: true });
    t = await buildTenant(server.app, provider.launched);
    stranger = await registerUser(server.app, 'stranger');
    spare = await Promise.all([1, 2, 3].map(async () => (await createSession(server.context.db, server.context.tokens, t.owner.id, server.context.config.sessions)).accessToken));
    doc = (await server.app.inject({ method: 'GET', url: '/api/v1/openapi.json' })).json<OpenApi>();
  });
  afterAll(async () => {
    const statuses = [...stats.byStatus].sort(([a], [b]) => a - b).map(([code, n]) => `${n} × ${code}`);
    const fives = [...stats.byStatus].filter(([code]) => code >= 500).reduce((n, [, c]) => n + c, 0);
    console.log(`fuzz on ${backend}: ${stats.http + stats.ws} requests (${stats.http} HTTP over ${operations(doc).length} routes, ${stats.ws} WebSocket messages), ${fives} × 5xx; ${statuses.join(', ')}`);
    await server.close();
  });

  const ctx = (mode: SchemaContext['mode'] = 'wild'): SchemaContext => ({
    depth: 0,
    mode,
    idsFor: (field) => {
      switch (field) {
        case 'project_id':
          return [t.project];
        case 'spec_id':
          return [t.spec, t.runSpec];
        case 'dependencies':
          return [t.task];
        case 'email':
          return [stranger.email, t.owner.email];
        case 'local_id':
        case 'ticket_local_id':
          return ['TKT-001', 'TSK-001'];
        default:
          return [];
      }
    },
  });

  function segment(op: Operation, name: string): fc.Arbitrary<string> {
    const valid: string[] = (() => {
      switch (name) {
        case 'project_id':
          return [t.project];
        case 'user_id':
          return [t.owner.id, stranger.id];
        case 'req_id':
          return [t.requirement];
        case 'criterion_id':
          return [t.criterion];
        case 'task_id':
          return [t.task];
        case 'sandbox_id':
          return [t.sandbox];
        default:
          if (op.path.startsWith('/api/v1/projects')) return [t.project];
          if (op.path.startsWith('/api/v1/tickets')) return [t.ticket];
          return op.path.endsWith('/sync') ? [t.runSpec] : [t.spec, t.runSpec];
      }
    })();
    return fc.oneof({ arbitrary: fc.constantFrom(...valid), weight: 10 }, { arbitrary: fc.constantFrom(...NASTY_SEGMENTS), weight: 3 }, { arbitrary: nastyString.map(encodeLoose), weight: 1 });
  }

  function bodyArb(op: Operation): fc.Arbitrary<string | undefined> {
    let schema = op.body;
    if (op.path === '/api/v1/sandboxes/{sandbox_id}/events') {
      // Ingestion validates its body itself (three shapes): its envelope schema comes from the protocol.
      schema = z.toJSONSchema(IngestBody, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as JsonSchema;
    }
    const raw = fc.constantFrom('', '{', '{"a":', 'null', '[]', '"text"', '{"a":1e400}', '{"__proto__":{"x":1}}', '{"title":"\\ud800"}', '{"name":"\\u0000"}');
    if (!schema && !WRITE.has(op.method)) return fc.oneof({ arbitrary: fc.constant(undefined), weight: 8 }, { arbitrary: raw, weight: 1 });
    if (!schema) return fc.oneof({ arbitrary: fc.constant('{}'), weight: 4 }, { arbitrary: raw, weight: 1 }, { arbitrary: fc.constant(undefined), weight: 1 });
    // Mostly a valid body with ONE value broken: it passes everything else and reaches the database.
    const valid = fromSchema(schema, 'body', ctx('valid'));
    return fc.oneof(
      { arbitrary: valid.map((v) => JSON.stringify(v)), weight: 3 },
      { arbitrary: mutateOne(valid).map((v) => JSON.stringify(v)), weight: 7 },
      { arbitrary: fromSchema(schema, 'body', ctx('wild')).map((v) => JSON.stringify(v)), weight: 2 },
      { arbitrary: raw, weight: 1 },
    );
  }

  function callerArb(op: Operation): fc.Arbitrary<Caller> {
    if (op.path === '/api/v1/auth/logout') return fc.constantFrom<Caller>('spare', 'spare', 'none', 'garbage', 'sandbox');
    if (isSandboxRoute(op.path)) return fc.constantFrom<Caller>('sandbox', 'sandbox', 'sandbox', 'sandbox', 'none', 'garbage', 'owner');
    if (PUBLIC.has(op.path) || op.path === '/api/v1/openapi.json') return fc.constantFrom<Caller>('none', 'none', 'owner', 'garbage');
    return fc.constantFrom<Caller>('owner', 'owner', 'owner', 'owner', 'owner', 'owner', 'owner', 'owner', 'owner', 'stranger', 'none', 'garbage', 'sandbox');
  }

  function requestArb(op: Operation): fc.Arbitrary<FuzzRequest> {
    const pathParams = op.parameters.filter((p) => p.in === 'path');
    const query = op.parameters.filter((p) => p.in === 'query');
    const headerParams = op.parameters.filter((p) => p.in === 'header');
    return fc
      .record({
        segments: fc.tuple(...pathParams.map((p) => segment(op, p.name))),
        query: fc.oneof(
          { arbitrary: fc.tuple(...query.map((p) => fc.option(fromSchema(p.schema, p.name, ctx('valid')), { freq: 2 }))), weight: 3 },
          { arbitrary: fc.tuple(...query.map((p) => fc.option(fromSchema(p.schema, p.name, ctx('valid')), { freq: 2 }))).chain((v) => mutateOne(fc.constant(v)) as fc.Arbitrary<unknown[]>), weight: 2 },
          { arbitrary: fc.tuple(...query.map((p) => fc.option(fromSchema(p.schema, p.name, ctx('wild')), { freq: 2 }))), weight: 1 },
        ),
        headers: fc.tuple(...headerParams.map(() => fc.option(fc.string({ maxLength: 250, unit: 'grapheme-ascii' }), { freq: 2 }))),
        payload: bodyArb(op),
        caller: callerArb(op),
        contentType: fc.constantFrom('application/json', 'application/json', 'application/json', 'application/json; charset=utf-8', 'text/plain'),
        remoteAddress: fc.oneof(fc.constant('127.0.0.1'), fc.ipV4()),
      })
      .map(({ segments, query: values, headers: headerValues, payload, caller, contentType, remoteAddress }) => {
        let i = 0;
        const path = op.path.replace(/\{([a-z_]+)\}/g, () => segments[i++]!);
        const search = query.flatMap((p, k) => {
          const v = values[k];
          if (v === null || v === undefined) return [];
          const list = Array.isArray(v) ? v : [v];
          return list.map((item) => `${encodeURIComponent(p.name)}=${encodeLoose(typeof item === 'string' ? item : JSON.stringify(item))}`);
        });
        const headers: Record<string, string> = {};
        headerParams.forEach((p, k) => {
          const v = headerValues[k];
          if (v !== null && v !== undefined) headers[p.name] = v;
        });
        const token = { owner: t.owner.token, stranger: stranger.token, sandbox: t.sandboxToken, garbage: 'not-a-jwt', spare: spare[0]!, none: '' }[caller];
        if (caller === 'spare') spare.push(spare.shift()!);
        if (token) headers['authorization'] = `Bearer ${token}`;
        if (payload !== undefined) headers['content-type'] = contentType;
        return { method: op.method, url: `${path}${search.length ? `?${search.join('&')}` : ''}`, headers, payload, remoteAddress, caller };
      });
  }

  async function send(req: FuzzRequest): Promise<{ status: number; body: string }> {
    if (req.url.includes('/events/stream') && req.method === 'GET') {
      // A stream that opens stays open: read the status, then hang up.
      const controller = new AbortController();
      const res = await fetch(`${server.baseUrl}${req.url}`, { headers: req.headers, signal: controller.signal });
      const body = res.status === 200 ? '' : await res.text();
      controller.abort();
      return { status: res.status, body };
    }
    const res = await server.app.inject({ method: req.method, url: req.url, headers: req.headers, remoteAddress: req.remoteAddress, ...(req.payload !== undefined ? { payload: req.payload } : {}) });
    return { status: res.statusCode, body: res.body };
  }

  it('HTTP: every route, no 5xx, and a refused write changes no table', { timeout: 900_000 }, async () => {
    const ops = operations(doc);
    expect(ops.length).toBeGreaterThan(40);
    let index = 0;
    for (const op of ops) {
      await fc.assert(
        fc.asyncProperty(requestArb(op), async (req) => {
          const write = WRITE.has(req.method);
          const before = write ? await fingerprint(server.context.db) : undefined;
          const res = await send(req);
          stats.http++;
          stats.byStatus.set(res.status, (stats.byStatus.get(res.status) ?? 0) + 1);
          const what = `${req.method} ${req.url.slice(0, 200)} as ${req.caller} with ${JSON.stringify(req.payload?.slice(0, 300))}`;
          if (res.status >= 500) failures.push(`${res.status} ${what}: ${res.body.slice(0, 300)}`);
          // Every refusal is an ErrorBody {detail, code, errors?}, Fastify's own ones included.
          if (res.status >= 400 && !ErrorBody.safeParse(safeJson(res.body)).success) failures.push(`${res.status} not an ErrorBody: ${what}: ${res.body.slice(0, 200)}`);
          if (before && res.status >= 400) {
            const after = await fingerprint(server.context.db);
            const changed = Object.keys(before).filter((table) => before[table] !== after[table]);
            if (changed.length) failures.push(`refused ${res.status} but changed ${changed.join(', ')}: ${what}`);
          }
        }),
        { numRuns: RUNS, seed: SEED + index++, endOnFailure: true },
      );
    }
    expect(failures.slice(0, 20)).toEqual([]);
  });

  it('WebSocket: every kind of message and caller, never an internal error, the socket keeps answering', { timeout: 300_000 }, async () => {
    const wsUrl = (query: string) => `${server.baseUrl.replace('http', 'ws')}/api/v1/ws/events${query}`;
    const messageSchema = z.toJSONSchema(ClientToServer, { target: 'openapi-3.0', io: 'input', unrepresentable: 'any' }) as JsonSchema;
    const wsCtx: SchemaContext = { depth: 0, idsFor: (field) => (field === 'spec_ids' ? [t.spec, t.runSpec, 'spec-nope'] : []) };
    const frame = fc.oneof(
      { arbitrary: fromSchema(messageSchema, 'message', wsCtx).map((m) => JSON.stringify(m)), weight: 8 },
      { arbitrary: fc.constantFrom('', '{', 'null', '[]', '{"v":1,"type":"subscribe","spec_ids":["a\\u0000b"]}', '{"v":1,"type":"subscribe","spec_ids":["\\ud800"]}', '{"v":2,"type":"ping"}'), weight: 2 },
      { arbitrary: fc.string({ maxLength: 40, unit: 'binary' }), weight: 1 },
    );

    // Who may connect, and who is refused: anonymous and garbage tokens are closed with 4401, a foreign Origin with 403.
    for (const query of ['', '?token=not-a-jwt', `?token=${encodeLoose('a\u0000b')}`, `?token=${t.sandboxToken}`]) {
      stats.ws++;
      const ws = await openWs(wsUrl(query)).catch((error: unknown) => error);
      if (ws instanceof Error) {
        if (!/Unexpected server response: 4\d\d/.test(ws.message)) failures.push(`ws ${query}: ${ws.message}`);
        continue;
      }
      const client = ws as WsClient;
      await client.until(() => client.closeCode !== undefined);
      if (client.messages.some((m) => m.type === 'error' && m.code === 'internal')) failures.push(`ws ${query}: internal error`);
    }
    stats.ws++;
    await expect(openWs(wsUrl(`?token=${t.owner.token}`), { origin: 'https://evil.example' })).rejects.toThrow(/403/);

    for (const [caller, token] of [
      ['owner', t.owner.token],
      ['stranger', stranger.token],
    ] as const) {
      const ws = await openWs(wsUrl(`?token=${token}`));
      let pongs = 0;
      await fc.assert(
        fc.asyncProperty(frame, async (text) => {
          ws.sendRaw(text);
          ws.send({ v: 1, type: 'ping' });
          stats.ws += 2;
          pongs++;
          await ws.until(() => ws.ofType('pong').length >= pongs || ws.closeCode !== undefined);
          if (ws.closeCode !== undefined) failures.push(`ws as ${caller}: closed ${ws.closeCode} after ${JSON.stringify(text.slice(0, 200))}`);
        }),
        { numRuns: RUNS * 5, seed: SEED, endOnFailure: true },
      );
      const internal = ws.messages.filter((m) => m.type === 'error' && m.code === 'internal');
      if (internal.length) failures.push(`ws as ${caller}: ${internal.length} internal errors`);
      ws.socket.close();
    }
    expect(failures.slice(0, 20)).toEqual([]);
  });
});
