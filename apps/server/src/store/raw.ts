/**
 * A statement run on the database's own driver, past drizzle's session layer (the history pages,
 * services/eventsSql.ts): the `pg` pool, as a named prepared statement per SQL text, or PGlite's `query`,
 * in this thread or on its worker thread (pgliteThread.ts). A transaction, or a driver this does not know,
 * goes through drizzle's `execute`.
 */
import { PGlite } from '@electric-sql/pglite';
import type { SQL } from 'drizzle-orm';
import { PgDialect } from 'drizzle-orm/pg-core';
import pg from 'pg';
import { rowsOf, type Queryable } from './db';
import { PgliteThreadClient } from './pgliteThread';

const dialect = new PgDialect();
/**
 * Named statements for `pg`, one per distinct SQL text (a page's shape: which filters and window bounds it
 * has; the values are parameters). `pg` prepares a name once per pooled connection and then only binds,
 * so PostgreSQL skips parsing and analysis. Bounded: shapes past the first `MAX_NAMED` (e.g. ever longer
 * `event_types` lists) run unnamed, so neither this map nor the server's per-connection statements grow
 * without end.
 */
const statementNames = new Map<string, string>();
const MAX_NAMED = 256;

function statementName(text: string): string | undefined {
  let name = statementNames.get(text);
  if (name === undefined && statementNames.size < MAX_NAMED) {
    name = `specline_events_${statementNames.size + 1}`;
    statementNames.set(text, name);
  }
  return name;
}

/**
 * The rows of `query` run on the database's own driver when `db` is the database (a transaction, or a
 * driver this does not know, goes through drizzle's `execute`). Rows come as the driver gives them
 * (int8 as string or bigint): callers read scalars with `Number`.
 */
export async function runRaw<T>(db: Queryable, query: SQL): Promise<T[]> {
  const client = (db as { $client?: unknown }).$client;
  if (client instanceof pg.Pool || client instanceof PGlite || client instanceof PgliteThreadClient) {
    const { sql: text, params } = dialect.sqlToQuery(query);
    if (!(client instanceof pg.Pool)) return (await client.query<T>(text, params)).rows;
    const name = statementName(text);
    return (await client.query<T & pg.QueryResultRow>(name ? { name, text, values: params } : { text, values: params })).rows;
  }
  return rowsOf<T>(await db.execute(query));
}
