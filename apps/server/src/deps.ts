/**
 * What a running server is made of, from its configuration: the database (PostgreSQL when
 * `DATABASE_URL` is set, else PGlite in `<dataDir>/pgdata`, migrated), the bus (Redis when
 * `REDIS_URL` is set, else in-process), the sandbox provider, the session token service (secret from
 * the configuration, else generated once and kept in `<dataDir>/jwt-secret`, mode 0600) and the logger.
 */
import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pino, type Logger } from 'pino';
import type { AppDeps } from './app';
import { createMemoryBus } from './bus/memoryBus';
import { createRedisBus } from './bus/redisBus';
import { ConfigError, type Config } from './config';
import { createLocalProvider } from './launcher/localProvider';
import { createNoopProvider, type SandboxProvider } from './launcher/provider';
import { createTokenService } from './services/tokens';
import { openDatabase } from './store/db';

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

export function createProvider(config: Config, logger: Logger): SandboxProvider {
  switch (config.sandbox.provider) {
    case 'local':
      return createLocalProvider({ dataDir: config.dataDir, workdir: config.sandbox.workdir, env: config.sandbox.env, logger: logger.child({ component: 'sandbox' }) });
    case 'none':
      return createNoopProvider();
  }
}

export async function createDeps(config: Config, options: { logger?: Logger } = {}): Promise<Deps> {
  const logger = options.logger ?? pino({ level: config.logLevel });
  mkdirSync(config.dataDir, { recursive: true });
  const database = await openDatabase(config.databaseUrl ? { url: config.databaseUrl } : { dataDir: path.join(config.dataDir, 'pgdata') });
  try {
    await database.migrate();
  } catch (error) {
    await database.close().catch(() => undefined);
    throw error;
  }
  const bus = config.redisUrl
    ? await createRedisBus({ url: config.redisUrl, onError: (error) => logger.warn({ err: error }, 'redis bus error') })
    : createMemoryBus();
  const secret = config.jwtSecret ?? loadOrCreateSecret(path.join(config.dataDir, 'jwt-secret'));
  return {
    config,
    database,
    bus,
    provider: createProvider(config, logger),
    tokens: createTokenService(secret),
    logger,
    async close() {
      await bus.close();
      await database.close();
    },
  };
}
