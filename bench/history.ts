/**
 * `npx tsx bench/history.ts` — history reads at 1M events in one spec (issue 14; a benchmark, not a test).
 *
 * One spec is seeded with 1,000,000 events straight into the database (`lib/historySeed.ts`: three types
 * at 0.1% / 10% / 89.9%, realistic `data`), then the real server answers over HTTP: the first page, cursor
 * pages, the deep offset (`offset=999900`), type filters at each share, and the same pages the way the
 * original client asks for them (`limit`, `offset`, one `event_type`). Each page: p50 / p99. With
 * `--before=<checkout>` the same database is read first by the server of that checkout (e.g. a worktree
 * of main at 132e96f), then by this one: both in one report, side by side, and their answers compared.
 *
 * Writes bench/results/history-<date>.md and history-latest.json (a `--quick` or `--profile` run: a temp
 * directory). Exit 0 even when a target is missed; 1 when the harness failed (an answer not 200, a wrong
 * page).
 *
 * Flags: --quick (50,000 events, fewer requests), --events=N, --requests=N, --backends=postgres,pglite
 * (default postgres), --before=<repo root of the before checkout>, --profile (server under
 * `node --cpu-prof`, per-page profile in the report), --out=<dir>, --db=<PostgreSQL database name>
 * (default specline_bench_history; dropped and created), --keep-seed=<dir> (keep the seeded database
 * between runs: the PGlite data directory lives in `<dir>`, and `<dir>/seed-<backend>.json` names the
 * seeded spec; a later run with the same flag, the same --events and the same --db reuses it instead of
 * seeding again, ~70 s on PGlite. Only the harness writes there: the servers it starts read the spec and
 * add their own sessions), --cold (measure from a fresh server: by default each server first runs every
 * page's warm-up once, so the first pages measured are not the ones paying for V8's and PGlite's WASM
 * tier-up; that cost is the server's first few hundred requests, once per process).
 */
import { createHash } from 'node:crypto';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import pg from 'pg';
import { HttpClient, nowMs } from './lib/http';
import { HISTORY_TARGET_P99_MS, historyMarkdown, type BackendResult, type CaseGroup, type CaseResult, type HistoryReport, type VariantResult } from './lib/historyReport';
import { HISTORY_TYPES, seedHistory, type SeedResult } from './lib/historySeed';
import { clockTicksPerSecond, cpuSeconds, loadAverage, processTree, readStat } from './lib/procfs';
import { profileMarkdown, type Window } from './lib/profile';
import { freePort, startServer, type ServerProcess } from './lib/serverProcess';
import { createSpec, databaseUrl, demoSession, postgresVersion, recreateDatabase, type PgTarget, type Session } from './lib/setup';
import { summarize } from './lib/stats';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const args = new Set(process.argv.slice(2).filter((a) => !a.includes('=')));
const option = (name: string) => process.argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
const quick = args.has('--quick');
const profiling = args.has('--profile');
const events = Number(option('events') ?? (quick ? 50_000 : 1_000_000));
const requests = Number(option('requests') ?? (quick ? 60 : 300));
const warmup = quick ? 10 : 30;
/** Without --cold, every page's warm-up runs once for all pages before the first is measured (see README). */
const cold = args.has('--cold');
const maxMsPerCase = quick ? 10_000 : 30_000;
const backends = (option('backends') ?? 'postgres').split(',') as ('postgres' | 'pglite')[];
const beforeRoot = option('before') ? path.resolve(option('before')!) : undefined;
const keepSeed = option('keep-seed') ? path.resolve(option('keep-seed')!) : undefined;
const pgTarget: PgTarget = {
  host: process.env['BENCH_PG_HOST'] ?? '127.0.0.1',
  port: Number(process.env['BENCH_PG_PORT'] ?? 5432),
  user: process.env['BENCH_PG_USER'] ?? 'postgres',
  database: option('db') ?? 'specline_bench_history',
};
const redisUrl = process.env['BENCH_REDIS_URL'] ?? 'redis://127.0.0.1:6379';
const log = (line: string) => process.stdout.write(`bench history: ${line}\n`);

function git(root: string, argv: string[]): string {
  try {
    return execFileSync('git', argv, { cwd: root, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
  } catch {
    return 'unknown';
  }
}
const commitOf = (root: string) => {
  const dirty = git(root, ['status', '--porcelain', '--', 'apps/server', 'packages']);
  return `${git(root, ['rev-parse', '--short', 'HEAD'])}${dirty && dirty !== 'unknown' ? ' (with uncommitted changes under apps/server or packages)' : ''}`;
};

interface Case {
  name: string;
  group: CaseGroup;
  query: (i: number) => string;
  /** Checks the first answer; a message when it is wrong. */
  check?: (seqs: number[]) => string | undefined;
}

/** Deterministic spread over 1..n (a multiplicative step coprime to most n). */
const spread = (i: number, n: number) => 1 + ((i * 7919 + 104_729) % n);
const range = (from: number, to: number) => Array.from({ length: Math.abs(to - from) + 1 }, (_, k) => (from <= to ? from + k : from - k));
const same = (want: number[]) => (seqs: number[]) => (JSON.stringify(seqs) === JSON.stringify(want) ? undefined : `expected spec_seq ${want[0]}…${want.at(-1)}, got ${seqs[0]}…${seqs.at(-1)} (${seqs.length})`);

function cases(n: number): Case[] {
  const { rare, tenth, most } = HISTORY_TYPES;
  const deep = n - 100;
  return [
    { name: 'first page', group: 'target', query: () => '?limit=100', check: same(range(n, n - 99)) },
    { name: 'cursor page (before, newest first)', group: 'target', query: (i) => `?limit=100&before=${101 + spread(i, n - 100)}` },
    { name: 'cursor page (after, ascending: polling)', group: 'target', query: (i) => `?order=asc&limit=100&after=${spread(i, n - 100)}` },
    { name: `deep offset (offset=${deep})`, group: 'target', query: () => `?limit=100&offset=${deep}`, check: same(range(100, 1)) },
    { name: `type ${rare.share} (${rare.type})`, group: 'target', query: () => `?limit=100&event_types=${rare.type}` },
    { name: `type ${tenth.share} (${tenth.type})`, group: 'target', query: () => `?limit=100&event_types=${tenth.type}` },
    { name: `type ${most.share} (${most.type})`, group: 'target', query: () => `?limit=100&event_types=${most.type}` },
    { name: `type ${tenth.share}, cursor page`, group: 'target', query: (i) => `?limit=100&event_types=${tenth.type}&before=${101 + spread(i, n - 100)}` },
    { name: 'original: first page', group: 'original', query: () => '?limit=100&offset=0', check: same(range(n, n - 99)) },
    { name: 'original: offset page (spread)', group: 'original', query: (i) => `?limit=100&offset=${spread(i, n - 100) - 1}` },
    { name: `original: deep offset (offset=${deep})`, group: 'original', query: () => `?limit=100&offset=${deep}`, check: same(range(100, 1)) },
    { name: `original: event_type ${rare.share}`, group: 'original', query: () => `?limit=100&offset=0&event_type=${rare.type}` },
    { name: `original: event_type ${tenth.share}`, group: 'original', query: () => `?limit=100&offset=0&event_type=${tenth.type}` },
    { name: `original: event_type ${most.share}`, group: 'original', query: () => `?limit=100&offset=0&event_type=${most.type}` },
    { name: `original: event_type ${tenth.share}, offset 1,000`, group: 'original', query: () => `?limit=100&offset=1000&event_type=${tenth.type}` },
    { name: `bound: event_type ${tenth.share}, deepest offset`, group: 'bound', query: () => `?limit=100&offset=${Math.floor(n / 10) - 100}&event_type=${tenth.type}` },
    { name: `bound: event_type ${most.share}, offset ${Math.floor(n / 2)}`, group: 'bound', query: () => `?limit=100&offset=${Math.floor(n / 2)}&event_type=${most.type}` },
  ];
}

interface PageBody {
  events: { spec_seq: number }[];
  total_count: number;
  total_count_exact?: boolean;
  has_more: boolean;
}

/** CPU time of the server's process tree and of the PostgreSQL backends serving its database. */
interface CpuMeter {
  server(): number;
  postgres(): Promise<Map<number, number>>;
}

function postgresMs(a: Map<number, number>, b: Map<number, number>): number {
  let ticks = 0;
  for (const [pid, t] of b) ticks += t - (a.get(pid) ?? 0);
  return (ticks / clockTicksPerSecond()) * 1000;
}

/** `warmup` requests of a page (fewer when it is slow). */
async function warm(get: (i: number) => Promise<unknown>): Promise<void> {
  const warmStart = nowMs();
  for (let i = 0; i < warmup; i++) {
    await get(i);
    if (i >= 2 && nowMs() - warmStart > maxMsPerCase / 5) break;
  }
}

/** Every page's warm-up once, on a fresh server, before any page is measured (not with --cold). */
async function warmServer(http: HttpClient, session: Session, specId: string): Promise<number> {
  const started = nowMs();
  for (const c of cases(events)) {
    await warm(async (i) => {
      const res = await http.request('GET', `/api/v1/specs/${specId}/events${c.query(i)}`, { headers: session.headers });
      if (res.status !== 200) throw new Error(`${c.name}: warm-up answered ${res.status}: ${res.text.slice(0, 300)}`);
    });
  }
  return nowMs() - started;
}

async function measure(http: HttpClient, session: Session, specId: string, c: Case, cpu: CpuMeter, errors: string[]): Promise<CaseResult> {
  const url = (i: number) => `/api/v1/specs/${specId}/events${c.query(i)}`;
  const answers: string[] = [];
  let first: PageBody | undefined;
  const get = async (i: number): Promise<PageBody> => {
    const res = await http.request('GET', url(i), { headers: session.headers });
    if (res.status !== 200) throw new Error(`${c.name}: GET ${url(i)} answered ${res.status}: ${res.text.slice(0, 300)}`);
    return res.body as PageBody;
  };
  await warm(get);
  const samples: number[] = [];
  const cpuStart = { server: cpu.server(), postgres: await cpu.postgres() };
  const started = nowMs();
  for (let i = 0; i < requests; i++) {
    const t0 = nowMs();
    const body = await get(i);
    samples.push(nowMs() - t0);
    const seqs = body.events.map((e) => e.spec_seq);
    answers.push(createHash('sha256').update(`${JSON.stringify(seqs)}${body.has_more}`).digest('hex').slice(0, 12));
    if (i === 0) {
      first = body;
      const wrong = c.check?.(seqs);
      if (wrong) errors.push(`${c.name}: ${wrong}`);
    }
    if (body.events.length > 100) errors.push(`${c.name}: ${body.events.length} events in a page of 100`);
    if (samples.length >= 20 && nowMs() - started > maxMsPerCase) break;
  }
  const cpuEnd = { server: cpu.server(), postgres: await cpu.postgres() };
  const seqs = first?.events.map((e) => e.spec_seq) ?? [];
  const per = (x: number) => Math.round((x / samples.length) * 100) / 100;
  return {
    cpuMsPerRequest: { server: per((cpuEnd.server - cpuStart.server) * 1000), postgres: per(postgresMs(cpuStart.postgres, cpuEnd.postgres)) },
    name: c.name,
    group: c.group,
    example: c.query(0),
    latency: summarize(samples),
    firstAnswer: { events: seqs.length, first: seqs[0] ?? null, last: seqs.at(-1) ?? null, total_count: first?.total_count ?? 0, total_count_exact: first?.total_count_exact, has_more: first?.has_more ?? false },
    answers,
  };
}

interface Variant {
  name: 'before' | 'after';
  root: string;
}

function serverEnv(backend: 'postgres' | 'pglite', port: number, dataDir: string): Record<string, string> {
  return {
    PORT: String(port),
    HOST: '127.0.0.1',
    ...(backend === 'postgres' ? { DATABASE_URL: databaseUrl(pgTarget), REDIS_URL: redisUrl } : {}),
    SPECLINE_DATA_DIR: dataDir,
    SANDBOX_PROVIDER: 'none',
    SANDBOX_HEARTBEAT_INTERVAL: '600',
    ACCESS_TOKEN_TTL_SECONDS: '86400',
    DEMO_USER: 'true',
    LOG_LEVEL: 'warn',
  };
}

/** The server's `SPECLINE_DATA_DIR` (PGlite's data lives in its `pgdata`): under --keep-seed when given. */
const dataDirOf = (backend: 'postgres' | 'pglite', work: string) => path.join(keepSeed ?? work, `data-${backend}`);

/** What --keep-seed records of a seeded database, to reuse it in a later run. */
interface KeptSeed {
  events: number;
  database: string;
  specId: string;
  seed: BackendResult['seed'];
}

function keptSeed(backend: 'postgres' | 'pglite'): KeptSeed | undefined {
  if (!keepSeed) return undefined;
  const file = path.join(keepSeed, `seed-${backend}.json`);
  if (!existsSync(file)) return undefined;
  const kept = JSON.parse(readFileSync(file, 'utf8')) as KeptSeed;
  return kept.events === events && (backend === 'pglite' || kept.database === pgTarget.database) ? kept : undefined;
}

async function withServer<T>(variant: Variant, backend: 'postgres' | 'pglite', work: string, profileDir: string | undefined, run: (http: HttpClient, server: ServerProcess) => Promise<T>): Promise<T> {
  const port = await freePort();
  const server = await startServer({
    repoRoot: variant.root,
    entry: 'apps/server/src/main.ts',
    logFile: path.join(work, `server-${backend}-${variant.name}.log`),
    profileDir,
    env: serverEnv(backend, port, dataDirOf(backend, work)),
  });
  const http = new HttpClient(server.baseUrl, 4);
  try {
    return await run(http, server);
  } catch (error) {
    process.stderr.write(`bench history: server log tail (${variant.name}, ${backend}):\n${server.logTail()}\n`);
    throw error;
  } finally {
    http.close();
    log(`${variant.name} server stopped: ${await server.stop()}`);
  }
}

async function seedOn(backend: 'postgres' | 'pglite', work: string, specId: string): Promise<SeedResult> {
  if (backend === 'postgres') {
    const db = new pg.Client({ connectionString: databaseUrl(pgTarget) });
    await db.connect();
    try {
      return await seedHistory(db, specId, events, log);
    } finally {
      await db.end();
    }
  }
  // PGlite has one owner: the server is stopped while the harness writes its data directory.
  const db = new PGlite(path.join(dataDirOf(backend, work), 'pgdata'));
  await db.waitReady;
  try {
    return await seedHistory(db, specId, events, log, 50_000);
  } finally {
    await db.close();
  }
}

async function runBackend(backend: 'postgres' | 'pglite', variants: Variant[], work: string, errors: string[]): Promise<BackendResult> {
  const kept = keptSeed(backend);
  let specId = kept?.specId ?? '';
  let seed: BackendResult['seed'];
  if (kept) {
    log(`${backend}: reusing the seeded spec ${specId} (${events.toLocaleString('en-US')} events) from ${keepSeed}`);
    seed = { ...kept.seed, reused: true };
  } else {
    if (backend === 'postgres') recreateDatabase(pgTarget);
    if (keepSeed) {
      rmSync(path.join(keepSeed, `seed-${backend}.json`), { force: true });
      rmSync(dataDirOf(backend, work), { recursive: true, force: true });
      mkdirSync(keepSeed, { recursive: true });
    }
    // The oldest server first: it migrates the fresh database, a newer one adds its own migrations after.
    await withServer(variants[0]!, backend, work, undefined, async (http) => {
      specId = await createSpec(http, await demoSession(http), 'bench history: 1M events');
    });
    log(`${backend}: seeding ${events.toLocaleString('en-US')} events into ${specId}`);
    const seeded = await seedOn(backend, work, specId);
    seed = { insertMs: seeded.insertMs, vacuumMs: seeded.vacuumMs, counts: seeded.counts };
    log(`${backend}: seeded in ${Math.round(seed.insertMs / 1000)} s (+ VACUUM ANALYZE ${Math.round(seed.vacuumMs / 1000)} s): ${JSON.stringify(seed.counts)}`);
    if (keepSeed) {
      const record: KeptSeed = { events, database: pgTarget.database, specId, seed };
      writeFileSync(path.join(keepSeed, `seed-${backend}.json`), `${JSON.stringify(record, null, 2)}\n`);
    }
  }
  const result: BackendResult = { backend, events, seed, variants: [], differences: [] };
  for (const variant of variants) {
    const profileDir = profiling ? mkdtempSync(path.join(work, `profile-${backend}-${variant.name}-`)) : undefined;
    const windows: Window[] = [];
    const serverCommand = profiling ? 'node --cpu-prof --import tsx apps/server/src/main.ts' : 'npx tsx apps/server/src/main.ts';
    const out: VariantResult = { variant: variant.name, commit: commitOf(variant.root), serverCommand, loadAverageAtStart: loadAverage(), loadAverageAtEnd: '', cases: [] };
    await withServer(variant, backend, work, profileDir, async (http, server) => {
      const session = await demoSession(http);
      const pids = processTree(server.pid);
      const cpu: CpuMeter = { server: () => cpuSeconds(pids), postgres: () => Promise.resolve(new Map<number, number>()) };
      const meter = backend === 'postgres' ? new pg.Client({ connectionString: databaseUrl(pgTarget) }) : undefined;
      if (meter) {
        await meter.connect();
        cpu.postgres = async () => {
          const { rows } = await meter.query<{ pid: number }>('select pid from pg_stat_activity where datname = current_database() and pid <> pg_backend_pid()');
          return new Map(rows.map((r) => [r.pid, readStat(r.pid)?.ticks ?? 0]));
        };
      }
      try {
        if (!cold) log(`${backend} ${variant.name}: server warm-up (every page's warm-up once) ${Math.round(await warmServer(http, session, specId))} ms`);
        for (const c of cases(events)) {
          const startMs = nowMs();
          const r = await measure(http, session, specId, c, cpu, errors);
          windows.push({ name: c.name, startMs, endMs: nowMs() });
          out.cases.push(r);
          log(`${backend} ${variant.name}: ${c.name}: p50 ${r.latency.p50} ms, p99 ${r.latency.p99} ms (${r.latency.count} requests); CPU/request server ${r.cpuMsPerRequest.server} ms, postgres ${r.cpuMsPerRequest.postgres} ms`);
        }
      } finally {
        await meter?.end();
      }
    });
    out.loadAverageAtEnd = loadAverage();
    if (profileDir) out.profile = profileMarkdown(profileDir, windows, 12);
    result.variants.push(out);
  }
  const [a, b] = result.variants;
  // Request i of a page asks the same in both variants: compare the answers both variants got (a slow page stops early).
  if (a && b) {
    for (const c of a.cases) {
      const other = b.cases.find((x) => x.name === c.name)?.answers ?? [];
      const n = Math.min(c.answers.length, other.length);
      const differing = c.answers.slice(0, n).filter((h, i) => h !== other[i]).length;
      if (differing || n === 0) result.differences.push(`${c.name} (${differing} of ${n} requests)`);
    }
  }
  return result;
}

async function main(): Promise<number> {
  const work = mkdtempSync(path.join(os.tmpdir(), 'specline-bench-history-'));
  log(`work directory ${work}`);
  const variants: Variant[] = [...(beforeRoot ? [{ name: 'before' as const, root: beforeRoot }] : []), { name: 'after', root: repoRoot }];
  const report: HistoryReport = {
    conditions: {
      date: new Date().toISOString(),
      commit: commitOf(repoRoot),
      cores: os.cpus().length,
      cpuModel: os.cpus()[0]?.model ?? 'unknown',
      node: process.version,
      postgres: backends.includes('postgres') ? postgresVersion(pgTarget) : 'not used',
      requestsPerCase: requests,
      warmup,
      maxMsPerCase,
      quick,
      serverWarmup: !cold,
    },
    backends: [],
    harnessErrors: [],
  };
  for (const backend of backends) {
    try {
      report.backends.push(await runBackend(backend, variants, work, report.harnessErrors));
    } catch (error) {
      report.harnessErrors.push(`${backend}: ${error instanceof Error ? error.message : String(error)}`);
    }
  }
  const outDir = option('out') ?? (quick || profiling ? work : path.join(repoRoot, 'bench', 'results'));
  mkdirSync(outDir, { recursive: true });
  const mdFile = path.join(outDir, `history-${report.conditions.date.slice(0, 10)}.md`);
  writeFileSync(mdFile, historyMarkdown(report));
  writeFileSync(path.join(outDir, 'history-latest.json'), `${JSON.stringify(report, null, 2)}\n`);
  for (const b of report.backends) {
    const after = b.variants.find((v) => v.variant === 'after');
    const missed = after?.cases.filter((c) => c.group !== 'bound' && !(c.latency.p99 < HISTORY_TARGET_P99_MS)).map((c) => c.name) ?? [];
    log(`${b.backend}: ${missed.length ? `p99 target missed on: ${missed.join(', ')}` : `every listed page p99 < ${HISTORY_TARGET_P99_MS} ms`}`);
  }
  log(`report: ${mdFile} and ${path.join(outDir, 'history-latest.json')}`);
  if (report.harnessErrors.length) {
    process.stderr.write(`bench history: the harness failed:\n${report.harnessErrors.map((e) => `  - ${e}`).join('\n')}\n`);
    return 1;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench history: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
