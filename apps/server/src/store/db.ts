/**
 * Opens the database: PostgreSQL through `pg` when a URL is given, embedded PGlite otherwise.
 * Both are the same Drizzle `PgDatabase` over one schema; PGlite has a single owner (this process)
 * and runs one query at a time. A PGlite with a data directory (the server's) runs on a worker thread
 * of its own (store/pgliteThread.ts), so the database and the server's HTTP and validation work use
 * two cores; in memory (tests, scripts) it runs in this thread unless `pgliteThread: 'worker'`.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PGlite } from '@electric-sql/pglite';
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core';
import { drizzle as drizzlePg } from 'drizzle-orm/node-postgres';
import { migrate as migratePg } from 'drizzle-orm/node-postgres/migrator';
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite';
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator';
import pg from 'pg';
import { PgliteThreadClient } from './pgliteThread';
import * as schema from './schema';

export type Schema = typeof schema;
export type Db = PgDatabase<PgQueryResultHKT, Schema>;
/** A transaction or the database itself: services take either. */
export type Tx = Parameters<Parameters<Db['transaction']>[0]>[0];
export type Queryable = Db | Tx;

export interface Database {
  db: Db;
  driver: 'postgres' | 'pglite';
  /** Runs the migrations in `apps/server/drizzle`. */
  migrate(): Promise<void>;
  /** Cheap liveness probe for /health. */
  ping(): Promise<boolean>;
  close(): Promise<void>;
}

export const MIGRATIONS_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../drizzle');

export interface OpenDatabaseOptions {
  /** PostgreSQL connection string; when absent PGlite is used. */
  url?: string | undefined;
  /** PGlite data directory; absent → in memory. */
  dataDir?: string | undefined;
  poolSize?: number;
  /** Where PGlite runs: `worker` (default with a data directory) or `main` (default in memory). */
  pgliteThread?: 'main' | 'worker' | undefined;
}

export async function openDatabase(options: OpenDatabaseOptions): Promise<Database> {
  if (options.url) {
    const pool = new pg.Pool({ connectionString: options.url, max: options.poolSize ?? 10 });
    pool.on('error', () => {
      /* an idle client died; the pool replaces it. Queries still report their own errors. */
    });
    const db = drizzlePg(pool, { schema }) as unknown as Db;
    return {
      db,
      driver: 'postgres',
      migrate: () => migratePg(drizzlePg(pool), { migrationsFolder: MIGRATIONS_DIR }),
      ping: async () => {
        try {
          await pool.query('select 1');
          return true;
        } catch {
          return false;
        }
      },
      close: () => pool.end(),
    };
  }
  const onWorker = (options.pgliteThread ?? (options.dataDir ? 'worker' : 'main')) === 'worker';
  // drizzle's PGlite driver calls `query` and `transaction` (and its `tx.query`): the thread client answers those.
  const client = onWorker ? (new PgliteThreadClient(options.dataDir) as unknown as PGlite) : options.dataDir ? new PGlite(options.dataDir) : new PGlite();
  await client.waitReady;
  const db = drizzlePglite(client, { schema }) as unknown as Db;
  return {
    db,
    driver: 'pglite',
    migrate: () => migratePglite(drizzlePglite(client), { migrationsFolder: MIGRATIONS_DIR }),
    ping: async () => {
      try {
        await client.query('select 1');
        return true;
      } catch {
        return false;
      }
    },
    close: () => client.close(),
  };
}

/** Rows of a raw `db.execute(sql…)`: both drivers answer `{rows}`. */
export function rowsOf<T>(result: unknown): T[] {
  return (result as { rows: T[] }).rows;
}
