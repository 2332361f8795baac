/**
 * Workers' claims of queue runs (issue 11, `SPECLINE_RUNNER=queue`). A job on the queue carries only
 * `{spec_id, run_id}`; a worker that takes it asks here for what the run needs: a FRESH sandbox token
 * (never in Redis), the phases still to do, the stored outputs as context, the model settings as
 * environment (keys opened from the database only now), and whether a repository bundle waits for it.
 *
 * Every claim is an attempt. The first one starts the run; a later one — BullMQ handed the job to
 * another worker because the first died, or the reaper put the run back after its lease expired —
 * supersedes the attempt before it: that sandbox's token is revoked (a surviving child is refused and its
 * worker stops it), and the new attempt runs the run's phases that have not passed yet, continuing the
 * spec's event sequence, so the run still ends with one `agent.completed`. After `SPECLINE_RUN_ATTEMPTS`
 * attempts the run fails with the cause. A claim of a run that already ended answers `ended`.
 */
import { phaseList, type Phase } from '@specline/protocol';
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { AppContext } from '../app';
import { leaseSecondsOf } from '../config';
import { endRun } from '../launcher/endRun';
import type { BundleStore } from '../launcher/bundles';
import { startOptionsOf } from '../launcher/quotas';
import { QUEUE_PROVIDER } from '../launcher/queueRuns';
import { RepoError } from '../launcher/workspace';
import { projects, sandboxes, specRuns, specs } from '../store/schema';
import { newId } from './ids';
import { effectiveModelSettings, modelEnv, projectModel } from './modelSettings';
import { buildRunContext } from './runContext';
import { SecretUnreadableError } from './secretBox';
import { newSandboxToken } from './tokens';
import { recordVersion } from './versions';

export interface ClaimRequest {
  spec_id: string;
  run_id: string;
  /** The worker's lease-owner name, `worker:<host>:<pid>:<random>`. */
  worker: string;
}

export type ClaimAnswer =
  | { outcome: 'ended'; detail: string }
  | {
      outcome: 'run';
      spec_id: string;
      run_id: string;
      sandbox_id: string;
      attempt: number;
      token: string;
      callback_url: string;
      title: string;
      description: string;
      phases: string[];
      phase_data: Record<string, unknown>;
      approval_mode: 'auto' | 'review';
      review_feedback: string | null;
      heartbeat_interval_seconds: number;
      lease_seconds: number;
      model_env: Record<string, string>;
      /** The commit to check out from `GET /workers/runs/{sandbox_id}/bundle`; null: no repository (SPEC_NO_REPO). */
      repo: { commit: string } | null;
    };

type Attempt = {
  sandboxId: string;
  token: string;
  attempt: number;
  phases: Phase[];
  context: Record<string, unknown>;
  reviewFeedback: string | null;
  approvalMode: 'auto' | 'review';
  title: string;
  description: string;
  projectId: string;
  queuedBy: string | null;
  launchRequest: Record<string, unknown> | null;
  repoCommit: string | null;
};

const passed = (status: unknown) => typeof status === 'object' && status !== null && (status as { state?: unknown }).state === 'passed';

function callbackUrlOf(ctx: AppContext): string {
  return ctx.config.publicUrl ?? `http://127.0.0.1:${ctx.config.port}`;
}

async function failRun(ctx: AppContext, specId: string, sandboxId: string | null, error: string): Promise<void> {
  const ended = await endRun(ctx.db, { specId, sandboxId, status: 'failed', sandboxStatus: 'failed', reason: 'execution_error', error, now: new Date() });
  if (ended) await ctx.bus.publish({ spec_id: ended.specId, spec_seq: ended.lastSpecSeq }).catch(() => undefined);
}

/** Creates the next attempt of a queue run, or says why there is none. */
async function nextAttempt(ctx: AppContext, request: ClaimRequest, now: Date): Promise<Attempt | { ended: string } | { exhausted: string; sandboxId: string | null }> {
  const { config } = ctx;
  return ctx.db.transaction(async (tx) => {
    const [spec] = await tx.select().from(specs).where(eq(specs.id, request.spec_id)).for('update');
    if (!spec) return { ended: 'the spec no longer exists' };
    if (spec.runId !== request.run_id) return { ended: `run ${request.run_id} is no longer the spec's current run` };
    const waiting = spec.status === 'queued' && spec.queuedFor === 'worker';
    if (!waiting && spec.status !== 'executing') return { ended: `run ${request.run_id} has ended (the spec is ${spec.status})` };
    const [run] = await tx.select().from(specRuns).where(eq(specRuns.id, request.run_id));
    if (!run) return { ended: `run ${request.run_id} has no record` };
    let previous: { id: string; provider: string; leaseOwner: string | null } | undefined;
    if (!waiting && spec.sandboxId) {
      [previous] = await tx.select({ id: sandboxes.id, provider: sandboxes.provider, leaseOwner: sandboxes.leaseOwner }).from(sandboxes).where(eq(sandboxes.id, spec.sandboxId));
      if (previous && previous.provider !== QUEUE_PROVIDER) return { ended: `run ${request.run_id} is run by ${previous.provider}, not by workers` };
    }
    if (run.attempts >= config.runner.attempts) {
      return { exhausted: `the run was given up after ${run.attempts} worker attempt(s) (SPECLINE_RUN_ATTEMPTS ${config.runner.attempts}); the last one stopped reporting (its worker died or lost Redis)`, sandboxId: spec.sandboxId };
    }
    const iso = now.toISOString();
    if (previous) {
      // The job came back (BullMQ: its worker stopped renewing the lock): the attempt before is superseded.
      await tx
        .update(sandboxes)
        .set({ status: 'lost', endedAt: sql`coalesce(${sandboxes.endedAt}, ${iso}::timestamptz)`, revokedAt: sql`coalesce(${sandboxes.revokedAt}, ${iso}::timestamptz)` })
        .where(eq(sandboxes.id, previous.id));
    }
    // The phases of this run that have not passed yet; the outputs before them are the context.
    const runPhases = (run.phases.length ? run.phases : phaseList({ prd: false })) as Phase[];
    const firstAttempt = run.attempts === 0;
    const remaining = runPhases.filter((p) => !(passed(spec.phaseStatus[p]) && Object.hasOwn(spec.phaseData, p)));
    const phases = remaining.length ? remaining : runPhases.slice(-1);
    // Review mode: an attempt that died after a gated phase passed but before its gate stopped the run
    // would resume past the gate, and that output would never wait for approval. The gated phase (this
    // run's, so not approved yet: an approval ends the run and starts another) runs again, and its gate applies.
    if (run.approvalMode === 'review' && !firstAttempt && remaining.length) {
      const gate = runPhases[runPhases.indexOf(phases[0]!) - 1];
      const approved = gate === 'requirements' ? spec.requirementsApproved : gate === 'design' ? spec.designApproved : true;
      if (gate && !approved) phases.unshift(gate);
    }
    const first = phases[0]!;
    const chain = spec.phases as Phase[];
    const before = chain.includes(first) ? chain.slice(0, chain.indexOf(first)) : [];
    const context = firstAttempt ? spec.phaseData : await buildRunContext(tx, spec, before);
    const reviewFeedback = run.comment && first === (run.fromPhase ?? runPhases[0]) ? run.comment : null;
    const sandboxId = newId.sandbox();
    const { token, hash } = newSandboxToken();
    const attempt = run.attempts + 1;
    await tx.insert(sandboxes).values({
      id: sandboxId,
      specId: spec.id,
      tokenHash: hash,
      status: 'starting',
      provider: QUEUE_PROVIDER,
      startedAt: now,
      heartbeatIntervalSeconds: Math.max(1, Math.round(config.sandbox.heartbeatIntervalSeconds)),
      runId: run.id,
      leaseOwner: request.worker,
      leaseSeconds: leaseSecondsOf(config.sandbox),
      leaseRenewedAt: now,
      attempt,
    });
    await tx
      .update(specs)
      .set({ status: 'executing', sandboxId, queuedAt: null, queuedFor: null, currentPhase: first, lastHeartbeatAt: null, updatedAt: now })
      .where(eq(specs.id, spec.id));
    await tx.update(specRuns).set({ sandboxId, attempts: attempt }).where(eq(specRuns.id, run.id));
    await recordVersion(tx, {
      specId: spec.id,
      changeType: 'run_attempt',
      changeSummary: `attempt ${attempt} of run ${run.id} taken by ${request.worker}${previous ? ` (superseding sandbox ${previous.id})` : ''}: ${phases.join(', ')}`,
      changeDetails: { run_id: run.id, sandbox_id: sandboxId, attempt, worker: request.worker, phases, superseded: previous?.id ?? null },
      createdBy: null,
    });
    return {
      sandboxId,
      token,
      attempt,
      phases,
      context,
      reviewFeedback,
      approvalMode: run.approvalMode === 'review' ? 'review' : 'auto',
      title: spec.title,
      description: spec.description,
      projectId: spec.projectId,
      queuedBy: spec.queuedBy,
      launchRequest: run.launchRequest ?? null,
      repoCommit: spec.repoCommit,
    };
  });
}

export async function claimQueueRun(ctx: AppContext, bundles: BundleStore, request: ClaimRequest): Promise<ClaimAnswer> {
  const now = new Date();
  const next = await nextAttempt(ctx, request, now);
  if ('ended' in next) return { outcome: 'ended', detail: next.ended };
  if ('exhausted' in next) {
    await failRun(ctx, request.spec_id, next.sandboxId, next.exhausted);
    return { outcome: 'ended', detail: next.exhausted };
  }
  const [project] = await ctx.db.select().from(projects).where(eq(projects.id, next.projectId));
  // Model settings: the launch's (sealed) over the project's over the server's, opened only now.
  let env: Record<string, string>;
  try {
    const options = startOptionsOf(next.launchRequest, next.queuedBy, request.spec_id, ctx.secrets);
    env = modelEnv(effectiveModelSettings(options.modelSettings, project ? projectModel(project, ctx.secrets) : null, ctx.config.models));
  } catch (error) {
    const detail =
      error instanceof SecretUnreadableError
        ? `the project's model API key cannot be read: ${error.message}; set it again in the project's model settings`
        : `could not prepare the run's model settings: ${(error as Error).message}`;
    await failRun(ctx, request.spec_id, next.sandboxId, detail);
    return { outcome: 'ended', detail };
  }
  let repo: { commit: string } | null = null;
  // Fetching the mirror and bundling the commit can outlast the lease: the server vouches for the attempt meanwhile.
  const renew = () =>
    ctx.db
      .update(sandboxes)
      .set({ lastHeartbeatAt: new Date() })
      .where(and(eq(sandboxes.id, next.sandboxId), eq(sandboxes.status, 'starting')))
      .catch(() => undefined);
  const keepAlive = setInterval(() => void renew(), Math.max(200, (leaseSecondsOf(ctx.config.sandbox) * 1000) / 4));
  keepAlive.unref();
  if (project?.repoUrl) {
    try {
      // A later attempt (or a continuation) explores the commit the earlier outputs were made from.
      const made = await bundles.make(next.sandboxId, { projectId: project.id, url: project.repoUrl, ref: next.repoCommit ?? project.repoRef });
      repo = { commit: made.commit };
      await ctx.db
        .update(specs)
        .set({ repoCommit: made.commit })
        .where(and(eq(specs.id, request.spec_id), eq(specs.sandboxId, next.sandboxId), isNull(specs.repoCommit)));
    } catch (error) {
      const detail = error instanceof RepoError ? error.message : `could not prepare the repository: ${(error as Error).message}`;
      await failRun(ctx, request.spec_id, next.sandboxId, detail);
      return { outcome: 'ended', detail };
    } finally {
      clearInterval(keepAlive);
    }
  }
  clearInterval(keepAlive);
  await renew();
  return {
    outcome: 'run',
    spec_id: request.spec_id,
    run_id: request.run_id,
    sandbox_id: next.sandboxId,
    attempt: next.attempt,
    token: next.token,
    callback_url: callbackUrlOf(ctx),
    title: next.title,
    description: next.description,
    phases: next.phases,
    phase_data: next.context,
    approval_mode: next.approvalMode,
    review_feedback: next.reviewFeedback,
    heartbeat_interval_seconds: ctx.config.sandbox.heartbeatIntervalSeconds,
    lease_seconds: leaseSecondsOf(ctx.config.sandbox),
    model_env: env,
    repo,
  };
}

export interface AttemptState {
  live: boolean;
  detail: string;
}

/** How long a worker may vouch for an attempt whose sandbox has not reported yet (checkout, boot). */
const VOUCH_LIMIT_MS = 10 * 60_000;

/**
 * Is this attempt still the run's live one? Until its sandbox's first batch arrives (the row is still
 * `starting`: checkout, boot) the worker's reports renew the lease, for at most `VOUCH_LIMIT_MS`; after
 * that only the sandbox's own batches do. `running` notes the child's pid and log path.
 */
export async function attemptStatus(ctx: AppContext, sandboxId: string, report: { state: 'preparing' | 'running'; pid?: number | undefined; log_path?: string | undefined }): Promise<AttemptState> {
  const [row] = await ctx.db
    .select({ specId: sandboxes.specId, endedAt: sandboxes.endedAt, revokedAt: sandboxes.revokedAt, provider: sandboxes.provider, startedAt: sandboxes.startedAt, specStatus: specs.status, current: specs.sandboxId })
    .from(sandboxes)
    .innerJoin(specs, eq(specs.id, sandboxes.specId))
    .where(eq(sandboxes.id, sandboxId));
  if (!row || row.provider !== QUEUE_PROVIDER) return { live: false, detail: 'no such worker sandbox' };
  if (row.endedAt || row.revokedAt || row.current !== sandboxId || row.specStatus !== 'executing') {
    return { live: false, detail: row.current !== sandboxId && row.specStatus === 'executing' ? 'superseded by a later attempt' : `the run ended (the spec is ${row.specStatus})` };
  }
  const now = new Date();
  const vouch = now.getTime() - row.startedAt.getTime() < VOUCH_LIMIT_MS;
  const changes = {
    ...(vouch ? { lastHeartbeatAt: sql`case when ${sandboxes.status} = 'starting' then ${now.toISOString()}::timestamptz else ${sandboxes.lastHeartbeatAt} end` } : {}),
    ...(report.pid ? { pid: report.pid } : {}),
    ...(report.log_path ? { logPath: report.log_path } : {}),
  };
  if (Object.keys(changes).length > 0) await ctx.db.update(sandboxes).set(changes).where(and(eq(sandboxes.id, sandboxId), isNull(sandboxes.endedAt)));
  return { live: true, detail: 'live' };
}

/** The worker's child exited: ends the run if this attempt was still live and never reported its end. */
export async function attemptExited(
  ctx: AppContext,
  bundles: BundleStore,
  sandboxId: string,
  report: { exit_code: number | null; signal: string | null; worker: string; log_path?: string | undefined },
): Promise<{ ended: boolean }> {
  bundles.remove(sandboxId);
  const [row] = await ctx.db.select({ specId: sandboxes.specId, provider: sandboxes.provider }).from(sandboxes).where(eq(sandboxes.id, sandboxId));
  if (!row || row.provider !== QUEUE_PROVIDER) return { ended: false };
  await ctx.db.update(sandboxes).set({ exitCode: report.exit_code }).where(eq(sandboxes.id, sandboxId));
  const how = report.exit_code === null ? `was killed by ${report.signal ?? 'a signal'}` : `exited with code ${report.exit_code}`;
  const ended = await endRun(ctx.db, {
    specId: row.specId,
    sandboxId,
    status: 'failed',
    sandboxStatus: 'failed',
    reason: 'execution_error',
    error: `sandbox ${how} before reporting the end of the run; see its log on ${report.worker}${report.log_path ? ` at ${report.log_path}` : ''}`,
    exitCode: report.exit_code,
    now: new Date(),
  });
  if (ended) await ctx.bus.publish({ spec_id: ended.specId, spec_seq: ended.lastSpecSeq }).catch(() => undefined);
  return { ended: ended !== undefined };
}
