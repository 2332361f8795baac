/**
 * Runs as records (issue 10): closing a run when its sandbox ends (ingestion's terminal event, the
 * server ending it), the runs of a spec with per-phase attempts/score/duration read from their events,
 * and what a run changed in each phase output compared with the latest earlier output of that phase.
 */
import {
  adaptPhaseOutput,
  diffPhaseOutputs,
  Phase,
  type ApprovalMode,
  type RunDiff,
  type RunKind,
  type RunPhaseDiff,
  type RunStatus,
  type SpecRun,
  type SpecRunList,
  type SpecRunPhase,
} from '@specline/protocol';
import { and, asc, count, desc, eq, inArray, lt, sql } from 'drizzle-orm';
import { notFound } from '../http/errors';
import type { Queryable, Tx } from '../store/db';
import { sandboxEvents, sandboxes, specRuns, specs } from '../store/schema';
import { asPhase, iso, isoOrNull, pageAnswer, type Page } from './dto';
import { newId } from './ids';

export type RunRow = typeof specRuns.$inferSelect;

/** The run a sandbox carries out (null: none recorded, e.g. a sandbox of before runs existed). */
export async function runIdOfSandbox(db: Queryable, sandboxId: string): Promise<string | null> {
  const [row] = await db.select({ runId: sandboxes.runId }).from(sandboxes).where(eq(sandboxes.id, sandboxId));
  return row?.runId ?? null;
}

export interface RunEnd {
  status: Exclude<RunStatus, 'running'>;
  /** The phase a review gate stopped the run after (status `awaiting_approval`). */
  awaitingPhase?: Phase | null;
  error?: string | null;
  at: Date;
}

/**
 * Closes the run of a sandbox (once: a run already ended keeps its first end) and, for the spec's
 * current run, notes the phase waiting for approval. Call in the transaction that ended it.
 */
export async function closeRunOfSandbox(tx: Tx, specId: string, sandboxId: string, end: RunEnd): Promise<void> {
  const runId = await runIdOfSandbox(tx, sandboxId);
  if (!runId) return;
  await tx
    .update(specRuns)
    .set({ status: end.status, awaitingPhase: end.awaitingPhase ?? null, error: end.error ?? null, endedAt: end.at })
    .where(and(eq(specRuns.id, runId), sql`${specRuns.endedAt} is null`));
  await tx
    .update(specs)
    .set({ awaitingPhase: end.status === 'awaiting_approval' ? (end.awaitingPhase ?? null) : null })
    .where(and(eq(specs.id, specId), eq(specs.runId, runId)));
}

/**
 * The run of an external sandbox's first batch (it claims the spec in ingestion): a launch in the
 * project's approval mode is not applied to it — an external producer runs its own phases — so `auto`.
 */
export async function insertExternalRun(tx: Tx, specId: string, sandboxId: string, createdBy: string | null, at: Date): Promise<string> {
  const id = newId.run();
  await tx.insert(specRuns).values({ id, specId, kind: 'launch', status: 'running', approvalMode: 'auto', fromPhase: null, phases: [], sandboxId, createdBy, startedAt: at });
  await tx.update(sandboxes).set({ runId: id }).where(eq(sandboxes.id, sandboxId));
  await tx.update(specs).set({ runId: id, approvalMode: 'auto', awaitingPhase: null }).where(eq(specs.id, specId));
  return id;
}

const PHASE_EVENT_TYPES = ['spec.execution_started', 'spec.phase_started', 'spec.phase_retry', 'spec.phase_completed', 'spec.phase_failed'];

interface PhaseEventRow {
  runId: string | null;
  eventType: string;
  data: Record<string, unknown>;
  emittedAt: Date;
}

const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

/** Per phase of a run, from its events (phase_started/retry/completed/failed), in the run's phase order. */
export function runPhaseStats(planned: readonly Phase[], events: readonly PhaseEventRow[]): SpecRunPhase[] {
  const stats = new Map<Phase, SpecRunPhase>();
  const order: Phase[] = [...planned];
  const started = new Map<Phase, Date>();
  for (const e of events) {
    if (e.eventType === 'spec.execution_started') {
      for (const p of Array.isArray(e.data['phases']) ? e.data['phases'] : []) {
        const phase = Phase.safeParse(p);
        if (phase.success && !order.includes(phase.data)) order.push(phase.data);
      }
      continue;
    }
    const phase = Phase.safeParse(e.data['phase']);
    if (!phase.success) continue;
    const p = phase.data;
    if (!order.includes(p)) order.push(p);
    const s = stats.get(p) ?? { phase: p, state: 'pending', attempts: 0, score: null, duration: null, started_at: null, completed_at: null };
    if (!started.has(p)) {
      started.set(p, e.emittedAt);
      s.started_at = e.emittedAt.toISOString();
    }
    const retries = num(e.data['retry_count']) ?? 0;
    const score = num(e.data['eval_score']);
    switch (e.eventType) {
      case 'spec.phase_started':
        if (s.state !== 'passed' && s.state !== 'failed') s.state = 'running';
        s.attempts = Math.max(s.attempts, num(e.data['attempt']) ?? 1);
        break;
      case 'spec.phase_retry':
        if (s.state !== 'passed' && s.state !== 'failed') s.state = 'retrying';
        s.attempts = Math.max(s.attempts, retries + 1);
        if (score !== undefined) s.score = score;
        break;
      case 'spec.phase_completed': {
        s.state = 'passed';
        s.attempts = Math.max(s.attempts, retries + 1);
        if (score !== undefined) s.score = score;
        s.completed_at = e.emittedAt.toISOString();
        const duration = num(e.data['duration_seconds']);
        s.duration = duration ?? Math.max(0, (e.emittedAt.getTime() - started.get(p)!.getTime()) / 1000);
        break;
      }
      case 'spec.phase_failed':
        if (s.state === 'passed') break;
        s.state = 'failed';
        s.attempts = Math.max(s.attempts, retries + 1, 1);
        if (score !== undefined) s.score = score;
        s.completed_at = e.emittedAt.toISOString();
        s.duration = Math.max(0, (e.emittedAt.getTime() - started.get(p)!.getTime()) / 1000);
        break;
    }
    stats.set(p, s);
  }
  return order
    .sort((a, b) => Phase.options.indexOf(a) - Phase.options.indexOf(b))
    .map((p) => stats.get(p) ?? { phase: p, state: 'pending', attempts: 0, score: null, duration: null, started_at: null, completed_at: null });
}

const RUN_KINDS: readonly RunKind[] = ['launch', 'resume', 'rerun', 'approval', 'rejection'];
const RUN_STATUSES: readonly RunStatus[] = ['running', 'awaiting_approval', 'completed', 'failed', 'cancelled'];

function runDto(row: RunRow, phases: SpecRunPhase[], seqs: { first: number | null; last: number | null; n: number }): SpecRun {
  return {
    id: row.id,
    spec_id: row.specId,
    kind: RUN_KINDS.includes(row.kind) ? row.kind : 'launch',
    status: RUN_STATUSES.includes(row.status) ? row.status : 'running',
    approval_mode: (row.approvalMode === 'review' ? 'review' : 'auto') satisfies ApprovalMode,
    from_phase: asPhase(row.fromPhase),
    planned_phases: row.phases.flatMap((p) => asPhase(p) ?? []),
    phases,
    awaiting_phase: asPhase(row.awaitingPhase),
    comment: row.comment,
    created_by: row.createdBy,
    sandbox_id: row.sandboxId,
    error: row.error,
    first_spec_seq: seqs.first,
    last_spec_seq: seqs.last,
    event_count: seqs.n,
    started_at: iso(row.startedAt),
    ended_at: isoOrNull(row.endedAt),
  };
}

/** The runs of a spec, newest first (the caller has checked access). */
export async function listRuns(db: Queryable, specId: string, page: Page): Promise<SpecRunList> {
  const where = eq(specRuns.specId, specId);
  const rows = await db.select().from(specRuns).where(where).orderBy(desc(specRuns.startedAt), desc(specRuns.id)).limit(page.limit).offset(page.offset);
  const [total] = await db.select({ n: count() }).from(specRuns).where(where);
  const ids = rows.map((r) => r.id);
  const seqs = new Map<string, { first: number | null; last: number | null; n: number }>();
  const events: PhaseEventRow[] = [];
  if (ids.length > 0) {
    const counted = await db
      .select({ runId: sandboxEvents.runId, first: sql<string>`min(${sandboxEvents.specSeq})::text`, last: sql<string>`max(${sandboxEvents.specSeq})::text`, n: count() })
      .from(sandboxEvents)
      .where(and(eq(sandboxEvents.specId, specId), inArray(sandboxEvents.runId, ids)))
      .groupBy(sandboxEvents.runId);
    for (const c of counted) if (c.runId) seqs.set(c.runId, { first: Number(c.first), last: Number(c.last), n: c.n });
    events.push(
      ...(await db
        .select({ runId: sandboxEvents.runId, eventType: sandboxEvents.eventType, data: sandboxEvents.data, emittedAt: sandboxEvents.emittedAt })
        .from(sandboxEvents)
        .where(and(eq(sandboxEvents.specId, specId), inArray(sandboxEvents.runId, ids), inArray(sandboxEvents.eventType, PHASE_EVENT_TYPES)))
        .orderBy(asc(sandboxEvents.specSeq))),
    );
  }
  const runs = rows.map((row) => {
    const planned = row.phases.flatMap((p) => asPhase(p) ?? []);
    return runDto(row, runPhaseStats(planned, events.filter((e) => e.runId === row.id)), seqs.get(row.id) ?? { first: null, last: null, n: 0 });
  });
  return { spec_id: specId, runs, ...pageAnswer(total?.n ?? 0, page, rows.length) };
}

/** One run of the spec, or 404. */
export async function requireRun(db: Queryable, specId: string, runId: string): Promise<RunRow> {
  const [row] = await db.select().from(specRuns).where(and(eq(specRuns.id, runId), eq(specRuns.specId, specId)));
  if (!row) throw notFound('run');
  return row;
}

/** A phase output as rows are made from it (the original producer's shapes mapped onto Specline's). */
function normalised(phase: Phase, raw: unknown): Record<string, unknown> | null {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw)) return null;
  return adaptPhaseOutput(phase, raw as Record<string, unknown>).output;
}

/**
 * `GET /specs/{id}/runs/{run_id}/diff`: for each phase the run completed (its last output of the phase),
 * what changed against the latest output of that phase stored before the run began.
 */
export async function runDiff(db: Queryable, specId: string, runId: string): Promise<RunDiff> {
  await requireRun(db, specId, runId);
  const completed = await db
    .select({ specSeq: sandboxEvents.specSeq, data: sandboxEvents.data })
    .from(sandboxEvents)
    .where(and(eq(sandboxEvents.specId, specId), eq(sandboxEvents.runId, runId), eq(sandboxEvents.eventType, 'spec.phase_completed')))
    .orderBy(asc(sandboxEvents.specSeq));
  const [first] = await db
    .select({ first: sql<string | null>`min(${sandboxEvents.specSeq})::text` })
    .from(sandboxEvents)
    .where(and(eq(sandboxEvents.specId, specId), eq(sandboxEvents.runId, runId)));
  const firstSeq = first?.first === null || first?.first === undefined ? Number.MAX_SAFE_INTEGER : Number(first.first);
  const lastOfPhase = new Map<Phase, { specSeq: number; output: unknown }>();
  for (const e of completed) {
    const phase = Phase.safeParse(e.data['phase']);
    if (phase.success && e.data['phase_output_missing'] !== true) lastOfPhase.set(phase.data, { specSeq: e.specSeq, output: e.data['phase_output'] });
  }
  const phases: RunPhaseDiff[] = [];
  for (const [phase, after] of [...lastOfPhase.entries()].sort((a, b) => a[1].specSeq - b[1].specSeq)) {
    const [previous] = await db
      .select({ specSeq: sandboxEvents.specSeq, runId: sandboxEvents.runId, data: sandboxEvents.data })
      .from(sandboxEvents)
      .where(
        and(
          eq(sandboxEvents.specId, specId),
          eq(sandboxEvents.eventType, 'spec.phase_completed'),
          sql`${sandboxEvents.data}->>'phase' = ${phase}`,
          sql`coalesce(${sandboxEvents.data}->>'phase_output_missing', 'false') <> 'true'`,
          lt(sandboxEvents.specSeq, firstSeq),
        ),
      )
      .orderBy(desc(sandboxEvents.specSeq))
      .limit(1);
    const diff = diffPhaseOutputs(phase, previous ? normalised(phase, previous.data['phase_output']) : null, normalised(phase, after.output));
    phases.push({ ...diff, previous_run_id: previous?.runId ?? null, before_spec_seq: previous?.specSeq ?? null, after_spec_seq: after.specSeq });
  }
  return { spec_id: specId, run_id: runId, phases };
}
