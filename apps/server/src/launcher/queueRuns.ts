/**
 * Runs on the worker queue (issue 11), the server's side besides the claim routes: a run whose worker
 * lease expired goes back on the queue for another worker (its sandbox token revoked, so a surviving
 * child is refused) until `SPECLINE_RUN_ATTEMPTS` attempts were made; and every run the database says is
 * waiting for a worker has its job (re-)added — Redis here keeps nothing on disk, so after it comes back
 * the queue is rebuilt from the database (job ids are run ids: re-adding is idempotent).
 */
import { and, asc, eq, isNotNull, sql } from 'drizzle-orm';
import type { Logger } from 'pino';
import type { RunQueue } from '../queue/runQueue';
import { recordVersion } from '../services/versions';
import type { Db } from '../store/db';
import { sandboxes, specRuns, specs } from '../store/schema';

/** The provider name of sandboxes run by workers. */
export const QUEUE_PROVIDER = 'queue';

export type RequeueOutcome = { kind: 'requeued'; runId: string; attempts: number } | { kind: 'exhausted'; attempts: number } | { kind: 'skipped' };

/** Puts an executing queue run whose lease expired back on the queue; `exhausted` when no attempt is left. */
export async function requeueRun(
  db: Db,
  input: { specId: string; sandboxId: string; since: Date; now: Date; maxAttempts: number; cause: string },
): Promise<RequeueOutcome> {
  return db.transaction(async (tx): Promise<RequeueOutcome> => {
    const [spec] = await tx
      .select({ status: specs.status, sandboxId: specs.sandboxId, runId: specs.runId, lastHeartbeatAt: specs.lastHeartbeatAt })
      .from(specs)
      .where(eq(specs.id, input.specId))
      .for('update');
    if (!spec || spec.status !== 'executing' || spec.sandboxId !== input.sandboxId || !spec.runId) return { kind: 'skipped' };
    // A batch arrived meanwhile: the lease was renewed after all.
    if (spec.lastHeartbeatAt && spec.lastHeartbeatAt.getTime() > input.since.getTime()) return { kind: 'skipped' };
    const [run] = await tx.select({ attempts: specRuns.attempts }).from(specRuns).where(eq(specRuns.id, spec.runId));
    const attempts = run?.attempts ?? 0;
    if (attempts >= input.maxAttempts) return { kind: 'exhausted', attempts };
    const iso = input.now.toISOString();
    await tx
      .update(sandboxes)
      .set({ status: 'lost', endedAt: sql`coalesce(${sandboxes.endedAt}, ${iso}::timestamptz)`, revokedAt: sql`coalesce(${sandboxes.revokedAt}, ${iso}::timestamptz)` })
      .where(eq(sandboxes.id, input.sandboxId));
    await tx
      .update(specs)
      .set({ status: 'queued', queuedFor: 'worker', queuedAt: input.now, sandboxId: null, lastHeartbeatAt: null, updatedAt: input.now })
      .where(eq(specs.id, input.specId));
    await recordVersion(tx, {
      specId: input.specId,
      changeType: 'run_requeued',
      changeSummary: `attempt ${attempts} of run ${spec.runId} lost its worker (${input.cause}); the run waits for another worker`,
      changeDetails: { run_id: spec.runId, sandbox_id: input.sandboxId, attempts, max_attempts: input.maxAttempts },
      createdBy: null,
    });
    return { kind: 'requeued', runId: spec.runId, attempts };
  });
}

/** Every run waiting for a worker, oldest first. */
export async function runsWaitingForWorkers(db: Db, limit = 500): Promise<{ specId: string; runId: string }[]> {
  const rows = await db
    .select({ specId: specs.id, runId: specs.runId })
    .from(specs)
    .where(and(eq(specs.status, 'queued'), eq(specs.queuedFor, 'worker'), isNotNull(specs.runId)))
    .orderBy(asc(specs.queuedAt), asc(specs.id))
    .limit(limit);
  return rows.flatMap((r) => (r.runId ? [{ specId: r.specId, runId: r.runId }] : []));
}

/** (Re-)adds the job of every run waiting for a worker; stops at the first Redis failure (the next pass retries). */
export async function resyncQueue(db: Db, queue: RunQueue, logger: Logger): Promise<number> {
  let added = 0;
  for (const run of await runsWaitingForWorkers(db)) {
    try {
      await queue.add({ spec_id: run.specId, run_id: run.runId });
      added += 1;
    } catch (error) {
      logger.warn({ err: error, specId: run.specId }, 'run queue unreachable; the runs waiting for a worker are re-added on the next pass');
      break;
    }
  }
  return added;
}
