/**
 * The stream's fast read of a spec's events: one raw query whose rows already carry each event's
 * `StoredEvent` JSON, built by the database (`json_build_object`), so the hot path pays neither the
 * ORM's row mapping nor `JSON.stringify`. The JSON is the DTO `toStoredEvent` (services/events.ts)
 * makes: the same fields in the same order, `phase` null unless a known phase, `source` 'agent' unless
 * a known source, times as ISO-8601 UTC with milliseconds (truncated, as a JS `Date` does).
 * The stream tests compare the two field by field on both backends.
 */
import { ALL_PHASES, EventSource } from '@specline/protocol';
import { sql } from 'drizzle-orm';
import { rowsOf, type Queryable } from '../store/db';

export interface FeedRow {
  spec_seq: number;
  event_type: string;
  /** The `StoredEvent` as JSON (one line: JSON text never holds a raw newline). */
  json: string;
}

const list = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );
const iso = (column: string) => sql.raw(`to_char(${column} at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/** Events of the spec with `spec_seq` above `after`, in order, at most `limit`. */
export async function readFeedRows(db: Queryable, specId: string, after: number, limit: number): Promise<FeedRow[]> {
  const rows = rowsOf<{ seq_text: string; event_type: string; json: string }>(
    await db.execute(sql`
      select spec_seq::text as seq_text, event_type, json_build_object(
        'id', id::text, 'spec_id', spec_id, 'spec_seq', spec_seq, 'sandbox_id', sandbox_id, 'run_id', run_id,
        'event_id', event_id, 'seq', seq, 'event_type', event_type,
        'phase', case when phase in (${list(ALL_PHASES)}) then phase end,
        'event_data', data,
        'source', case when source in (${list(EventSource.options)}) then source else 'agent' end,
        'emitted_at', ${iso('emitted_at')}, 'created_at', ${iso('received_at')}
      )::text as json
      from sandbox_events
      where spec_id = ${specId} and spec_seq > ${after}
      order by sandbox_events.spec_seq
      limit ${limit}`),
  );
  return rows.map((r) => ({ spec_seq: Number(r.seq_text), event_type: r.event_type, json: r.json }));
}
