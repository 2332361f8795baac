/**
 * The SQL of the history reads (issue 14). Each stored event is turned into its wire DTO (`StoredEvent`)
 * by PostgreSQL itself (`json_agg` of a row named like its fields), and a page is one `json_agg` text: the server neither maps
 * rows through the ORM nor parses `data` and serialises it again. Both drivers get the same text.
 *
 * `storedEventColumns` must produce exactly what `toStoredEvent` (events.ts) makes of a drizzle row; the
 * history tests compare the two on both backends.
 *
 * A history page runs on the driver itself (`runRaw`, store/raw.ts): its answer is a single row of scalars
 * and one JSON text, so drizzle's query wrapping and row handling are pure cost.
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

/**
 * The `StoredEvent` DTO's columns, named as its fields, of the `sandbox_events` row `p`: `json_agg` of the
 * lateral row `d` built from them is the DTO array (a record aggregates cheaper than `json_build_object`).
 */
const storedEventColumns = sql`p.id::text AS id, p.spec_id, p.spec_seq, p.sandbox_id, p.run_id, p.event_id, p.seq, p.event_type,
  CASE WHEN p.phase IN (${PHASES}) THEN p.phase END AS phase,
  p.data AS event_data,
  CASE WHEN p.source IN (${SOURCES}) THEN p.source ELSE 'agent' END AS source,
  ${iso('p.emitted_at')} AS emitted_at,
  ${iso('p.received_at')} AS created_at`;

/** Events with `spec_seq > after`, ascending, at most `limit`, as one JSON array text. */
export function eventsAfterSql(specId: string, after: number, limit: number): SQL {
  return sql`SELECT coalesce(json_agg(d ORDER BY p.spec_seq), '[]')::text AS events
    FROM (SELECT * FROM sandbox_events WHERE spec_id = ${specId} AND spec_seq > ${after} ORDER BY spec_seq LIMIT ${limit}) p,
    LATERAL (SELECT ${storedEventColumns}) d`;
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
 * spec's `last_spec_seq`, the page as JSON text (one pass over its rows), and for a filtered page the size of
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
  const where: SQL[] = [sql`spec_id = ${specId}`, sql`EXISTS (SELECT 1 FROM s)`, ...filters];
  if (w.after !== undefined) where.push(sql`spec_seq > ${w.after}`);
  if (w.before !== undefined) where.push(sql`spec_seq < ${w.before}`);
  const dir = sql.raw(desc ? 'DESC' : 'ASC');
  let page: SQL;
  if (w.offset > 0 && filtered) {
    // Skip over the keys alone, then read the page's rows.
    page = sql`SELECT ev.* FROM (SELECT spec_seq FROM sandbox_events WHERE ${and(where)} ORDER BY spec_seq ${dir} LIMIT ${w.limit + 1} OFFSET ${w.offset}) k
      JOIN sandbox_events ev ON ev.spec_id = ${specId} AND ev.spec_seq = k.spec_seq`;
  } else {
    if (w.offset > 0 && desc) {
      const top = w.before !== undefined ? sql`LEAST(${w.before - 1}, (SELECT last FROM s))` : sql`(SELECT last FROM s)`;
      where.push(sql`spec_seq <= ${top} - ${w.offset}`);
    } else if (w.offset > 0) {
      where.push(sql`spec_seq > ${(w.after ?? 0) + w.offset}`);
    }
    page = sql`SELECT * FROM sandbox_events WHERE ${and(where)} ORDER BY spec_seq ${dir} LIMIT ${w.limit + 1}`;
  }
  const count = filtered
    ? sql`(SELECT count(*) FROM (SELECT 1 FROM sandbox_events WHERE spec_id = ${specId} AND EXISTS (SELECT 1 FROM s) AND ${and(filters)} LIMIT ${EVENTS_TOTAL_COUNT_CAP + 1}) c)`
    : sql`NULL::int8`;
  // One pass over the page (limit + 1 rows: the last one only says whether there is more).
  return sql`WITH s AS (
      SELECT sp.last_spec_seq AS last FROM specs sp
      JOIN project_members pm ON pm.project_id = sp.project_id AND pm.user_id = ${userId}
      WHERE sp.id = ${specId}
    )
    SELECT (SELECT last FROM s) AS last,
      count(*) AS fetched,
      max(p.spec_seq) AS max_seq,
      max(p.spec_seq) FILTER (WHERE p.rn = ${w.limit}) AS cursor,
      coalesce(json_agg(d ORDER BY p.rn) FILTER (WHERE p.rn <= ${w.limit}), '[]')::text AS events,
      ${count} AS filtered_count
    FROM (SELECT e.*, row_number() OVER (ORDER BY e.spec_seq ${dir}) AS rn FROM (${page}) e) p,
    LATERAL (SELECT ${storedEventColumns}) d`;
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
