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

  it('a statement run again and again (prepared on its second run) keeps answering right, also after the table changed', async () => {
    const database = opened.at(-1)!;
    const read = async () => rowsOf<Record<string, unknown>>(await database.db.execute(sql`select * from thread_t where x >= ${1} order by x`));
    for (let i = 0; i < 4; i++) expect(await read()).toEqual([{ x: 1 }, { x: 2 }]);
    // The result type of the prepared `select *` changes: it is dropped and the query runs unprepared.
    await database.db.execute(sql`alter table thread_t add column y text default 'new'`);
    expect(await read()).toEqual([
      { x: 1, y: 'new' },
      { x: 2, y: 'new' },
    ]);
    expect(await read()).toEqual([
      { x: 1, y: 'new' },
      { x: 2, y: 'new' },
    ]);
    // Parameters of every type go through the statement's own serializers (jsonb, bigint, null, timestamptz).
    const typed = async () =>
      rowsOf<{ j: unknown; n: number; z: null; t: string }>(
        await database.db.execute(sql`select ${JSON.stringify({ a: [1, 'b'] })}::jsonb as j, ${2}::int8 + 1 as n, ${null}::text as z, ${new Date(0).toISOString()}::timestamptz as t`),
      );
    for (let i = 0; i < 3; i++) expect((await typed())[0]).toMatchObject({ j: { a: [1, 'b'] }, n: 3, z: null });
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
