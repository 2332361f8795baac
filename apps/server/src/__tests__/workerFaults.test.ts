/**
 * Issue 11 fault trial of the run queue with real processes: two `main.ts` servers with
 * `SPECLINE_RUNNER=queue` and worker processes (`src/worker/main.ts`) on one PostgreSQL and one Redis,
 * both PRIVATE to this test (it stops them; the shared ones are never touched), running the real
 * sandbox CLI, paced (`SANDBOX_ENV_PLANNER_STEP_DELAY_MS`) so the runs outlive the faults. Six
 * spec-driven tickets; mid-run, in turn: a worker is SIGKILLed (its sandboxes die with it; BullMQ hands
 * its jobs to the other workers, whose claims resume each run after its last passed phase), server B is
 * SIGKILLed and restarted, Redis is killed (it keeps nothing: the servers rebuild the queue from the
 * database) and restarted, and the database is stopped for 10 s (longer than the 6 s lease). Every run
 * completes, gap-free, with exactly one `agent.completed`, and an SSE reader on the other server sees
 * every event once. No step waits for time: each waits for a condition, with generous limits.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { createServer } from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { EventsPage, Spec, Ticket } from '@specline/protocol';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openDatabase, type Database } from '../store/db';
import { sandboxes } from '../store/schema';
import { tempDataDir, waitFor } from './launcherFixtures';
import { createDatabaseOn, startPrivatePostgres, startPrivateRedis, type PrivatePostgres, type PrivateRedis } from './privateServices';
import { followSse } from './sseFollower';

const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const STEP_DELAY_MS = 2500;
const eqId = (id: string) => eq(sandboxes.id, id);
const specIdIs = (id: string) => eq(sandboxes.specId, id);
const RUNS = 6;

interface Proc {
  child: ChildProcess;
  exited: Promise<unknown>;
  log: () => string;
}

/** A free port in this suite's range (19100–19199), so parallel suites never collide. */
async function portInRange(from = 19150, to = 19199): Promise<number> {
  for (let port = from; port <= to; port++) {
    const free = await new Promise<boolean>((resolve) => {
      const s = createServer();
      s.once('error', () => resolve(false));
      s.listen(port, '127.0.0.1', () => s.close(() => resolve(true)));
    });
    if (free) return port;
  }
  throw new Error(`no free port in ${from}-${to}`);
}

function start(script: string, env: Record<string, string>, ready: string): Promise<Proc> {
  const child = spawn(process.execPath, ['--import', 'tsx', script], {
    cwd: SERVER_DIR,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', () => {
      if (out.includes(ready)) resolve({ child, exited, log: () => out });
    });
    void exited.then(() => reject(new Error(`${script} exited before it was ready:\n${out}`)));
  });
}

async function kill(proc: Proc | undefined): Promise<void> {
  if (!proc || proc.child.exitCode !== null || proc.child.signalCode !== null) return;
  proc.child.kill('SIGKILL');
  await proc.exited;
}

describe('queue runner: two servers and several workers survive a dead worker, a server restart, Redis lost and the database away', { timeout: 600_000 }, () => {
  let pgServer: PrivatePostgres;
  let redis: PrivateRedis;
  let database: Database;
  const servers: Record<'a' | 'b', { port: number; env: Record<string, string>; proc?: Proc }> = { a: { port: 0, env: {} }, b: { port: 0, env: {} } };
  const workers: Proc[] = [];
  const workerDirs: string[] = [];
  let workerEnv: (server: 'a' | 'b') => Record<string, string>;

  beforeAll(async () => {
    pgServer = await startPrivatePostgres();
    redis = await startPrivateRedis();
    const url = await createDatabaseOn(pgServer.url, 'specline_i11_workers');
    const workerToken = randomBytes(32).toString('hex');
    const shared = {
      DATABASE_URL: url,
      REDIS_URL: redis.url,
      JWT_SECRET: randomBytes(32).toString('hex'),
      SPECLINE_SECRET_KEY: randomBytes(32).toString('hex'),
      DEMO_USER: 'false',
      HOST: '127.0.0.1',
      SPECLINE_RUNNER: 'queue',
      SPECLINE_WORKER_TOKEN: workerToken,
      SPECLINE_QUEUE_NAME: 'specline-i11-trial',
      SPECLINE_RUN_ATTEMPTS: '4',
      SPECLINE_MAX_RUNS_PER_USER: '0',
      SANDBOX_HEARTBEAT_INTERVAL: '2',
      SANDBOX_MISSED_HEARTBEATS: '3',
    };
    for (const name of ['a', 'b'] as const) {
      const port = await portInRange(name === 'a' ? 19150 : 19160);
      servers[name] = { port, env: { ...shared, PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, SPECLINE_DATA_DIR: tempDataDir() } };
    }
    servers.a.proc = await start('src/main.ts', servers.a.env, 'Specline is listening on');
    servers.b.proc = await start('src/main.ts', servers.b.env, 'Specline is listening on');
    workerEnv = (server) => {
      const dir = tempDataDir();
      workerDirs.push(dir);
      return {
        REDIS_URL: redis.url,
        SPECLINE_SERVER_URL: `http://127.0.0.1:${servers[server].port}`,
        SPECLINE_WORKER_TOKEN: workerToken,
        SPECLINE_QUEUE_NAME: 'specline-i11-trial',
        SPECLINE_WORKER_CONCURRENCY: '3',
        SPECLINE_WORKER_DIR: dir,
        SPECLINE_WORKER_LOCK_SECONDS: '4',
        SPECLINE_WORKER_POLL_SECONDS: '1',
        SANDBOX_ENV_PLANNER_STEP_DELAY_MS: String(STEP_DELAY_MS),
      };
    };
    workers.push(await start('src/worker/main.ts', workerEnv('a'), 'is taking runs'));
    workers.push(await start('src/worker/main.ts', workerEnv('b'), 'is taking runs'));
    database = await openDatabase({ url, poolSize: 2 });
  }, 300_000);

  afterAll(async () => {
    for (const w of workers) await kill(w).catch(() => undefined);
    for (const s of Object.values(servers)) await kill(s.proc).catch(() => undefined);
    // Sandboxes of killed workers die with them (the watchdog); make sure of it.
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
  }, 120_000);

  const base = (name: 'a' | 'b') => `http://127.0.0.1:${servers[name].port}/api/v1`;
  async function api<T>(name: 'a' | 'b', method: string, route: string, token?: string, body?: unknown): Promise<{ status: number; body: T }> {
    const res = await fetch(`${base(name)}${route}`, {
      method,
      headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    return { status: res.status, body: (await res.json().catch(() => null)) as T };
  }
  const logs = () => `A:\n${servers.a.proc?.log() ?? ''}\nB:\n${servers.b.proc?.log() ?? ''}\n${workers.map((w, i) => `worker ${i + 1}:\n${w.log()}`).join('\n')}`;

  it('six spec-driven tickets: a worker SIGKILLed, server B restarted, Redis killed, the database stopped 10 s — all six complete, gap-free, one agent.completed each, SSE readers see every event once', async () => {
    const reg = await api<{ access_token: string }>('a', 'POST', '/auth/register', undefined, { email: 'queue@example.test', password: 'correct horse battery', name: 'Queue' });
    expect(reg.status).toBe(201);
    const token = reg.body.access_token;
    const project = await api<{ id: string }>('a', 'POST', '/projects', token, { name: 'Queue trial' });
    const specIds: string[] = [];
    for (let i = 0; i < RUNS; i++) {
      const via = i % 2 === 0 ? 'a' : 'b';
      const res = await api<Ticket>(via, 'POST', '/tickets', token, { title: `Export format ${i + 1}`, description: `Export the reports page in format ${i + 1}`, project_id: project.body.id, workflow_mode: 'spec_driven' });
      expect(res.status, JSON.stringify(res.body)).toBe(201);
      specIds.push(res.body.spec_id!);
    }
    const readers = new Map(specIds.map((id, i) => [id, followSse(i % 2 === 0 ? [base('b'), base('a')] : [base('a'), base('b')], id, token)]));
    const specOf = async (id: string) => (await api<Spec>('a', 'GET', `/specs/${id}`, token)).body;
    const passedPhases = (s: Spec | null) => (s ? Object.values(s.phase_status).filter((p) => p?.state === 'passed').length : 0);

    // Worker 1 holds runs that passed EXPLORE: it dies (SIGKILL) — its sandboxes with it.
    const ownerOf = async (id: string) => {
      const spec = await specOf(id);
      if (!spec.sandbox_id) return undefined;
      const [row] = await database.db.select({ owner: sandboxes.leaseOwner }).from(sandboxes).where(eqId(spec.sandbox_id));
      return row?.owner ?? undefined;
    };
    const workerPid = workers[0]!.child.pid!;
    await waitFor('worker 1 to hold a run past EXPLORE', async () => {
      for (const id of specIds) {
        const spec = await specOf(id);
        if (passedPhases(spec) >= 1 && spec.status === 'executing' && (await ownerOf(id))?.includes(`:${workerPid}:`)) return true;
      }
      return undefined;
    }, 240_000, 250);
    await kill(workers[0]);
    // A replacement joins (any machine that reaches Redis and the server's URL).
    workers.push(await start('src/worker/main.ts', workerEnv('b'), 'is taking runs'));

    // Server B dies and comes back on its port.
    await kill(servers.b.proc);
    servers.b.proc = await start('src/main.ts', servers.b.env, 'Specline is listening on');

    // Redis dies (with every job in it) and comes back empty.
    await redis.kill();
    await new Promise((resolve) => setTimeout(resolve, 3_000)); // the fault's length, not a synchronisation
    await redis.start();

    // The database goes away for 10 s (the lease is 2 s × 3 = 6 s) while runs are mid-way.
    await waitFor('a run still executing before the database stops', async () => {
      for (const id of specIds) if ((await specOf(id)).status === 'executing') return true;
      return undefined;
    }, 240_000, 250);
    await pgServer.stop();
    expect((await fetch(`${base('a')}/health`)).status).toBe(503);
    await new Promise((resolve) => setTimeout(resolve, 10_000)); // the fault's length, not a synchronisation
    await pgServer.start();

    let attempts = 0;
    for (const id of specIds) {
      const spec = await waitFor(`${id} to finish`, async () => {
        const s = await api<Spec>('b', 'GET', `/specs/${id}`, token).catch(() => undefined);
        return s?.status === 200 && !['executing', 'queued'].includes(s.body.status) ? s.body : undefined;
      }, 420_000, 500);
      expect(spec.status, `${spec.last_error}\n${logs()}`).toBe('completed');
      const page = (await api<EventsPage>('b', 'GET', `/specs/${id}/events?order=asc&limit=1000`, token)).body;
      expect(page.events.map((e) => e.spec_seq)).toEqual(page.events.map((_, i) => i + 1));
      expect(page.events.filter((e) => e.event_type === 'agent.completed')).toHaveLength(1);
      expect(page.events.at(-1)).toMatchObject({ event_type: 'agent.completed', event_data: { success: true } });
      expect(page.events.filter((e) => e.source === 'system')).toEqual([]);
      const rows = await database.db.select({ attempt: sandboxes.attempt }).from(sandboxes).where(specIdIs(id));
      attempts += rows.length;
      const reader = readers.get(id)!;
      await Promise.race([reader.done, new Promise((resolve) => setTimeout(resolve, 60_000))]);
      reader.stop();
      expect(reader.seqs, 'the SSE client saw every event exactly once, in order').toEqual(page.events.map((e) => e.spec_seq));
      process.stdout.write(`queue trial: ${id}: ${page.events.length} events gap-free, 1 agent.completed, ${rows.length} attempt(s), SSE reader got ${reader.seqs.length} once each\n`);
    }
    // The killed worker's runs were resumed by other workers: more attempts than runs.
    expect(attempts).toBeGreaterThan(RUNS);
    // Every completed attempt's sandbox printed its summary without refusals.
    const summaries = workerDirs.flatMap((dir) => {
      try {
        return readdirSync(path.join(dir, 'sandboxes'))
          .filter((f) => f.endsWith('.log'))
          .map((f) => readFileSync(path.join(dir, 'sandboxes', f), 'utf8'));
      } catch {
        return [];
      }
    });
    expect(summaries.filter((log) => log.includes('Run succeeded'))).toHaveLength(RUNS);
    expect(summaries.filter((log) => log.includes('not accepted'))).toEqual([]);
  });
});
