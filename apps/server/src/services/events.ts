/**
 * Reading a spec's events: keyset pages on the `(spec_id, spec_seq)` index, the stored-event DTO, and
 * the light access check the readers and streams use (it does not load the spec's large columns).
 */
import { EventSource, FAILURE_EVENT_TYPES, Phase, type EventsPage, type EventsQuery, type StoredEvent } from '@specline/protocol';
import { and, asc, count, desc, eq, gt, inArray, lt, or, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import { notFound } from '../http/errors';
import type { Queryable } from '../store/db';
import { projectMembers, sandboxEvents, specs } from '../store/schema';

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

/** The spec (id and last `spec_seq`) if the user is a member of its project, else `not_found`. */
export async function requireSpecCursor(db: Queryable, specId: string, userId: string): Promise<SpecCursor> {
  const [row] = await db
    .select({ id: specs.id, lastSpecSeq: specs.lastSpecSeq })
    .from(specs)
    .innerJoin(projectMembers, and(eq(projectMembers.projectId, specs.projectId), eq(projectMembers.userId, userId)))
    .where(eq(specs.id, specId))
    .limit(1);
  if (!row) throw notFound('spec');
  return row;
}

/** Events with `spec_seq > after`, ascending, at most `limit`: the streams' catch-up and feed read. */
export async function readEventsAfter(db: Queryable, specId: string, after: number, limit: number): Promise<StoredEvent[]> {
  const rows = await db
    .select()
    .from(sandboxEvents)
    .where(and(eq(sandboxEvents.specId, specId), gt(sandboxEvents.specSeq, after)))
    .orderBy(asc(sandboxEvents.specSeq))
    .limit(limit);
  return rows.map(toStoredEvent);
}

/** `event_types` (repeatable, or comma-separated) and the original API's single `event_type`, together. */
function typeList(value: EventsQueryInput['event_types'], single?: string): string[] {
  const list = [...(value === undefined ? [] : Array.isArray(value) ? value : [value]), ...(single === undefined ? [] : [single])];
  return [...new Set(list.flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean))];
}

/** One page of a spec's events; `total_count` counts the filtered set (type, phase, failures), not the cursor window. */
export async function listSpecEvents(db: Queryable, spec: SpecCursor, query: EventsQueryInput): Promise<EventsPage> {
  const filters: SQL[] = [eq(sandboxEvents.specId, spec.id)];
  const types = typeList(query.event_types, query.event_type);
  if (types.length) filters.push(inArray(sandboxEvents.eventType, types));
  if (query.run_id) filters.push(eq(sandboxEvents.runId, query.run_id));
  if (query.phase) filters.push(or(eq(sandboxEvents.phase, query.phase), sql`${sandboxEvents.data}->>'phase' = ${query.phase}`)!);
  if (query.failures_only === 'true') {
    filters.push(
      or(
        inArray(sandboxEvents.eventType, [...FAILURE_EVENT_TYPES]),
        and(eq(sandboxEvents.eventType, 'agent.completed'), sql`${sandboxEvents.data}->'success' = 'false'::jsonb`),
      )!,
    );
  }
  const filtered = filters.length > 1;
  const window = [...filters];
  if (query.after !== undefined) window.push(gt(sandboxEvents.specSeq, query.after));
  if (query.before !== undefined) window.push(lt(sandboxEvents.specSeq, query.before));
  const rows = await db
    .select()
    .from(sandboxEvents)
    .where(and(...window))
    .orderBy(query.order === 'asc' ? asc(sandboxEvents.specSeq) : desc(sandboxEvents.specSeq))
    .limit(query.limit + 1)
    .offset(query.offset);
  const hasMore = rows.length > query.limit;
  const page = hasMore ? rows.slice(0, query.limit) : rows;
  // spec_seq is gap-free from 1, so the unfiltered total is the last one: no COUNT on every poll.
  const [last] = await db.select({ last: specs.lastSpecSeq }).from(specs).where(eq(specs.id, spec.id));
  const lastSpecSeq = last?.last ?? spec.lastSpecSeq;
  let total = lastSpecSeq;
  if (filtered) {
    const [row] = await db.select({ n: count() }).from(sandboxEvents).where(and(...filters));
    total = row?.n ?? 0;
  }
  return {
    spec_id: spec.id,
    events: page.map(toStoredEvent),
    total_count: total,
    has_more: hasMore,
    next_cursor: hasMore ? (page[page.length - 1]?.specSeq ?? null) : null,
    last_spec_seq: Math.max(lastSpecSeq, ...page.map((r) => r.specSeq)),
  };
}
