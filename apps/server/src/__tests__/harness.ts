/**
 * Test harness: builds the real app (no mocks of the database, the bus or HTTP) on either backend:
 * - `pglite`: embedded PGlite in memory + in-process bus, PGlite on its worker thread as `npm start` runs it
 *   (`SPECLINE_TEST_PGLITE_THREAD=main` keeps it in the test's thread);
 * - `postgres`: a fresh PostgreSQL database (created and dropped per harness) + Redis pub/sub.
 * `describe.each(BACKENDS)` runs one suite on both.
 */
import { randomUUID } from 'node:crypto';
import pg from 'pg';
import { pino, type Logger } from 'pino';
import type { AddressInfo } from 'node:net';
import { buildApp, type App, type AppContext, type AppDeps } from '../app';
import { createMemoryBus } from '../bus/memoryBus';
import { createRedisBus } from '../bus/redisBus';
import { loadConfig, type Config } from '../config';
import { createNoopProvider, type SandboxProvider } from '../launcher/provider';
import { createMemoryLimitStore, createRedisLimitStore, type LimitStore } from '../limits/limitStore';
import { createTokenService } from '../services/tokens';
import { openDatabase, type Database } from '../store/db';

export type Backend = 'pglite' | 'postgres';

const env = process.env;
export const BACKENDS: Backend[] = (env['SPECLINE_TEST_BACKENDS'] ?? 'pglite,postgres').split(',').map((b) => b.trim()) as Backend[];
export const TEST_PG_ADMIN_URL = env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
export const PGLITE_THREAD = env['SPECLINE_TEST_PGLITE_THREAD'] === 'main' ? 'main' : 'worker';
export const TEST_REDIS_URL = env['TEST_REDIS_URL'] ?? 'redis://127.0.0.1:6379';

export interface TestDatabase {
  database: Database;
  url: string | undefined;
  drop(): Promise<void>;
}

/** A fresh, migrated database on the backend. */
export async function createTestDatabase(backend: Backend): Promise<TestDatabase> {
  if (backend === 'pglite') {
    const database = await openDatabase({ pgliteThread: PGLITE_THREAD });
    await database.migrate();
    return { database, url: undefined, drop: () => database.close() };
  }
  const name = `specline_t_${randomUUID().replaceAll('-', '').slice(0, 16)}`;
  const admin = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
  await admin.connect();
  await admin.query(`create database ${name}`);
  await admin.end();
  const url = new URL(TEST_PG_ADMIN_URL);
  url.pathname = `/${name}`;
  const database = await openDatabase({ url: url.toString(), poolSize: 10 });
  await database.migrate();
  return {
    database,
    url: url.toString(),
    async drop() {
      await database.close();
      const c = new pg.Client({ connectionString: TEST_PG_ADMIN_URL });
      await c.connect();
      await c.query(`drop database if exists ${name} with (force)`);
      await c.end();
    },
  };
}

export interface TestServerOptions {
  provider?: SandboxProvider;
  config?: Partial<Omit<Config, 'sandbox'>> & { sandbox?: Partial<Config['sandbox']> };
  /** Listen on a real port (for SSE/WebSocket clients and child sandboxes). */
  listen?: boolean;
  /** A logger of the test's own (to capture the log); default silent (`TEST_LOG_LEVEL`). */
  logger?: Logger;
  /** Rate-limit counters shared with another server (default: a fresh store, in Redis on `postgres`). */
  limits?: LimitStore;
}

export interface TestServer {
  backend: Backend;
  app: App;
  context: AppContext;
  deps: AppDeps;
  /** `http://127.0.0.1:<port>` when `listen` was set. */
  baseUrl: string;
  close(): Promise<void>;
}

export async function createTestServer(backend: Backend, options: TestServerOptions = {}): Promise<TestServer> {
  const testDb = await createTestDatabase(backend);
  const bus = backend === 'postgres' ? await createRedisBus({ url: TEST_REDIS_URL, prefix: `specline-test-${randomUUID()}:` }) : createMemoryBus();
  const ownLimits = options.limits
    ? undefined
    : backend === 'postgres'
      ? await createRedisLimitStore({ url: TEST_REDIS_URL, prefix: `specline-test-limits-${randomUUID()}:` })
      : createMemoryLimitStore();
  // Suites register many users from one address and keep many runs open: no quotas unless a test sets them.
  const base = loadConfig({
    NODE_ENV: 'test',
    SPECLINE_DATA_DIR: '/tmp/specline-test',
    DEMO_USER: 'false',
    SANDBOX_PROVIDER: 'none',
    SPECLINE_MAX_RUNS_PER_USER: '0',
    SPECLINE_MAX_RUNS_PER_PROJECT: '0',
    SPECLINE_MAX_RUNS: '0',
    SPECLINE_REGISTER_PER_IP_PER_HOUR: '100000',
  });
  const config: Config = { ...base, ...options.config, sandbox: { ...base.sandbox, ...options.config?.sandbox } };
  const deps: AppDeps = {
    config,
    database: testDb.database,
    bus,
    provider: options.provider ?? createNoopProvider(),
    tokens: createTokenService(`test-secret-${randomUUID()}-${randomUUID()}`),
    logger: options.logger ?? pino({ level: env['TEST_LOG_LEVEL'] ?? 'silent' }),
    limits: options.limits ?? ownLimits!,
  };
  const { app, context } = await buildApp(deps);
  let baseUrl = '';
  if (options.listen) {
    await app.listen({ port: 0, host: '127.0.0.1' });
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
    config.publicUrl = baseUrl;
  } else {
    await app.ready();
  }
  return {
    backend,
    app,
    context,
    deps,
    baseUrl,
    async close() {
      await app.close();
      await bus.close();
      await ownLimits?.close();
      await testDb.drop();
    },
  };
}

export interface TestUser {
  id: string;
  email: string;
  token: string;
  /** `{authorization: 'Bearer …'}` for inject calls. */
  headers: { authorization: string };
}

let userCounter = 0;

/** Registers a user through the API and returns its bearer token. */
export async function registerUser(app: App, name = `user${++userCounter}`): Promise<TestUser> {
  const email = `${name}-${randomUUID().slice(0, 8)}@example.test`;
  const res = await app.inject({ method: 'POST', url: '/api/v1/auth/register', payload: { email, password: 'correct horse battery', name } });
  if (res.statusCode !== 201) throw new Error(`register failed: ${res.statusCode} ${res.body}`);
  const body = res.json<{ access_token: string; user: { id: string } }>();
  return { id: body.user.id, email, token: body.access_token, headers: { authorization: `Bearer ${body.access_token}` } };
}

/** Creates a project owned by the user. */
export async function createProject(app: App, user: TestUser, name = 'Test project'): Promise<{ id: string }> {
  const res = await app.inject({ method: 'POST', url: '/api/v1/projects', headers: user.headers, payload: { name } });
  if (res.statusCode !== 201) throw new Error(`create project failed: ${res.statusCode} ${res.body}`);
  return res.json<{ id: string }>();
}
