/**
 * The run state a batch of stored events leads to: a pure reducer (`reduceRunEffects`), no I/O.
 * `applyIngestEffects` (ingestEffects.ts) reads the state under the spec row lock and writes the result.
 *
 * Rules: `status`, `current_phase` and `progress` only move forward within a run (the first
 * `spec.execution_started` of a run resets the run-scoped fields); a phase that passed is not
 * reopened by a late retry/failure; progress = passed phases / run phases × 100.
 *
 * Usage (tokens, cache tokens, cost) is the run's: each phase's status keeps its `executor`, `model` and
 * `usage` (its failed attempts from `spec.phase_retry`, then the total of `spec.phase_completed`), the
 * spec's `usage` is the sum of its phases until `agent.completed` reports the run's total, which wins.
 */
import { DEFAULT_PHASES, EventPayloads, Phase, phaseIndex, type PhaseFailureReason, type PhaseStatus, type SpecStatus, type Usage } from '@specline/protocol';

export interface EffectEvent {
  spec_seq: number;
  event_type: string;
  data: Record<string, unknown>;
  /** Producer's emit time (receive time when it sent none). */
  emitted_at: Date;
}

export interface SpecUsage {
  input_tokens: number;
  output_tokens: number;
  /** Present only when non-zero. */
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
  cost_usd: number;
}

const roundCost = (n: number) => Math.round(n * 1e6) / 1e6;

/** `a + b` (either may be absent); cache counts appear only when non-zero. */
export function addUsage(a: SpecUsage | null | undefined, b: Usage | SpecUsage | null | undefined): SpecUsage | null {
  if (!a && !b) return null;
  const n = (u: Usage | SpecUsage | null | undefined, key: keyof SpecUsage) => {
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

/** The sum of the phases' usage in a phase-status map (null when none has any). */
function phasesUsage(phaseStatus: Partial<Record<Phase, PhaseStatus>>): SpecUsage | null {
  let sum: SpecUsage | null = null;
  for (const status of Object.values(phaseStatus)) if (status.usage) sum = addUsage(sum, status.usage);
  return sum;
}

export interface RunState {
  status: SpecStatus;
  currentPhase: Phase | null;
  phases: Phase[];
  phaseStatus: Partial<Record<Phase, PhaseStatus>>;
  progress: number;
  lastError: string | null;
  usage: SpecUsage | null;
  lastHeartbeatAt: Date | null;
}

export type RunOutcome = 'completed' | 'failed' | 'cancelled';

export interface TerminalEffect {
  outcome: RunOutcome;
  /** Whether this event moved the spec to its terminal status (false when it already was terminal). */
  statusChanged: boolean;
  error: string | null;
  /** A review gate stopped the run after this phase (`agent.completed.awaiting_approval`): the spec is `awaiting_approval`. */
  awaitingApproval?: Phase | null;
}

export interface EffectsResult {
  state: RunState;
  changed: boolean;
  /** `{phase: output}` to merge into `phase_data` with `||`. */
  phaseDataPatch: Record<string, Record<string, unknown>>;
  /** Outputs of the phases that completed in this batch, in order. */
  completed: { phase: Phase; output: Record<string, unknown> }[];
  terminal: TerminalEffect | null;
}

/** A run that stopped for approval (`awaiting_approval`) has ended like a completed one: its sandbox is gone. */
export const STATUS_RANK: Record<SpecStatus, number> = { draft: 0, queued: 0, executing: 1, awaiting_approval: 2, completed: 2, failed: 2, cancelled: 2 };
export const PHASE_EVENTS = ['spec.phase_started', 'spec.phase_completed', 'spec.phase_failed', 'spec.phase_retry'];
/**
 * The event types `reduceRunEffects` acts on (its `switch`); every other type changes no state, so a
 * batch of only those, from the live sandbox, is stored with no effects to apply (`insertLiveBatch`).
 * A test checks each other protocol event type leaves the state unchanged.
 */
export const EFFECT_EVENT_TYPES: ReadonlySet<string> = new Set([
  'spec.execution_started',
  ...PHASE_EVENTS,
  'spec.execution_failed',
  'spec.heartbeat',
  'agent.completed',
]);

function isTerminal(status: SpecStatus): boolean {
  return STATUS_RANK[status] === 2;
}

function blankStatus(): PhaseStatus {
  return { state: 'pending', attempt: 0, max_attempts: null, eval_score: null, reason: null, error: null, started_at: null, completed_at: null };
}

export function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Outcome of a run from its `agent.completed` payload (and the phase that failed, if it said why). */
export function outcomeOf(data: Record<string, unknown>, phaseStatus: RunState['phaseStatus'] = {}): RunOutcome {
  if (data['success'] === true) return 'completed';
  const failed = Phase.safeParse(data['failed_phase']);
  const reason: unknown = data['reason'] ?? (failed.success ? phaseStatus[failed.data]?.reason : undefined);
  const cancelled = reason === 'cancelled' || Object.values(phaseStatus).some((s) => s.reason === 'cancelled' && s.state === 'failed');
  return cancelled ? 'cancelled' : 'failed';
}

interface ReduceOptions {
  now: Date;
  /** Whether this sandbox already reported a phase event before the batch (then `execution_started` resets nothing). */
  runStartedBefore: boolean;
  /** Phases whose output `phase_data` already holds (non-empty) before the batch. */
  storedPhases?: ReadonlySet<string>;
}

export function reduceRunEffects(initial: RunState, events: readonly EffectEvent[], options: ReduceOptions): EffectsResult {
  const s: RunState = { ...initial, phases: [...initial.phases], phaseStatus: { ...initial.phaseStatus } };
  const result: EffectsResult = { state: s, changed: false, phaseDataPatch: {}, completed: [], terminal: null };
  let phaseSeen = options.runStartedBefore;

  const forwardPhase = (phase: Phase | null) => {
    if (phase && (s.currentPhase === null || phaseIndex(phase) > phaseIndex(s.currentPhase))) s.currentPhase = phase;
  };
  const forwardStatus = (status: SpecStatus) => {
    if (STATUS_RANK[status] > STATUS_RANK[s.status]) s.status = status;
  };
  const recomputeProgress = () => {
    const run = s.phases.length ? s.phases : [...DEFAULT_PHASES];
    const passed = run.filter((p) => s.phaseStatus[p]?.state === 'passed').length;
    s.progress = Math.max(s.progress, Math.round((passed / run.length) * 100));
  };
  const setPhase = (phase: Phase, update: (prev: PhaseStatus) => PhaseStatus) => {
    const prev = s.phaseStatus[phase] ?? blankStatus();
    if (prev.state === 'passed') return; // a late retry/failure/start never reopens a passed phase
    s.phaseStatus[phase] = update(prev);
  };
  const failureText = (data: { error?: string | undefined; eval_feedback?: string | undefined }) => data.error ?? data.eval_feedback ?? null;

  for (const event of events) {
    const at = event.emitted_at.toISOString();
    switch (event.event_type) {
      case 'spec.execution_started': {
        const data = EventPayloads['spec.execution_started'].safeParse(event.data);
        if (!data.success) break;
        if (!phaseSeen && !isTerminal(s.status)) {
          // A new run: its phases, no phase state, nothing passed yet — except that a run continuing from
          // a phase (an approval, a rejection, a re-run) keeps the phases before it: their outputs are its context.
          const first = data.data.phases[0];
          const kept = first ? s.phases.filter((p) => phaseIndex(p) < phaseIndex(first) && !data.data.phases.includes(p)) : [];
          const keptStatus: RunState['phaseStatus'] = {};
          for (const p of kept) if (s.phaseStatus[p]) keptStatus[p] = s.phaseStatus[p];
          s.phases = [...kept, ...data.data.phases];
          s.phaseStatus = keptStatus;
          s.currentPhase = null;
          s.progress = 0;
          s.lastError = null;
          s.usage = null;
          if (kept.length > 0) recomputeProgress();
        }
        forwardStatus('executing');
        break;
      }
      case 'spec.phase_started': {
        const data = EventPayloads['spec.phase_started'].safeParse(event.data);
        if (!data.success) break;
        phaseSeen = true;
        forwardStatus('executing');
        forwardPhase(data.data.phase);
        setPhase(data.data.phase, (prev) => ({
          ...prev,
          state: 'running',
          attempt: data.data.attempt,
          reason: null,
          error: null,
          started_at: prev.started_at ?? at,
          completed_at: null,
        }));
        break;
      }
      case 'spec.phase_retry': {
        const data = EventPayloads['spec.phase_retry'].safeParse(event.data);
        if (!data.success) break;
        phaseSeen = true;
        forwardPhase(data.data.phase);
        setPhase(data.data.phase, (prev) => ({
          ...prev,
          state: 'retrying',
          attempt: data.data.retry_count + 1,
          max_attempts: data.data.max_attempts ?? data.data.max_retries + 1,
          eval_score: data.data.eval_score ?? prev.eval_score,
          reason: data.data.reason,
          error: failureText(data.data),
          started_at: prev.started_at ?? at,
          // The failed attempt's tokens count towards the phase (its completion reports the total).
          ...(data.data.usage ? { usage: addUsage(prev.usage, data.data.usage) } : {}),
        }));
        break;
      }
      case 'spec.phase_completed': {
        const data = EventPayloads['spec.phase_completed'].safeParse(event.data);
        if (!data.success) break;
        const { phase, phase_output, usage, executor, model } = data.data;
        phaseSeen = true;
        forwardPhase(phase);
        setPhase(phase, (prev) => ({
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
          // The phase's total over its attempts replaces what its retries added.
          ...(usage ? { usage: addUsage(null, usage) } : {}),
        }));
        // A legacy producer's completion without an output: the phase passed, its stored output stays.
        if (data.data['phase_output_missing'] !== true) {
          result.phaseDataPatch[phase] = phase_output;
          result.completed.push({ phase, output: phase_output });
        }
        recomputeProgress();
        break;
      }
      case 'spec.phase_failed': {
        const data = EventPayloads['spec.phase_failed'].safeParse(event.data);
        if (!data.success) break;
        const { phase, reason } = data.data;
        phaseSeen = true;
        forwardPhase(phase);
        const detail = failureText(data.data);
        setPhase(phase, (prev) => ({
          ...prev,
          state: 'failed',
          attempt: Math.max(prev.attempt, data.data.retry_count),
          eval_score: data.data.eval_score ?? prev.eval_score,
          reason: reason satisfies PhaseFailureReason,
          error: detail,
          completed_at: at,
        }));
        s.lastError = `${phase} failed (${reason})${detail ? `: ${detail}` : ''}`;
        break;
      }
      case 'spec.execution_failed': {
        const data = EventPayloads['spec.execution_failed'].safeParse(event.data);
        if (data.success) s.lastError = data.data.error;
        break;
      }
      case 'spec.heartbeat': {
        const data = EventPayloads['spec.heartbeat'].safeParse(event.data);
        s.lastHeartbeatAt = options.now;
        if (data.success && !isTerminal(s.status)) forwardPhase(data.data.current_phase);
        break;
      }
      case 'agent.completed': {
        const data = EventPayloads['agent.completed'].safeParse(event.data);
        if (!data.success) break;
        for (const [key, value] of Object.entries(data.data.phase_data)) {
          const phase = Phase.safeParse(key);
          if (phase.success && isObject(value) && Object.keys(value).length > 0 && !(key in result.phaseDataPatch)) {
            result.phaseDataPatch[key] = value;
            // No output of this phase stored by this run yet: the final one makes its rows.
            if (!options.storedPhases?.has(key)) result.completed.push({ phase: phase.data, output: value });
          }
        }
        const outcome = s.status === 'cancelled' ? 'cancelled' : outcomeOf(data.data, s.phaseStatus);
        const statusChanged = !isTerminal(s.status);
        // A review gate stopped a successful run: it waits for a person's approval of that phase.
        const awaiting = outcome === 'completed' ? (data.data.awaiting_approval ?? null) : null;
        if (statusChanged) {
          // The run's total (every phase and attempt) wins over the phases' sum.
          s.usage = data.data.usage ? addUsage(null, data.data.usage) : phasesUsage(s.phaseStatus);
          s.status = awaiting ? 'awaiting_approval' : outcome;
          if (awaiting) s.lastError = null;
          else if (outcome === 'completed') {
            s.progress = 100;
            s.lastError = null;
          } else {
            s.lastError = data.data.error ?? s.lastError ?? (outcome === 'cancelled' ? 'run cancelled' : 'run failed');
          }
        }
        result.terminal = { outcome, statusChanged, error: outcome === 'completed' ? null : s.lastError, ...(awaiting ? { awaitingApproval: awaiting } : {}) };
        break;
      }
      default:
        break;
    }
    // While the run is live its usage is the sum of its phases' (agent.completed then sets the run's total).
    if (!isTerminal(s.status) && PHASE_EVENTS.includes(event.event_type)) s.usage = phasesUsage(s.phaseStatus);
  }
  result.changed =
    s.status !== initial.status ||
    s.currentPhase !== initial.currentPhase ||
    s.progress !== initial.progress ||
    s.lastError !== initial.lastError ||
    s.lastHeartbeatAt !== initial.lastHeartbeatAt ||
    JSON.stringify(s.usage) !== JSON.stringify(initial.usage) ||
    JSON.stringify(s.phaseStatus) !== JSON.stringify(initial.phaseStatus) ||
    JSON.stringify(s.phases) !== JSON.stringify(initial.phases);
  return result;
}
