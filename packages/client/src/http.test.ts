import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Spec, User } from '@specline/protocol';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { ApiError, createSpeclineClient } from './index';

interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}
type Handler = (req: Seen, res: ServerResponse) => void;

const NOW = '2026-01-02T03:04:05.000Z';
const user: User = { id: 'u1', email: 'ada@example.com', name: 'Ada', created_at: NOW };
const spec: Spec = {
  id: 'spec 1',
  project_id: 'p1',
  title: 'Rate limiting',
  description: '',
  status: 'draft',
  phase: 'Requirements',
  current_phase: null,
  phases: [],
  phase_status: {},
  progress: 0,
  requirements_approved: false,
  requirements_approved_at: null,
  design_approved: false,
  design_approved_at: null,
  last_error: null,
  archived: false,
  linked_tickets: 0,
  requirements: [],
  design: null,
  tasks: [],
  usage: null,
  sandbox_id: null,
  last_heartbeat_at: null,
  created_at: NOW,
  updated_at: NOW,
};

let server: Server;
let baseUrl: string;
let seen: Seen[] = [];
let handler: Handler = (_req, res) => res.writeHead(500).end();

function reply(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers });
  res.end(body === undefined ? undefined : JSON.stringify(body));
}

beforeAll(async () => {
  server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const entry: Seen = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks).toString('utf8') };
      seen.push(entry);
      handler(entry, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
});
beforeEach(() => {
  seen = [];
});

describe('createSpeclineClient', () => {
  it('posts JSON bodies to /api/v1 and parses the answer with the protocol schema', async () => {
    handler = (_req, res) => reply(res, 200, { access_token: 't0k', token_type: 'bearer', expires_in: 3600, user, unknown_extra: 1 });
    const client = createSpeclineClient({ baseUrl });
    const answer = await client.auth.login({ email: 'ada@example.com', password: 'secret' });
    expect(answer.user).toEqual(user);
    expect(answer).not.toHaveProperty('unknown_extra');
    expect(seen[0]?.method).toBe('POST');
    expect(seen[0]?.url).toBe('/api/v1/auth/login');
    expect(seen[0]?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(seen[0]?.body ?? '')).toEqual({ email: 'ada@example.com', password: 'secret' });
  });

  it('sends the token from getToken as a Bearer header, and none without one', async () => {
    handler = (_req, res) => reply(res, 200, user);
    let token: string | null = 'abc';
    const client = createSpeclineClient({ baseUrl, getToken: () => token });
    await client.auth.me();
    token = null;
    await client.auth.me();
    expect(seen[0]?.headers.authorization).toBe('Bearer abc');
    expect(seen[1]?.headers.authorization).toBeUndefined();
  });

  it('encodes path segments and repeats array query parameters, leaving out undefined ones', async () => {
    handler = (_req, res) => reply(res, 200, { spec_id: 'spec 1', events: [], total_count: 0, has_more: false, next_cursor: null, last_spec_seq: 0 });
    const client = createSpeclineClient({ baseUrl });
    await client.specs.events('spec 1', { event_types: ['spec.phase_started', 'spec.phase_failed'], after: 7, failures_only: true, phase: undefined });
    const url = new URL(seen[0]?.url ?? '', baseUrl);
    expect(url.pathname).toBe('/api/v1/specs/spec%201/events');
    expect(url.searchParams.getAll('event_types')).toEqual(['spec.phase_started', 'spec.phase_failed']);
    expect(url.searchParams.get('after')).toBe('7');
    expect(url.searchParams.get('failures_only')).toBe('true');
    expect(url.searchParams.has('phase')).toBe(false);
  });

  it('throws ApiError with status, code, detail and errors from an ErrorBody', async () => {
    handler = (_req, res) => reply(res, 409, { detail: 'no requirements to approve', code: 'precondition_failed', errors: [{ path: 'requirements', message: 'empty' }] });
    const client = createSpeclineClient({ baseUrl });
    const error = await client.specs.approveRequirements('s1').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 409, code: 'precondition_failed', detail: 'no requirements to approve', errors: [{ path: 'requirements', message: 'empty' }] });
    expect((error as ApiError).message).toContain('POST /api/v1/specs/s1/approve-requirements');
  });

  it('derives the code from the status when the error body is not an ErrorBody', async () => {
    handler = (_req, res) => {
      res.writeHead(502, { 'content-type': 'text/html' });
      res.end('<h1>Bad gateway</h1>');
    };
    const client = createSpeclineClient({ baseUrl });
    const error = (await client.projects.list().catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(502);
    expect(error.code).toBe('internal');
    expect(error.detail).toContain('Bad gateway');
    expect(error.isNotFound).toBe(false);
  });

  it('with refreshSession, a 401 refreshes the session once (shared by concurrent calls) and repeats the requests', async () => {
    let session = 'old';
    handler = (req, res) => {
      if (req.url === '/api/v1/auth/refresh') {
        session = 'new';
        return reply(res, 200, { access_token: 'new', token_type: 'bearer', expires_in: 900, user }, { 'set-cookie': 'specline_session=new; Path=/; HttpOnly' });
      }
      return session === 'new' ? reply(res, 200, { projects: [], total: 0, has_more: false }) : reply(res, 401, { detail: 'expired', code: 'unauthorized' });
    };
    const calls: ApiError[] = [];
    const client = createSpeclineClient({ baseUrl, refreshSession: true, onUnauthorized: (e) => calls.push(e) });
    const [a, b] = await Promise.all([client.projects.list(), client.projects.list({ offset: 1 })]);
    expect([a.total, b.total]).toEqual([0, 0]);
    expect(seen.filter((r) => r.url === '/api/v1/auth/refresh')).toHaveLength(1);
    expect(seen.filter((r) => r.url.startsWith('/api/v1/projects'))).toHaveLength(4); // each: 401, then the retry
    expect(calls).toHaveLength(0);
    // client.fetch (the event stream's) renews the same way.
    session = 'old';
    const res = await client.fetch(`${baseUrl}/api/v1/specs/s1/events/stream`);
    expect(res.status).toBe(200);
    await res.text();
  });

  it('with refreshSession, /auth/me renews too; the credential routes themselves never do', async () => {
    let session = 'old';
    handler = (req, res) => {
      if (req.url === '/api/v1/auth/refresh') {
        session = 'new';
        return reply(res, 200, { access_token: 'new', token_type: 'bearer', expires_in: 900, user });
      }
      if (req.url === '/api/v1/auth/login') return reply(res, 401, { detail: 'wrong', code: 'invalid_credentials' });
      return session === 'new' ? reply(res, 200, user) : reply(res, 401, { detail: 'expired', code: 'unauthorized' });
    };
    const client = createSpeclineClient({ baseUrl, refreshSession: true });
    await expect(client.auth.login({ email: 'a@b.c', password: 'x' })).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(seen.map((r) => r.url)).toEqual(['/api/v1/auth/login']);
    expect(await client.auth.me()).toEqual(user);
    expect(seen.map((r) => r.url)).toEqual(['/api/v1/auth/login', '/api/v1/auth/me', '/api/v1/auth/refresh', '/api/v1/auth/me']);
  });

  it('with refreshSession, a login arms a renewal at 3/4 of the token lifetime, so an open page never sends an expired token', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    try {
      const calls: string[] = [];
      const fakeFetch: typeof fetch = (input) => {
        const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
        calls.push(url.replace(/^https?:\/\/[^/]+/, ''));
        const body = { access_token: 't', token_type: 'bearer', expires_in: 40, user };
        return Promise.resolve(new Response(JSON.stringify(body), { status: 200, headers: { 'content-type': 'application/json' } }));
      };
      const client = createSpeclineClient({ baseUrl: 'http://server.test', fetch: fakeFetch, refreshSession: true });
      await client.auth.login({ email: 'a@b.c', password: 'x' });
      await vi.advanceTimersByTimeAsync(29_000);
      expect(calls).toEqual(['/api/v1/auth/login']);
      await vi.advanceTimersByTimeAsync(1_000);
      expect(calls).toEqual(['/api/v1/auth/login', '/api/v1/auth/refresh']);
      // The refresh answer arms the next one; logout disarms it.
      await client.auth.logout();
      await vi.advanceTimersByTimeAsync(60_000);
      expect(calls).toEqual(['/api/v1/auth/login', '/api/v1/auth/refresh', '/api/v1/auth/logout']);
    } finally {
      vi.useRealTimers();
    }
  });

  it('with refreshSession, a failed refresh ends in onUnauthorized and the 401', async () => {
    handler = (_req, res) => reply(res, 401, { detail: 'log in', code: 'unauthorized' });
    const calls: ApiError[] = [];
    const client = createSpeclineClient({ baseUrl, refreshSession: true, onUnauthorized: (e) => calls.push(e) });
    await expect(client.specs.get('s1')).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    expect(seen.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /api/v1/specs/s1', 'POST /api/v1/auth/refresh']);
    expect(calls).toHaveLength(1);
  });

  it('calls onUnauthorized on a 401, but not for a failed login', async () => {
    handler = (req, res) =>
      req.url === '/api/v1/auth/login' ? reply(res, 401, { detail: 'wrong email or password', code: 'invalid_credentials' }) : reply(res, 401, { detail: 'sign in', code: 'unauthorized' });
    const calls: ApiError[] = [];
    const client = createSpeclineClient({ baseUrl, onUnauthorized: (e) => calls.push(e) });
    await expect(client.auth.login({ email: 'a@b.c', password: 'x' })).rejects.toMatchObject({ code: 'invalid_credentials' });
    expect(calls).toHaveLength(0);
    await expect(client.specs.get('s1')).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
    expect(calls.map((e) => e.code)).toEqual(['unauthorized']);
  });

  it('rejects an answer that breaks the contract with invalid_response naming the field', async () => {
    handler = (_req, res) => reply(res, 200, { ...spec, progress: 'half' });
    const client = createSpeclineClient({ baseUrl });
    const error = (await client.specs.get('s1').catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.code).toBe('invalid_response');
    expect(error.errors.map((e) => e.path)).toContain('progress');
  });

  it('parses a valid spec and resolves void for a 204', async () => {
    handler = (req, res) => (req.method === 'DELETE' ? res.writeHead(204).end() : reply(res, 200, spec));
    const client = createSpeclineClient({ baseUrl });
    await expect(client.specs.get('spec 1')).resolves.toEqual(spec);
    await expect(client.tasks.delete('s1', 't1')).resolves.toBeUndefined();
    expect(seen[1]).toMatchObject({ method: 'DELETE', url: '/api/v1/specs/s1/tasks/t1' });
  });

  it('reports an unreachable server as network_error with status 0', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const client = createSpeclineClient({ baseUrl: `http://127.0.0.1:${port}` });
    await expect(client.auth.me()).rejects.toMatchObject({ name: 'ApiError', status: 0, code: 'network_error' });
  });

  it('passes an abort through as an abort, not as a network error', async () => {
    let arrived!: () => void;
    const requestArrived = new Promise<void>((resolve) => (arrived = resolve));
    handler = () => arrived(); // never answers; the caller aborts once the request is in flight
    const client = createSpeclineClient({ baseUrl });
    const controller = new AbortController();
    const pending = client.auth.me(controller.signal).catch((e: unknown) => e);
    await requestArrived;
    controller.abort();
    const error = await pending;
    expect(error).not.toBeInstanceOf(ApiError);
    expect((error as Error).name).toBe('AbortError');
  });

  it('exports Markdown as text with the filename from Content-Disposition', async () => {
    handler = (_req, res) => {
      res.writeHead(200, { 'content-type': 'text/markdown; charset=utf-8', 'content-disposition': 'attachment; filename="rate-limiting.md"' });
      res.end('# Rate limiting\n');
    };
    const client = createSpeclineClient({ baseUrl, getToken: () => 'abc' });
    const exported = await client.specs.export('s1', 'markdown');
    expect(exported).toEqual({ format: 'markdown', text: '# Rate limiting\n', filename: 'rate-limiting.md', contentType: 'text/markdown; charset=utf-8' });
    expect(seen[0]?.url).toBe('/api/v1/specs/s1/export?format=markdown');
    expect(seen[0]?.headers.authorization).toBe('Bearer abc');
  });

  it('falls back to spec-<id>.json when the export has no Content-Disposition', async () => {
    handler = (_req, res) => reply(res, 200, { spec: { id: 's1' } });
    const client = createSpeclineClient({ baseUrl });
    const exported = await client.specs.export('s1', 'json');
    expect(exported.filename).toBe('spec-s1.json');
    expect(JSON.parse(exported.text)).toEqual({ spec: { id: 's1' } });
  });

  it('sends the Idempotency-Key header when creating a ticket with one', async () => {
    handler = (_req, res) =>
      reply(res, 201, {
        id: 't1', title: 'Add limits', description: '', status: 'backlog', priority: 'medium', phase_id: 'PHASE_IMPLEMENTATION', project_id: 'p1',
        workflow_mode: 'spec_driven', spec_id: 's1', local_id: null, approval_status: 'approved', created_at: NOW, updated_at: NOW,
      });
    const client = createSpeclineClient({ baseUrl });
    const ticket = await client.tickets.create({ title: 'Add limits', project_id: 'p1', workflow_mode: 'spec_driven' }, { idempotencyKey: 'k-1' });
    expect(ticket.spec_id).toBe('s1');
    expect(seen[0]?.headers['idempotency-key']).toBe('k-1');
  });
});
