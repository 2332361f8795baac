/**
 * Issue 11 fault trials with real processes: two `main.ts` servers on one PostgreSQL and one Redis —
 * both PRIVATE to this test (it stops them; the shared ones other suites use are never touched) — with
 * the local launcher running the real sandbox CLI, paced (`PLANNER_STEP_DELAY_MS`) so the runs outlive
 * the faults. Mid-run: server B is SIGKILLed and restarted (A's run and B's own run go on: B's sandbox
 * outlives its server and the restarted B accepts it), then server A the same way, then the database
 * is stopped for 10 s — longer than the 6 s lease. Every run completes, with a gap-free event log,
 * exactly one `agent.completed` and no system-written failure.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventsPage, LaunchSpecResponse, Spec } from '@specline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../store/db';
import { sandboxes } from '../store/schema';
import { tempDataDir, waitFor } from './launcherFixtures';
import { createDatabaseOn, freePort, startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateRedis } from './privateServices';
import { followSse } from './sseFollower';

const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const STEP_DELAY_MS = 8000;

interface Proc {
  child: ChildProcess;
  exited: Promise<unknown>;
  log: () => string;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function startServer(env: Record<string, string>): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVER_DIR,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp', HOST: '127.0.0.1', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', () => {
      if (out.includes('Specline is listening on')) resolve({ child, exited, log: () => out });
    });
    void exited.then(() => reject(new Error(`server exited before listening:\n${out}`)));
  });
}

async function kill(proc: Proc): Promise<void> {
  proc.child.kill('SIGKILL');
  await proc.exited;
}

describe('two servers, one database and bus: restarts and a database outage fail no healthy run', { timeout: 240_000 }, () => {
  let pgServer: PrivatePostgres;
  let redis: PrivateRedis;
  let database: Database;
  const servers: Record<'a' | 'b', { port: number; env: Record<string, string>; proc?: Proc }> = { a: { port: 0, env: {} }, b: { port: 0, env: {} } };

  beforeAll(async () => {
    pgServer = await startPrivatePostgres();
    redis = await startPrivateRedis();
    const url = await createDatabaseOn(pgServer.url, 'specline_multi');
    const shared = {
      DATABASE_URL: url,
      REDIS_URL: redis.url,
      JWT_SECRET: randomBytes(32).toString('hex'),
      SPECLINE_SECRET_KEY: randomBytes(32).toString('hex'),
      DEMO_USER: 'false',
      SANDBOX_HEARTBEAT_INTERVAL: '2',
      SANDBOX_MISSED_HEARTBEATS: '3',
      SANDBOX_ENV_PLANNER_STEP_DELAY_MS: String(STEP_DELAY_MS),
    };
    for (const name of ['a', 'b'] as const) {
      const port = await freePort();
      servers[name] = { port, env: { ...shared, PORT: String(port), SPECLINE_DATA_DIR: tempDataDir() } };
    }
    servers.a.proc = await startServer(servers.a.env);
    servers.b.proc = await startServer(servers.b.env);
    database = await openDatabase({ url, poolSize: 2 });
  }, 300_000); // two servers starting on a loaded machine

  afterAll(async () => {
    for (const s of Object.values(servers)) if (s.proc) await kill(s.proc).catch(() => undefined);
    // Sandboxes that outlived a killed server: stop their process groups.
    const rows = await database?.db.select({ pid: sandboxes.pid }).from(sandboxes).catch(() => []);
    for (const row of rows ?? []) {
      if (!row.pid) continue;
      try {
        process.kill(-row.pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    await database?.close().catch(() => undefined);
    await redis?.close();
    await pgServer?.close();
  });

  const base = (name: 'a' | 'b') => `http://127.0.0.1:${servers[name].port}/api/v1`;
  async function api<T>(name: 'a' | 'b', method: string, route: string, token?: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${base(name)}${route}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as T };
  }

  it('SIGKILL and restart of either server, Redis killed, then 10 s without the database: every run completes, gap-free, with one agent.completed, and SSE readers see every event once', async () => {
    const reg = await api<{ access_token: string }>('a', 'POST', '/auth/register', undefined, { email: 'multi@example.test', password: 'correct horse battery', name: 'Multi' });
    expect(reg.status).toBe(201);
    const token = reg.body.access_token;
    const project = await api<{ id: string }>('a', 'POST', '/projects', token, { name: 'Multi' });
    const launch = async (name: 'a' | 'b', title: string) => {
      const res = await api<LaunchSpecResponse>(name, 'POST', '/specs/launch', token, { title, description: `${title} from the reports page`, project_id: project.body.id });
      expect(res.status).toBe(201);
      expect(res.body.status).toBe('executing');
      return res.body.spec_id;
    };
    const onA = await launch('a', 'Export CSV');
    const onB = await launch('b', 'Export PDF');
    // Readers on the OTHER server than the one running each run; they follow across the restarts.
    const readers = { [onA]: followSse([base('b'), base('a')], onA, token, 2000), [onB]: followSse([base('a'), base('b')], onB, token, 2000) };
    const specOf = async (id: string) => (await api<Spec>('a', 'GET', `/specs/${id}`, token)).body;
    const passed = (s: Spec | null, n: number) => (s ? Object.values(s.phase_status).filter((p) => p?.state === 'passed').length >= n : false);
    await waitFor('both runs to pass EXPLORE', async () => (passed(await specOf(onA), 1) && passed(await specOf(onB), 1) ? true : undefined), 240_000, 250);

    // Server B dies and comes back on its port: its sandbox kept running and reports to the new B.
    await kill(servers.b.proc!);
    servers.b.proc = await startServer(servers.b.env);
    // Then server A.
    await kill(servers.a.proc!);
    servers.a.proc = await startServer(servers.a.env);
    expect((await specOf(onA)).status).toBe('executing');
    expect((await specOf(onB)).status).toBe('executing');

    // Redis (bus and rate-limit counters) dies and comes back empty: ingestion goes on, streams catch up.
    await redis.kill();
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // the fault's length, not a synchronisation
    await redis.start();

    // The database goes away for 10 s (the lease is 2 s × 3 = 6 s), with both runs still mid-way.
    for (const id of [onA, onB]) expect((await specOf(id)).status).toBe('executing');
    await pgServer.stop();
    const health = await fetch(`${base('b')}/health`);
    expect(health.status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 10_000)); // the fault's length, not a synchronisation
    await pgServer.start();

    for (const [id, launcher] of [[onA, 'a'], [onB, 'b']] as const) {
      const spec = await waitFor(`${id} to finish`, async () => {
        const s = await api<Spec>('b', 'GET', `/specs/${id}`, token);
        return s.status === 200 && s.body.status !== 'executing' ? s.body : undefined;
      }, 120_000, 500);
      expect(spec.status, `${spec.last_error}\nA:\n${servers.a.proc.log()}\nB:\n${servers.b.proc.log()}`).toBe('completed');
      const page = (await api<EventsPage>('b', 'GET', `/specs/${id}/events?order=asc&limit=1000`, token)).body;
      expect(page.events.map((e) => e.spec_seq)).toEqual(page.events.map((_, i) => i + 1));
      expect(page.events.filter((e) => e.event_type === 'agent.completed')).toHaveLength(1);
      expect(page.events.at(-1)).toMatchObject({ event_type: 'agent.completed', event_data: { success: true } });
      expect(page.events.filter((e) => e.source === 'system')).toEqual([]);
      // The sandbox itself saw every event accepted (no refusals, nothing left in its spool).
      const logFile = path.join(servers[launcher].env['SPECLINE_DATA_DIR']!, 'sandboxes', `${spec.sandbox_id}.log`);
      const log = await waitFor('the sandbox to print its summary', () => Promise.resolve(/Run (succeeded|ended|FAILED)/.test(readText(logFile)) ? readText(logFile) : undefined), 30_000, 250);
      expect(log).toContain('Run succeeded');
      expect(log).not.toContain('not accepted');
      const reader = readers[id]!;
      await Promise.race([reader.done, new Promise((resolve) => setTimeout(resolve, 30_000))]);
      reader.stop();
      expect(reader.seqs, 'the SSE client saw every event exactly once, in order').toEqual(page.events.map((e) => e.spec_seq));
      process.stdout.write(`multi-server trial: run of server ${launcher.toUpperCase()}: ${page.events.length} events, gap-free, 1 agent.completed, SSE reader on the other server got ${reader.seqs.length} events once each, ${/Run succeeded[^\n]*/.exec(log)?.[0] ?? ''}\n`);
    }
  });
});
