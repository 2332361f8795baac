/**
 * Ending a run from the server side (cancel, launch failure, dead or silent sandbox, restart): one
 * transaction that moves the spec forward to `failed`/`cancelled` only if that run is still live,
 * revokes the sandbox token and appends `source: 'system'` events to the spec's stream under the
 * same row lock and `last_spec_seq` rule as ingestion, so the timeline says why the run ended and
 * still ends with `agent.completed`. The caller publishes on the bus after commit.
 */
import { randomUUID } from 'node:crypto';
import { parsePhase, type Phase, type PhaseFailureReason, type PhaseStatus } from '@specline/protocol';
import { and, eq, isNull, sql } from 'drizzle-orm';
import { closeRunOfSandbox } from '../services/runRecords';
import { recordVersion } from '../services/versions';
import type { Db, Tx } from '../store/db';
import { sandboxEvents, sandboxes, specRuns, specs } from '../store/schema';

export interface EndRunInput {
  specId: string;
  /** End only the run of this sandbox (a late exit of an old run must not end a newer one); null → the live run. */
  sandboxId: string | null;
  status: 'failed' | 'cancelled';
  sandboxStatus: 'failed' | 'cancelled' | 'lost';
  reason: PhaseFailureReason;
  /** Becomes `last_error` and the `error` of the events. */
  error: string;
  exitCode?: number | null;
  createdBy?: string | null;
  now: Date;
  /** Re-checked under the spec row lock; false leaves the run alone (a heartbeat arrived meanwhile). */
  stillApplies?: (spec: { lastHeartbeatAt: Date | null }) => boolean;
}

export interface EndedRun {
  specId: string;
  sandboxId: string | null;
  lastSpecSeq: number;
}

interface SystemEvent {
  event_type: string;
  phase: Phase | null;
  data: Record<string, unknown>;
}

/** Appends system events to a spec's stream; the spec row must already be locked by `tx`. Returns the last spec_seq. */
export async function appendSystemEvents(tx: Tx, specId: string, sandboxId: string, events: SystemEvent[], now: Date, runId?: string | null): Promise<number> {
  const [row] = await tx
    .update(specs)
    .set({ lastSpecSeq: sql`${specs.lastSpecSeq} + ${events.length}` })
    .where(eq(specs.id, specId))
    .returning({ last: specs.lastSpecSeq });
  if (!row) throw new Error(`spec ${specId} vanished while appending system events`);
  const first = row.last - events.length + 1;
  if (events.length > 0) {
    await tx.insert(sandboxEvents).values(
      events.map((e, i) => ({
        specId,
        specSeq: first + i,
        sandboxId,
        eventId: randomUUID(),
        seq: null,
        eventType: e.event_type,
        phase: e.phase,
        data: e.data,
        source: 'system',
        emittedAt: now,
        receivedAt: now,
        runId: runId ?? sql`(select ${sandboxes.runId} from ${sandboxes} where ${sandboxes.id} = ${sandboxId})`,
      })),
    );
  }
  return row.last;
}

function failedPhaseStatus(existing: unknown, reason: PhaseFailureReason, error: string, now: Date): PhaseStatus {
  const base: PhaseStatus = { state: 'failed', attempt: 0, max_attempts: null, eval_score: null, reason: null, error: null, started_at: null, completed_at: null };
  const prior = typeof existing === 'object' && existing !== null ? (existing as Partial<PhaseStatus>) : {};
  return { ...base, ...prior, state: 'failed', reason, error, completed_at: now.toISOString() };
}

export async function endRun(db: Db, input: EndRunInput): Promise<EndedRun | undefined> {
  return db.transaction(async (tx) => {
    const [spec] = await tx
      .select({
        status: specs.status,
        sandboxId: specs.sandboxId,
        currentPhase: specs.currentPhase,
        phases: specs.phases,
        phaseData: specs.phaseData,
        phaseStatus: specs.phaseStatus,
        lastHeartbeatAt: specs.lastHeartbeatAt,
        queuedFor: specs.queuedFor,
        runId: specs.runId,
      })
      .from(specs)
      .where(eq(specs.id, input.specId))
      .for('update');
    // Live: executing, or admitted onto the worker queue and waiting for a worker (issue 11).
    const waitingForWorker = spec?.status === 'queued' && spec.queuedFor === 'worker';
    if (!spec || (spec.status !== 'executing' && !waitingForWorker)) return undefined;
    if (input.sandboxId !== null && spec.sandboxId !== input.sandboxId) return undefined;
    if (input.stillApplies && !input.stillApplies({ lastHeartbeatAt: spec.lastHeartbeatAt })) return undefined;

    const failedPhase = spec.currentPhase ? (parsePhase(spec.currentPhase) ?? null) : null;
    const phasesCompleted = spec.phases.filter((p) => Object.hasOwn(spec.phaseData, p) && p !== failedPhase);
    const events: SystemEvent[] = [];
    if (failedPhase) {
      events.push({ event_type: 'spec.phase_failed', phase: failedPhase, data: { phase: failedPhase, reason: input.reason, error: input.error, retry_count: 0 } });
    }
    events.push(
      { event_type: 'spec.execution_failed', phase: failedPhase, data: { failed_phase: failedPhase, error: input.error } },
      {
        event_type: 'agent.completed',
        phase: null,
        data: { spec_id: input.specId, success: false, phase_data: spec.phaseData, phases_completed: phasesCompleted, failed_phase: failedPhase, error: input.error },
      },
    );
    const eventSandbox = spec.sandboxId ?? 'system';
    const lastSpecSeq = await appendSystemEvents(tx, input.specId, eventSandbox, events, input.now, spec.sandboxId ? undefined : spec.runId);

    const phaseStatus = { ...spec.phaseStatus };
    if (failedPhase) phaseStatus[failedPhase] = failedPhaseStatus(phaseStatus[failedPhase], input.reason, input.error, input.now);
    await tx
      .update(specs)
      .set({ status: input.status, lastError: input.error, phaseStatus, updatedAt: input.now, ...(waitingForWorker ? { queuedAt: null, queuedFor: null } : {}) })
      .where(eq(specs.id, input.specId));
    if (spec.sandboxId) {
      await tx
        .update(sandboxes)
        .set({
          status: input.sandboxStatus,
          endedAt: sql`coalesce(${sandboxes.endedAt}, ${input.now.toISOString()}::timestamptz)`,
          revokedAt: sql`coalesce(${sandboxes.revokedAt}, ${input.now.toISOString()}::timestamptz)`,
          ...(input.exitCode !== undefined ? { exitCode: input.exitCode } : {}),
        })
        .where(eq(sandboxes.id, spec.sandboxId));
      await closeRunOfSandbox(tx, input.specId, spec.sandboxId, { status: input.status, error: input.error, at: input.now });
    } else if (spec.runId) {
      // A queue run between attempts has no sandbox: its run record is closed by id.
      await tx
        .update(specRuns)
        .set({ status: input.status, error: input.error, endedAt: input.now })
        .where(and(eq(specRuns.id, spec.runId), isNull(specRuns.endedAt)));
    }
    await recordVersion(tx, {
      specId: input.specId,
      changeType: input.status === 'cancelled' ? 'run_cancelled' : 'run_failed',
      changeSummary: input.error,
      changeDetails: { sandbox_id: spec.sandboxId, failed_phase: failedPhase },
      createdBy: input.createdBy ?? null,
    });
    return { specId: input.specId, sandboxId: spec.sandboxId, lastSpecSeq };
  });
}
