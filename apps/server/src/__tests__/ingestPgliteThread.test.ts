/**
 * PGlite on its worker thread (store/pgliteThread.ts), what the server uses with a data directory:
 * the same answers as PGlite in this thread, errors with their SQLSTATE, transactions that hold the
 * database and roll back on failure, data that survives a restart, and a clear failure once closed.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { classifyDatabaseError } from '../http/dbErrors';
import { openDatabase, rowsOf, type Database } from '../store/db';

describe('PGlite on a worker thread', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'specline-pglite-thread-'));
  const opened: Database[] = [];
  const open = async () => {
    const database = await openDatabase({ dataDir: path.join(dir, 'pgdata') });
    opened.push(database);
    return database;
  };
  afterAll(async () => {
    for (const d of opened) await d.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('migrates, answers queries like PGlite does, and keeps the data across a restart', async () => {
    const first = await open();
    await first.migrate();
    expect(await first.ping()).toBe(true);
    const [row] = rowsOf<{ n: number; j: { a: number }; t: string }>(await first.db.execute(sql`select 1::int8 as n, '{"a":1}'::jsonb as j, now() as t`));
    expect(row).toMatchObject({ n: 1, j: { a: 1 } });
    await first.db.execute(sql`create table thread_t (x int primary key)`);
    await first.db.execute(sql`insert into thread_t values (1), (2)`);
    await first.close();
    const second = await open();
    await second.migrate();
    expect(rowsOf<{ x: number }>(await second.db.execute(sql`select x from thread_t order by x`)).map((r) => r.x)).toEqual([1, 2]);
  });

  it('a failed statement carries its SQLSTATE; a failed transaction stores nothing; others wait for a transaction', async () => {
    const database = opened.at(-1)!;
    const duplicate = await database.db.execute(sql`insert into thread_t values (1)`).then(
      () => null,
      (e: unknown) => e,
    );
    expect(classifyDatabaseError(duplicate)?.code).toBe('23505');
    const order: string[] = [];
    let outside: Promise<unknown> | undefined;
    const failed = await database.db
      .transaction(async (tx) => {
        await tx.execute(sql`insert into thread_t values (3)`);
        outside = database.db.execute(sql`select count(*)::int as n from thread_t`).then((r) => order.push(`outside saw ${rowsOf<{ n: number }>(r)[0]!.n}`));
        await tx.execute(sql`insert into thread_t values (4)`);
        order.push('transaction failing');
        await tx.execute(sql`insert into thread_t values (1)`);
      })
      .then(
        () => null,
        (e: unknown) => e,
      );
    await outside;
    expect(classifyDatabaseError(failed)?.code).toBe('23505');
    // The query outside ran after the transaction rolled back: it saw neither 3 nor 4.
    expect(order).toEqual(['transaction failing', 'outside saw 2']);
    expect(rowsOf<{ x: number }>(await database.db.execute(sql`select x from thread_t order by x`)).map((r) => r.x)).toEqual([1, 2]);
  });

  it('once closed, a query fails as unavailable (PGlite is closed)', async () => {
    const database = opened.at(-1)!;
    await database.close();
    const error = await database.db.execute(sql`select 1`).then(
      () => null,
      (e: unknown) => e,
    );
    expect(classifyDatabaseError(error)?.kind).toBe('unavailable');
    expect(await database.ping()).toBe(false);
  });
});
