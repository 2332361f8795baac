/**
 * `npx tsx bench/streams.ts` — the stream fan-out benchmark of issue 14 (a report, not a test). On
 * PostgreSQL (fresh database `specline_bench_streams`) + Redis it starts the real server as a child
 * process (with `SPECLINE_STREAM_METRICS=true`: event-loop delay from the server itself) and runs:
 *   1. steady: N SSE clients on one spec while 500 events/s arrive; delivery (receipt − POST accepted)
 *      and event-loop delay p99;
 *   2. storm: N clients live on one spec at 500 events/s, all dropped at once, reconnected after
 *      `dropMs` with `Last-Event-ID`: time until every client has every event committed before the
 *      reconnect, lost and duplicated counts, event-loop delay p99, server RSS peak, ingest POST p99
 *      during the storm.
 * The clients run in 2 child processes (sseFleet.ts); their CPU is reported. Writes
 * bench/results/streams-<date>.md and streams-latest.json (a temp directory with --quick).
 *
 * Flags: --quick (100 clients, short phases), --clients=N, --phases=steady,storm, --profile,
 * --before-root=<dir> (also run a checkout of an earlier commit, e.g. a `git worktree` of 132e96f,
 * with the same harness, and put its figures next to these), --before-json=<run-before.json of an
 * earlier run> (reuse that run instead), --out=<dir>.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { HttpClient, nowMs } from './lib/http';
import { cpuShare, cpuUsed, loadAverage, ResourceMonitor } from './lib/procfs';
import { profileMarkdown, type Window } from './lib/profile';
import { freePort, startServer, type ServerProcess } from './lib/serverProcess';
import { databaseUrl, demoSession, postgresVersion, recreateDatabase, specWithSandboxes, type PgTarget } from './lib/setup';
import { finishFleets, LoopProbe, Producer, reachAll, readMetrics, startFleets } from './lib/streamsRun';
import { streamsMarkdown, type StormFigures, type SteadyFigures, type StreamsRun } from './lib/streamsReport';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2).filter((a) => !a.includes('=')));
const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = args.has('--quick');
const profiling = args.has('--profile');
const phases = new Set((option('phases') ?? 'steady,storm').split(','));
const clients = Number(option('clients') ?? (quick ? 100 : 1_000));

const settings = {
  clients,
  fleetProcesses: 2,
  /** 25 events every 50 ms: 500 events/s, over 2 sandboxes (10 POSTs/s each, under the 20/s ingest limit), one POST in flight per sandbox. */
  batchSize: 25,
  intervalMs: 50,
  sandboxes: 2,
  padBytes: 120,
  warmupMs: quick ? 1_500 : 3_000,
  steadyMs: quick ? 4_000 : 15_000,
  stormLeadMs: quick ? 1_000 : 2_000,
  dropMs: 1_000,
  stormTailMs: quick ? 1_500 : 3_000,
  catchUpTimeoutMs: 120_000,
};

const pgTarget: PgTarget = {
  host: process.env['BENCH_PG_HOST'] ?? '127.0.0.1',
  port: Number(process.env['BENCH_PG_PORT'] ?? 5432),
  user: process.env['BENCH_PG_USER'] ?? 'postgres',
  database: 'specline_bench_streams',
};
const redisUrl = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const log = (line: string) => process.stdout.write(`bench streams: ${line}\n`);

function sh(command: string, argv: string[], cwd = repoRoot): string {
  try {
    return execFileSync(command, argv, { encoding: 'utf8', cwd, stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

/** One server (a checkout at `root`) through both phases. */
async function runAgainst(label: string, root: string, work: string): Promise<StreamsRun> {
  const dirty = sh('git', ['status', '--porcelain', '--', 'apps/server', 'packages'], root);
  const run: StreamsRun = {
    label,
    commit: `${sh('git', ['rev-parse', '--short', 'HEAD'], root)}${dirty && dirty !== 'unknown' ? ' (with uncommitted changes)' : ''}`,
    loadAverageAtStart: loadAverage(),
    memory: {},
    errors: [],
  };
  recreateDatabase(pgTarget);
  const port = await freePort();
  const profileDir = profiling ? path.join(work, `profile-${label}`) : undefined;
  if (profileDir) mkdirSync(profileDir);
  const windows: Window[] = [];
  let server: ServerProcess | undefined;
  let monitor: ResourceMonitor | undefined;
  const db = new pg.Client({ connectionString: databaseUrl(pgTarget) });
  const http = new HttpClient(`http://127.0.0.1:${port}`);
  const probe = new LoopProbe(path.join(work, `loop-${label}.json`));
  try {
    server = await startServer({
      repoRoot: root,
      entry: 'apps/server/src/main.ts',
      logFile: path.join(work, `server-${label}.log`),
      profileDir,
      env: {
        PORT: String(port),
        HOST: '127.0.0.1',
        DATABASE_URL: databaseUrl(pgTarget),
        REDIS_URL: redisUrl,
        SPECLINE_DATA_DIR: path.join(work, `data-${label}`),
        SANDBOX_PROVIDER: 'none',
        SANDBOX_HEARTBEAT_INTERVAL: '600',
        ACCESS_TOKEN_TTL_SECONDS: '86400',
        DEMO_USER: 'true',
        LOG_LEVEL: 'warn',
        SPECLINE_STREAM_METRICS: 'true',
        ...probe.env(),
      },
    });
    log(`${label}: server ready on ${server.baseUrl} (pid ${server.pid})`);
    monitor = new ResourceMonitor(server.pid);
    monitor.start();
    await db.connect();
    const session = await demoSession(http);
    const headers = session.headers;
    const baseUrl = `http://127.0.0.1:${port}`;

    const phase = async <T>(name: string, body: (mark: (a: number, b: number) => void) => Promise<T>) => {
      const before = monitor!.cpu();
      const result = await body((startMs, endMs) => {
        windows.push({ name: `${label} ${name}`, startMs, endMs });
        monitor!.phase(name);
      });
      const used = cpuUsed(before, monitor!.cpu());
      monitor!.phase(`${name} (cool-down)`);
      return { result, cpu: cpuShare(used), wallSeconds: used.wallSeconds };
    };

    if (phases.has('steady')) {
      log(`${label}: steady — ${settings.clients} clients, 500 events/s for ${settings.steadyMs / 1000} s`);
      const sandboxes = await specWithSandboxes(http, db, session, `streams steady ${label}`, settings.sandboxes);
      const { fleets, connectMs, failed } = await startFleets(baseUrl, sandboxes[0]!.specId, session.token, settings.clients, settings.fleetProcesses);
      if (failed) run.errors.push(`steady: ${failed} clients could not connect`);
      const producer = new Producer(http, sandboxes, settings.batchSize, settings.intervalMs, settings.sandboxes, settings.padBytes);
      const out = await phase('steady', async (mark) => {
        monitor!.phase('steady');
        producer.start();
        await sleep(settings.warmupMs);
        const warm = producer.lastSeq;
        await reachAll(fleets, warm, 60_000);
        await readMetrics(http, headers, true);
        await probe.reset();
        const t0 = nowMs();
        const seqAtStart = producer.lastSeq;
        await sleep(settings.steadyMs);
        const loop = await probe.read();
        const metrics = await readMetrics(http, headers, false);
        await producer.stop();
        mark(t0, nowMs());
        const t1 = nowMs();
        const fleet = await finishFleets(fleets, producer, warm);
        return { warm, seqAtStart, metrics, loop, seconds: (t1 - t0) / 1000, fleet };
      });
      const { fleet, metrics, loop } = out.result;
      // The rate over the measured window only (the wait for every client to have the warm-up is not in it).
      const events = producer.lastSeq - out.result.seqAtStart;
      const figures: SteadyFigures = {
        clients: settings.clients,
        connectMs,
        events,
        eventsPerSecond: Math.round(events / out.result.seconds),
        delivery: fleet.delivery,
        eventLoop: loop,
        postLatency: producer.postLatency(0, Number.POSITIVE_INFINITY),
        lost: fleet.lost,
        undelivered: fleet.undelivered,
        duplicated: fleet.duplicated,
        closedByServer: fleet.closedByServer,
        serverCloses: fleet.reconnects,
        harnessCpuSeconds: fleet.cpuSeconds,
        cpu: out.cpu,
        wallSeconds: out.wallSeconds,
        hub: metrics?.hub,
      };
      run.steady = figures;
      if (producer.errors.length) run.errors.push(`steady producer: ${producer.errors.slice(0, 3).join('; ')}`);
      if (fleet.lost || fleet.duplicated) run.errors.push(`steady: ${fleet.lost} lost, ${fleet.duplicated} duplicated`);
      log(`${label}: steady — delivery p99 ${fleet.delivery.p99} ms, event loop p99 ${loop?.p99 ?? 'n/a'} ms, lost ${fleet.lost}, dup ${fleet.duplicated}`);
    }

    if (phases.has('storm')) {
      log(`${label}: storm — ${settings.clients} clients dropped for ${settings.dropMs} ms and resumed with Last-Event-ID at 500 events/s`);
      const sandboxes = await specWithSandboxes(http, db, session, `streams storm ${label}`, settings.sandboxes);
      const { fleets, connectMs, failed } = await startFleets(baseUrl, sandboxes[0]!.specId, session.token, settings.clients, settings.fleetProcesses);
      if (failed) run.errors.push(`storm: ${failed} clients could not connect`);
      const producer = new Producer(http, sandboxes, settings.batchSize, settings.intervalMs, settings.sandboxes, settings.padBytes);
      const out = await phase('storm', async (mark) => {
        producer.start();
        await sleep(settings.warmupMs);
        await reachAll(fleets, producer.lastSeq, 60_000);
        await sleep(settings.stormLeadMs);
        await readMetrics(http, headers, true);
        await probe.reset();
        monitor!.phase('storm');
        const dropAt = nowMs();
        const seqAtDrop = producer.lastSeq;
        await Promise.all(fleets.map((f) => f.ask({ type: 'drop' }, 'dropped', 30_000)));
        await sleep(settings.dropMs);
        const target = producer.lastSeq;
        const resumeAt = nowMs();
        const resumed = await Promise.all(fleets.map((f) => f.ask({ type: 'resume' }, 'resumed', 180_000)));
        const reached = await reachAll(fleets, target, settings.catchUpTimeoutMs);
        const caughtUpAt = reached.at ?? nowMs();
        const windowEnd = Math.max(caughtUpAt, resumeAt + 2_000);
        if (nowMs() < windowEnd) await sleep(windowEnd - nowMs());
        const loop = await probe.read();
        const metrics = await readMetrics(http, headers, false);
        mark(dropAt, windowEnd);
        monitor!.phase('storm (tail)');
        await sleep(settings.stormTailMs);
        await producer.stop();
        const fleet = await finishFleets(fleets, producer, target);
        return {
          target,
          missed: target - seqAtDrop,
          caughtUpMs: reached.at === undefined ? undefined : Math.round(reached.at - resumeAt),
          reconnectMs: Math.round(Math.max(...resumed.map((r) => r.ms))),
          reconnectFailed: resumed.reduce((n, r) => n + r.failed, 0),
          minAtTimeout: reached.min,
          postDuringStorm: producer.postLatency(resumeAt, windowEnd),
          postBefore: producer.postLatency(0, dropAt),
          metrics,
          loop,
          fleet,
        };
      });
      const r = out.result;
      const figures: StormFigures = {
        clients: settings.clients,
        connectMs,
        dropMs: settings.dropMs,
        missedPerClient: r.missed,
        target: r.target,
        caughtUpMs: r.caughtUpMs,
        catchUpTimeoutMs: settings.catchUpTimeoutMs,
        reconnectMs: r.reconnectMs,
        reconnectFailed: r.reconnectFailed,
        lost: r.fleet.lost,
        undelivered: r.fleet.undelivered,
        duplicated: r.fleet.duplicated,
        eventLoop: r.loop,
        serverRssPeakMiB: monitor.phases.get('storm')?.serverPeakMiB,
        postDuringStorm: r.postDuringStorm,
        postBefore: r.postBefore,
        closedByServer: r.fleet.closedByServer,
        serverCloses: r.fleet.reconnects,
        harnessCpuSeconds: r.fleet.cpuSeconds,
        cpu: out.cpu,
        wallSeconds: out.wallSeconds,
        hub: r.metrics?.hub,
      };
      run.storm = figures;
      if (producer.errors.length) run.errors.push(`storm producer: ${producer.errors.slice(0, 3).join('; ')}`);
      if (r.fleet.lost || r.fleet.duplicated) run.errors.push(`storm: ${r.fleet.lost} lost, ${r.fleet.duplicated} duplicated`);
      if (r.reconnectFailed) run.errors.push(`storm: ${r.reconnectFailed} reconnects failed`);
      log(`${label}: storm — caught up in ${r.caughtUpMs ?? `> ${settings.catchUpTimeoutMs}`} ms, lost ${r.fleet.lost}, dup ${r.fleet.duplicated}, POST p99 ${r.postDuringStorm.p99} ms, event loop p99 ${r.loop?.p99 ?? 'n/a'} ms`);
    }
  } catch (error) {
    run.errors.push(error instanceof Error ? error.message : String(error));
    if (server) process.stderr.write(`bench streams: ${label} server log tail:\n${server.logTail()}\n`);
  } finally {
    monitor?.stop();
    http.close();
    await db.end().catch(() => undefined);
    if (server) log(`${label}: server stopped: ${await server.stop()}`);
  }
  if (monitor) run.memory = Object.fromEntries(monitor.phases);
  if (profileDir) run.profile = profileMarkdown(profileDir, windows);
  run.loadAverageAtEnd = loadAverage();
  // Each run on its own too: `--before-json=<this file>` reuses a "before" run in a later report.
  writeFileSync(path.join(work, `run-${label}.json`), `${JSON.stringify(run, null, 2)}\n`);
  return run;
}

async function main(): Promise<number> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'specline-bench-streams-'));
  log(`work directory ${work}`);
  const beforeRoot = option('before-root');
  const runs: StreamsRun[] = [];
  const beforeJson = option('before-json');
  if (beforeJson) runs.push(JSON.parse(readFileSync(beforeJson, 'utf8')) as StreamsRun);
  else if (beforeRoot) runs.push(await runAgainst('before', path.resolve(beforeRoot), work));
  runs.push(await runAgainst('after', repoRoot, work));
  const report = {
    date: new Date().toISOString(),
    machine: { cores: os.cpus().length, cpuModel: os.cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(os.totalmem() / 2 ** 30), node: process.version },
    backend: `PostgreSQL ${postgresVersion(pgTarget)} + Redis ${/redis_version:(\S+)/.exec(sh('redis-cli', ['-u', redisUrl, 'info', 'server']))?.[1] ?? 'unknown'} (bus)`,
    settings: { ...settings, quick },
    runs,
  };
  const outDir = option('out') ?? (quick || profiling || phases.size < 2 || option('clients') ? work : path.join(repoRoot, 'bench', 'results'));
  mkdirSync(outDir, { recursive: true });
  const mdFile = path.join(outDir, `streams-${report.date.slice(0, 10)}.md`);
  const markdown = streamsMarkdown(report);
  writeFileSync(mdFile, markdown);
  writeFileSync(path.join(outDir, 'streams-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\n${markdown}\n`);
  log(`report: ${mdFile} and ${path.join(outDir, 'streams-latest.json')}`);
  const after = runs[runs.length - 1]!;
  if (after.errors.length) {
    process.stderr.write(`bench streams: the harness failed:\n${after.errors.map((e) => `  - ${e}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench streams: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
