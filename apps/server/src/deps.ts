/**
 * What a running server is made of, from its configuration: the database (PostgreSQL when
 * `DATABASE_URL` is set, else PGlite in `<dataDir>/pgdata`, migrated), the bus (Redis when
 * `REDIS_URL` is set, else in-process), the sandbox provider, the session token service (secret from
 * the configuration, else generated once and kept in `<dataDir>/jwt-secret`, mode 0600) and the logger.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { AppDeps } from './app';
import { createMemoryBus } from './bus/memoryBus';
import { createRedisBus } from './bus/redisBus';
import { ConfigError, type Config } from './config';
import { createLogger } from './http/logging';
import { createLocalProvider } from './launcher/localProvider';
import { createNoopProvider, type SandboxProvider } from './launcher/provider';
import { createMemoryLimitStore, createRedisLimitStore } from './limits/limitStore';
import { repoPolicyOf } from './services/repoUrls';
import { secretBoxFor } from './services/secretBox';
import { createTokenService } from './services/tokens';
import { openDatabase } from './store/db';
import { createRunQueue } from './queue/runQueue';

export interface Deps extends AppDeps {
  /** Closes the bus and the database (the provider is closed by the app's run manager). */
  close(): Promise<void>;
}

const MIN_SECRET = 32;

/** The JWT secret of this data directory: read it, or create it once (exclusively, mode 0600). */
export function loadOrCreateSecret(file: string): string {
  const read = () => {
    const secret = readFileSync(file, 'utf8').trim();
    if (secret.length < MIN_SECRET) throw new ConfigError(`${file} holds a secret shorter than ${MIN_SECRET} characters; delete it to generate a new one`);
    return secret;
  };
  try {
    return read();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const secret = randomBytes(48).toString('base64url');
  try {
    writeFileSync(file, `${secret}\n`, { mode: 0o600, flag: 'wx' });
    chmodSync(file, 0o600); // the umask may have narrowed it further, never widened; make it exact
    return secret;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return read(); // another process won the race
    throw error;
  }
}

/**
 * PGlite has one owner: a second server on the same data directory would corrupt it. The lock file
 * holds the owner's pid; a lock whose process is gone is taken over. Returns the release function.
 */
export function lockDataDir(dataDir: string): () => void {
  const file = path.join(dataDir, 'server.lock');
  const take = () => writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
  try {
    take();
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    const owner = Number.parseInt(readFileSync(file, 'utf8'), 10);
    let alive = false;
    if (Number.isInteger(owner) && owner > 0 && owner !== process.pid) {
      try {
        process.kill(owner, 0);
        alive = true;
      } catch (probe) {
        alive = (probe as NodeJS.ErrnoException).code === 'EPERM';
      }
    }
    if (alive) throw new ConfigError(`another Specline server (pid ${owner}) is using the data directory ${dataDir}; stop it, or set SPECLINE_DATA_DIR (or DATABASE_URL) for this one`);
    rmSync(file, { force: true });
    take();
  }
  return () => rmSync(file, { force: true });
}

export function createProvider(config: Config, logger: Logger): SandboxProvider {
  switch (config.sandbox.provider) {
    case 'local':
      return createLocalProvider({
        dataDir: config.dataDir,
        workdir: config.sandbox.workdir,
        env: config.sandbox.env,
        repos: repoPolicyOf(config),
        logger: logger.child({ component: 'sandbox' }),
      });
    case 'none':
      return createNoopProvider();
  }
}

export async function createDeps(config: Config, options: { logger?: Logger } = {}): Promise<Deps> {
  const logger = options.logger ?? createLogger(config.logLevel);
  mkdirSync(config.dataDir, { recursive: true });
  const unlock = config.databaseUrl ? () => undefined : lockDataDir(config.dataDir);
  let database;
  try {
    database = await openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: path.join(config.dataDir, 'pgdata') });
  } catch (error) {
    unlock();
    throw error;
  }
  try {
    await database.migrate();
  } catch (error) {
    await database.close().catch(() => undefined);
    unlock();
    throw error;
  }
  const bus = config.redisUrl
    ? await createRedisBus({ url: config.redisUrl, onError: (error) => logger.warn({ err: error }, 'redis bus error') })
    : createMemoryBus();
  // Rate-limit counters next to the bus: in Redis when configured, so every server process agrees.
  const limits = config.redisUrl
    ? await createRedisLimitStore({ url: config.redisUrl, onError: (error) => logger.warn({ err: error }, 'redis rate-limit store error') })
    : createMemoryLimitStore();
  const secret = config.jwtSecret ?? loadOrCreateSecret(path.join(config.dataDir, 'jwt-secret'));
  // The key of stored API keys: SPECLINE_SECRET_KEY, else <dataDir>/secret-key (generated once, 0600).
  const sealedSecrets = secretBoxFor(config);
  // The run queue (issue 11): with SPECLINE_RUNNER=queue (config requires REDIS_URL then).
  const runQueue = config.runner.mode === 'queue' && config.redisUrl ? createRunQueue({ url: config.redisUrl, name: config.runner.queueName, logger: logger.child({ component: 'run-queue' }) }) : undefined;
  if (sealedSecrets.origin === 'generated') logger.info({ file: sealedSecrets.file }, 'generated the key for stored API keys (set SPECLINE_SECRET_KEY to provide one); back it up with the database');
  return {
    config,
    database,
    bus,
    provider: createProvider(config, logger),
    tokens: createTokenService(secret),
    secrets: sealedSecrets.box,
    logger,
    limits,
    ...(runQueue ? { runQueue } : {}),
    async close() {
      await runQueue?.close();
      await limits.close();
      await bus.close();
      await database.close();
      unlock();
    },
  };
}
