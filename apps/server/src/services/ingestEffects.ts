/**
 * What stored events do to their spec. `applyIngestEffects` runs inside the ingest transaction (the
 * spec row is locked): it computes the new run state with the pure reducer of `runEffects.ts`, writes
 * it, merges `phase_data` atomically with jsonb `||`, upserts the rows of completed phases, and records
 * a version when the run ends. Only events of the spec's CURRENT sandbox change state: a late event of
 * an earlier run is stored and shown, never applied.
 *
 * Phase outputs are stored (`phase_data`) and made into rows as `prepareOutput` maps them (the original
 * producer's shapes onto Specline's). A `spec.phase_completed` flagged `phase_output_missing` (a legacy
 * producer sent none) passes the phase but leaves its stored output and rows alone; the outputs in
 * `agent.completed.phase_data` then make the rows of phases this run has stored no output for.
 * What could not become a row comes back as warnings, which ingestion appends as `spec.ingest_warning`.
 */
import { DEFAULT_PHASES, Phase, type SpecStatus } from '@specline/protocol';
import { and, eq, inArray, isNull, lt, sql } from 'drizzle-orm';
import { rowsOf, type Tx } from '../store/db';
import { sandboxEvents, sandboxes, specs } from '../store/schema';
import type { SpecRow } from './access';
import { prepareOutput, upsertPhaseRows, type PhaseRowsLogger, type PhaseRowWarning } from './phaseRows';
import { closeRunOfSandbox } from './runRecords';
import { isObject, outcomeOf, PHASE_EVENTS, reduceRunEffects, STATUS_RANK, type EffectEvent, type RunState, type TerminalEffect } from './runEffects';
import { recordVersion } from './versions';

export {
  addUsage,
  outcomeOf,
  reduceRunEffects,
  type EffectEvent,
  type EffectsResult,
  type RunOutcome,
  type RunState,
  type SpecUsage,
  type TerminalEffect,
} from './runEffects';

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
  /** The insert already stamped the live sandbox's heartbeat (`insertNewBatch`): do not write it again. */
  sandboxMarkedAlive?: boolean;
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
  if (!input.sandboxMarkedAlive) {
    await tx
      .update(sandboxes)
      .set({ lastHeartbeatAt: now, status: sql`case when ${sandboxes.status} = 'starting' then 'running' else ${sandboxes.status} end` })
      .where(and(eq(sandboxes.id, sandboxId), isNull(sandboxes.endedAt)));
  }
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
