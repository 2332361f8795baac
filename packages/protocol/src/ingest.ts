import { z } from 'zod';
import { EVENT_LIMITS, EventPayloads, EventTimestamp, EventType, SpecEvent, isKnownEventType } from './events';
import { adaptLegacyEvent } from './legacy';
import { Phase } from './phases';

export const EventSource = z.enum(['agent', 'worker', 'system']);
export type EventSource = z.infer<typeof EventSource>;

/**
 * The plain `Event` of the original spec-sandbox (`reference/ui-and-events.md`): no `event_id` or
 * `seq`, so the server assigns them. Such events are stored but cannot be deduplicated.
 */
export const PlainEvent = z.object({
  event_type: EventType,
  timestamp: EventTimestamp.optional(),
  spec_id: z.string().min(1).max(200).optional(),
  phase: Phase.nullable().optional(),
  data: z.record(z.string(), z.unknown()).nullable().optional(),
  source: EventSource.optional(),
});
export type PlainEvent = z.infer<typeof PlainEvent>;

/** The original reporter's wire body: `{event_type, event_data: {...data, spec_id, phase?}, source}`. */
export const LegacyWireEvent = z.object({
  event_type: EventType,
  event_data: z.record(z.string(), z.unknown()).default({}),
  source: EventSource.default('agent'),
});
export type LegacyWireEvent = z.infer<typeof LegacyWireEvent>;

/** One event after normalisation at the edge: whatever shape it came in, it leaves as this. */
export interface NormalizedEvent {
  /** `null` when the producer sent none (legacy shapes): the server assigns one. */
  event_id: string | null;
  seq: number | null;
  event_type: string;
  /** Emit time; `null` when the producer sent none (the receive time is used). */
  timestamp: string | null;
  /** The spec the body names, if any; it must match the token's spec. */
  spec_id: string | null;
  phase: Phase | null;
  data: Record<string, unknown>;
  source: EventSource;
  shape: 'envelope' | 'plain' | 'legacy';
}

export interface IngestIssue {
  /** Index of the event in the batch (0 for a single-event body). */
  index: number;
  /** Where in the body: `events[3].data.phase`. */
  path: string;
  message: string;
}

export type IngestParseResult = { ok: true; events: NormalizedEvent[]; batch: boolean } | { ok: false; issues: IngestIssue[] };

function pathString(prefix: string, path: readonly PropertyKey[]): string {
  let out = prefix;
  for (const key of path) out += typeof key === 'number' ? `[${key}]` : out ? `.${String(key)}` : String(key);
  return out;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function validatePayload(eventType: string, data: Record<string, unknown>, prefix: string, index: number, issues: IngestIssue[]): void {
  if (!isKnownEventType(eventType)) return;
  const result = EventPayloads[eventType].safeParse(data);
  if (!result.success) {
    for (const issue of result.error.issues) issues.push({ index, path: pathString(prefix, issue.path), message: issue.message });
  }
}

/** Normalises one event of any accepted shape, or records what is wrong with it. */
export function normalizeEvent(raw: unknown, index: number, prefix: string, issues: IngestIssue[]): NormalizedEvent | undefined {
  if (!isRecord(raw)) {
    issues.push({ index, path: prefix || '(root)', message: 'expected an event object' });
    return undefined;
  }
  const before = issues.length;
  const collect = (error: z.ZodError) => {
    for (const issue of error.issues) issues.push({ index, path: pathString(prefix, issue.path), message: issue.message });
  };

  if ('event_data' in raw) {
    const parsed = LegacyWireEvent.safeParse(raw);
    if (!parsed.success) return void collect(parsed.error);
    // spec_id is lifted out (agent.completed keeps it in its payload); phase is kept in the payload too.
    const { spec_id, ...rawData } = parsed.data.event_data;
    const phaseResult = Phase.nullable().optional().safeParse(rawData['phase']);
    if (!phaseResult.success) issues.push({ index, path: pathString(prefix, ['event_data', 'phase']), message: 'unknown phase' });
    if (spec_id !== undefined && typeof spec_id !== 'string') {
      issues.push({ index, path: pathString(prefix, ['event_data', 'spec_id']), message: 'expected a string' });
    }
    if (issues.length > before) return undefined;
    const specId = typeof spec_id === 'string' ? spec_id : null;
    const adapted = adaptLegacyEvent(parsed.data.event_type, phaseResult.data ?? null, rawData, specId);
    validatePayload(adapted.event_type, adapted.data, pathString(prefix, ['event_data']), index, issues);
    if (issues.length > before) return undefined;
    return {
      event_id: null,
      seq: null,
      event_type: adapted.event_type,
      timestamp: null,
      spec_id: specId,
      phase: adapted.phase,
      data: adapted.data,
      source: parsed.data.source,
      shape: 'legacy',
    };
  }

  if ('event_id' in raw || 'seq' in raw) {
    const parsed = SpecEvent.safeParse(raw);
    const source = EventSource.optional().safeParse(raw['source']);
    if (!source.success) issues.push({ index, path: pathString(prefix, ['source']), message: 'expected agent, worker or system' });
    if (!parsed.success) return void collect(parsed.error);
    if (issues.length > before) return undefined;
    const e = parsed.data;
    return { ...e, spec_id: e.spec_id, source: source.data ?? 'agent', shape: 'envelope' };
  }

  const parsed = PlainEvent.safeParse(raw);
  if (!parsed.success) return void collect(parsed.error);
  const adapted = adaptLegacyEvent(parsed.data.event_type, parsed.data.phase ?? null, parsed.data.data ?? {}, parsed.data.spec_id ?? null);
  validatePayload(adapted.event_type, adapted.data, pathString(prefix, ['data']), index, issues);
  if (issues.length > before) return undefined;
  return {
    event_id: null,
    seq: null,
    event_type: adapted.event_type,
    timestamp: parsed.data.timestamp ?? null,
    spec_id: parsed.data.spec_id ?? null,
    phase: adapted.phase,
    data: adapted.data,
    source: parsed.data.source ?? 'agent',
    shape: 'plain',
  };
}

/**
 * Parses an ingestion body: one event, or `{events: [...]}` (at most 500). Validates the whole batch
 * and reports every bad event by index and path; a body with any issue is rejected whole.
 */
export function parseIngestBody(body: unknown): IngestParseResult {
  const issues: IngestIssue[] = [];
  if (isRecord(body) && 'events' in body) {
    const list = body['events'];
    if (!Array.isArray(list)) return { ok: false, issues: [{ index: 0, path: 'events', message: 'expected an array of events' }] };
    if (list.length === 0) return { ok: false, issues: [{ index: 0, path: 'events', message: 'a batch holds at least one event' }] };
    if (list.length > EVENT_LIMITS.maxBatchEvents) {
      return { ok: false, issues: [{ index: 0, path: 'events', message: `a batch holds at most ${EVENT_LIMITS.maxBatchEvents} events, got ${list.length}` }] };
    }
    const events: NormalizedEvent[] = [];
    list.forEach((raw, index) => {
      const event = normalizeEvent(raw, index, `events[${index}]`, issues);
      if (event) {
        const size = JSON.stringify(event.data).length;
        if (size > EVENT_LIMITS.maxEventBytes) {
          issues.push({ index, path: `events[${index}].data`, message: `payload is ${size} bytes; at most ${EVENT_LIMITS.maxEventBytes}` });
        }
        events.push(event);
      }
    });
    return issues.length ? { ok: false, issues } : { ok: true, events, batch: true };
  }
  const event = normalizeEvent(body, 0, '', issues);
  if (event && JSON.stringify(event.data).length > EVENT_LIMITS.maxEventBytes) {
    issues.push({ index: 0, path: 'data', message: `payload is larger than ${EVENT_LIMITS.maxEventBytes} bytes` });
  }
  return event && !issues.length ? { ok: true, events: [event], batch: false } : { ok: false, issues };
}

/** The body a producer POSTs: one event, or a batch. */
export const IngestBody = z.union([SpecEvent, z.object({ events: z.array(SpecEvent).min(1).max(EVENT_LIMITS.maxBatchEvents) })]);
export type IngestBody = z.infer<typeof IngestBody>;

/** The answer to an accepted POST. */
export const IngestResponse = z.object({
  status: z.literal('received'),
  sandbox_id: z.string(),
  spec_id: z.string(),
  /** Events stored by this request (duplicates excluded). */
  stored: z.number().int().nonnegative(),
  /** Events already stored by an earlier request: acknowledged, not stored again. */
  duplicates: z.number().int().nonnegative(),
  /** `spec_seq` range assigned to the stored events; `null` when nothing new was stored. */
  first_spec_seq: z.number().int().positive().nullable(),
  last_spec_seq: z.number().int().positive().nullable(),
  /** Server ids of the events, in body order (existing ids for duplicates). */
  event_ids: z.array(z.string()),
  /**
   * `spec.ingest_warning` events the server appended after the batch (right after `last_spec_seq`):
   * parts of its phase outputs that could not become rows. Absent when none.
   */
  warnings: z.number().int().positive().optional(),
});
export type IngestResponse = z.infer<typeof IngestResponse>;
