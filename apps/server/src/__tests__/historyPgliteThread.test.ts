/**
 * History reads run their page statement on the driver itself (`runRaw` in store/raw.ts). With a
 * data directory the server's PGlite is on a worker thread (store/pgliteThread.ts): the page statement
 * must take the driver path there too and answer what drizzle's `execute` answers.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'drizzle-orm';
import { afterAll, describe, expect, it } from 'vitest';
import { eventsPageSql } from '../services/eventsSql';
import { runRaw } from '../store/raw';
import { openDatabase, rowsOf, type Database } from '../store/db';
import { PgliteThreadClient } from '../store/pgliteThread';

describe('history page statement on PGlite on a worker thread', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'specline-history-thread-'));
  let database: Database | undefined;
  afterAll(async () => {
    await database?.close().catch(() => undefined);
    rmSync(dir, { recursive: true, force: true });
  });

  it('takes the driver path and answers as drizzle execute does', async () => {
    database = await openDatabase({ dataDir: path.join(dir, 'pgdata') });
    await database.migrate();
    const { db } = database;
    expect((db as unknown as { $client: unknown }).$client).toBeInstanceOf(PgliteThreadClient);
    const probe = sql`select 1::int8 as n, ${'x'}::text as t, '[{"a":1}]'::json::text as j`;
    expect(await runRaw(db, probe)).toEqual(rowsOf(await db.execute(probe)));
    await db.execute(sql`insert into users (id, email, name, password_hash) values ('user-h', 'h@example.com', 'H', 'x')`);
    await db.execute(sql`insert into projects (id, name, created_by) values ('project-h', 'P', 'user-h')`);
    await db.execute(sql`insert into project_members (project_id, user_id, role) values ('project-h', 'user-h', 'owner')`);
    await db.execute(sql`insert into specs (id, project_id, user_id, title, last_spec_seq) values ('spec-h', 'project-h', 'user-h', 'S', 3)`);
    await db.execute(sql`insert into sandboxes (id, spec_id, token_hash, status, provider) values ('sbx-h', 'spec-h', 'hash-h', 'completed', 'test')`);
    await db.execute(sql`
      insert into sandbox_events (spec_id, spec_seq, sandbox_id, event_id, seq, event_type, phase, data, source, emitted_at)
      select 'spec-h', g, 'sbx-h', 'evt-' || g, g, case when g = 2 then 'agent.tool_use' else 'spec.progress' end, 'explore',
             jsonb_build_object('message', 'step ' || g), 'agent', now()
        from generate_series(1, 3) g`);
    const answers: number[][] = [];
    for (const [f, w] of [
      [{ types: [], failuresOnly: false }, { order: 'desc', limit: 10, offset: 0 }],
      [{ types: ['spec.progress'], failuresOnly: false }, { order: 'asc', limit: 1, offset: 0, after: 0 }],
      [{ types: ['spec.progress'], failuresOnly: true }, { order: 'asc', limit: 5, offset: 3, after: 1 }],
    ] as const) {
      const page = eventsPageSql('spec-h', 'user-h', f, w);
      const [viaDriver] = await runRaw<Record<string, unknown>>(db, page);
      expect(Number(viaDriver!['last'])).toBe(3);
      expect(viaDriver).toEqual(rowsOf(await db.execute(page))[0]);
      answers.push((JSON.parse(String(viaDriver!['events'])) as { spec_seq: number }[]).map((e) => e.spec_seq));
    }
    expect(answers).toEqual([[3, 2, 1], [1], []]);
  });
});
