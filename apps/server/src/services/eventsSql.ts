/**
 * The SQL of the history reads (issue 14). Each stored event is turned into its wire DTO (`StoredEvent`)
 * by PostgreSQL itself (`json_build_object`), and a page is one `json_agg` text: the server neither maps
 * rows through the ORM nor parses `data` and serialises it again. Both drivers get the same text.
 *
 * `storedEventJson` must produce exactly what `toStoredEvent` (events.ts) makes of a drizzle row; the
 * history tests compare the two on both backends.
 */
import { EVENTS_TOTAL_COUNT_CAP, EventSource, FAILURE_EVENT_TYPES, Phase } from '@specline/protocol';
import { sql, type SQL } from 'drizzle-orm';

/** A constant list of enum values as SQL literals (they are our own identifiers: checked, never user input). */
function literalList(values: readonly string[]): SQL {
  for (const v of values) if (!/^[a-z_.]+$/.test(v)) throw new Error(`not a plain identifier: ${v}`);
  return sql.raw(values.map((v) => `'${v}'`).join(', '));
}

const PHASES = literalList(Phase.options);
const SOURCES = literalList(EventSource.options);
/** `Date.prototype.toISOString()` in SQL: UTC, milliseconds (truncated, as both drivers' Date parsing does). */
const iso = (column: string) => sql.raw(`to_char(${column} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`);

/** The `StoredEvent` DTO of the `sandbox_events` row aliased `e`. */
export const storedEventJson = sql`json_build_object(
  'id', e.id::text,
  'spec_id', e.spec_id,
  'spec_seq', e.spec_seq,
  'sandbox_id', e.sandbox_id,
  'run_id', e.run_id,
  'event_id', e.event_id,
  'seq', e.seq,
  'event_type', e.event_type,
  'phase', CASE WHEN e.phase IN (${PHASES}) THEN e.phase END,
  'event_data', e.data,
  'source', CASE WHEN e.source IN (${SOURCES}) THEN e.source ELSE 'agent' END,
  'emitted_at', ${iso('e.emitted_at')},
  'created_at', ${iso('e.received_at')})`;

/** Events with `spec_seq > after`, ascending, at most `limit`, as one JSON array text. */
export function eventsAfterSql(specId: string, after: number, limit: number): SQL {
  return sql`SELECT coalesce(json_agg(${storedEventJson} ORDER BY e.spec_seq), '[]')::text AS events
    FROM (SELECT * FROM sandbox_events WHERE spec_id = ${specId} AND spec_seq > ${after} ORDER BY spec_seq LIMIT ${limit}) e`;
}

export interface PageFilter {
  types: readonly string[];
  runId?: string | undefined;
  phase?: string | undefined;
  failuresOnly: boolean;
}

export interface PageWindow {
  after?: number | undefined;
  before?: number | undefined;
  order: 'asc' | 'desc';
  limit: number;
  offset: number;
}

const list = (values: readonly string[]) =>
  sql.join(
    values.map((v) => sql`${v}`),
    sql`, `,
  );

/** The filter conditions (on the unaliased `sandbox_events`), without the spec and the window. */
function filterConditions(f: PageFilter): SQL[] {
  const out: SQL[] = [];
  if (f.types.length === 1) out.push(sql`event_type = ${f.types[0]}`);
  else if (f.types.length > 1) out.push(sql`event_type IN (${list(f.types)})`);
  if (f.runId !== undefined) out.push(sql`run_id = ${f.runId}`);
  if (f.phase !== undefined) out.push(sql`(phase = ${f.phase} OR data->>'phase' = ${f.phase})`);
  if (f.failuresOnly) out.push(sql`(event_type IN (${list(FAILURE_EVENT_TYPES)}) OR (event_type = 'agent.completed' AND data->'success' = 'false'::jsonb))`);
  return out;
}

const and = (parts: SQL[]) => sql.join(parts, sql` AND `);

/**
 * One page in one statement: the access check (the spec, if `userId` is a member of its project), the
 * spec's `last_spec_seq`, the page's keys, the page as JSON text, and for a filtered page the size of
 * the filtered set counted up to `EVENTS_TOTAL_COUNT_CAP + 1` rows.
 *
 * Offsets: with no filter, `spec_seq` is gap-free 1..last, so `offset` becomes a seek (ascending:
 * `spec_seq > after + offset`; descending: `spec_seq <= min(before - 1, last) - offset`) and costs what
 * a cursor page costs. With a filter the offset is skipped over the keys alone (`spec_seq` only: an
 * index-only scan of `(spec_id, event_type, spec_seq)` for one type), then the page's rows are read.
 */
export function eventsPageSql(specId: string, userId: string, f: PageFilter, w: PageWindow): SQL {
  const filters = filterConditions(f);
  const filtered = filters.length > 0;
  const desc = w.order === 'desc';
  const keyWhere: SQL[] = [sql`spec_id = ${specId}`, sql`EXISTS (SELECT 1 FROM s)`, ...filters];
  if (w.after !== undefined) keyWhere.push(sql`spec_seq > ${w.after}`);
  if (w.before !== undefined) keyWhere.push(sql`spec_seq < ${w.before}`);
  let offset = sql``;
  if (w.offset > 0 && !filtered) {
    if (desc) {
      const top = w.before !== undefined ? sql`LEAST(${w.before - 1}, (SELECT last FROM s))` : sql`(SELECT last FROM s)`;
      keyWhere.push(sql`spec_seq <= ${top} - ${w.offset}`);
    } else {
      keyWhere.push(sql`spec_seq > ${(w.after ?? 0) + w.offset}`);
    }
  } else if (w.offset > 0) {
    offset = sql` OFFSET ${w.offset}`;
  }
  const dir = sql.raw(desc ? 'DESC' : 'ASC');
  const count = filtered
    ? sql`(SELECT count(*) FROM (SELECT 1 FROM sandbox_events WHERE spec_id = ${specId} AND EXISTS (SELECT 1 FROM s) AND ${and(filters)} LIMIT ${EVENTS_TOTAL_COUNT_CAP + 1}) c)`
    : sql`NULL::int8`;
  return sql`WITH s AS (
      SELECT sp.last_spec_seq AS last FROM specs sp
      JOIN project_members pm ON pm.project_id = sp.project_id AND pm.user_id = ${userId}
      WHERE sp.id = ${specId}
    ),
    k AS (
      SELECT spec_seq FROM sandbox_events WHERE ${and(keyWhere)} ORDER BY spec_seq ${dir} LIMIT ${w.limit + 1}${offset}
    ),
    r AS (
      SELECT e.*, row_number() OVER (ORDER BY e.spec_seq ${dir}) AS rn
      FROM k JOIN sandbox_events e ON e.spec_id = ${specId} AND e.spec_seq = k.spec_seq
    )
    SELECT (SELECT last FROM s) AS last,
      (SELECT count(*) FROM r) AS fetched,
      (SELECT max(spec_seq) FROM r) AS max_seq,
      (SELECT spec_seq FROM r WHERE rn = ${w.limit}) AS cursor,
      (SELECT coalesce(json_agg(${storedEventJson} ORDER BY e.rn), '[]')::text FROM r e WHERE e.rn <= ${w.limit}) AS events,
      ${count} AS filtered_count`;
}

/** What `eventsPageSql` answers (numbers as the drivers give int8: string, bigint or number). */
export interface PageRow {
  last: unknown;
  fetched: unknown;
  max_seq: unknown;
  cursor: unknown;
  events: string;
  filtered_count: unknown;
}
