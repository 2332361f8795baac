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
 * The clients belong to `--users` users (default 20, each a project member with its own session), as a
 * team's tabs do. With `taskset` on the machine the server runs pinned to CPU 0 and the harness (producer
 * and client fleets) to CPU 1 — what a deployment has, clients on other machines (`--no-pin`: all float).
 * `--servers=N` runs N server processes on the same PostgreSQL + Redis bus, the fleets split between them
 * (figures per process). Postgres and Redis are never pinned.
 *
 * Flags: --quick (100 clients, short phases), --clients=N, --users=N, --servers=N, --no-pin, --phases=steady,storm, --profile,
 * --before-root=<dir> (also run a checkout of an earlier commit, e.g. a `git worktree` of 132e96f,
 * with the same harness, and put its figures next to these), --before-json=<run-before.json of an
 * earlier run> (reuse that run instead), --out=<dir>.
 */
import { execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
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
import { finishFleets, LoopProbe, Producer, reachAll, readMetrics, startFleets, teamTokens, type LoopDelay } from './lib/streamsRun';
import { streamsMarkdown, type StormFigures, type SteadyFigures, type StreamsRun } from './lib/streamsReport';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2).filter((a) => !a.includes('=')));
const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = args.has('--quick');
const profiling = args.has('--profile');
const phases = new Set((option('phases') ?? 'steady,storm').split(','));
const clients = Number(option('clients') ?? (quick ? 100 : 1_000));
const users = Number(option('users') ?? 20);
const serverCount = Math.max(1, Number(option('servers') ?? 1));
const hasTaskset = sh('sh', ['-c', 'command -v taskset']) !== 'unknown';
const pinned = hasTaskset && !args.has('--no-pin') && os.cpus().length >= 2;
/** Where each side runs: the server(s) on CPU 0, this process (producer) and the fleets it forks on CPU 1. */
const placement = pinned ? { server: '0', harness: '1' } : undefined;

const settings = {
  clients,
  fleetProcesses: Math.max(2, serverCount),
  users,
  servers: serverCount,
  placement: placement ? `server${serverCount > 1 ? 's' : ''} on CPU ${placement.server}, producer + client fleets on CPU ${placement.harness} (taskset); postgres and redis unpinned` : 'unpinned (every process on any CPU)',
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

/** The machine's TCP listen-queue overflows and SYN retransmits so far (/proc/net/netstat). */
function tcpCounters(): { listenOverflows: number; synRetrans: number } {
  try {
    const lines = readFileSync('/proc/net/netstat', 'utf8').split('\n').filter((l) => l.startsWith('TcpExt:'));
    const names = lines[0]!.split(/\s+/);
    const values = lines[1]!.split(/\s+/).map(Number);
    const get = (name: string) => values[names.indexOf(name)] ?? 0;
    return { listenOverflows: get('ListenOverflows'), synRetrans: get('TCPSynRetrans') };
  } catch {
    return { listenOverflows: -1, synRetrans: -1 };
  }
}

/** The CPUs a process may run on (`Cpus_allowed_list`). */
function allowedCpus(pid: number): string {
  try {
    return /^Cpus_allowed_list:\s*(\S+)/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))?.[1] ?? 'unknown';
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
  const jwtSecret = randomBytes(32).toString('hex');
  const profileDir = profiling ? path.join(work, `profile-${label}`) : undefined;
  if (profileDir) mkdirSync(profileDir);
  const windows: Window[] = [];
  const servers: ServerProcess[] = [];
  const cpusAllowed: string[] = [];
  const monitors: ResourceMonitor[] = [];
  let monitor: ResourceMonitor | undefined;
  const db = new pg.Client({ connectionString: databaseUrl(pgTarget) });
  const ports = await Promise.all(Array.from({ length: serverCount }, () => freePort()));
  const baseUrls = ports.map((p) => `http://127.0.0.1:${p}`);
  const http = new HttpClient(baseUrls[0]!);
  const probes = ports.map((_, i) => new LoopProbe(path.join(work, `loop-${label}-${i}.json`)));
  /** Each server's event-loop delay over a window (the worst one is the run's figure). */
  const readLoops = async () => {
    const all = await Promise.all(probes.map((p) => p.read()));
    const worst = all.reduce<LoopDelay | undefined>((w, l) => (l && (!w || l.p99 > w.p99) ? l : w), undefined);
    return { worst, all };
  };
  const resetLoops = () => Promise.all(probes.map((p) => p.reset()));
  try {
    for (let i = 0; i < serverCount; i++) {
      const started = await startServer({
        repoRoot: root,
        entry: 'apps/server/src/main.ts',
        logFile: path.join(work, `server-${label}-${i}.log`),
        profileDir: i === 0 ? profileDir : undefined,
        cpus: placement?.server,
        env: {
          JWT_SECRET: jwtSecret,
          PORT: String(ports[i]),
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
          ...probes[i]!.env(),
        },
      });
      servers.push(started);
      log(`${label}: server ${i} ready on ${started.baseUrl} (pid ${started.pid}${placement ? `, CPU ${placement.server}` : ''})`);
      const m = new ResourceMonitor(started.pid);
      m.start();
      monitors.push(m);
      cpusAllowed.push(`server ${i} (pid ${m.serverPid}): CPUs ${allowedCpus(m.serverPid)}`);
    }
    monitor = monitors[0]!;
    await db.connect();
    const session = await demoSession(http);
    const headers = session.headers;
    const tokens = await teamTokens(db, session.projectId, users, jwtSecret);
    cpusAllowed.push(`harness (producer, pid ${process.pid}): CPUs ${allowedCpus(process.pid)}`);
    run.placement = cpusAllowed.join('; ');
    log(`${label}: placement ${run.placement}`);
    log(`${label}: ${users} users (project members), ${Math.ceil(settings.clients / users)} clients each; ${serverCount} server process(es)`);

    const phase = async <T>(name: string, body: (mark: (a: number, b: number) => void) => Promise<T>) => {
      const before = monitor!.cpu();
      const perBefore = monitors.map((m) => m.cpu());
      const result = await body((startMs, endMs) => {
        windows.push({ name: `${label} ${name}`, startMs, endMs });
        for (const m of monitors) m.phase(name);
      });
      const used = cpuUsed(before, monitor!.cpu());
      const perServer = monitors.map((m, i) => {
        const u = cpuUsed(perBefore[i]!, m.cpu());
        return { cpuSeconds: u.server, cores: cpuShare(u).server, rssPeakMiB: m.phases.get(name)?.serverPeakMiB };
      });
      for (const m of monitors) m.phase(`${name} (cool-down)`);
      return { result, cpu: cpuShare(used), wallSeconds: used.wallSeconds, perServer };
    };

    if (phases.has('steady')) {
      log(`${label}: steady — ${settings.clients} clients, 500 events/s for ${settings.steadyMs / 1000} s`);
      const sandboxes = await specWithSandboxes(http, db, session, `streams steady ${label}`, settings.sandboxes);
      const { fleets, connectMs, failed } = await startFleets(baseUrls, sandboxes[0]!.specId, tokens, settings.clients, settings.fleetProcesses);
      if (failed) run.errors.push(`steady: ${failed} clients could not connect`);
      const producer = new Producer(http, sandboxes, settings.batchSize, settings.intervalMs, settings.sandboxes, settings.padBytes);
      const out = await phase('steady', async (mark) => {
        monitor!.phase('steady');
        producer.start();
        await sleep(settings.warmupMs);
        const warm = producer.lastSeq;
        await reachAll(fleets, warm, 60_000);
        await readMetrics(http, headers, true);
        await resetLoops();
        const t0 = nowMs();
        const seqAtStart = producer.lastSeq;
        await sleep(settings.steadyMs);
        const loops = await readLoops();
        const loop = loops.worst;
        const metrics = await readMetrics(http, headers, false);
        await producer.stop();
        mark(t0, nowMs());
        const t1 = nowMs();
        const fleet = await finishFleets(fleets, producer, warm);
        return { warm, seqAtStart, metrics, loop, loops: loops.all, seconds: (t1 - t0) / 1000, fleet };
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
        perServer: out.perServer.map((p, i) => ({ ...p, loopP99: out.result.loops[i]?.p99 })),
      };
      run.steady = figures;
      if (producer.errors.length) run.errors.push(`steady producer: ${producer.errors.slice(0, 3).join('; ')}`);
      if (fleet.lost || fleet.duplicated) run.errors.push(`steady: ${fleet.lost} lost, ${fleet.duplicated} duplicated`);
      log(`${label}: steady — delivery p99 ${fleet.delivery.p99} ms, event loop p99 ${loop?.p99 ?? 'n/a'} ms, lost ${fleet.lost}, dup ${fleet.duplicated}`);
    }

    if (phases.has('storm')) {
      log(`${label}: storm — ${settings.clients} clients dropped for ${settings.dropMs} ms and resumed with Last-Event-ID at 500 events/s`);
      const sandboxes = await specWithSandboxes(http, db, session, `streams storm ${label}`, settings.sandboxes);
      const { fleets, connectMs, failed } = await startFleets(baseUrls, sandboxes[0]!.specId, tokens, settings.clients, settings.fleetProcesses);
      if (failed) run.errors.push(`storm: ${failed} clients could not connect`);
      const producer = new Producer(http, sandboxes, settings.batchSize, settings.intervalMs, settings.sandboxes, settings.padBytes);
      const out = await phase('storm', async (mark) => {
        producer.start();
        await sleep(settings.warmupMs);
        await reachAll(fleets, producer.lastSeq, 60_000);
        await sleep(settings.stormLeadMs);
        await readMetrics(http, headers, true);
        await resetLoops();
        for (const m of monitors) m.phase('storm');
        const dropAt = nowMs();
        const seqAtDrop = producer.lastSeq;
        await Promise.all(fleets.map((f) => f.ask({ type: 'drop' }, 'dropped', 30_000)));
        await sleep(settings.dropMs);
        const target = producer.lastSeq;
        const resumeAt = nowMs();
        const tcpBefore = tcpCounters();
        const resumed = await Promise.all(fleets.map((f) => f.ask({ type: 'resume' }, 'resumed', 180_000)));
        const reached = await reachAll(fleets, target, settings.catchUpTimeoutMs);
        const tcpAfter = tcpCounters();
        const caughtUpAt = reached.at ?? nowMs();
        const windowEnd = Math.max(caughtUpAt, resumeAt + 2_000);
        if (nowMs() < windowEnd) await sleep(windowEnd - nowMs());
        const loops = await readLoops();
        const loop = loops.worst;
        const metrics = await readMetrics(http, headers, false);
        mark(dropAt, windowEnd);
        for (const m of monitors) m.phase('storm (tail)');
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
          loops: loops.all,
          fleet,
          tcp: { listenOverflows: tcpAfter.listenOverflows - tcpBefore.listenOverflows, synRetrans: tcpAfter.synRetrans - tcpBefore.synRetrans },
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
        serverRssPeakMiB: Math.max(...monitors.map((m) => m.phases.get('storm')?.serverPeakMiB ?? 0)),
        postDuringStorm: r.postDuringStorm,
        postBefore: r.postBefore,
        closedByServer: r.fleet.closedByServer,
        serverCloses: r.fleet.reconnects,
        harnessCpuSeconds: r.fleet.cpuSeconds,
        cpu: out.cpu,
        wallSeconds: out.wallSeconds,
        hub: r.metrics?.hub,
        perServer: out.perServer.map((p, i) => ({ ...p, loopP99: r.loops[i]?.p99 })),
        tcp: r.tcp,
      };
      run.storm = figures;
      if (producer.errors.length) run.errors.push(`storm producer: ${producer.errors.slice(0, 3).join('; ')}`);
      if (r.fleet.lost || r.fleet.duplicated) run.errors.push(`storm: ${r.fleet.lost} lost, ${r.fleet.duplicated} duplicated`);
      if (r.reconnectFailed) run.errors.push(`storm: ${r.reconnectFailed} reconnects failed`);
      log(`${label}: storm — caught up in ${r.caughtUpMs ?? `> ${settings.catchUpTimeoutMs}`} ms, lost ${r.fleet.lost}, dup ${r.fleet.duplicated}, POST p99 ${r.postDuringStorm.p99} ms, event loop p99 ${r.loop?.p99 ?? 'n/a'} ms`);
    }
  } catch (error) {
    run.errors.push(error instanceof Error ? error.message : String(error));
    for (const s of servers) process.stderr.write(`bench streams: ${label} server ${s.pid} log tail:\n${s.logTail()}\n`);
  } finally {
    for (const m of monitors) m.stop();
    http.close();
    await db.end().catch(() => undefined);
    for (const s of servers) log(`${label}: server ${s.pid} stopped: ${await s.stop()}`);
  }
  if (monitor) run.memory = Object.fromEntries(monitor.phases);
  if (profileDir) run.profile = profileMarkdown(profileDir, windows);
  run.loadAverageAtEnd = loadAverage();
  // Each run on its own too: `--before-json=<this file>` reuses a "before" run in a later report.
  writeFileSync(path.join(work, `run-${label}.json`), `${JSON.stringify(run, null, 2)}\n`);
  return run;
}

async function main(): Promise<number> {
  // This process (the producer) and the fleets it forks inherit CPU 1; the servers get CPU 0 (startServer).
  if (placement) execFileSync('taskset', ['-a', '-cp', placement.harness, String(process.pid)], { stdio: 'ignore' });
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
