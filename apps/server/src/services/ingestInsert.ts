/**
 * The INSERT of one ingest batch, under the spec row lock (see services/ingest.ts), in one of two ways:
 *
 * - `insertNewBatch` (the common case, a batch none of whose events is stored yet): ONE statement
 *   inserts the rows with `spec_seq` = last+1…last+n, advances `specs.last_spec_seq` and, for the
 *   spec's live sandbox, marks it alive (what `applyIngestEffects` would do next), and answers one
 *   row: the count and the new ids in `spec_seq` order. It does not look for stored duplicates first:
 *   `ON CONFLICT DO NOTHING` skips one, the count comes back short, and the caller rolls the whole
 *   transaction back and stores the batch with `insertCheckedBatch`. So a duplicate can never leave a
 *   gap in `spec_seq`: a short count is never committed.
 * - `insertCheckedBatch`: drops the events already stored first, numbers the rest gap-free, and reads
 *   the server ids of the duplicates (the way every batch was stored before issue 14).
 *
 * - `insertLiveBatch` (a batch of events with no side effects, from the spec's live sandbox): the
 *   lock, the revocation check, the insert, `last_spec_seq` and the heartbeat as ONE statement outside
 *   any transaction (a statement is atomic by itself), i.e. one round trip instead of four (BEGIN, lock,
 *   insert, COMMIT). It inserts nothing when the spec is not the sandbox's or the token was revoked
 *   (`null`: the caller takes the transaction path, which answers those cases). It has no `ON CONFLICT`:
 *   a stored event id fails the whole statement with 23505 on `sandbox_events_event_id_uq`
 *   (`isStoredEventConflict`), so nothing of it is written, and the caller stores the batch the checked way.
 *
 * One statement instead of four (lock, insert, seq, heartbeat → lock, insert) and one answer row
 * instead of one per event is most of what made PGlite faster: it runs one query at a time and every
 * query costs several calls into its WASM module.
 */
import { and, eq, inArray, sql } from 'drizzle-orm';
import { rowsOf, type Queryable, type Tx } from '../store/db';
import { sandboxEvents, specs } from '../store/schema';

export interface InsertRow {
  ord: number;
  event_id: string;
  seq: number | null;
  event_type: string;
  phase: string | null;
  data: Record<string, unknown>;
  source: string;
  emitted_at: string | null;
}

export interface BatchTarget {
  specId: string;
  sandboxId: string;
  runId: string | null;
  /** `specs.last_spec_seq` read under the lock. */
  last: number;
  now: Date;
}

export interface InsertedEvent {
  id: string;
  eventId: string;
  specSeq: number;
}

/** The rows as one jsonb document: `jsonb_to_recordset` reads it faster than 500 × 8 parameters or arrays. */
function incoming(rows: readonly InsertRow[]) {
  return sql`select * from jsonb_to_recordset(${JSON.stringify(rows)}::jsonb)
    as x(ord int, event_id text, seq int, event_type text, phase text, data jsonb, source text, emitted_at timestamptz)`;
}

function insertSelect(t: BatchTarget, from: ReturnType<typeof sql>) {
  const now = t.now.toISOString();
  return sql`insert into sandbox_events (spec_id, spec_seq, sandbox_id, event_id, seq, event_type, phase, data, source, emitted_at, received_at, run_id)
    select ${t.specId}, ${t.last}::bigint + row_number() over (order by ord), ${t.sandboxId}, event_id, seq, event_type, phase, data, source,
           coalesce(emitted_at, ${now}::timestamptz), ${now}::timestamptz, ${t.runId}::text
    from ${from}
    on conflict (sandbox_id, event_id) do nothing`;
}

/**
 * Inserts `rows` (none of them repeated inside the batch) as new events, advancing `last_spec_seq`;
 * `markAlive` also stamps the live sandbox's heartbeat. Returns the ids in row order, or `null` when
 * some row was already stored (nothing usable was written: the caller must roll back).
 */
export async function insertNewBatch(tx: Tx, t: BatchTarget, rows: readonly InsertRow[], markAlive: boolean): Promise<string[] | null> {
  const now = t.now.toISOString();
  const [answer] = rowsOf<{ n: number; ids: string | null }>(
    await tx.execute(sql`
      with incoming as (${incoming(rows)}),
      ins as (${insertSelect(t, sql`incoming`)} returning id, spec_seq),
      counted as (select count(*)::int as n from ins),
      seq as (
        update specs set last_spec_seq = ${t.last}::bigint + (select n from counted)
        where id = ${t.specId} and (select n from counted) = ${rows.length}::int
        returning 1
      ),
      alive as (
        update sandboxes set last_heartbeat_at = ${now}::timestamptz, status = case when status = 'starting' then 'running' else status end
        where ${markAlive}::boolean and id = ${t.sandboxId} and ended_at is null
        returning 1
      )
      select (select n from counted) as n, (select string_agg(id::text, ',' order by spec_seq) from ins) as ids`),
  );
  const n = Number(answer?.n ?? 0);
  if (n !== rows.length) return null;
  const ids = answer?.ids ? answer.ids.split(',') : [];
  if (ids.length !== rows.length) throw new Error(`ingest into ${t.specId}: ${rows.length} rows inserted, ${ids.length} ids answered`);
  return ids;
}

export interface LiveBatchTarget {
  specId: string;
  sandboxId: string;
  now: Date;
}

/**
 * The one-statement, no-transaction insert of a batch without side effects (see the module comment):
 * the spec row is locked `for update` for the statement, the rows get `spec_seq` = last+1…, the live
 * sandbox is marked alive. Returns `null` (nothing written) unless the spec's live sandbox is this one
 * and its token is not revoked.
 */
export async function insertLiveBatch(db: Queryable, t: LiveBatchTarget, rows: readonly InsertRow[]): Promise<{ last: number; ids: string[] } | null> {
  const now = t.now.toISOString();
  const [answer] = rowsOf<{ last: string | number | null; n: number | null; ids: string | null }>(
    await db.execute(sql`
      with locked as (
        -- Both rows locked, so the conditions are checked again on the rows as they are once the locks are
        -- held (PostgreSQL re-reads a locked row that changed while this statement waited for it): a claim
        -- or a run's end that revoked the token or moved the spec to another sandbox meanwhile is seen,
        -- exactly as the transaction path's check under the spec lock sees it. Lock order spec → sandbox,
        -- the order of every transaction that locks both.
        select s.last_spec_seq as last, b.run_id
        from specs s join sandboxes b on b.id = s.sandbox_id
        where s.id = ${t.specId} and s.sandbox_id = ${t.sandboxId} and b.revoked_at is null
        for update of s, b
      ),
      live as (select last, run_id from locked),
      incoming as (${incoming(rows)}),
      ins as (
        insert into sandbox_events (spec_id, spec_seq, sandbox_id, event_id, seq, event_type, phase, data, source, emitted_at, received_at, run_id)
        select ${t.specId}, live.last + row_number() over (order by i.ord), ${t.sandboxId}, i.event_id, i.seq, i.event_type, i.phase, i.data, i.source,
               coalesce(i.emitted_at, ${now}::timestamptz), ${now}::timestamptz, live.run_id
        from incoming i cross join live
        returning id, spec_seq
      ),
      counted as (select count(*)::int as n from ins),
      seq as (
        update specs set last_spec_seq = (select last from live) + (select n from counted)
        where id = ${t.specId} and exists (select 1 from live)
        returning 1
      ),
      alive as (
        update sandboxes set last_heartbeat_at = ${now}::timestamptz, status = case when status = 'starting' then 'running' else status end
        where id = ${t.sandboxId} and ended_at is null and exists (select 1 from live)
        returning 1
      )
      select (select last from live) as last, (select n from counted) as n, (select string_agg(id::text, ',' order by spec_seq) from ins) as ids`),
  );
  if (answer?.last === null || answer?.last === undefined) return null;
  const ids = answer.ids ? answer.ids.split(',') : [];
  if (Number(answer.n) !== rows.length || ids.length !== rows.length) throw new Error(`ingest into ${t.specId}: ${rows.length} rows sent, ${answer.n} inserted, ${ids.length} ids answered`);
  return { last: Number(answer.last), ids };
}

/** Whether `error` (or its cause) is the unique violation of a stored `(sandbox_id, event_id)`. */
export function isStoredEventConflict(error: unknown): boolean {
  let e: unknown = error;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const { code, constraint } = e as { code?: unknown; constraint?: unknown };
    if (code === '23505') return constraint === 'sandbox_events_event_id_uq';
    e = (e as { cause?: unknown }).cause;
  }
  return false;
}

/**
 * Inserts the rows not yet stored for the sandbox, numbered gap-free after `last`, and advances
 * `last_spec_seq`. Returns the inserted events in `spec_seq` order and the server id of every row
 * (stored before or now).
 */
export async function insertCheckedBatch(tx: Tx, t: BatchTarget, rows: readonly InsertRow[]): Promise<{ inserted: InsertedEvent[]; serverId: Map<string, string> }> {
  const inserted = rowsOf<{ id: string; event_id: string; spec_seq: string }>(
    await tx.execute(sql`
      with incoming as (${incoming(rows)}),
      fresh as (
        select i.* from incoming i
        where not exists (select 1 from sandbox_events e where e.sandbox_id = ${t.sandboxId} and e.event_id = i.event_id)
      )
      ${insertSelect(t, sql`fresh`)}
      returning id::text as id, event_id, spec_seq::text as spec_seq`),
  )
    .map((r) => ({ id: r.id, eventId: r.event_id, specSeq: Number(r.spec_seq) }))
    .sort((a, b) => a.specSeq - b.specSeq);
  // Under the row lock nothing else inserts for this sandbox, so the range is exactly last+1..last+n.
  inserted.forEach((r, i) => {
    if (r.specSeq !== t.last + i + 1) throw new Error(`spec_seq gap for ${t.specId}: expected ${t.last + i + 1}, got ${r.specSeq}`);
  });
  const serverId = new Map(inserted.map((r) => [r.eventId, r.id]));
  const missing = rows.filter((r) => !serverId.has(r.event_id)).map((r) => r.event_id);
  if (missing.length) {
    const existing = await tx
      .select({ id: sql<string>`${sandboxEvents.id}::text`, eventId: sandboxEvents.eventId })
      .from(sandboxEvents)
      .where(and(eq(sandboxEvents.sandboxId, t.sandboxId), inArray(sandboxEvents.eventId, missing)));
    for (const r of existing) serverId.set(r.eventId, r.id);
  }
  if (inserted.length) await tx.update(specs).set({ lastSpecSeq: t.last + inserted.length }).where(eq(specs.id, t.specId));
  return { inserted, serverId };
}
