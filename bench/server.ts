/**
 * `npm run bench` — the server benchmark (a benchmark, not a test). In one run against PostgreSQL
 * (fresh database `specline_bench`) and Redis it starts the real server as a child process, then
 * measures:
 *   1. ingest events/s with batches of 500 (4 concurrent producers, ≥ 100,000 events), checked by SQL;
 *   2. the same load the original way (one POST per event), and the ratio;
 *   3. latency from POST accepted to receipt by 100 SSE subscribers at 1,000 events/s;
 *   4. the server's RSS per phase;
 * and writes bench/results/server-<date>.md and server-latest.json. Exit 0 even when a target is
 * missed (it is a report); 1 when the harness itself failed (lost events, gaps, failed requests).
 *
 * Flags: --quick (small run, report to a temp dir), --profile (server under `node --cpu-prof`, profile
 * summary in the report), --phases=batched,original,latency, --out=<dir>.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { HttpClient, nowMs } from './lib/http';
import { runBatchedIngest, runSingleEventIngest, type IngestRunResult } from './lib/ingest';
import { runLatency } from './lib/latency';
import { cpuShare, cpuUsed, loadAverage, ResourceMonitor } from './lib/procfs';
import { profileMarkdown, type Window } from './lib/profile';
import { markdownReport, markdownTable, targetRows, type BenchReport, type Conditions, type IngestReport } from './lib/report';
import { freePort, startServer, type ServerProcess } from './lib/serverProcess';
import { checkSpecSequence, databaseUrl, demoSession, postgresSettings, postgresVersion, recreateDatabase, specWithSandboxes, type BenchSandbox, type PgTarget } from './lib/setup';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2).filter((a) => !a.includes('=')));
const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = args.has('--quick');
const profiling = args.has('--profile');
const phases = new Set((option('phases') ?? 'batched,original,latency').split(','));

const settings = {
  producers: 4,
  batchSize: 500,
  batchedEvents: quick ? 20_000 : 100_000,
  /** One POST per event: ≥ 5,000 in all, bounded in time. */
  originalEvents: quick ? 1_000 : 6_000,
  originalMaxMs: 120_000,
  /**
   * The server limits ingest POSTs to 1,200 per minute per sandbox (routes/ingest.ts): the original
   * way spreads each producer over enough specs to stay under it, and so does the latency producer.
   */
  postsPerSandboxMax: 1_000,
  latency: { subscribers: quick ? 20 : 100, batchSize: 10, intervalMs: 10, durationMs: quick ? 5_000 : 15_000, warmupEvents: 20, maxInFlight: 50, sandboxes: 2 },
};

const pgTarget: PgTarget = {
  host: process.env['BENCH_PG_HOST'] ?? '127.0.0.1',
  port: Number(process.env['BENCH_PG_PORT'] ?? 5432),
  user: process.env['BENCH_PG_USER'] ?? 'postgres',
  database: 'specline_bench',
};
const redisUrl = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
/** The server's entry, relative to the repo root: a scratch copy can be measured the same way. */
const serverEntry = process.env['BENCH_SERVER_ENTRY'] ?? 'apps/server/src/main.ts';

function sh(command: string, argv: string[]): string {
  try {
    return execFileSync(command, argv, { encoding: 'utf8', cwd: repoRoot, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

function conditions(serverCommand: string): Conditions {
  const dirty = sh('git', ['status', '--porcelain', '--', 'apps/server', 'packages']);
  const redis = /redis_version:(\S+)/.exec(sh('redis-cli', ['-u', redisUrl, 'info', 'server']))?.[1] ?? 'unknown';
  const perProducer = settings.originalEvents / settings.producers;
  return {
    date: new Date().toISOString(),
    commit: `${sh('git', ['rev-parse', '--short', 'HEAD'])}${dirty && dirty !== 'unknown' ? ' (with uncommitted changes under apps/server or packages)' : ''}`,
    cores: os.cpus().length,
    cpuModel: os.cpus()[0]?.model ?? 'unknown',
    memoryGiB: Math.round(os.totalmem() / 2 ** 30),
    node: process.version,
    postgres: postgresVersion(pgTarget),
    postgresSettings: postgresSettings(pgTarget),
    redis,
    loadAverageAtStart: loadAverage(),
    serverCommand,
    batchSize: settings.batchSize,
    producers: settings.producers,
    batchedEvents: settings.batchedEvents,
    originalEvents: settings.originalEvents,
    originalSpecsPerProducer: Math.ceil(perProducer / settings.postsPerSandboxMax),
    latency: { ...settings.latency },
  };
}

function ingestReport(run: IngestRunResult, checks: IngestReport['checks']): IngestReport {
  const { perSpec: _perSpec, ...rest } = run;
  return { ...rest, checks };
}

async function verify(db: pg.Client, run: IngestRunResult, label: string, errors: string[]): Promise<IngestReport['checks']> {
  const checks = [];
  for (const [specId, expected] of run.perSpec) checks.push(await checkSpecSequence(db, specId, expected));
  for (const c of checks.filter((x) => !x.ok)) {
    errors.push(`${label}: spec ${c.specId} holds ${c.count} rows (${c.distinct} distinct spec_seq, ${c.min}..${c.max}, last_spec_seq ${c.lastSpecSeq}); expected exactly ${c.expected}, 1..${c.expected}`);
  }
  return checks;
}

async function main(): Promise<number> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'specline-bench-'));
  const profileDir = profiling ? path.join(work, 'profile') : undefined;
  if (profileDir) mkdirSync(profileDir);
  const serverCommand = profiling ? `node --cpu-prof --import tsx ${serverEntry}` : `npx tsx ${serverEntry}`;
  const windows: Window[] = [];
  const report: BenchReport = { conditions: conditions(serverCommand), memory: {}, phases: [], harnessErrors: [] };
  const log = (line: string) => process.stdout.write(`bench: ${line}\n`);

  log(`fresh database ${pgTarget.database}; work directory ${work}`);
  recreateDatabase(pgTarget);
  const port = await freePort();
  let server: ServerProcess | undefined;
  let monitor: ResourceMonitor | undefined;
  const db = new pg.Client({ connectionString: databaseUrl(pgTarget) });
  const http = new HttpClient(`http://127.0.0.1:${port}`);
  try {
    server = await startServer({
      repoRoot,
      entry: serverEntry,
      logFile: path.join(work, 'server.log'),
      profileDir,
      env: {
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: databaseUrl(pgTarget),
        REDIS_URL: redisUrl,
        SPECLINE_DATA_DIR: path.join(work, 'data'),
        SANDBOX_PROVIDER: 'none',
        // The harness's sandboxes send no heartbeats between phases: keep the reaper from failing
        // (and revoking) them mid-run. It still runs, every 600 s.
        SANDBOX_HEARTBEAT_INTERVAL: '600',
        // One login serves the whole run (the harness does not refresh): a day instead of 15 min.
        ACCESS_TOKEN_TTL_SECONDS: '86400',
        DEMO_USER: 'true',
        LOG_LEVEL: 'warn',
      },
    });
    log(`server ready on ${server.baseUrl} (pid ${server.pid})`);
    monitor = new ResourceMonitor(server.pid);
    monitor.start();
    monitor.phase('idle');
    await sleep(3_000);

    await db.connect();
    const session = await demoSession(http);
    const setup = async <T>(make: () => Promise<T>): Promise<T> => {
      monitor!.phase('setup');
      return make();
    };
    const phase = async <T>(name: string, run: () => Promise<T>): Promise<T> => {
      monitor!.phase(name);
      const a = monitor!.cpu();
      const startMs = nowMs();
      const result = await run();
      windows.push({ name, startMs, endMs: nowMs() });
      const b = monitor!.cpu();
      const used = cpuUsed(a, b);
      report.phases.push({ name, cpuUsed: used, cpu: cpuShare(used), loadAverageAtEnd: loadAverage() });
      monitor!.phase(`${name} (cool-down)`);
      await sleep(1_000);
      return result;
    };

    if (phases.has('batched')) {
      log(`batched: ${settings.batchedEvents} events, ${settings.batchSize}/POST, ${settings.producers} producers`);
      const sandboxes = await setup(async () => {
        const out: BenchSandbox[] = [];
        for (let i = 0; i < settings.producers; i++) out.push(...(await specWithSandboxes(http, db, session, `bench batched ${i + 1}`)));
        return out;
      });
      const run = await phase('batched', () => runBatchedIngest(http, sandboxes, settings.batchedEvents, settings.batchSize));
      report.batched = ingestReport(run, await verify(db, run, 'batched', report.harnessErrors));
      log(`batched: ${Math.round(run.eventsPerSecond)} events/s`);
    }
    if (phases.has('original')) {
      log(`original way: ${settings.originalEvents} events, 1/POST, ${settings.producers} producers`);
      const producers = await setup(async () => {
        const out: BenchSandbox[][] = [];
        for (let i = 0; i < settings.producers; i++) {
          const own: BenchSandbox[] = [];
          for (let j = 0; j < report.conditions.originalSpecsPerProducer; j++) own.push(...(await specWithSandboxes(http, db, session, `bench original ${i + 1}.${j + 1}`)));
          out.push(own);
        }
        return out;
      });
      const run = await phase('original', () => runSingleEventIngest(http, producers, settings.originalEvents / settings.producers, settings.originalMaxMs));
      report.original = ingestReport(run, await verify(db, run, 'original', report.harnessErrors));
      log(`original way: ${Math.round(run.eventsPerSecond)} events/s${run.truncated ? ' (time bound reached)' : ''}`);
    }
    if (report.batched && report.original) report.ratio = report.batched.eventsPerSecond / report.original.eventsPerSecond;
    if (phases.has('latency')) {
      const l = settings.latency;
      log(`latency: ${l.subscribers} SSE subscribers, ${l.batchSize} events every ${l.intervalMs} ms for ${l.durationMs / 1000} s`);
      const sandboxes = await setup(() => specWithSandboxes(http, db, session, 'bench latency', l.sandboxes));
      const result = await phase('latency', () => runLatency(http, sandboxes, session.token, l));
      report.latency = result;
      if (!result.delivery.exactlyOnceInOrder) report.harnessErrors.push(`latency: delivery problems: ${result.delivery.errors.slice(0, 5).join('; ')}`);
      if (!result.sentAtCarried) report.harnessErrors.push('latency: data.sent_at read back by a subscriber differs from what was sent');
      log(`latency: p50 ${result.fromAccepted.p50} ms, p99 ${result.fromAccepted.p99} ms from POST accepted`);
    }
  } catch (error) {
    report.harnessErrors.push(error instanceof Error ? error.message : String(error));
    if (server) process.stderr.write(`bench: server log tail:\n${server.logTail()}\n`);
  } finally {
    monitor?.stop();
    http.close();
    await db.end().catch(() => undefined);
    if (server) log(`server stopped: ${await server.stop()}`);
  }
  if (monitor) report.memory = Object.fromEntries(monitor.phases);
  if (profileDir) report.profile = profileMarkdown(profileDir, windows);

  const outDir = option('out') ?? (quick || profiling || phases.size < 3 ? work : path.join(repoRoot, 'bench', 'results'));
  mkdirSync(outDir, { recursive: true });
  const day = report.conditions.date.slice(0, 10);
  const mdFile = path.join(outDir, `server-${day}.md`);
  writeFileSync(mdFile, markdownReport(report));
  writeFileSync(path.join(outDir, 'server-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\n${markdownTable(targetRows(report))}\n\n`);
  if (report.profile) process.stdout.write(`${report.profile}\n\n`);
  log(`report: ${mdFile} and ${path.join(outDir, 'server-latest.json')}`);
  if (report.harnessErrors.length) {
    process.stderr.write(`bench: the harness failed:\n${report.harnessErrors.map((e) => `  - ${e}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
