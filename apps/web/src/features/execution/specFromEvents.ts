/**
 * The spec as its run's events change it, computed in the browser: the same rules as the server's ingest
 * reducer (`apps/server/src/services/ingestEffects.ts`), applied to the cached `Spec` so the page follows a
 * run without reading `GET /specs/{id}` after every event (issue 14). Rows the events do not carry
 * (requirements, design, tasks, linked tickets) come from a refetch: {@link refreshOf} says when.
 *
 * Rules kept from the server: `status`, `current_phase` and `progress` only move forward within a run; a
 * phase that passed is not reopened by a late retry or failure; progress = passed phases / run phases × 100;
 * while the run is live its usage is the sum of its phases', and `agent.completed` reports the run's total.
 * Events of another sandbox than the spec's (a late event of an earlier run) change nothing, except a
 * `spec.execution_started`, which starts a new run (a queued run starting, or one launched elsewhere).
 */
import {
  DEFAULT_PHASES,
  EventPayloads,
  Phase,
  phaseIndex,
  type PhaseStatus,
  type Spec,
  type SpecStatus,
  type SpecUsage,
  type StoredEvent,
  type Usage,
} from '@specline/protocol';

const STATUS_RANK: Record<SpecStatus, number> = { draft: 0, queued: 0, executing: 1, awaiting_approval: 2, completed: 2, failed: 2, cancelled: 2 };
const PHASE_EVENTS: ReadonlySet<string> = new Set(['spec.phase_started', 'spec.phase_completed', 'spec.phase_failed', 'spec.phase_retry']);

export function isTerminalStatus(status: SpecStatus): boolean {
  return STATUS_RANK[status] === 2;
}

/** Whether the page follows the spec's stream: while it runs, and while it waits in the run queue (it starts by itself). */
export function followsStream(status: SpecStatus | undefined): boolean {
  return status === 'executing' || status === 'queued';
}

const roundCost = (n: number) => Math.round(n * 1e6) / 1e6;

function addUsage(a: SpecUsage | Usage | null | undefined, b: SpecUsage | Usage | null | undefined): SpecUsage | null {
  if (!a && !b) return null;
  const n = (u: SpecUsage | Usage | null | undefined, key: keyof SpecUsage) => {
    const v = u?.[key];
    return typeof v === 'number' && Number.isFinite(v) ? v : 0;
  };
  const out: SpecUsage = {
    input_tokens: n(a, 'input_tokens') + n(b, 'input_tokens'),
    output_tokens: n(a, 'output_tokens') + n(b, 'output_tokens'),
    cost_usd: roundCost(n(a, 'cost_usd') + n(b, 'cost_usd')),
  };
  const read = n(a, 'cache_read_input_tokens') + n(b, 'cache_read_input_tokens');
  const created = n(a, 'cache_creation_input_tokens') + n(b, 'cache_creation_input_tokens');
  if (read) out.cache_read_input_tokens = read;
  if (created) out.cache_creation_input_tokens = created;
  return out;
}

function phasesUsage(phaseStatus: Spec['phase_status']): SpecUsage | null {
  let sum: SpecUsage | null = null;
  for (const status of Object.values(phaseStatus)) if (status.usage) sum = addUsage(sum, status.usage);
  return sum;
}

function blankStatus(): PhaseStatus {
  return { state: 'pending', attempt: 0, max_attempts: null, eval_score: null, reason: null, error: null, started_at: null, completed_at: null };
}

/** Whether `event` belongs to the spec's current run (its sandbox), as the server decides before applying it. */
function ofCurrentRun(spec: Spec, event: StoredEvent): boolean {
  return spec.sandbox_id === null || event.sandbox_id === spec.sandbox_id;
}

/**
 * The spec after `events` (ascending `spec_seq`). Returns the same object when no event touched it (progress
 * lines, tool calls, …), so a `setQueryData` with it re-renders nothing.
 */
export function applyEventsToSpec(spec: Spec, events: readonly StoredEvent[]): Spec {
  let s: Spec = spec;
  let copied = false;
  const edit = () => {
    if (!copied) {
      s = { ...s, phases: [...s.phases], phase_status: { ...s.phase_status } };
      copied = true;
    }
    return s;
  };
  for (const event of events) {
    if (event.spec_id !== spec.id) continue;
    if (event.event_type === 'spec.execution_started') startRun(edit, () => s, event);
    else if (ofCurrentRun(s, event)) applyOne(edit, () => s, event);
  }
  return s;
}

type Edit = () => Spec;
type Read = () => Spec;

function startRun(edit: Edit, read: Read, event: StoredEvent): void {
  const data = EventPayloads['spec.execution_started'].safeParse(event.event_data);
  if (!data.success) return;
  const current = read();
  // Seen again (the page already holds this run's progress, e.g. replayed after a refetch): nothing to reset.
  const sameRun = current.sandbox_id === event.sandbox_id && current.status === 'executing';
  const started = sameRun && data.data.phases.some((p) => (current.phase_status[p]?.state ?? 'pending') !== 'pending');
  const s = edit();
  s.sandbox_id = event.sandbox_id;
  if (event.run_id) s.run_id = event.run_id;
  if (started) return;
  // A new run: its phases, no phase state, nothing passed — except the phases before its first one when it
  // continues a run (an approval, a rejection, a re-run): their outputs are its context.
  const first = data.data.phases[0];
  const kept = first ? current.phases.filter((p) => phaseIndex(p) < phaseIndex(first) && !data.data.phases.includes(p)) : [];
  const keptStatus: Spec['phase_status'] = {};
  for (const p of kept) if (current.phase_status[p]) keptStatus[p] = current.phase_status[p];
  s.phases = [...kept, ...data.data.phases];
  s.phase_status = keptStatus;
  s.current_phase = null;
  s.progress = 0;
  s.last_error = null;
  s.usage = null;
  s.status = 'executing';
  s.awaiting_approval = null;
  s.queue_position = null;
  s.active_agents = 1;
  if (kept.length > 0) recomputeProgress(s);
}

function recomputeProgress(s: Spec): void {
  const run = s.phases.length ? s.phases : [...DEFAULT_PHASES];
  const passed = run.filter((p) => s.phase_status[p]?.state === 'passed').length;
  s.progress = Math.max(s.progress, Math.round((passed / run.length) * 100));
}

function forwardPhase(s: Spec, phase: Phase | null): void {
  if (phase && (s.current_phase === null || phaseIndex(phase) > phaseIndex(s.current_phase))) s.current_phase = phase;
}

function forwardStatus(s: Spec, status: SpecStatus): void {
  if (STATUS_RANK[status] > STATUS_RANK[s.status]) s.status = status;
}

function setPhase(s: Spec, phase: Phase, update: (prev: PhaseStatus) => PhaseStatus): void {
  const prev = s.phase_status[phase] ?? blankStatus();
  if (prev.state === 'passed') return; // a late retry/failure/start never reopens a passed phase
  s.phase_status[phase] = update(prev);
}

const failureText = (data: { error?: string | undefined; eval_feedback?: string | undefined }) => data.error ?? data.eval_feedback ?? null;

function applyOne(edit: Edit, read: Read, event: StoredEvent): void {
  const at = event.emitted_at;
  const raw = event.event_data;
  switch (event.event_type) {
    case 'spec.phase_started': {
      const data = EventPayloads['spec.phase_started'].safeParse(raw);
      if (!data.success) return;
      const s = edit();
      forwardStatus(s, 'executing');
      forwardPhase(s, data.data.phase);
      setPhase(s, data.data.phase, (prev) => ({ ...prev, state: 'running', attempt: data.data.attempt, reason: null, error: null, started_at: prev.started_at ?? at, completed_at: null }));
      break;
    }
    case 'spec.phase_retry': {
      const data = EventPayloads['spec.phase_retry'].safeParse(raw);
      if (!data.success) return;
      const s = edit();
      forwardPhase(s, data.data.phase);
      setPhase(s, data.data.phase, (prev) => ({
        ...prev,
        state: 'retrying',
        attempt: data.data.retry_count + 1,
        max_attempts: data.data.max_attempts ?? data.data.max_retries + 1,
        eval_score: data.data.eval_score ?? prev.eval_score,
        reason: data.data.reason,
        error: failureText(data.data),
        started_at: prev.started_at ?? at,
        ...(data.data.usage ? { usage: addUsage(prev.usage, data.data.usage) } : {}),
      }));
      break;
    }
    case 'spec.phase_completed': {
      const data = EventPayloads['spec.phase_completed'].safeParse(raw);
      if (!data.success) return;
      const { phase, usage, executor, model } = data.data;
      const s = edit();
      forwardPhase(s, phase);
      setPhase(s, phase, (prev) => ({
        ...prev,
        state: 'passed',
        attempt: Math.max(prev.attempt, data.data.retry_count + 1),
        eval_score: data.data.eval_score,
        reason: null,
        error: null,
        started_at: prev.started_at ?? at,
        completed_at: at,
        ...(executor !== undefined ? { executor } : {}),
        ...(model !== undefined ? { model } : {}),
        ...(usage ? { usage: addUsage(null, usage) } : {}),
      }));
      recomputeProgress(s);
      break;
    }
    case 'spec.phase_failed': {
      const data = EventPayloads['spec.phase_failed'].safeParse(raw);
      if (!data.success) return;
      const { phase, reason } = data.data;
      const s = edit();
      forwardPhase(s, phase);
      const detail = failureText(data.data);
      setPhase(s, phase, (prev) => ({
        ...prev,
        state: 'failed',
        attempt: Math.max(prev.attempt, data.data.retry_count),
        eval_score: data.data.eval_score ?? prev.eval_score,
        reason,
        error: detail,
        completed_at: at,
      }));
      s.last_error = `${phase} failed (${reason})${detail ? `: ${detail}` : ''}`;
      break;
    }
    case 'spec.execution_failed': {
      const data = EventPayloads['spec.execution_failed'].safeParse(raw);
      if (data.success) edit().last_error = data.data.error;
      break;
    }
    case 'spec.heartbeat': {
      const data = EventPayloads['spec.heartbeat'].safeParse(raw);
      const s = edit();
      s.last_heartbeat_at = event.created_at;
      if (data.success && !isTerminalStatus(s.status)) forwardPhase(s, data.data.current_phase);
      break;
    }
    case 'agent.completed': {
      const data = EventPayloads['agent.completed'].safeParse(raw);
      if (!data.success || isTerminalStatus(read().status)) return;
      const s = edit();
      const outcome = runOutcome(data.data, s.phase_status);
      const awaiting = outcome === 'completed' ? (data.data.awaiting_approval ?? null) : null;
      s.usage = data.data.usage ? addUsage(null, data.data.usage) : phasesUsage(s.phase_status);
      s.status = awaiting ? 'awaiting_approval' : outcome;
      s.awaiting_approval = awaiting;
      s.active_agents = 0;
      if (awaiting) s.last_error = null;
      else if (outcome === 'completed') {
        s.progress = 100;
        s.last_error = null;
      } else s.last_error = data.data.error ?? s.last_error ?? (outcome === 'cancelled' ? 'run cancelled' : 'run failed');
      break;
    }
    default:
      return;
  }
  const s = read();
  if (!isTerminalStatus(s.status) && PHASE_EVENTS.has(event.event_type)) edit().usage = phasesUsage(s.phase_status);
}

function runOutcome(data: Record<string, unknown>, phaseStatus: Spec['phase_status']): 'completed' | 'failed' | 'cancelled' {
  if (data['success'] === true) return 'completed';
  const failed = Phase.safeParse(data['failed_phase']);
  const reason: unknown = data['reason'] ?? (failed.success ? phaseStatus[failed.data]?.reason : undefined);
  const cancelled = reason === 'cancelled' || Object.values(phaseStatus).some((s) => s.reason === 'cancelled' && s.state === 'failed');
  return cancelled ? 'cancelled' : 'failed';
}

/** What a batch of live events makes stale beyond what {@link applyEventsToSpec} already wrote. */
export interface Refresh {
  /** `GET /specs/{id}`: rows the events do not carry (a phase's requirements/design/tasks, the run's end). */
  detail: boolean;
  /** The phase outputs (`GET /specs/{id}/phase-data`): any phase that completed. */
  phaseData: boolean;
  /** The runs list: a run started or ended. */
  runs: boolean;
  /** Linked tickets: SYNC made tickets. */
  tickets: boolean;
  /** The project's spec lists (status, progress): a run started or ended. */
  lists: boolean;
}

export const NO_REFRESH: Refresh = { detail: false, phaseData: false, runs: false, tickets: false, lists: false };

/** Phases whose output becomes rows the spec page shows (SYNC's ticket links arrive with the run's end, right after). */
const ROW_PHASES: ReadonlySet<string> = new Set(['prd', 'requirements', 'design', 'tasks']);

/** The refreshes one batch of live events calls for (merged into `into`). */
export function refreshOf(events: readonly StoredEvent[], into: Refresh = NO_REFRESH): Refresh {
  const out = { ...into };
  for (const event of events) {
    switch (event.event_type) {
      case 'spec.phase_completed': {
        const phase = event.event_data['phase'];
        out.phaseData = true;
        if (typeof phase === 'string' && ROW_PHASES.has(phase)) out.detail = true;
        break;
      }
      case 'spec.execution_started':
        out.runs = true;
        out.lists = true;
        break;
      case 'spec.tickets_creation_completed':
      case 'spec.sync_completed':
        out.tickets = true;
        break;
      case 'agent.completed':
        out.detail = out.phaseData = out.runs = out.tickets = out.lists = true;
        break;
      default:
        break;
    }
  }
  return out;
}

export function anyRefresh(refresh: Refresh): boolean {
  return refresh.detail || refresh.phaseData || refresh.runs || refresh.tickets || refresh.lists;
}
