/** The only reader of `process.env` in the server. Validated once at start, with messages naming the bad setting. */
import path from 'node:path';
import { EXECUTORS, toleratedOutageMs, type ExecutorName } from '@specline/protocol';
import { z } from 'zod';

const bool = z.enum(['true', 'false', '1', '0']).transform((v) => v === 'true' || v === '1');

const EnvSchema = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8080),
  HOST: z.string().default('127.0.0.1'),
  /** Public base URL the sandbox calls back to; default `http://HOST:PORT`. */
  PUBLIC_URL: z.url().optional(),
  SPECLINE_DATA_DIR: z.string().default('./.specline'),
  DATABASE_URL: z.string().optional(),
  REDIS_URL: z.string().optional(),
  JWT_SECRET: z.string().min(32, 'JWT_SECRET must be at least 32 characters').optional(),
  NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  SANDBOX_PROVIDER: z.enum(['local', 'none']).default('local'),
  SANDBOX_HEARTBEAT_INTERVAL: z.coerce.number().positive().default(30),
  SANDBOX_MISSED_HEARTBEATS: z.coerce.number().int().min(1).default(3),
  SANDBOX_WORKDIR: z.string().optional(),
  /** Where runs execute (issue 11): `local` children of this server, or `queue` jobs for `specline-worker` processes (needs REDIS_URL). */
  SPECLINE_RUNNER: z.enum(['local', 'queue']).default('local'),
  /** The shared secret workers present (Authorization: Bearer …) on /api/v1/workers/*; required with SPECLINE_RUNNER=queue. */
  SPECLINE_WORKER_TOKEN: z.string().min(32, 'SPECLINE_WORKER_TOKEN must be at least 32 characters').optional(),
  /** Worker attempts of one queue run (a worker died, a lease expired) before the run fails with the cause. */
  SPECLINE_RUN_ATTEMPTS: z.coerce.number().int().min(1).max(20).default(3),
  /** The BullMQ queue's name (servers and workers of one installation use the same). */
  SPECLINE_QUEUE_NAME: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'SPECLINE_QUEUE_NAME: letters, digits, _ and - only').default('specline-runs'),
  /** Concurrent runs (issue 11): over a limit a launch is queued, never dropped. 0 = no limit. */
  SPECLINE_MAX_RUNS_PER_USER: z.coerce.number().int().min(0).default(3),
  SPECLINE_MAX_RUNS_PER_PROJECT: z.coerce.number().int().min(0).default(10),
  SPECLINE_MAX_RUNS: z.coerce.number().int().min(0).default(20),
  /** Registrations per client address per hour (429 beyond). */
  SPECLINE_REGISTER_PER_IP_PER_HOUR: z.coerce.number().int().min(1).default(20),
  DEMO_USER: bool.default(true),
  COOKIE_SECURE: bool.default(false),
  /** Lifetime of an access token (cookie or Bearer); clients renew it with POST /auth/refresh. */
  ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(30).max(86_400).default(900),
  /** A login session (its refresh token) ends this long after its last refresh. */
  SESSION_TTL_SECONDS: z.coerce.number().int().min(60).max(90 * 86_400).default(7 * 86_400),
  /** Origins besides PUBLIC_URL's that may open WebSockets: comma-separated `scheme://host[:port]`. */
  ALLOWED_ORIGINS: z
    .string()
    .default('')
    .transform((v) => v.split(',').map((o) => o.trim()).filter(Boolean))
    .refine((list) => list.every((o) => URL.canParse(o) && new URL(o).origin === o.replace(/\/+$/, '')), 'ALLOWED_ORIGINS must be comma-separated origins such as https://app.example.com'),
  WEB_DIST: z.string().optional(),
  /** Lifetime of one SSE connection; clients resume from Last-Event-ID. 0 = unlimited. */
  SSE_MAX_STREAM_SECONDS: z.coerce.number().min(0).default(0),
  /** Bytes of recent serialised frames each spec feed keeps, so a `Last-Event-ID` inside them resumes with no database read. */
  SSE_RING_BYTES: z.coerce.number().int().min(0).default(8 * 1024 * 1024),
  /** Stream store reads running at once: catch-up pages, and apart from them access checks of new streams; the rest wait, so a reconnect storm cannot take the pool from ingest. */
  SSE_RESUME_CONCURRENCY: z.coerce.number().int().min(1).max(1000).default(4),
  /** How long a spec feed (and its ring) outlives its last subscriber. */
  SSE_FEED_LINGER_SECONDS: z.coerce.number().min(0).default(30),
  /** A spec feed reads new events at most once per this interval (wake-ups in between are coalesced into one read and one write per subscriber). */
  SSE_FEED_INTERVAL_MS: z.coerce.number().int().min(0).max(1000).default(20),
  /** `true` → `GET /api/v1/metrics/streams` (logged-in users): event-loop delay, memory, stream hub counters. */
  SPECLINE_STREAM_METRICS: bool.default(false),
  /** Directories (separated by `:`) under which local paths and `file://` repository URLs are allowed. */
  SPECLINE_REPO_ROOTS: z.string().default(''),
  SPECLINE_ALLOW_REMOTE_REPOS: bool.default(true),
  /** Limit of one git clone/fetch/checkout of a run's repository. */
  SPECLINE_GIT_TIMEOUT_SECONDS: z.coerce.number().positive().max(3600).default(300),
  /** Key of the stored API keys: 32 bytes as base64 or hex, or a passphrase. Unset → generated into the data directory. */
  SPECLINE_SECRET_KEY: z.string().min(16, 'SPECLINE_SECRET_KEY must be at least 16 characters').optional(),
  /** Server-wide model defaults (a project's or a launch's settings win). */
  SPEC_EXECUTOR: z.enum(EXECUTORS, { error: `SPEC_EXECUTOR must be one of ${EXECUTORS.join(', ')}` }).optional(),
  SPEC_MODEL: z.string().trim().min(1).optional(),
  ANTHROPIC_API_KEY: z.string().trim().min(1).optional(),
  ANTHROPIC_BASE_URL: z.url({ protocol: /^https?$/, error: 'ANTHROPIC_BASE_URL must be an http(s) URL' }).optional(),
  OPENAI_API_KEY: z.string().trim().min(1).optional(),
  OPENAI_BASE_URL: z.url({ protocol: /^https?$/, error: 'OPENAI_BASE_URL must be an http(s) URL' }).optional(),
});

export interface Config {
  port: number;
  host: string;
  publicUrl: string | undefined;
  dataDir: string;
  databaseUrl: string | undefined;
  redisUrl: string | undefined;
  /** `undefined` → a secret is generated and kept in the data directory. */
  jwtSecret: string | undefined;
  env: 'development' | 'production' | 'test';
  logLevel: string;
  sandbox: {
    provider: 'local' | 'none';
    heartbeatIntervalSeconds: number;
    missedHeartbeats: number;
    /**
     * Operator override (`SANDBOX_WORKDIR`): runs of projects WITHOUT a repository explore this directory
     * instead of an empty one. Unset (the default) → such runs get an empty directory and `SPEC_NO_REPO=1`.
     */
    workdir: string | undefined;
    /**
     * Environment of a sandbox child besides its run variables: PATH, HOME, TMPDIR, LANG, LC_ALL, TZ
     * of the server, plus every `SANDBOX_ENV_<NAME>` as `<NAME>`. The server's own secrets
     * (DATABASE_URL, JWT_SECRET, …) are never passed on.
     */
    env: Record<string, string>;
  };
  /** Issue 11: `local` runs children of this server; `queue` puts each launch on the BullMQ queue for workers. */
  runner: { mode: 'local' | 'queue'; workerToken: string | undefined; attempts: number; queueName: string };
  /** Concurrent-run limits (0 = none): a launch over any of them is queued (status `queued`) and starts when a slot frees. */
  quotas: { runsPerUser: number; runsPerProject: number; runs: number };
  /** Registrations allowed per client address per hour. */
  registerPerIpPerHour: number;
  demoUser: boolean;
  /** `COOKIE_SECURE`; cookies are also Secure whenever the public URL is https. */
  cookieSecure: boolean;
  sessions: { accessTtlSeconds: number; refreshTtlSeconds: number };
  /** Extra origins allowed to open WebSockets besides the public URL's. */
  allowedOrigins: string[];
  webDist: string | undefined;
  streams: {
    maxStreamSeconds: number;
    /** `SSE_RING_BYTES`: per spec feed. */
    ringBytes: number;
    resumeConcurrency: number;
    feedLingerSeconds: number;
    feedIntervalMs: number;
    /** `SPECLINE_STREAM_METRICS`. */
    metrics: boolean;
  };
  repos: {
    /** Resolved (realpath when it exists) roots for local repositories; the demo's example directory is added at start. */
    roots: string[];
    allowRemote: boolean;
    gitTimeoutSeconds: number;
  };
  /** `undefined` → a key is generated and kept in `<dataDir>/secret-key` (0600). */
  secretKey: string | undefined;
  /** Server-wide model defaults. */
  models: ModelDefaults;
}

export interface ProviderDefaults {
  apiKey: string | undefined;
  baseUrl: string | undefined;
}

export interface ModelDefaults {
  executor: ExecutorName | undefined;
  model: string | undefined;
  anthropic: ProviderDefaults;
  openai: ProviderDefaults;
}

/**
 * The run lease (issue 11): `missedHeartbeats × heartbeatIntervalSeconds`, the one number behind both
 * the reaper and the sandbox's retries. A run is failed only once its lease has gone this long without
 * a renewal (any batch of its sandbox); the sandbox gets it as `SANDBOX_LEASE_SECONDS` and derives its
 * retry budget from it (`reporterBudget` in packages/protocol/src/lease.ts).
 */
export function leaseSecondsOf(sandbox: Pick<Config['sandbox'], 'heartbeatIntervalSeconds' | 'missedHeartbeats'>): number {
  return Math.max(1, Math.ceil(sandbox.missedHeartbeats * sandbox.heartbeatIntervalSeconds));
}

const SANDBOX_PASS_THROUGH = ['PATH', 'HOME', 'TMPDIR', 'LANG', 'LC_ALL', 'TZ'];

function sandboxEnv(env: NodeJS.ProcessEnv): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined) continue;
    if (SANDBOX_PASS_THROUGH.includes(name)) out[name] = value;
    else if (name.startsWith('SANDBOX_ENV_') && name.length > 'SANDBOX_ENV_'.length) out[name.slice('SANDBOX_ENV_'.length)] = value;
  }
  return out;
}

export class ConfigError extends Error {
  override name = 'ConfigError';
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = EnvSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid configuration:\n${lines.join('\n')}`);
  }
  const e = result.data;
  // The lease must outlast the reporter's worst-case silence (one heartbeat, one backoff, one request).
  if (e.SPECLINE_RUNNER === 'queue' && (!e.REDIS_URL || !e.SPECLINE_WORKER_TOKEN)) {
    throw new ConfigError('invalid configuration:\n  SPECLINE_RUNNER: queue needs REDIS_URL (the run queue) and SPECLINE_WORKER_TOKEN (the secret workers present)');
  }
  if (toleratedOutageMs(leaseSecondsOf({ missedHeartbeats: e.SANDBOX_MISSED_HEARTBEATS, heartbeatIntervalSeconds: e.SANDBOX_HEARTBEAT_INTERVAL }), e.SANDBOX_HEARTBEAT_INTERVAL) <= 0) {
    throw new ConfigError(
      `invalid configuration:\n  SANDBOX_MISSED_HEARTBEATS: must be at least 2: a lease of ${e.SANDBOX_MISSED_HEARTBEATS} × ${e.SANDBOX_HEARTBEAT_INTERVAL} s leaves a sandbox no time to retry after the server comes back`,
    );
  }
  return {
    port: e.PORT,
    host: e.HOST,
    publicUrl: e.PUBLIC_URL,
    dataDir: path.resolve(e.SPECLINE_DATA_DIR),
    databaseUrl: e.DATABASE_URL || undefined,
    redisUrl: e.REDIS_URL || undefined,
    jwtSecret: e.JWT_SECRET,
    env: e.NODE_ENV,
    logLevel: e.LOG_LEVEL,
    sandbox: {
      provider: e.SANDBOX_PROVIDER,
      heartbeatIntervalSeconds: e.SANDBOX_HEARTBEAT_INTERVAL,
      missedHeartbeats: e.SANDBOX_MISSED_HEARTBEATS,
      workdir: e.SANDBOX_WORKDIR,
      env: sandboxEnv(env),
    },
    runner: { mode: e.SPECLINE_RUNNER, workerToken: e.SPECLINE_WORKER_TOKEN, attempts: e.SPECLINE_RUN_ATTEMPTS, queueName: e.SPECLINE_QUEUE_NAME },
    quotas: { runsPerUser: e.SPECLINE_MAX_RUNS_PER_USER, runsPerProject: e.SPECLINE_MAX_RUNS_PER_PROJECT, runs: e.SPECLINE_MAX_RUNS },
    registerPerIpPerHour: e.SPECLINE_REGISTER_PER_IP_PER_HOUR,
    demoUser: e.DEMO_USER,
    cookieSecure: e.COOKIE_SECURE,
    sessions: { accessTtlSeconds: e.ACCESS_TOKEN_TTL_SECONDS, refreshTtlSeconds: e.SESSION_TTL_SECONDS },
    allowedOrigins: e.ALLOWED_ORIGINS.map((o) => new URL(o).origin),
    webDist: e.WEB_DIST,
    streams: {
      maxStreamSeconds: e.SSE_MAX_STREAM_SECONDS,
      ringBytes: e.SSE_RING_BYTES,
      resumeConcurrency: e.SSE_RESUME_CONCURRENCY,
      feedLingerSeconds: e.SSE_FEED_LINGER_SECONDS,
      feedIntervalMs: e.SSE_FEED_INTERVAL_MS,
      metrics: e.SPECLINE_STREAM_METRICS,
    },
    repos: {
      roots: e.SPECLINE_REPO_ROOTS.split(path.delimiter)
        .map((r) => r.trim())
        .filter((r) => r !== '')
        .map((r) => path.resolve(r)),
      allowRemote: e.SPECLINE_ALLOW_REMOTE_REPOS,
      gitTimeoutSeconds: e.SPECLINE_GIT_TIMEOUT_SECONDS,
    },
    secretKey: e.SPECLINE_SECRET_KEY,
    models: {
      executor: e.SPEC_EXECUTOR,
      model: e.SPEC_MODEL,
      anthropic: { apiKey: e.ANTHROPIC_API_KEY, baseUrl: e.ANTHROPIC_BASE_URL },
      openai: { apiKey: e.OPENAI_API_KEY, baseUrl: e.OPENAI_BASE_URL },
    },
  };
}

const WorkerEnvSchema = z.object({
  REDIS_URL: z.string().min(1, 'REDIS_URL is required: the Redis the servers queue runs on'),
  SPECLINE_SERVER_URL: z.url({ protocol: /^https?$/, error: 'SPECLINE_SERVER_URL must be the server\'s public http(s) URL' }),
  SPECLINE_WORKER_TOKEN: z.string().min(32, 'SPECLINE_WORKER_TOKEN must be at least 32 characters (the servers\' value)'),
  SPECLINE_WORKER_CONCURRENCY: z.coerce.number().int().min(1).max(64).default(1),
  SPECLINE_WORKER_DIR: z.string().default('./.specline-worker'),
  SPECLINE_WORKER_LOCK_SECONDS: z.coerce.number().int().min(2).max(600).default(30),
  SPECLINE_WORKER_POLL_SECONDS: z.coerce.number().positive().max(60).default(2),
  SPECLINE_QUEUE_NAME: z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'SPECLINE_QUEUE_NAME: letters, digits, _ and - only').default('specline-runs'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
});

/** `specline-worker`'s settings (issue 11): where the queue and the server are, how many runs at once, where checkouts go. */
export interface WorkerConfig {
  redisUrl: string;
  /** The server's public URL: claims, bundles and the sandboxes' reports go there. */
  serverUrl: string;
  /** Never logged. */
  workerToken: string;
  concurrency: number;
  /** Checkouts (`<dir>/work/<sandbox_id>`, removed after the run) and sandbox logs (`<dir>/sandboxes/`). */
  dir: string;
  /** BullMQ's job lock: a worker silent this long (dead, cut off) has its job handed to another worker. */
  lockSeconds: number;
  /** How often the worker asks the server whether a run is still live (cancel, superseded). */
  pollSeconds: number;
  queueName: string;
  logLevel: string;
  /** The sandbox's base environment, as the local launcher builds it: PATH, HOME, … plus every SANDBOX_ENV_<NAME>. */
  sandboxEnv: Record<string, string>;
}

export function loadWorkerConfig(env: NodeJS.ProcessEnv = process.env): WorkerConfig {
  const result = WorkerEnvSchema.safeParse(env);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new ConfigError(`invalid worker configuration:\n${lines.join('\n')}`);
  }
  const e = result.data;
  return {
    redisUrl: e.REDIS_URL,
    serverUrl: e.SPECLINE_SERVER_URL.replace(/\/+$/, ''),
    workerToken: e.SPECLINE_WORKER_TOKEN,
    concurrency: e.SPECLINE_WORKER_CONCURRENCY,
    dir: path.resolve(e.SPECLINE_WORKER_DIR),
    lockSeconds: e.SPECLINE_WORKER_LOCK_SECONDS,
    pollSeconds: e.SPECLINE_WORKER_POLL_SECONDS,
    queueName: e.SPECLINE_QUEUE_NAME,
    logLevel: e.LOG_LEVEL,
    sandboxEnv: sandboxEnv(env),
  };
}
