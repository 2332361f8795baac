/**
 * The ingest benchmark (issue 14): batched ingest (batches of 500, 4 producers, each producer's POSTs
 * serialised, as `bench/server.ts` phase "batched") on PGlite (a server child with no `DATABASE_URL`,
 * a temp `SPECLINE_DATA_DIR`, in-process bus: what `npm start` gives) and on PostgreSQL (+ Redis), for
 * "before" (a checkout of the commit before this issue's change, `--before=<dir>`) and "after" (this
 * tree), side by side with the ratios; then where the PGlite server's time goes (`node --cpu-prof`).
 *
 * Producers are registered through the API (`POST /specs/{id}/sandboxes`), so the harness needs no
 * access to the server's database while it runs; afterwards SQL checks each spec holds exactly the
 * events sent, `spec_seq` 1..N gap-free (PostgreSQL: a `pg` client; PGlite: the data directory opened
 * after the server stopped). Runs alternate before/after per round, so slow spells of a shared machine
 * fall on both; the figure is the median of the rounds.
 *
 *   npx tsx bench/ingest.ts [--quick] [--rounds=3] [--events=100000] [--backends=pglite,postgres]
 *                           [--trees=before,after] [--before=/tmp/specline-p14-before] [--no-profile] [--out=<dir>]
 *
 * Writes bench/results/ingest-<date>.md and ingest-latest.json (`--quick`: 20,000 events, 1 round, to a
 * temp dir). Exit 1 only when the harness failed (a refused POST, lost/duplicated events, a gap).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, renameSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { HttpClient, nowMs } from './lib/http';
import { checkSpecSeq, externalSandbox, runBatchedIngest, type SpecSeqCheck, type SqlQuery } from './lib/ingest';
import { cpuShare, cpuUsed, loadAverage, ResourceMonitor, type CpuShare } from './lib/procfs';
import { profileMarkdown } from './lib/profile';
import { startServer, type ServerProcess } from './lib/serverProcess';
import { createSpec, databaseUrl, demoSession, postgresVersion, recreateDatabase, type BenchSandbox, type PgTarget } from './lib/setup';
import type { Summary } from './lib/stats';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const flags = new Set(process.argv.slice(2).filter((a) => !a.includes('=')));
const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = flags.has('--quick');

type Backend = 'pglite' | 'postgres';
type Tree = 'before' | 'after';

const settings = {
  producers: 4,
  batchSize: 500,
  events: Number(option('events') ?? (quick ? 20_000 : 100_000)),
  warmupEvents: 2_000,
  rounds: Number(option('rounds') ?? (quick ? 1 : 3)),
  profileEvents: quick ? 10_000 : 40_000,
  backends: (option('backends') ?? 'pglite,postgres').split(',') as Backend[],
  trees: (option('trees') ?? 'before,after').split(',') as Tree[],
  profile: !flags.has('--no-profile'),
};
const TARGET = { pglite: 20_000, postgres: 28_450 } as const;
const BASE_COMMIT = '132e96f';
const beforeRoot = path.resolve(option('before') ?? '/tmp/specline-p14-before');
const roots: Record<Tree, string> = { before: beforeRoot, after: repoRoot };
const serverEntry = 'apps/server/src/main.ts';
const pgTarget = (tree: Tree): PgTarget => ({
  host: process.env['BENCH_PG_HOST'] ?? '127.0.0.1',
  port: Number(process.env['BENCH_PG_PORT'] ?? 5432),
  user: process.env['BENCH_PG_USER'] ?? 'postgres',
  database: `specline_p14_${tree}`,
});
const redisUrl = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
/** Ports 19400–19499 are this benchmark's. */
let nextPort = Number(process.env['BENCH_INGEST_PORT'] ?? 19_400);

const log = (line: string) => process.stdout.write(`bench ingest: ${line}\n`);

function git(root: string, argv: string[]): string {
  try {
    return execFileSync('git', argv, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}

interface RunResult {
  tree: Tree;
  backend: Backend;
  round: number;
  events: number;
  posts: number;
  wallMs: number;
  eventsPerSecond: number;
  postLatency: Summary;
  /** CPU seconds per wall second of the server, PostgreSQL, Redis, the harness, everything else. */
  cpu: CpuShare;
  /** Server CPU ms per 1,000 events (PGlite runs inside the server's thread: this is all of it). */
  serverCpuMsPer1k: number;
  /** PostgreSQL CPU ms per 1,000 events (every postgres process of the machine). */
  postgresCpuMsPer1k: number;
  loadAverage: string;
  checks: SpecSeqCheck[];
}

interface RunOptions {
  tree: Tree;
  backend: Backend;
  round: number;
  events: number;
  profileDir?: string | undefined;
}

function serverEnv(options: RunOptions, work: string, port: number): Record<string, string> {
  const env: Record<string, string> = {
    PORT: String(port),
    HOST: '127.0.0.1',
    SPECLINE_DATA_DIR: path.join(work, 'data'),
    SANDBOX_PROVIDER: 'none',
    SANDBOX_HEARTBEAT_INTERVAL: '600',
    ACCESS_TOKEN_TTL_SECONDS: '86400',
    DEMO_USER: 'true',
    LOG_LEVEL: 'warn',
    // PGlite: no DATABASE_URL and no REDIS_URL, what `npm start` gives a new user (empty = unset).
    DATABASE_URL: '',
    REDIS_URL: '',
  };
  if (options.backend === 'postgres') {
    env['DATABASE_URL'] = databaseUrl(pgTarget(options.tree));
    env['REDIS_URL'] = redisUrl;
  }
  return env;
}

async function checkAll(db: SqlQuery, perSpec: ReadonlyMap<string, number>): Promise<SpecSeqCheck[]> {
  const out: SpecSeqCheck[] = [];
  for (const [specId, expected] of perSpec) out.push(await checkSpecSeq(db, specId, expected));
  return out;
}

/** One server child, warmed up, then `events` in batches; the gap-free check after. */
async function runOnce(options: RunOptions): Promise<{ result: RunResult; window: { startMs: number; endMs: number } }> {
  const work = mkdtempSync(path.join(os.tmpdir(), `specline-p14-${options.tree}-${options.backend}-`));
  if (options.backend === 'postgres') recreateDatabase(pgTarget(options.tree));
  const port = nextPort++;
  let server: ServerProcess | undefined;
  let monitor: ResourceMonitor | undefined;
  const http = new HttpClient(`http://127.0.0.1:${port}`);
  try {
    server = await startServer({ repoRoot: roots[options.tree], entry: serverEntry, env: serverEnv(options, work, port), logFile: path.join(work, 'server.log'), profileDir: options.profileDir });
    monitor = new ResourceMonitor(server.pid);
    monitor.start();
    await sleep(2_000);
    const session = await demoSession(http);
    const producer = async (title: string): Promise<BenchSandbox> => externalSandbox(http, session.headers, await createSpec(http, session, title));
    // Warm-up (not counted): the JIT, the pool, PGlite's caches, the first batch's run claim.
    const warm = await producer('bench ingest warm-up');
    await runBatchedIngest(http, [warm], settings.warmupEvents, settings.batchSize);
    const sandboxes: BenchSandbox[] = [];
    for (let i = 0; i < settings.producers; i++) sandboxes.push(await producer(`bench ingest ${i + 1}`));
    const a = monitor.cpu();
    const startMs = nowMs();
    const run = await runBatchedIngest(http, sandboxes, options.events, settings.batchSize);
    const endMs = nowMs();
    const used = cpuUsed(a, monitor.cpu());
    const load = loadAverage();
    let checks: SpecSeqCheck[];
    if (options.backend === 'postgres') {
      const db = new pg.Client({ connectionString: databaseUrl(pgTarget(options.tree)) });
      await db.connect();
      try {
        checks = await checkAll(db, run.perSpec);
      } finally {
        await db.end();
      }
    } else {
      // Only one process may open a PGlite data directory: stop the server first.
      monitor.stop();
      await server.stop();
      server = undefined;
      const db = new PGlite(path.join(work, 'data', 'pgdata'));
      try {
        checks = await checkAll(db, run.perSpec);
      } finally {
        await db.close();
      }
    }
    const bad = checks.filter((c) => !c.ok);
    if (bad.length) {
      throw new Error(
        `${options.tree}/${options.backend}: ${bad.map((c) => `spec ${c.specId} holds ${c.count} rows (${c.distinct} distinct spec_seq ${c.min}..${c.max}, last_spec_seq ${c.lastSpecSeq}), expected 1..${c.expected}`).join('; ')}`,
      );
    }
    return {
      result: {
        tree: options.tree,
        backend: options.backend,
        round: options.round,
        events: run.events,
        posts: run.posts,
        wallMs: Math.round(run.wallMs),
        eventsPerSecond: Math.round(run.eventsPerSecond),
        postLatency: run.postLatency,
        cpu: cpuShare(used),
        serverCpuMsPer1k: Math.round((used.server * 1e8) / run.events) / 100,
        postgresCpuMsPer1k: Math.round((used.postgres * 1e8) / run.events) / 100,
        loadAverage: load,
        checks,
      },
      window: { startMs, endMs },
    };
  } catch (error) {
    if (server) process.stderr.write(`bench ingest: server log tail (${work}):\n${server.logTail()}\n`);
    throw error;
  } finally {
    monitor?.stop();
    http.close();
    if (server) await server.stop();
  }
}

function median(values: readonly number[]): number {
  const s = [...values].sort((x, y) => x - y);
  if (!s.length) return Number.NaN;
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : Math.round((s[mid - 1]! + s[mid]!) / 2);
}

const fmt = (n: number) => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-US') : 'n/a');

interface Cell {
  median: number;
  runs: number[];
  postP50: number;
  postP99: number;
  serverCpu: number;
  serverMsPer1k: number;
  postgresMsPer1k: number;
}

function cells(results: readonly RunResult[]): Map<string, Cell> {
  const out = new Map<string, Cell>();
  for (const backend of settings.backends) {
    for (const tree of settings.trees) {
      const mine = results.filter((r) => r.backend === backend && r.tree === tree);
      if (!mine.length) continue;
      out.set(`${tree}/${backend}`, {
        median: median(mine.map((r) => r.eventsPerSecond)),
        runs: mine.map((r) => r.eventsPerSecond),
        postP50: median(mine.map((r) => r.postLatency.p50)),
        postP99: median(mine.map((r) => r.postLatency.p99)),
        serverCpu: median(mine.map((r) => r.cpu.server * 100)) / 100,
        serverMsPer1k: median(mine.map((r) => r.serverCpuMsPer1k)),
        postgresMsPer1k: median(mine.map((r) => r.postgresCpuMsPer1k)),
      });
    }
  }
  return out;
}

interface Report {
  date: string;
  conditions: Record<string, string | number>;
  settings: typeof settings;
  results: RunResult[];
  profiles: { tree: Tree; markdown: string }[];
  harnessErrors: string[];
}

function markdown(r: Report): string {
  const c = cells(r.results);
  const lines = [
    `# Ingest benchmark (issue 14), ${r.date.slice(0, 10)}`,
    '',
    `Batched ingest: ${settings.producers} producers (one spec and external sandbox each), ${fmt(settings.events)} \`spec.progress\` events in batches of ${settings.batchSize}, each producer's POSTs one at a time; ${settings.rounds} round(s) alternating before/after, median shown. events/s = events ÷ wall time.`,
    '',
    '| Backend | Before (events/s) | After (events/s) | After ÷ before | Target | Met |',
    '|---|---|---|---|---|---|',
  ];
  for (const backend of settings.backends) {
    const before = c.get(`before/${backend}`);
    const after = c.get(`after/${backend}`);
    const ratio = before && after ? `${(after.median / before.median).toFixed(2)}×` : 'n/a';
    const target = TARGET[backend];
    const met = after ? (after.median >= target ? 'yes' : 'no') : 'n/a';
    lines.push(`| ${backend === 'pglite' ? 'PGlite (no DATABASE_URL)' : 'PostgreSQL + Redis'} | ${before ? fmt(before.median) : 'n/a'} | ${after ? fmt(after.median) : 'n/a'} | ${ratio} | ≥ ${fmt(target)}${backend === 'postgres' ? ' (today\'s figure, kept)' : ''} | ${met} |`);
  }
  lines.push(
    '',
    '| Run | events/s per round | POST p50 ms | POST p99 ms | server CPU (cores) | server CPU ms / 1,000 events | PostgreSQL CPU ms / 1,000 events | one-core ceiling (events/s) |',
    '|---|---|---|---|---|---|---|---|',
  );
  for (const [key, cell] of c) {
    const ceiling = cell.serverMsPer1k > 0 ? fmt(1_000_000 / cell.serverMsPer1k) : 'n/a';
    lines.push(`| ${key} | ${cell.runs.map(fmt).join(', ')} | ${cell.postP50} | ${cell.postP99} | ${cell.serverCpu} | ${cell.serverMsPer1k} | ${key.endsWith('postgres') ? cell.postgresMsPer1k : '–'} | ${ceiling} |`);
  }
  lines.push(
    '',
    'Server CPU is the whole server process: every thread (since issue 14 PGlite with a data directory runs on a worker thread of its own, so the server is two busy threads). 1,000,000 ÷ (server CPU ms per 1,000 events) is the events/s the server could reach with all of its threads on ONE core: the figure that does not depend on how busy the rest of the machine is (CPU time itself still grows somewhat under contention); with two threads on two free cores it can go above it. Compare before and after in the same run.',
    '',
  );
  if (r.harnessErrors.length) lines.push('**The harness failed; the figures are not valid:**', '', ...r.harnessErrors.map((e) => `- ${e}`), '');
  lines.push('## Conditions', '', ...Object.entries(r.conditions).map(([k, v]) => `- ${k}: ${v}`), '');
  lines.push(
    '## Checks',
    '',
    `Every POST answered 200 with \`stored\` = sent, \`duplicates\` = 0 and contiguous \`spec_seq\` ranges; after each run SQL found each spec holding exactly the events sent, \`spec_seq\` 1..N gap-free, \`last_spec_seq\` = N: ${r.results.reduce((n, x) => n + x.checks.length, 0)} spec checks over ${r.results.length} runs, ${r.results.reduce((n, x) => n + x.checks.filter((k) => !k.ok).length, 0)} failed.`,
    '',
  );
  if (r.profiles.length) {
    lines.push('## Where the PGlite server\'s time goes', '', `A separate run per tree under \`node --cpu-prof\` (${fmt(settings.profileEvents)} events; the profiler slows the server, so its throughput is not a figure above).`, '');
    for (const p of r.profiles) lines.push(`### ${p.tree}`, '', p.markdown, '');
  }
  return `${lines.join('\n')}\n`;
}

/**
 * Every thread's profile of a `--cpu-prof` run (`CPU.<date>.<time>.<pid>.<thread>.<seq>.cpuprofile`):
 * the server thread (0), PGlite's worker when it has one, tsx's loader thread. Each file gets a
 * directory of its own, as profileMarkdown summarises the largest file of a directory.
 */
function threadProfiles(profileDir: string, window: { name: string; startMs: number; endMs: number }): string {
  const files = readdirSync(profileDir).filter((f) => f.endsWith('.cpuprofile'));
  const parts: string[] = [];
  const sized = files.map((f) => ({ f, thread: Number(f.split('.').at(-3)), size: statSync(path.join(profileDir, f)).size })).sort((a, b) => a.thread - b.thread);
  for (const { f, thread, size } of sized) {
    // tsx's module-loader thread does nothing during the run; skip small side threads.
    if (thread !== 0 && size < 400_000) continue;
    const sub = path.join(profileDir, `thread-${thread}`);
    mkdirSync(sub, { recursive: true });
    renameSync(path.join(profileDir, f), path.join(sub, f));
    const label = thread === 0 ? 'Server main thread' : `Worker thread ${thread} (PGlite's, when the largest)`;
    parts.push(profileMarkdown(sub, [window], 15).replace('Server main thread', label).replaceAll("in the server's main thread", thread === 0 ? "in the server's main thread" : `in worker thread ${thread}`));
  }
  return parts.join('\n\n');
}

async function main(): Promise<number> {
  if (settings.trees.includes('before') && !existsSync(path.join(beforeRoot, serverEntry))) {
    process.stderr.write(
      `bench ingest: no "before" tree at ${beforeRoot}. Make one: git worktree add --detach ${beforeRoot} ${BASE_COMMIT}, then give it node_modules (see bench/README.md), or pass --trees=after\n`,
    );
    return 1;
  }
  const report: Report = {
    date: new Date().toISOString(),
    conditions: {
      'after commit': `${git(repoRoot, ['rev-parse', '--short', 'HEAD'])}${git(repoRoot, ['status', '--porcelain', '--', 'apps/server', 'packages']) ? ' (with uncommitted changes under apps/server or packages)' : ''}`,
      'before commit': settings.trees.includes('before') ? `${git(beforeRoot, ['rev-parse', '--short', 'HEAD'])} (${beforeRoot})` : 'not run',
      machine: `${os.cpus().length} cores (${os.cpus()[0]?.model ?? 'unknown'}), ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
      'load average at start': loadAverage(),
      node: process.version,
      postgres: settings.backends.includes('postgres') ? postgresVersion(pgTarget('after')) : 'not run',
      server: `npx tsx ${serverEntry} in each tree; PGlite: SPECLINE_DATA_DIR in a temp dir, in-process bus; PostgreSQL: fresh database specline_p14_<tree>, Redis bus`,
      'warm-up': `${fmt(settings.warmupEvents)} events on a spec of their own before each run (not counted)`,
    },
    settings,
    results: [],
    profiles: [],
    harnessErrors: [],
  };
  try {
    for (let round = 1; round <= settings.rounds; round++) {
      for (const backend of settings.backends) {
        const order = round % 2 ? settings.trees : [...settings.trees].reverse();
        for (const tree of order) {
          log(`round ${round}: ${tree} on ${backend}, ${fmt(settings.events)} events`);
          const { result } = await runOnce({ tree, backend, round, events: settings.events });
          report.results.push(result);
          log(`round ${round}: ${tree} on ${backend}: ${fmt(result.eventsPerSecond)} events/s (POST p50 ${result.postLatency.p50} ms, server ${result.cpu.server} cores, load ${result.loadAverage})`);
        }
      }
    }
    if (settings.profile && settings.backends.includes('pglite')) {
      for (const tree of settings.trees) {
        log(`profile: ${tree} on pglite under node --cpu-prof, ${fmt(settings.profileEvents)} events`);
        const profileDir = mkdtempSync(path.join(os.tmpdir(), `specline-p14-profile-${tree}-`));
        const { window } = await runOnce({ tree, backend: 'pglite', round: 0, events: settings.profileEvents, profileDir });
        report.profiles.push({ tree, markdown: threadProfiles(profileDir, { name: `batched ingest on PGlite, ${tree}`, ...window }) });
      }
    }
  } catch (error) {
    report.harnessErrors.push(error instanceof Error ? error.message : String(error));
  }
  const outDir = option('out') ?? (quick ? mkdtempSync(path.join(os.tmpdir(), 'specline-p14-report-')) : path.join(repoRoot, 'bench', 'results'));
  mkdirSync(outDir, { recursive: true });
  const mdFile = path.join(outDir, `ingest-${report.date.slice(0, 10)}.md`);
  const text = markdown(report);
  writeFileSync(mdFile, text);
  writeFileSync(path.join(outDir, 'ingest-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  process.stdout.write(`\n${text.split('## Conditions')[0]}\n`);
  log(`report: ${mdFile} and ${path.join(outDir, 'ingest-latest.json')}`);
  if (report.harnessErrors.length) {
    process.stderr.write(`bench ingest: the harness failed:\n${report.harnessErrors.map((e) => `  - ${e}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench ingest: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
