/**
 * Reading a spec's events: keyset pages on the `(spec_id, spec_seq)` index, the stored-event DTO, and
 * the light access check the readers and streams use (it does not load the spec's large columns).
 *
 * The hot path (issue 14) builds the DTOs in SQL (`eventsSql.ts`) and hands the page on as JSON text:
 * no ORM row mapping, no parse and re-serialisation of `data`, no response re-validation (the history
 * tests parse real answers with the protocol schema instead). `toStoredEvent` is the reference mapping
 * of a drizzle row that the SQL must match.
 */
import { EVENTS_TOTAL_COUNT_CAP, EventSource, Phase, type EventsPage, type EventsQuery, type StoredEvent } from '@specline/protocol';
import { and, eq, inArray } from 'drizzle-orm';
import type { z } from 'zod';
import { notFound } from '../http/errors';
import { rowsOf, type Queryable } from '../store/db';
import { projectMembers, specs, type sandboxEvents } from '../store/schema';
import { runRaw } from '../store/raw';
import { eventsAfterSql, eventsPageSql, type PageRow } from './eventsSql';

export type EventsQueryInput = z.output<typeof EventsQuery>;
type EventRow = typeof sandboxEvents.$inferSelect;

export function toStoredEvent(row: EventRow): StoredEvent {
  const phase = Phase.safeParse(row.phase);
  const source = EventSource.safeParse(row.source);
  return {
    id: String(row.id),
    spec_id: row.specId,
    spec_seq: row.specSeq,
    sandbox_id: row.sandboxId,
    run_id: row.runId,
    event_id: row.eventId,
    seq: row.seq,
    event_type: row.eventType,
    phase: phase.success ? phase.data : null,
    event_data: row.data,
    source: source.success ? source.data : 'agent',
    emitted_at: row.emittedAt.toISOString(),
    created_at: row.receivedAt.toISOString(),
  };
}

export interface SpecCursor {
  id: string;
  lastSpecSeq: number;
}

/** The key of a (spec, user) pair in `specCursorsFor`'s answer. */
export const specAccessKey = (specId: string, userId: string): string => `${specId}\n${userId}`;

/**
 * The specs (id and last `spec_seq`) of many (spec, user) pairs in one query (the streams' batched access
 * check, hub.ts): the answer holds `specAccessKey(spec, user)` for each pair whose user is a member of the
 * spec's project; a pair without an entry is `not_found`.
 */
export async function specCursorsFor(db: Queryable, pairs: readonly { specId: string; userId: string }[]): Promise<Map<string, SpecCursor>> {
  const specIds = [...new Set(pairs.map((p) => p.specId))];
  const userIds = [...new Set(pairs.map((p) => p.userId))];
  const rows = await db
    .select({ id: specs.id, lastSpecSeq: specs.lastSpecSeq, userId: projectMembers.userId })
    .from(specs)
    .innerJoin(projectMembers, and(eq(projectMembers.projectId, specs.projectId), inArray(projectMembers.userId, userIds)))
    .where(inArray(specs.id, specIds));
  return new Map(rows.map((r) => [specAccessKey(r.id, r.userId), { id: r.id, lastSpecSeq: r.lastSpecSeq }]));
}

/** Events with `spec_seq > after`, ascending, at most `limit`: the streams' catch-up and feed read. */
export async function readEventsAfter(db: Queryable, specId: string, after: number, limit: number): Promise<StoredEvent[]> {
  const [row] = rowsOf<{ events: string }>(await db.execute(eventsAfterSql(specId, after, limit)));
  return JSON.parse(row?.events ?? '[]') as StoredEvent[];
}

/** `event_types` (repeatable, or comma-separated) and the original API's single `event_type`, together. */
function typeList(value: EventsQueryInput['event_types'], single?: string): string[] {
  const list = [...(value === undefined ? [] : Array.isArray(value) ? value : [value]), ...(single === undefined ? [] : [single])];
  return [...new Set(list.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean))];
}

const int = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));

/**
 * One page of a spec's events as the JSON text of an `EventsPage`, if `userId` is a member of the spec's
 * project (else `not_found`): one SQL statement. `total_count` counts the filtered set (type, phase,
 * failures, run), not the cursor window, exactly up to `EVENTS_TOTAL_COUNT_CAP` (`total_count_exact`);
 * unfiltered it is the spec's `last_spec_seq` (gap-free from 1: no COUNT on every poll).
 */
export async function readSpecEventsPageJson(db: Queryable, specId: string, userId: string, query: EventsQueryInput): Promise<string> {
  const filter = {
    types: typeList(query.event_types, query.event_type),
    runId: query.run_id,
    phase: query.phase,
    failuresOnly: query.failures_only === 'true',
  };
  const [row] = await runRaw<PageRow>(db, eventsPageSql(specId, userId, filter, { after: query.after, before: query.before, order: query.order, limit: query.limit, offset: query.offset }));
  if (!row || row.last === null || row.last === undefined) throw notFound('spec');
  const lastSpecSeq = int(row.last);
  const hasMore = int(row.fetched) > query.limit;
  const filtered = row.filtered_count !== null && row.filtered_count !== undefined;
  const counted = filtered ? int(row.filtered_count) : lastSpecSeq;
  const exact = !filtered || counted <= EVENTS_TOTAL_COUNT_CAP;
  return (
    `{"spec_id":${JSON.stringify(specId)},"events":${row.events},` +
    `"total_count":${exact ? counted : EVENTS_TOTAL_COUNT_CAP},"total_count_exact":${exact},"has_more":${hasMore},` +
    `"next_cursor":${hasMore ? int(row.cursor) : null},"last_spec_seq":${Math.max(lastSpecSeq, int(row.max_seq))}}`
  );
}

/** `readSpecEventsPageJson`, parsed (for callers inside the server that want the object). */
export async function listSpecEvents(db: Queryable, specId: string, userId: string, query: EventsQueryInput): Promise<EventsPage> {
  return JSON.parse(await readSpecEventsPageJson(db, specId, userId, query)) as EventsPage;
}
