/**
 * The claim of a run (extracted from the run manager): one transaction that admits the launch under the
 * quotas (`quotas.ts`), plans it (`services/runPlans.ts`) and claims the spec. With the local runner the
 * spec becomes `executing` and gets a sandbox row whose lease this server holds. With the queue runner
 * (issue 11) the spec becomes `queued` for a worker (`queued_for = 'worker'`, no sandbox, no lease: the
 * reaper never fails it for silence) and the run row keeps the sealed launch options for the workers'
 * claims (`services/workerClaims.ts`).
 */
import type { Phase } from '@specline/protocol';
import { and, eq, isNull, ne, or } from 'drizzle-orm';
import type { Config } from '../config';
import { leaseSecondsOf } from '../config';
import type { EffectiveModelSettings } from '../services/modelSettings';
import { redactUrl } from '../services/repoUrls';
import { insertRunRow, planRun, type RunPlan } from '../services/runPlans';
import type { StartRunOptions } from '../services/runs';
import type { SecretBox } from '../services/secretBox';
import { recordVersion } from '../services/versions';
import type { Db } from '../store/db';
import { sandboxes, specRuns, specs } from '../store/schema';
import { lockAdmission, overQuota, queuedRequestOf } from './quotas';
import type { RepoSource } from './workspace';

export interface ClaimInput {
  specId: string;
  options: StartRunOptions;
  /** The dispatcher starting a quota-queued spec. */
  fromQueue: boolean;
  sandboxId: string;
  tokenHash: string;
  startedAt: Date;
  /** `local`: this server runs the sandbox; `queue`: a worker will (issue 11). */
  runner: 'local' | 'queue';
  providerName: string;
  owner: string;
  model: EffectiveModelSettings | undefined;
  repo: RepoSource | null;
  project: { approvalMode: string } | null;
}

export type ClaimOutcome =
  | { kind: 'quota_queued'; reason: string }
  | { kind: 'live' }
  | { kind: 'claimed'; title: string; description: string; plan: RunPlan; phases: Phase[] }
  | { kind: 'worker_queued'; plan: RunPlan };

export async function claimRun(db: Db, config: Config, secrets: SecretBox, input: ClaimInput): Promise<ClaimOutcome> {
  const { specId, options: opts, startedAt } = input;
  const leaseSeconds = leaseSecondsOf(config.sandbox);
  return db.transaction(async (tx): Promise<ClaimOutcome> => {
    // Admission (issue 11): over a quota the spec is queued instead of claimed, under one lock for every server.
    await lockAdmission(tx);
    const [current] = await tx.select({ status: specs.status, projectId: specs.projectId, sandboxId: specs.sandboxId }).from(specs).where(eq(specs.id, specId));
    // A spec made `executing` without a sandbox (a spec-driven ticket's) has no run yet: it is admitted like any launch.
    if (current && (current.status !== 'executing' || current.sandboxId === null)) {
      if (current.status === 'queued' && !input.fromQueue) return { kind: 'quota_queued', reason: 'this spec is already queued' };
      const over = await overQuota(tx, config.quotas, { userId: opts.userId, projectId: current.projectId });
      if (over) {
        if (current.status !== 'queued') {
          await tx
            .update(specs)
            .set({ status: 'queued', queuedFor: 'quota', queuedAt: startedAt, queuedBy: opts.userId, queuedRequest: queuedRequestOf(opts, specId, secrets), lastError: null, updatedAt: startedAt })
            .where(eq(specs.id, specId));
          await recordVersion(tx, { specId, changeType: 'run_queued', changeSummary: `run queued: ${over}`, changeDetails: { reason: over }, createdBy: opts.userId });
        }
        return { kind: 'quota_queued', reason: over };
      }
    }
    const plan = await planRun(tx, specId, opts, input.project);
    if (!plan) return { kind: 'live' };
    const phases = plan.phases;
    const queued = input.runner === 'queue';
    // The claim: one UPDATE that only matches a spec with no live run. Under concurrency the
    // second caller re-evaluates the WHERE after the first commits and matches nothing.
    const [row] = await tx
      .update(specs)
      .set({
        status: queued ? 'queued' : 'executing',
        phases,
        phaseStatus: {},
        phaseData: {},
        progress: 0,
        currentPhase: 'explore',
        lastError: null,
        requirementsApproved: false,
        requirementsApprovedAt: null,
        designApproved: false,
        designApprovedAt: null,
        sandboxId: queued ? null : input.sandboxId,
        lastHeartbeatAt: null,
        usage: null,
        repoCommit: null,
        // Waiting for a worker: its place in line among the runs waiting for one (Spec.queue_position).
        queuedAt: queued ? startedAt : null,
        queuedFor: queued ? 'worker' : null,
        queuedRequest: null,
        queuedBy: opts.userId,
        updatedAt: startedAt,
        // A continuation keeps the earlier phases' state and outputs (its context) and the approvals.
        ...plan.claim,
      })
      .where(and(eq(specs.id, specId), or(ne(specs.status, 'executing'), isNull(specs.sandboxId))))
      .returning({ title: specs.title, description: specs.description });
    if (!row) return { kind: 'live' };
    if (!queued) {
      await tx.insert(sandboxes).values({
        id: input.sandboxId,
        specId,
        tokenHash: input.tokenHash,
        status: 'starting',
        provider: input.providerName,
        startedAt,
        heartbeatIntervalSeconds: Math.max(1, Math.round(config.sandbox.heartbeatIntervalSeconds)),
        runId: plan.runId,
        leaseOwner: input.owner,
        leaseSeconds,
        leaseRenewedAt: startedAt,
      });
    }
    await recordVersion(tx, {
      specId,
      changeType: 'run_started',
      changeSummary: queued ? `run ${plan.runId} queued for a worker` : `run started in sandbox ${input.sandboxId}`,
      changeDetails: {
        sandbox_id: queued ? null : input.sandboxId,
        runner: input.runner,
        phases,
        executor: input.model?.executor ?? null,
        model: input.model?.model ?? null,
        repo_url: input.repo ? redactUrl(input.repo.url) : null,
        repo_ref: input.repo?.ref ?? null,
        ...plan.details,
      },
      createdBy: opts.userId,
    });
    await insertRunRow(tx, plan, { specId, sandboxId: queued ? null : input.sandboxId, createdBy: opts.userId, startedAt });
    if (queued) {
      // What every worker attempt needs besides the spec: the launch options, any API key sealed.
      await tx.update(specRuns).set({ launchRequest: queuedRequestOf(opts, specId, secrets) }).where(eq(specRuns.id, plan.runId));
      return { kind: 'worker_queued', plan };
    }
    return { kind: 'claimed', title: row.title, description: row.description, plan, phases };
  });
}

