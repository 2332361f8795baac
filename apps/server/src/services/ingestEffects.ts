/**
 * What stored events do to their spec. A pure reducer (`reduceRunEffects`) computes the new run state
 * from the events of one batch; `applyIngestEffects` writes it inside the ingest transaction (the spec
 * row is locked), merges `phase_data` atomically with jsonb `||`, upserts the rows of completed
 * phases, and records a version when the run ends. Only events of the spec's CURRENT sandbox change
 * state: a late event of an earlier run is stored and shown, never applied.
 *
 * Rules: `status`, `current_phase` and `progress` only move forward within a run (the first
 * `spec.execution_started` of a run resets the run-scoped fields); a phase that passed is not
 * reopened by a late retry/failure; progress = passed phases / run phases × 100.
 *
 * Usage (tokens, cache tokens, cost) is the run's: each phase's status keeps its `executor`, `model` and
 * `usage` (its failed attempts from `spec.phase_retry`, then the total of `spec.phase_completed`), the
 * spec's `usage` is the sum of its phases until `agent.completed` reports the run's total, which wins.
 *
 * Phase outputs are stored (`phase_data`) and made into rows as `prepareOutput` maps them (the original
 * producer's shapes onto Specline's). A `spec.phase_completed` flagged `phase_output_missing` (a legacy
 * producer sent none) passes the phase but leaves its stored output and rows alone; the outputs in
 * `agent.completed.phase_data` then make the rows of phases this run has stored no output for.
 * What could not become a row comes back as warnings, which ingestion appends as `spec.ingest_warning`.
 */
import {
  DEFAULT_PHASES,
  EventPayloads,
  Phase,
  phaseIndex,
  type PhaseFailureReason,
  type PhaseStatus,
  type SpecStatus,
  type Usage,
} from '@specline/protocol';
import { and, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { rowsOf, type Tx } from '../store/db';
import { sandboxEvents, sandboxes, specs } from '../store/schema';
import type { SpecRow } from './access';
import { prepareOutput, upsertPhaseRows, type PhaseRowsLogger, type PhaseRowWarning } from './phaseRows';
import { closeRunOfSandbox } from './runRecords';
import { recordVersion } from './versions';

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
const STATUS_RANK: Record<SpecStatus, number> = { draft: 0, queued: 0, executing: 1, awaiting_approval: 2, completed: 2, failed: 2, cancelled: 2 };
const PHASE_EVENTS = ['spec.phase_started', 'spec.phase_completed', 'spec.phase_failed', 'spec.phase_retry'];

function isTerminal(status: SpecStatus): boolean {
  return STATUS_RANK[status] === 2;
}

function blankStatus(): PhaseStatus {
  return { state: 'pending', attempt: 0, max_attempts: null, eval_score: null, reason: null, error: null, started_at: null, completed_at: null };
}

function isObject(value: unknown): value is Record<string, unknown> {
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

/** The spec columns ingestion reads under the row lock (not `phase_data`: it can be large, and is merged in SQL). */
export const lockedSpecColumns = {
  id: specs.id,
  status: specs.status,
  currentPhase: specs.currentPhase,
  phases: specs.phases,
  phaseStatus: specs.phaseStatus,
  progress: specs.progress,
  lastError: specs.lastError,
  usage: specs.usage,
  lastHeartbeatAt: specs.lastHeartbeatAt,
  sandboxId: specs.sandboxId,
  lastSpecSeq: specs.lastSpecSeq,
};
export type LockedSpec = Pick<SpecRow, keyof typeof lockedSpecColumns>;

function runStateOf(spec: LockedSpec): RunState {
  const phases = Array.isArray(spec.phases) ? spec.phases.flatMap((p) => (Phase.safeParse(p).success ? [p as Phase] : [])) : [];
  const current = Phase.safeParse(spec.currentPhase);
  const status = (Object.hasOwn(STATUS_RANK, spec.status) ? spec.status : 'draft') as SpecStatus;
  return {
    status,
    currentPhase: current.success ? current.data : null,
    phases,
    phaseStatus: spec.phaseStatus ?? {},
    progress: spec.progress,
    lastError: spec.lastError,
    usage: spec.usage ?? null,
    lastHeartbeatAt: spec.lastHeartbeatAt,
  };
}

export interface ApplyEffectsInput {
  /** The spec row, read under `for update` in this transaction. */
  spec: LockedSpec;
  sandboxId: string;
  /** Newly stored events (duplicates excluded), in `spec_seq` order. */
  events: readonly EffectEvent[];
  log: PhaseRowsLogger;
  now?: Date;
}

/** A phase-output warning tied to the stored event it came from. */
export interface IngestWarning extends PhaseRowWarning {
  /** `spec_seq` of the `spec.phase_completed` / `agent.completed` whose output it is about. */
  source_spec_seq: number | null;
}

export interface AppliedEffects {
  /** The run's terminal outcome when the batch held its `agent.completed`. */
  terminal: TerminalEffect | null;
  /** What of the batch's phase outputs did not become rows, in order. */
  warnings: IngestWarning[];
}

/** Phases whose stored output is a non-empty object (read under the row lock, only when needed). */
async function storedOutputPhases(tx: Tx, specId: string): Promise<Set<string>> {
  const rows = await tx.execute(sql`
    select e.key as phase from ${specs} s, jsonb_each(s.phase_data) e
    where s.id = ${specId} and jsonb_typeof(e.value) = 'object' and e.value <> '{}'::jsonb`);
  return new Set(rowsOf<{ phase: string }>(rows).map((r) => r.phase));
}

/** The `spec_seq` of the event each completed output came from (the last one of its phase). */
function sourceSeqs(events: readonly EffectEvent[]): Map<string, number> {
  const out = new Map<string, number>();
  for (const e of events) {
    if (e.event_type === 'spec.phase_completed' && typeof e.data['phase'] === 'string') out.set(e.data['phase'], e.spec_seq);
    if (e.event_type === 'agent.completed' && isObject(e.data['phase_data'])) {
      for (const key of Object.keys(e.data['phase_data'])) if (!out.has(key)) out.set(key, e.spec_seq);
    }
  }
  return out;
}

/**
 * Applies the batch's side effects inside the transaction. Returns the run's terminal outcome when
 * the batch held its `agent.completed` (for ANY sandbox of the spec: an old run's sandbox is still
 * finished), so the caller can end the sandbox after commit, and the warnings about its phase outputs.
 */
export async function applyIngestEffects(tx: Tx, input: ApplyEffectsInput): Promise<AppliedEffects> {
  const { spec, sandboxId, events, log } = input;
  const now = input.now ?? new Date();
  if (spec.sandboxId !== sandboxId) {
    // A late event of an earlier run: stored, never applied.
    const last = events.findLast((e) => e.event_type === 'agent.completed');
    if (last) await closeRunOfSandbox(tx, spec.id, sandboxId, { status: outcomeOf(last.data), at: now });
    return { terminal: last ? { outcome: outcomeOf(last.data), statusChanged: false, error: null } : null, warnings: [] };
  }
  let runStartedBefore = true;
  const first = events[0];
  if (first && events.some((e) => e.event_type === 'spec.execution_started')) {
    const [earlier] = await tx
      .select({ one: sql<number>`1` })
      .from(sandboxEvents)
      .where(and(eq(sandboxEvents.sandboxId, sandboxId), eq(sandboxEvents.specId, spec.id), inArray(sandboxEvents.eventType, PHASE_EVENTS), lt(sandboxEvents.specSeq, first.spec_seq)))
      .limit(1);
    runStartedBefore = earlier !== undefined;
  }
  const initial = runStateOf(spec);
  const final = events.some((e) => e.event_type === 'agent.completed' && isObject(e.data['phase_data']) && Object.keys(e.data['phase_data']).length > 0);
  const storedPhases = final ? await storedOutputPhases(tx, spec.id) : undefined;
  const effects = reduceRunEffects(initial, events, { now, runStartedBefore, ...(storedPhases ? { storedPhases } : {}) });
  const s = effects.state;
  // Outputs as stored and made into rows: the original producer's shapes mapped onto Specline's.
  const prepared = new Map<string, ReturnType<typeof prepareOutput>>();
  const patch: Record<string, Record<string, unknown>> = {};
  for (const [key, raw] of Object.entries(effects.phaseDataPatch)) {
    const phase = Phase.safeParse(key);
    if (!phase.success) {
      patch[key] = raw;
      continue;
    }
    const out = prepareOutput(phase.data, raw, log);
    prepared.set(key, out);
    patch[key] = out.output;
  }
  const explored = patch['explore']?.['repo_commit'];
  const exploredCommit = typeof explored === 'string' && /^[0-9a-f]{40}([0-9a-f]{24})?$/.test(explored) ? explored : null;
  if (effects.changed || Object.keys(patch).length) {
    await tx
      .update(specs)
      .set({
        status: s.status,
        currentPhase: s.currentPhase,
        phases: s.phases,
        phaseStatus: s.phaseStatus,
        progress: s.progress,
        lastError: s.lastError,
        usage: s.usage,
        lastHeartbeatAt: s.lastHeartbeatAt,
        updatedAt: now,
        ...(Object.keys(patch).length ? { phaseData: sql`${specs.phaseData} || ${JSON.stringify(patch)}::jsonb` } : {}),
        // The commit EXPLORE read, when the run says so and the launcher did not (an external sandbox).
        ...(exploredCommit ? { repoCommit: sql`coalesce(${specs.repoCommit}, ${exploredCommit})` } : {}),
      })
      .where(eq(specs.id, spec.id));
  }
  // Any batch from the live sandbox proves it is alive (the reaper reads this).
  await tx
    .update(sandboxes)
    .set({ lastHeartbeatAt: now, status: sql`case when ${sandboxes.status} = 'starting' then 'running' else ${sandboxes.status} end` })
    .where(and(eq(sandboxes.id, sandboxId), isNull(sandboxes.endedAt)));
  const seqOf = sourceSeqs(events);
  const warnings: IngestWarning[] = [];
  const rowsMade = new Set<Phase>();
  for (const { phase, output } of effects.completed) {
    // One output per phase and batch: the one stored in phase_data (the last of the batch).
    if (rowsMade.has(phase)) continue;
    rowsMade.add(phase);
    const ready = prepared.get(phase) ?? prepareOutput(phase, output, log);
    const rowWarnings = await upsertPhaseRows(tx, spec.id, phase, ready.output, log);
    const source_spec_seq = seqOf.get(phase) ?? null;
    // One warning per place: what the adapter said and why the row was skipped, together.
    const byPath = new Map<string, IngestWarning>();
    for (const w of [...ready.warnings, ...rowWarnings]) {
      const seen = byPath.get(w.path);
      if (seen) seen.message = `${seen.message}; ${w.message}`;
      else byPath.set(w.path, { ...w, source_spec_seq });
    }
    warnings.push(...byPath.values());
  }
  const terminal = effects.terminal;
  if (terminal?.statusChanged) {
    const passed = (s.phases.length ? s.phases : [...DEFAULT_PHASES]).filter((p) => s.phaseStatus[p]?.state === 'passed');
    const awaiting = terminal.awaitingApproval ?? null;
    await closeRunOfSandbox(tx, spec.id, sandboxId, { status: awaiting ? 'awaiting_approval' : terminal.outcome, awaitingPhase: awaiting, error: terminal.error, at: now });
    await recordVersion(tx, {
      specId: spec.id,
      changeType: awaiting ? 'run_awaiting_approval' : terminal.outcome === 'completed' ? 'run_completed' : 'run_failed',
      changeSummary: awaiting
        ? `Run stopped for approval of the ${awaiting}: ${passed.length} phase(s) passed`
        : terminal.outcome === 'completed'
          ? `Run completed: ${passed.length} phase(s) passed`
          : `Run ${terminal.outcome}${terminal.error ? `: ${terminal.error}` : ''}`.slice(0, 500),
      changeDetails: { sandbox_id: sandboxId, outcome: terminal.outcome, phases_passed: passed, error: terminal.error },
    });
  }
  return { terminal, warnings };
}
