/**
 * Run-queue benchmark (issue 11): one server with `SPECLINE_RUNNER=queue` on the local PostgreSQL and
 * Redis, and 1, 2 and 4 worker processes (`apps/server/src/worker/main.ts`, concurrency 1 each). For each
 * worker count the same batch of runs is launched at once (the offline planner with a small step delay,
 * `SANDBOX_ENV_PLANNER_STEP_DELAY_MS`), and the report puts side by side: runs per minute, events per
 * second (events stored / wall time from the first launch to the last `agent.completed`), and the time
 * from launch to the run's first stored event (p50/p95/p99: queue wait + claim + checkout + sandbox
 * start). Writes bench/results/workers-<date>.md and workers-latest.json. A report, not a test.
 *
 *   npx tsx bench/workers.ts            # 12 runs per worker count
 *   npx tsx bench/workers.ts --quick    # 4 runs per worker count
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { startServer } from './lib/serverProcess';
import { databaseUrl, postgresVersion, recreateDatabase, type PgTarget } from './lib/setup';
import { summarize, type Summary } from './lib/stats';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const quick = process.argv.includes('--quick');
const RUNS = quick ? 4 : 12;
const WORKER_COUNTS = [1, 2, 4];
const STEP_DELAY_MS = 50;
const PORT = 19170;
const target: PgTarget = { host: '127.0.0.1', port: 5432, user: 'postgres', database: 'specline_i11_bench' };
const REDIS_URL = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

interface RoundResult {
  workers: number;
  runs: number;
  completed: number;
  wallSeconds: number;
  runsPerMinute: number;
  events: number;
  eventsPerSecond: number;
  launchToFirstEventMs: Summary;
  loadAverageAtEnd: string;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const load = () => os.loadavg().map((l) => l.toFixed(2)).join(' ');

function startWorker(env: Record<string, string>, logFile: string): Promise<ChildProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'apps/server/src/worker/main.ts'], {
    cwd: ROOT,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout.on('data', (c: Buffer) => (out += c.toString()));
  child.stderr.on('data', (c: Buffer) => (out += c.toString()));
  child.once('exit', () => writeFileSync(logFile, out));
  return new Promise((resolve, reject) => {
    child.stdout.on('data', () => {
      if (out.includes('is taking runs')) resolve(child);
    });
    child.once('exit', () => reject(new Error(`a worker exited before it was ready:\n${out}`)));
  });
}

async function stopWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once('exit', resolve));
  child.kill('SIGTERM');
  await Promise.race([exited, sleep(20_000)]);
  if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
}

async function api<T>(base: string, method: string, route: string, token: string | undefined, body?: unknown): Promise<T> {
  const res = await fetch(`${base}/api/v1${route}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...(token ? { authorization: `Bearer ${token}` } : {}) },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  if (!res.ok) throw new Error(`${method} ${route}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

async function main(): Promise<void> {
  recreateDatabase(target);
  const workDir = mkdtempSync(path.join(os.tmpdir(), 'specline-bench-workers-'));
  const workerToken = randomBytes(32).toString('hex');
  const queueName = `specline-bench-${randomBytes(4).toString('hex')}`;
  const server = await startServer({
    repoRoot: ROOT,
    entry: 'apps/server/src/main.ts',
    logFile: path.join(workDir, 'server.log'),
    env: {
      PORT: String(PORT),
      HOST: '127.0.0.1',
      PUBLIC_URL: `http://127.0.0.1:${PORT}`,
      DATABASE_URL: databaseUrl(target),
      REDIS_URL,
      SPECLINE_DATA_DIR: path.join(workDir, 'data'),
      SPECLINE_RUNNER: 'queue',
      SPECLINE_WORKER_TOKEN: workerToken,
      SPECLINE_QUEUE_NAME: queueName,
      SPECLINE_MAX_RUNS_PER_USER: '0',
      SPECLINE_MAX_RUNS_PER_PROJECT: '0',
      SPECLINE_MAX_RUNS: '0',
      DEMO_USER: 'false',
      LOG_LEVEL: 'warn',
      SANDBOX_HEARTBEAT_INTERVAL: '5',
    },
  });
  const base = server.baseUrl;
  const db = new pg.Client({ connectionString: databaseUrl(target) });
  await db.connect();
  const results: RoundResult[] = [];
  try {
    const reg = await api<{ access_token: string }>(base, 'POST', '/auth/register', undefined, { email: 'bench@example.test', password: 'correct horse battery', name: 'Bench' });
    const token = reg.access_token;
    const project = await api<{ id: string }>(base, 'POST', '/projects', token, { name: 'Workers bench' });
    for (const count of WORKER_COUNTS) {
      const workers: ChildProcess[] = [];
      for (let i = 0; i < count; i++) {
        const dir = path.join(workDir, `w${count}-${i}`);
        mkdirSync(dir, { recursive: true });
        workers.push(
          await startWorker(
            {
              REDIS_URL,
              SPECLINE_SERVER_URL: base,
              SPECLINE_WORKER_TOKEN: workerToken,
              SPECLINE_QUEUE_NAME: queueName,
              SPECLINE_WORKER_CONCURRENCY: '1',
              SPECLINE_WORKER_DIR: dir,
              SANDBOX_ENV_PLANNER_STEP_DELAY_MS: String(STEP_DELAY_MS),
            },
            path.join(workDir, `worker-${count}-${i}.log`),
          ),
        );
      }
      const launched = new Map<string, number>();
      const started = Date.now();
      await Promise.all(
        Array.from({ length: RUNS }, async (_, i) => {
          const at = Date.now();
          const answer = await api<{ spec_id: string }>(base, 'POST', '/specs/launch', token, { title: `Export format ${count}-${i}`, description: `Export the reports page as format ${i}`, project_id: project.id });
          launched.set(answer.spec_id, at);
        }),
      );
      const ids = [...launched.keys()];
      const deadline = Date.now() + 20 * 60_000;
      for (;;) {
        const { rows } = await db.query<{ n: string }>(`select count(*)::text as n from specs where id = any($1) and status not in ('executing', 'queued')`, [ids]);
        if (Number(rows[0]?.n) === ids.length || Date.now() > deadline) break;
        await sleep(250);
      }
      const { rows } = await db.query<{ spec_id: string; status: string; events: string; first_at: Date; done_at: Date | null }>(
        `select s.id as spec_id, s.status, count(e.id)::text as events, min(e.received_at) as first_at,
                max(e.received_at) filter (where e.event_type = 'agent.completed') as done_at
         from specs s left join sandbox_events e on e.spec_id = s.id where s.id = any($1) group by s.id, s.status`,
        [ids],
      );
      const lastDone = Math.max(...rows.map((r) => (r.done_at ? r.done_at.getTime() : Date.now())));
      const wallSeconds = (lastDone - started) / 1000;
      const events = rows.reduce((n, r) => n + Number(r.events), 0);
      const completed = rows.filter((r) => r.status === 'completed').length;
      results.push({
        workers: count,
        runs: RUNS,
        completed,
        wallSeconds: Math.round(wallSeconds * 10) / 10,
        runsPerMinute: Math.round((completed / wallSeconds) * 60 * 10) / 10,
        events,
        eventsPerSecond: Math.round(events / wallSeconds),
        launchToFirstEventMs: summarize(rows.filter((r) => r.first_at).map((r) => r.first_at.getTime() - launched.get(r.spec_id)!)),
        loadAverageAtEnd: load(),
      });
      process.stdout.write(`${count} worker(s): ${JSON.stringify(results.at(-1))}\n`);
      for (const w of workers) await stopWorker(w);
    }
  } finally {
    await db.end();
    await server.stop();
  }
  const date = new Date().toISOString().slice(0, 10);
  const commit = (() => {
    try {
      return readFileSync(path.join(ROOT, '.git/HEAD'), 'utf8').trim();
    } catch {
      return 'unknown';
    }
  })();
  const conditions = {
    date: new Date().toISOString(),
    head: commit,
    cores: os.cpus().length,
    cpu: os.cpus()[0]?.model ?? 'unknown',
    node: process.version,
    postgres: postgresVersion(target),
    redis: REDIS_URL,
    runsPerRound: RUNS,
    workerConcurrency: 1,
    plannerStepDelayMs: STEP_DELAY_MS,
    quick,
  };
  const report = { conditions, results };
  const outDir = quick ? mkdtempSync(path.join(os.tmpdir(), 'specline-bench-workers-out-')) : path.join(ROOT, 'bench/results');
  mkdirSync(outDir, { recursive: true });
  writeFileSync(path.join(outDir, 'workers-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  const lines = [
    `# Run queue: workers (${date})`,
    '',
    `${conditions.cores} cores (${conditions.cpu}), Node ${conditions.node}, PostgreSQL ${conditions.postgres}, Redis; one server (SPECLINE_RUNNER=queue);`,
    `${RUNS} runs launched at once per round, the offline planner with a ${STEP_DELAY_MS} ms step delay, worker concurrency 1.`,
    'The machine is shared (8 engineers): compare the columns with each other, and read the load average.',
    '',
    '| workers | runs completed | wall s | runs / min | events | events / s | launch → first event p50 · p95 · p99 ms | load at end |',
    '|---|---|---|---|---|---|---|---|',
    ...results.map(
      (r) =>
        `| ${r.workers} | ${r.completed}/${r.runs} | ${r.wallSeconds} | ${r.runsPerMinute} | ${r.events} | ${r.eventsPerSecond} | ${r.launchToFirstEventMs.p50} · ${r.launchToFirstEventMs.p95} · ${r.launchToFirstEventMs.p99} | ${r.loadAverageAtEnd} |`,
    ),
    '',
    'Launch → first event includes the wait for a free worker: with fewer workers than runs, later runs wait for earlier ones.',
    '',
  ];
  writeFileSync(path.join(outDir, `workers-${date}.md`), lines.join('\n'));
  process.stdout.write(`${lines.join('\n')}\nwritten to ${outDir}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`bench/workers: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
