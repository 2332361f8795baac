import { z } from 'zod';
import { Phase } from './phases';

/** Limits of the event channel (DESIGN §3). */
export const EVENT_LIMITS = {
  maxEventBytes: 256 * 1024,
  maxBatchBytes: 4 * 1024 * 1024,
  maxBatchEvents: 500,
  /** Highest producer `seq` (the column is a 32-bit integer). */
  maxSeq: 2_147_483_647,
  /** Event timestamps lie in [1970-01-01, 9999-12-31] (the store holds no year 0 or 5-digit years). */
  minTimestamp: '1970-01-01T00:00:00Z',
  maxTimestamp: '9999-12-31T23:59:59.999Z',
} as const;

/** An ISO-8601 instant with an offset, inside the range the store holds ({@link EVENT_LIMITS}). */
export const EventTimestamp = z.iso.datetime({ offset: true }).refine((value) => {
  const ms = Date.parse(value);
  return Number.isFinite(ms) && ms >= Date.parse(EVENT_LIMITS.minTimestamp) && ms <= Date.parse(EVENT_LIMITS.maxTimestamp);
}, { message: `timestamp must lie between ${EVENT_LIMITS.minTimestamp} and ${EVENT_LIMITS.maxTimestamp}`, when: (payload) => payload.issues.length === 0 });

/** Well-formed event type: dotted lower-case segments (`spec.phase_started`, `agent.completed`). */
export const EVENT_TYPE_PATTERN = /^[a-z][a-z0-9_]*(\.[a-z0-9_]+)+$/;
export const EventType = z.string().max(100).regex(EVENT_TYPE_PATTERN, 'event_type must look like "spec.phase_started"');

const count = z.number().int().nonnegative();
const score = z.number().min(0).max(1);
const phases = z.array(Phase);

export const PhaseFailureReason = z.enum(['evaluation_failed', 'execution_error', 'cancelled', 'timeout']);
export type PhaseFailureReason = z.infer<typeof PhaseFailureReason>;

/**
 * Tokens and cost of one attempt, one phase or a whole run. Cache tokens are Anthropic's prompt-cache
 * reads and writes (OpenAI's `cached_tokens` are reported as `cache_read_input_tokens`); they are
 * counted apart from `input_tokens`.
 */
export const Usage = z.looseObject({
  input_tokens: count.optional(),
  output_tokens: count.optional(),
  cache_read_input_tokens: count.optional(),
  cache_creation_input_tokens: count.optional(),
  cost_usd: z.number().nonnegative().optional(),
});
export type Usage = z.infer<typeof Usage>;

/** Payload schemas of the catalogue (DESIGN §3). Objects are loose: extra fields are kept. */
export const EventPayloads = {
  'spec.execution_started': z.looseObject({ title: z.string(), description: z.string(), phases }),
  'spec.execution_completed': z.looseObject({
    phases_completed: phases,
    markdown_artifacts: z.record(z.string(), z.string()),
    ticket_creation: z.looseObject({ tickets_created: count, tasks_created: count, errors: z.array(z.string()) }),
  }),
  'spec.execution_failed': z.looseObject({ failed_phase: Phase.nullable(), error: z.string() }),
  'spec.phase_started': z.looseObject({ phase: Phase, attempt: z.number().int().positive() }),
  'spec.phase_completed': z.looseObject({
    phase: Phase,
    eval_score: score,
    duration_seconds: z.number().nonnegative(),
    retry_count: count,
    phase_output: z.record(z.string(), z.unknown()),
    /** The phase's total over its attempts. */
    usage: Usage.optional(),
    /** One entry per attempt, in order (the last one produced the output). */
    attempt_usage: z.array(Usage).optional(),
    /** Which executor wrote the output (`planner`, `anthropic`, `openai`) and with which model (null for the planner). */
    executor: z.string().optional(),
    model: z.string().nullable().optional(),
  }),
  'spec.phase_failed': z.looseObject({
    phase: Phase,
    reason: PhaseFailureReason,
    eval_feedback: z.string().optional(),
    eval_score: score.optional(),
    error: z.string().optional(),
    retry_count: count,
  }),
  'spec.phase_retry': z.looseObject({
    phase: Phase,
    retry_count: z.number().int().positive(),
    /** Retries allowed after the first attempt (attempts − 1). */
    max_retries: z.number().int().positive(),
    /** Attempts allowed in all; absent from older producers (then `max_retries + 1`). */
    max_attempts: z.number().int().positive().optional(),
    reason: PhaseFailureReason,
    eval_score: score.optional(),
    eval_feedback: z.string().optional(),
    error: z.string().optional(),
    /** Usage of the attempt that failed. */
    usage: Usage.optional(),
  }),
  'spec.heartbeat': z.looseObject({ phases_completed: phases, current_phase: Phase.nullable() }),
  'spec.progress': z.looseObject({
    message: z.string(),
    /** Set when the line reports a repository tool call of a model-backed executor (`read_file`, …). */
    tool: z.string().optional(),
    /** The call's arguments, shortened for display (`src/app.ts:1-80`). */
    args_summary: z.string().optional(),
    eval_passed: z.boolean().optional(),
    eval_details: z.record(z.string(), z.unknown()).optional(),
  }),
  'spec.artifact_created': z.looseObject({ artifact_type: z.string(), path: z.string() }),
  'spec.requirements_generated': z.looseObject({ path: z.string(), requirement_count: count }),
  'spec.design_generated': z.looseObject({ path: z.string(), component_count: count }),
  'spec.tasks_generated': z.looseObject({ path: z.string(), task_count: count }),
  'spec.sync_started': z.looseObject({ items_to_sync: count }),
  'spec.sync_completed': z.looseObject({ items_synced: count }),
  'spec.tasks_queued': z.looseObject({ task_count: count }),
  'spec.tickets_creation_started': z.looseObject({ ticket_count: count, task_count: count }),
  'spec.tickets_creation_completed': z.looseObject({ tickets_created: count, tasks_created: count, errors: z.array(z.string()) }),
  'spec.ticket_created': z.looseObject({ ticket_id: z.string(), title: z.string(), local_id: z.string().optional() }),
  'spec.task_created': z.looseObject({ task_id: z.string(), title: z.string(), ticket_id: z.string(), local_id: z.string().optional() }),
  /** Review mode: the run stopped after `phase`; a person approves it (the next run starts at `next_phase`) or rejects it with a comment. */
  'spec.awaiting_approval': z.looseObject({ phase: Phase, next_phase: Phase.nullable(), phases_completed: phases }),
  'agent.completed': z.looseObject({
    spec_id: z.string(),
    success: z.boolean(),
    phase_data: z.record(z.string(), z.unknown()),
    phases_completed: phases.optional(),
    failed_phase: Phase.nullable().optional(),
    error: z.string().optional(),
    /** Set when a review gate stopped the run: the phase whose output waits for approval. */
    awaiting_approval: Phase.optional(),
    /** The run's total over every phase and attempt. */
    usage: Usage.optional(),
    executor: z.string().optional(),
    model: z.string().nullable().optional(),
  }),
} as const;

export type KnownEventType = keyof typeof EventPayloads;
export const KNOWN_EVENT_TYPES = Object.keys(EventPayloads) as KnownEventType[];
export type EventPayload<T extends KnownEventType> = z.infer<(typeof EventPayloads)[T]>;

export function isKnownEventType(type: string): type is KnownEventType {
  return Object.hasOwn(EventPayloads, type);
}

/** Fields common to every event, whatever its type. */
const envelopeFields = {
  /** Producer-chosen idempotency key: the same on every retry. */
  event_id: z.uuid(),
  /** Producer's own counter per sandbox run, from 1. */
  seq: z.number().int().positive().max(EVENT_LIMITS.maxSeq),
  event_type: EventType,
  timestamp: EventTimestamp,
  spec_id: z.string().min(1).max(200),
  phase: Phase.nullable(),
  data: z.record(z.string(), z.unknown()),
};

/**
 * The event envelope as a producer sends it. Payloads of catalogue types are validated; unknown but
 * well-formed types are accepted as generic events with an object payload.
 */
export const SpecEvent = z.object(envelopeFields).superRefine((event, ctx) => {
  if (!isKnownEventType(event.event_type)) return;
  const result = EventPayloads[event.event_type].safeParse(event.data);
  if (result.success) return;
  for (const issue of result.error.issues) {
    ctx.addIssue({ code: 'custom', message: issue.message, path: ['data', ...issue.path] });
  }
});

interface EnvelopeBase {
  event_id: string;
  seq: number;
  timestamp: string;
  spec_id: string;
  phase: Phase | null;
}
export type KnownSpecEvent = { [T in KnownEventType]: EnvelopeBase & { event_type: T; data: EventPayload<T> } }[KnownEventType];
export type GenericSpecEvent = EnvelopeBase & { event_type: string; data: Record<string, unknown> };
/** An event: a catalogue event with its typed payload, or a generic one. Narrow with {@link isEventOfType}. */
export type SpecEvent = KnownSpecEvent | GenericSpecEvent;
export type SpecEventOf<T extends KnownEventType> = Extract<KnownSpecEvent, { event_type: T }>;

export function isEventOfType<T extends KnownEventType>(event: { event_type: string }, type: T): event is SpecEventOf<T> {
  return event.event_type === type;
}

/** Terminal event of every run. */
export const TERMINAL_EVENT_TYPE = 'agent.completed' satisfies KnownEventType;
/** Event types that mean something went wrong: the timeline's "failures only" filter. */
export const FAILURE_EVENT_TYPES: readonly KnownEventType[] = ['spec.phase_failed', 'spec.execution_failed', 'spec.phase_retry'];

export function isFailureEvent(event: { event_type: string; event_data?: Record<string, unknown>; data?: Record<string, unknown> }): boolean {
  if ((FAILURE_EVENT_TYPES as readonly string[]).includes(event.event_type)) return true;
  const data = event.event_data ?? event.data;
  return event.event_type === 'agent.completed' && data?.['success'] === false;
}
