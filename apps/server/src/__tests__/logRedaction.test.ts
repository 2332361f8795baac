/**
 * Issue 12, finding 2: no token, password or hash in the log. A full flow against a listening server
 * whose log (a plain pino logger at `trace`, so the app's own hardening is what is tested) is captured:
 * register, failed and good logins, refresh, `/me` by cookie and by Bearer, a WebSocket with `?token=`,
 * a spec-driven run of the REAL sandbox CLI (its token on every ingest POST), a forged sandbox token,
 * the register call with a NUL in the name, logout, and finally a register while the database
 * is down (a failed INSERT whose bound parameters are the email and the scrypt hash). The captured log
 * and the sandbox's own log file are then searched for every secret of the flow.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import type { Spec, Ticket } from '@specline/protocol';
import { eq } from 'drizzle-orm';
import { pino } from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLocalProvider, REPO_ROOT } from '../launcher/localProvider';
import { users } from '../store/schema';
import { BACKENDS, createTestServer, type TestServer } from './harness';
import { recording, sandboxSettings, tempDataDir, waitFor } from './launcherFixtures';
import { openWs } from './streamHarness';

describe.each(BACKENDS)('the log of a full flow on %s', (backend) => {
  const lines: string[] = [];
  const dataDir = tempDataDir();
  let server: TestServer;
  let provider: ReturnType<typeof recording>;

  beforeAll(async () => {
    provider = recording(createLocalProvider({ dataDir, workdir: path.join(REPO_ROOT, 'packages/protocol'), logger: pino({ level: 'silent' }), stopGraceMs: 3000 }));
    server = await createTestServer(backend, {
      listen: true,
      provider,
      logger: pino({ level: 'trace' }, { write: (line: string) => lines.push(line) }),
      config: { sandbox: sandboxSettings({ provider: 'local', heartbeatIntervalSeconds: 1, missedHeartbeats: 3 }) },
    });
  });
  afterAll(async () => {
    await server.close().catch(() => undefined);
  });

  it('holds no token, password or hash', { timeout: 120_000 }, async () => {
    const secrets: string[] = [];
    const email = `leak-${randomUUID().slice(0, 8)}@example.test`;
    const password = `Tr0ub4dor&3-${randomUUID().slice(0, 8)}`;
    secrets.push(password);
    const inject = server.app.inject.bind(server.app);
    const keep = (res: { json: <T>() => T; cookies: { name: string; value: string }[] }) => {
      const body = res.json<{ access_token?: string }>();
      if (body.access_token) secrets.push(body.access_token);
      for (const c of res.cookies) if (c.value) secrets.push(c.value);
      return body;
    };

    const reg = await inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email, password, name: 'Leak' } });
    expect(reg.statusCode).toBe(201);
    keep(reg);
    expect((await inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password: `${password}-wrong` } })).statusCode).toBe(401);
    secrets.push(`${password}-wrong`);
    const login = await inject({ method: 'POST', url: '/api/v1/auth/login', payload: { email, password } });
    const access = keep(login).access_token!;
    const refreshCookie = login.cookies.find((c) => c.name === 'specline_refresh')!.value;
    const refreshed = await inject({ method: 'POST', url: '/api/v1/auth/refresh', cookies: { specline_refresh: refreshCookie } });
    expect(refreshed.statusCode).toBe(200);
    const token = keep(refreshed).access_token!;
    expect((await inject({ method: 'GET', url: '/api/v1/auth/me', cookies: { specline_session: token } })).statusCode).toBe(200);
    const headers = { authorization: `Bearer ${token}` };
    expect((await inject({ method: 'GET', url: '/api/v1/auth/me', headers })).statusCode).toBe(200);

    // A WebSocket authenticated by ?token= (the issue: the URL was logged at info).
    const ws = await openWs(`${server.baseUrl.replace('http', 'ws')}/api/v1/ws/events?token=${encodeURIComponent(token)}`);
    ws.send({ v: 1, type: 'ping' });
    await ws.until(() => ws.ofType('pong').length === 1);
    ws.socket.close();

    // A real run: the sandbox CLI posts its events with its token.
    const project = (await inject({ method: 'POST', url: '/api/v1/projects', headers, payload: { name: 'Leaks' } })).json<{ id: string }>().id;
    const ticket = (
      await inject({ method: 'POST', url: '/api/v1/tickets', headers, payload: { title: 'Export reports as CSV', description: 'Users export any report as CSV with its filters.', project_id: project, workflow_mode: 'spec_driven' } })
    ).json<Ticket>();
    const spec = await waitFor(
      'the run to end',
      async () => {
        const s = (await inject({ method: 'GET', url: `/api/v1/specs/${ticket.spec_id}`, headers })).json<Spec>();
        return s.status === 'executing' ? undefined : s;
      },
      90_000,
    );
    expect(spec.status, spec.last_error ?? '').toBe('completed');
    const launch = provider.launched.find((l) => l.specId === ticket.spec_id)!;
    secrets.push(launch.token);
    // Its token after the run (revoked), and a forged one.
    expect((await inject({ method: 'POST', url: `/api/v1/sandboxes/${launch.sandboxId}/events`, headers: { authorization: `Bearer ${launch.token}` }, payload: {} })).statusCode).toBe(401);
    expect((await inject({ method: 'POST', url: `/api/v1/sandboxes/${launch.sandboxId}/events`, headers: { authorization: 'Bearer sbx_forged-secret-token' }, payload: {} })).statusCode).toBe(401);
    secrets.push('sbx_forged-secret-token');

    // The register call with a NUL in the name: it once logged the email and the scrypt hash.
    const nulPassword = `NulCase-${randomUUID()}`;
    secrets.push(nulPassword);
    expect((await inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: `nul-${email}`, password: nulPassword, name: 'a\u0000b' } })).statusCode).toBe(422);

    const [row] = await server.context.db.select().from(users).where(eq(users.email, email));
    secrets.push(row!.passwordHash, row!.passwordHash.split('$').at(-1)!);
    expect((await inject({ method: 'POST', url: '/api/v1/auth/logout', headers })).statusCode).toBe(204);
    // The login's first access token belongs to the same session: it ended too.
    expect((await inject({ method: 'GET', url: '/api/v1/auth/me', headers: { authorization: `Bearer ${access}` } })).statusCode).toBe(401);

    // The database goes away: a register's failed INSERT carries the email and the new hash as parameters.
    await server.context.database.close();
    const downPassword = `DownCase-${randomUUID()}`;
    secrets.push(downPassword);
    const down = await inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email: `down-${email}`, password: downPassword, name: 'Down' } });
    expect(down.statusCode).toBe(503);

    const sandboxLogs = readdirSync(path.join(dataDir, 'sandboxes'))
      .filter((f) => f.endsWith('.log'))
      .map((f) => readFileSync(path.join(dataDir, 'sandboxes', f), 'utf8'))
      .join('\n');
    const log = lines.join('');
    console.log(`captured log on ${backend}: ${lines.length} lines (${log.length} bytes), sandbox logs ${sandboxLogs.length} bytes; searched for ${secrets.length} secrets`);
    expect(lines.length).toBeGreaterThan(50);
    // The URLs are logged, with the credential replaced.
    expect(log).toContain('token=[Redacted]');
    expect(log).toMatch(/"statusCode":503/);
    for (const secret of secrets) {
      expect(log.includes(secret), `the server log holds ${secret.slice(0, 12)}…`).toBe(false);
      expect(sandboxLogs.includes(secret), `a sandbox log holds ${secret.slice(0, 12)}…`).toBe(false);
    }
    expect(log).not.toMatch(/scrypt\$/);
    expect(log).not.toMatch(/"params"|\nparams: (?!\[Redacted\])/);
  });
});
