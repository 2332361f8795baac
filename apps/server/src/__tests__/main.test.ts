/**
 * `main.ts` as a real process, on both backends: it starts, prints its URL and the demo login,
 * serves the API, keeps its JWT secret (0600) across restarts, reconciles runs a previous process
 * left `executing`, shuts down on SIGTERM with exit code 0, and exits 2 on a bad configuration.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ConfigError } from '../config';
import { loadOrCreateSecret, lockDataDir } from '../deps';
import { openDatabase, type Database } from '../store/db';
import { BACKENDS, createTestDatabase, TEST_REDIS_URL, type TestDatabase } from './harness';
import { seedSpec, specRow, tempDataDir } from './launcherFixtures';

const SERVER_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

interface Running {
  url: string;
  child: ChildProcess;
  stdout: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>;
}

function run(env: Record<string, string>): { child: ChildProcess; stdout: () => string; exited: Running['exited'] } {
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/main.ts'], {
    cwd: SERVER_DIR,
    env: { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOST: '127.0.0.1', PORT: '0', LOG_LEVEL: 'warn', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (err += chunk.toString()));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null; stderr: string }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal, stderr: err })),
  );
  return { child, stdout: () => out, exited };
}

/** Starts the server and resolves with its URL once it prints it. */
async function start(env: Record<string, string>): Promise<Running> {
  const proc = run(env);
  const url = await new Promise<string>((resolve, reject) => {
    const onData = () => {
      const match = /listening on (http:\/\/\S+)/.exec(proc.stdout());
      if (match) resolve(match[1]!);
    };
    proc.child.stdout!.on('data', onData);
    void proc.exited.then((e) => reject(new Error(`server exited (${e.code ?? e.signal}) before listening:\n${proc.stdout()}\n${e.stderr}`)));
  });
  return { url, ...proc };
}

async function login(url: string): Promise<Response> {
  return fetch(`${url}/api/v1/auth/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: 'demo@specline.local', password: 'specline-demo' }),
  });
}

describe.each(BACKENDS)('main on %s', (backend) => {
  let dataDir: string;
  let testDb: TestDatabase | undefined;
  let env: Record<string, string>;

  beforeAll(async () => {
    dataDir = tempDataDir();
    env = { SPECLINE_DATA_DIR: dataDir };
    if (backend === 'postgres') {
      testDb = await createTestDatabase('postgres');
      env = { ...env, DATABASE_URL: testDb.url!, REDIS_URL: TEST_REDIS_URL };
    }
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  /** The server's database while the server is stopped (PGlite has one owner). */
  async function withDatabase<T>(fn: (db: Database['db']) => Promise<T>): Promise<T> {
    const database: Database = testDb ? testDb.database : await openDatabase({ dataDir: path.join(dataDir, 'pgdata') });
    try {
      return await fn(database.db);
    } finally {
      if (!testDb) await database.close();
    }
  }

  it('starts, serves the API with the demo login, keeps its secret, reconciles on restart, stops on SIGTERM', { timeout: 180_000 }, async () => {
    const first = await start(env);
    expect(first.stdout()).toContain('demo login: demo@specline.local / specline-demo');
    const openapi = await fetch(`${first.url}/api/v1/openapi.json`);
    expect(openapi.status).toBe(200);
    expect(((await openapi.json()) as { openapi: string }).openapi).toMatch(/^3\./);
    const loggedIn = await login(first.url);
    expect(loggedIn.status).toBe(200);
    const { access_token } = (await loggedIn.json()) as { access_token: string };
    expect(statSync(path.join(dataDir, 'jwt-secret')).mode & 0o777).toBe(0o600);
    if (backend === 'pglite') {
      // PGlite has one owner: a second server on the same data directory is refused.
      const intruder = await run(env).exited;
      expect(intruder.code).toBe(2);
      expect(intruder.stderr).toContain(`another Specline server (pid ${first.child.pid}) is using the data directory ${dataDir}`);
    }

    first.child.kill('SIGTERM');
    const firstExit = await first.exited;
    expect(firstExit, firstExit.stderr).toMatchObject({ code: 0, signal: null });

    // A run the first process left executing (as if it had crashed mid-run).
    const { specId } = await withDatabase((db) => seedSpec(db, { status: 'executing', currentPhase: 'design', sandboxId: 'sbx-gone' }));

    const second = await start(env);
    // Same secret: the first process's session is still valid. The demo user was not created twice.
    const me = await fetch(`${second.url}/api/v1/auth/me`, { headers: { authorization: `Bearer ${access_token}` } });
    expect(me.status).toBe(200);
    expect((await login(second.url)).status).toBe(200);
    second.child.kill('SIGINT');
    expect((await second.exited).code).toBe(0);

    const spec = await withDatabase((db) => specRow(db, specId));
    expect(spec.status).toBe('failed');
    expect(spec.lastError).toBe('the server restarted while this run was executing; its sandbox sbx-gone is no longer running');
  });

  it('exits 2 naming the bad setting', { timeout: 60_000 }, async () => {
    const proc = run({ ...env, PORT: 'eighty' });
    const exit = await proc.exited;
    expect(exit.code).toBe(2);
    expect(exit.stderr).toContain('invalid configuration');
    expect(exit.stderr).toContain('PORT');
  });
});

describe('data directory helpers', () => {
  it('creates the JWT secret once (0600) and reads it back; refuses a short one', () => {
    const dir = tempDataDir();
    const file = path.join(dir, 'jwt-secret');
    const secret = loadOrCreateSecret(file);
    expect(secret.length).toBeGreaterThanOrEqual(32);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(loadOrCreateSecret(file)).toBe(secret);
    writeFileSync(file, 'short\n');
    expect(() => loadOrCreateSecret(file)).toThrow(ConfigError);
  });

  it('locks the data directory against a live owner, takes over a stale lock, and releases it', async () => {
    const dir = tempDataDir();
    const lockFile = path.join(dir, 'server.lock');
    writeFileSync(lockFile, `${process.ppid}\n`); // a live process that is not us
    expect(() => lockDataDir(dir)).toThrow(`another Specline server (pid ${process.ppid}) is using the data directory ${dir}`);

    const gone = spawn(process.execPath, ['-e', '']);
    await new Promise((resolve) => gone.once('exit', resolve));
    writeFileSync(lockFile, `${gone.pid}\n`);
    const release = lockDataDir(dir);
    expect(readFileSync(lockFile, 'utf8').trim()).toBe(String(process.pid));
    release();
    expect(() => statSync(lockFile)).toThrow();
  });
});
