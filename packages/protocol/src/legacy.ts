/**
 * The one place that knows the original spec-sandbox's event payloads (`reference/original-anchor-
 * sandbox.md` §2) and turns them into Specline's catalogue payloads. Applied by `parseIngestBody` to
 * events in the two legacy shapes (the plain `Event` and the HTTP wire body) before their payloads
 * are validated; Specline's own envelope events are never rewritten.
 *
 * The rules, each for a reason a real producer gave:
 * - `phase` may sit at the top level or in the data: phase events get it in both places.
 * - `spec.phase_started` has no data: `attempt` defaults to 1.
 * - `spec.phase_completed` may lack `phase_output` (the seed's own example): it becomes `{}` with
 *   `phase_output_missing: true`, and the server then leaves the stored output alone. Missing
 *   `retry_count` / `duration_seconds` become 0 and are named in `legacy_defaults`.
 * - `spec.heartbeat.phases_completed` is a count: it becomes the first N phases of the original run
 *   order (that producer always runs all six), the count kept as `phases_completed_count`.
 * - `spec.ticket_created` / `spec.task_created` carry `local_id` / `api_id` (and `ticket_api_id`):
 *   `api_id` is the ticket or task id.
 * - `spec.execution_completed.ticket_creation` may be `null`: zero counts, `ticket_creation_reported: false`.
 * - `agent.completed` comes twice on an HTTP success: the sync summary (it has `sync_summary`) is
 *   stored as `spec.sync_summary`, so only the final one completes the run; `spec_id`, which the wire
 *   body carries inside `event_data`, is kept in the payload.
 * - `spec.sync_started` / `spec.sync_completed` carry ticket and task counts: their sums are the item counts.
 */
import { ALL_PHASES, Phase } from './phases';

/** Event type the original producer's sync-summary `agent.completed` is stored as. */
export const LEGACY_SYNC_SUMMARY_TYPE = 'spec.sync_summary';

const PHASE_EVENTS = new Set(['spec.phase_started', 'spec.phase_completed', 'spec.phase_failed', 'spec.phase_retry']);

export interface LegacyAdapted {
  event_type: string;
  phase: Phase | null;
  data: Record<string, unknown>;
}

/** An id the producer sent as a string or a number; anything else is not an id. */
const idText = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined);
const isRecord = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);
const isCount = (value: unknown): value is number => typeof value === 'number' && Number.isInteger(value) && value >= 0;
const sumCounts = (data: Record<string, unknown>, keys: readonly string[]): number | undefined => {
  const present = keys.map((k) => data[k]).filter(isCount);
  return present.length > 0 ? present.reduce((a, b) => a + b, 0) : undefined;
};

/**
 * Rewrites one legacy event's type, phase and payload into Specline's catalogue shape. Pure; returns
 * new objects. `envelopeSpecId` is the spec the body names (for `agent.completed.spec_id`).
 */
export function adaptLegacyEvent(eventType: string, phase: Phase | null, input: Record<string, unknown>, envelopeSpecId: string | null): LegacyAdapted {
  const data: Record<string, unknown> = { ...input };
  const defaults: string[] = [];
  const inData = Phase.safeParse(data['phase']);
  let resolvedPhase = phase ?? (inData.success ? inData.data : null);
  if (PHASE_EVENTS.has(eventType) && data['phase'] === undefined && resolvedPhase !== null) data['phase'] = resolvedPhase;
  let type = eventType;

  switch (eventType) {
    case 'spec.phase_started':
      if (data['attempt'] === undefined) {
        data['attempt'] = 1;
        defaults.push('attempt');
      }
      break;
    case 'spec.phase_completed':
      if (data['phase_output'] === undefined || data['phase_output'] === null) {
        data['phase_output'] = {};
        data['phase_output_missing'] = true;
      }
      if (data['retry_count'] === undefined) {
        data['retry_count'] = 0;
        defaults.push('retry_count');
      }
      if (data['duration_seconds'] === undefined) {
        data['duration_seconds'] = 0;
        defaults.push('duration_seconds');
      }
      break;
    case 'spec.phase_failed':
    case 'spec.phase_retry':
      // The original's `max_retries` is its attempt limit (3 attempts, `max_retries=3`).
      if (eventType === 'spec.phase_retry' && data['max_attempts'] === undefined && isCount(data['max_retries']) && data['max_retries'] > 0) data['max_attempts'] = data['max_retries'];
      if (data['retry_count'] === undefined) {
        data['retry_count'] = eventType === 'spec.phase_retry' ? 1 : 0;
        defaults.push('retry_count');
      }
      break;
    case 'spec.heartbeat': {
      const done = data['phases_completed'];
      if (isCount(done)) {
        data['phases_completed'] = ALL_PHASES.slice(0, Math.min(done, ALL_PHASES.length));
        data['phases_completed_count'] = done;
      } else if (done === undefined || done === null) {
        data['phases_completed'] = [];
      }
      if (data['current_phase'] === undefined) data['current_phase'] = null;
      break;
    }
    case 'spec.ticket_created':
      if (data['ticket_id'] === undefined && idText(data['api_id'])) data['ticket_id'] = idText(data['api_id']);
      if (data['title'] === undefined) data['title'] = typeof data['local_id'] === 'string' ? data['local_id'] : '';
      break;
    case 'spec.task_created':
      if (data['task_id'] === undefined && idText(data['api_id'])) data['task_id'] = idText(data['api_id']);
      if (data['ticket_id'] === undefined && idText(data['ticket_api_id'])) data['ticket_id'] = idText(data['ticket_api_id']);
      if (data['title'] === undefined) data['title'] = typeof data['local_id'] === 'string' ? data['local_id'] : '';
      break;
    case 'spec.execution_completed':
      if (!isRecord(data['ticket_creation'])) {
        data['ticket_creation'] = { tickets_created: 0, tasks_created: 0, errors: [] };
        data['ticket_creation_reported'] = false;
      }
      if (!isRecord(data['markdown_artifacts'])) data['markdown_artifacts'] = {};
      if (isCount(data['phases_completed'])) data['phases_completed'] = ALL_PHASES.slice(0, Math.min(data['phases_completed'], ALL_PHASES.length));
      break;
    case 'spec.sync_started':
      if (data['items_to_sync'] === undefined) data['items_to_sync'] = sumCounts(data, ['ticket_count', 'task_count']) ?? 0;
      break;
    case 'spec.sync_completed':
      if (data['items_synced'] === undefined) {
        data['items_synced'] = sumCounts(data, ['tickets_created', 'tickets_updated', 'tasks_created', 'tasks_updated', 'requirements_created', 'requirements_updated']) ?? 0;
      }
      break;
    case 'agent.completed':
      if (data['sync_summary'] !== undefined) {
        type = LEGACY_SYNC_SUMMARY_TYPE;
        data['original_event_type'] = 'agent.completed';
        break;
      }
      if (data['spec_id'] === undefined && envelopeSpecId !== null) data['spec_id'] = envelopeSpecId;
      if (!isRecord(data['phase_data'])) data['phase_data'] = {};
      if (isCount(data['phases_completed'])) data['phases_completed'] = ALL_PHASES.slice(0, Math.min(data['phases_completed'], ALL_PHASES.length));
      break;
    default:
      break;
  }
  if (defaults.length > 0) data['legacy_defaults'] = defaults;
  if (!PHASE_EVENTS.has(eventType)) resolvedPhase = phase ?? (inData.success ? inData.data : null);
  return { event_type: type, phase: resolvedPhase, data };
}

/**
 * The text a legacy event's deterministic id is derived from (the server hashes it together with the
 * sandbox id): its type, timestamp (null in the wire shape), phase, payload in canonical key order,
 * and its index in the request body. A retried body gets the same ids and is deduplicated; two
 * byte-identical events without a timestamp at the same index of two bodies count as one retry.
 * Heartbeats and progress lines return `null` (a fresh id each time): the original heartbeat repeats
 * the same payload while a phase runs (deduplicating it would starve the reaper), and its progress
 * lines repeat word for word ("Tool use: Read" for every call) with no timestamp in the wire body, so
 * a real repeat cannot be told from a retry; a rare duplicated line is better than a lost one.
 */
export function legacyEventKey(event: { event_type: string; timestamp: string | null; phase: Phase | null; data: Record<string, unknown> }, index: number): string | null {
  if (event.event_type === 'spec.heartbeat' || event.event_type === 'spec.progress') return null;
  return JSON.stringify([event.event_type, event.timestamp, event.phase, canonical(event.data), index]);
}

function canonical(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(canonical);
  if (!isRecord(value)) return value;
  const out: Record<string, unknown> = {};
  for (const key of Object.keys(value).sort()) out[key] = canonical(value[key]);
  return out;
}
