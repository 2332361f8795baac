/**
 * What a run is before its sandbox starts (issue 10), decided inside the run manager's claim transaction
 * with the spec row locked: its kind, its phases, its approval mode, the context it continues from (the
 * stored outputs as a person left them, `runContext.ts`), what the claim keeps of the spec's run state,
 * and the approval a review decision records. Everything here is data (no callbacks), so a queued start
 * can be replayed later from the same options.
 */
import { phaseIndex, phaseList, type ApprovalMode, type Phase, type RunKind } from '@specline/protocol';
import { count, eq } from 'drizzle-orm';
import { AppError } from '../http/errors';
import type { Tx } from '../store/db';
import { specRequirements, specRuns, specs } from '../store/schema';
import type { SpecRow } from './access';
import { newId } from './ids';
import { buildRunContext, type PhaseContext } from './runContext';
import { recordVersion } from './versions';

/** A person's decision on a review gate, recorded with the run it starts. */
export interface ReviewDecision {
  action: 'approve' | 'reject';
  phase: 'requirements' | 'design';
  comment?: string | undefined;
}

/** The issue-10 part of `StartRunOptions`: all optional; a plain launch needs none. */
export interface RunPlanOptions {
  userId: string | null;
  prd?: boolean | undefined;
  /** Default `launch` (or `rerun` with a `fromPhase`). */
  kind?: RunKind | undefined;
  /** Continue from this phase: the earlier phases' outputs are the context, the spec keeps their state. */
  fromPhase?: Phase | undefined;
  /** This run's mode; default: a continuation keeps the spec's, a launch takes the project's. */
  approvalMode?: ApprovalMode | undefined;
  /** The first phase's first attempt gets it as the evaluator's feedback (a rejection). */
  reviewFeedback?: string | undefined;
  review?: ReviewDecision | undefined;
}

export interface RunPlan {
  runId: string;
  kind: RunKind;
  fromPhase: Phase | null;
  /** The phases the sandbox runs (`--phases`). */
  phases: Phase[];
  approvalMode: ApprovalMode;
  reviewFeedback: string | null;
  /** Outputs the sandbox starts from (`context.json`); empty for a launch. */
  context: PhaseContext;
  /** Spec columns the claim sets on top of its usual reset (a continuation keeps the earlier phases). */
  claim: Partial<typeof specs.$inferInsert>;
  /** A continuation explores the commit the spec's outputs were made from (null: the project's ref). */
  repoRef: string | null;
  /** Added to the `run_started` version. */
  details: Record<string, unknown>;
}

const PROGRESS_DONE = (chain: readonly Phase[], kept: Record<string, unknown>) =>
  Math.round((chain.filter((p) => (kept[p] as { state?: string } | undefined)?.state === 'passed').length / Math.max(1, chain.length)) * 100);

/** The phases a continuation belongs to: the spec's run chain when it has the phase, else the default run. */
function chainOf(spec: SpecRow, fromPhase: Phase): Phase[] {
  const stored = spec.phases.filter((p): p is Phase => phaseList({ prd: true }).includes(p as Phase));
  if (stored.includes(fromPhase)) return stored;
  return phaseList({ prd: Object.hasOwn(spec.phaseData, 'prd') || fromPhase === 'prd' });
}

/** Which earlier phases have no stored output (a continuation cannot start without them). */
async function missingOutputs(tx: Tx, spec: SpecRow, before: readonly Phase[]): Promise<Phase[]> {
  const missing: Phase[] = [];
  for (const phase of before) {
    if (phase === 'requirements') {
      const [row] = await tx.select({ n: count() }).from(specRequirements).where(eq(specRequirements.specId, spec.id));
      if (!row || row.n === 0) missing.push(phase);
    } else if (phase === 'design') {
      if (!spec.design) missing.push(phase);
    } else {
      const stored = spec.phaseData[phase];
      if (!(typeof stored === 'object' && stored !== null && Object.keys(stored).length > 0)) missing.push(phase);
    }
  }
  return missing;
}

/** Records a review decision (approval flags, withdrawals, a version) in the claim transaction. */
async function recordDecision(tx: Tx, spec: SpecRow, decision: ReviewDecision, userId: string | null, next: Phase | null): Promise<Partial<typeof specs.$inferInsert>> {
  if (decision.action === 'approve' && decision.phase === 'requirements') {
    const [n] = await tx.select({ n: count() }).from(specRequirements).where(eq(specRequirements.specId, spec.id));
    if (!n || n.n === 0) throw new AppError('precondition_failed', 'the spec has no requirements to approve');
    await recordVersion(tx, { specId: spec.id, changeType: 'requirements_approved', changeSummary: `Approved ${n.n} requirement(s); ${next ?? 'the next phase'} runs next`, changeDetails: { next_phase: next }, createdBy: userId });
    return { requirementsApproved: true, requirementsApprovedAt: new Date(), designApproved: false, designApprovedAt: null, phase: 'Design' };
  }
  if (decision.action === 'approve') {
    if (!spec.requirementsApproved) throw new AppError('precondition_failed', 'approve the requirements before the design');
    if (!spec.design) throw new AppError('precondition_failed', 'the spec has no design to approve');
    await recordVersion(tx, { specId: spec.id, changeType: 'design_approved', changeSummary: `Design approved; ${next ?? 'the next phase'} runs next`, changeDetails: { next_phase: next }, createdBy: userId });
    return { designApproved: true, designApprovedAt: new Date(), phase: 'Implementation' };
  }
  const withdrawn = decision.phase === 'requirements' ? ['requirements', 'design'].filter((a) => (a === 'requirements' ? spec.requirementsApproved : spec.designApproved)) : spec.designApproved ? ['design'] : [];
  await recordVersion(tx, {
    specId: spec.id,
    changeType: `${decision.phase}_rejected`,
    changeSummary: `${decision.phase === 'requirements' ? 'Requirements' : 'Design'} rejected: ${decision.comment ?? ''}`.slice(0, 500),
    changeDetails: { comment: decision.comment ?? null, approvals_withdrawn: withdrawn },
    createdBy: userId,
  });
  return decision.phase === 'requirements'
    ? { requirementsApproved: false, requirementsApprovedAt: null, designApproved: false, designApprovedAt: null, phase: 'Requirements' }
    : { designApproved: false, designApprovedAt: null, phase: spec.requirementsApproved ? 'Design' : 'Requirements' };
}

/**
 * Plans a run of the locked spec. Answers undefined when a run is live (the caller answers
 * `already_running`); throws `precondition_failed` when a continuation lacks an earlier output or a
 * review decision does not apply.
 */
export async function planRun(tx: Tx, specId: string, opts: RunPlanOptions, project: { approvalMode: string } | null): Promise<RunPlan | undefined> {
  const [spec] = await tx.select().from(specs).where(eq(specs.id, specId)).for('update');
  if (!spec) return undefined;
  if (spec.status === 'executing' && spec.sandboxId !== null) return undefined;
  const runId = newId.run();
  const projectMode: ApprovalMode = project?.approvalMode === 'review' ? 'review' : 'auto';
  if (!opts.fromPhase) {
    const mode = opts.approvalMode ?? projectMode;
    return {
      runId,
      kind: opts.kind ?? 'launch',
      fromPhase: null,
      phases: phaseList({ prd: opts.prd ?? false }),
      approvalMode: mode,
      reviewFeedback: null,
      context: {},
      claim: { runId, approvalMode: mode, awaitingPhase: null },
      repoRef: null,
      details: { run_id: runId, kind: opts.kind ?? 'launch', approval_mode: mode },
    };
  }
  const from = opts.fromPhase;
  const chain = chainOf(spec, from);
  const before = chain.slice(0, chain.indexOf(from));
  const missing = await missingOutputs(tx, spec, before);
  if (missing.length > 0) {
    throw new AppError('precondition_failed', `cannot run from ${from}: the spec has no stored ${missing.join(', ')} output (run from ${missing[0]} instead)`);
  }
  const phases = chain.slice(chain.indexOf(from));
  const mode: ApprovalMode = opts.approvalMode ?? (spec.approvalMode === 'review' || spec.approvalMode === 'auto' ? spec.approvalMode : projectMode);
  let decided: Partial<typeof specs.$inferInsert> = {};
  if (opts.review) decided = await recordDecision(tx, spec, opts.review, opts.userId, from);
  else if (phaseIndex(from) <= phaseIndex('requirements')) {
    // Regenerating the requirements (or what they come from) withdraws both approvals; the design, the design's.
    decided = { requirementsApproved: false, requirementsApprovedAt: null, designApproved: false, designApprovedAt: null, phase: 'Requirements' };
  } else if (from === 'design') decided = { designApproved: false, designApprovedAt: null, phase: spec.requirementsApproved ? 'Design' : 'Requirements' };
  // A rejected phase is re-run from its own output (the previous output the comment is about).
  const contextPhases = opts.reviewFeedback ? [...before, from] : before;
  // Reading the rows after the decision: an approval does not change them; the context is what was approved.
  const [current] = await tx.select().from(specs).where(eq(specs.id, specId));
  const context = await buildRunContext(tx, current ?? spec, contextPhases);
  const kept = Object.fromEntries(before.flatMap((p) => (Object.hasOwn(spec.phaseStatus, p) ? [[p, spec.phaseStatus[p]]] : [])));
  const kind: RunKind = opts.kind ?? 'rerun';
  return {
    runId,
    kind,
    fromPhase: from,
    phases,
    approvalMode: mode,
    reviewFeedback: opts.reviewFeedback ?? null,
    context,
    claim: {
      ...decided,
      runId,
      approvalMode: mode,
      awaitingPhase: null,
      phases: chain,
      phaseStatus: kept,
      phaseData: context,
      progress: PROGRESS_DONE(chain, kept),
      currentPhase: from,
      repoCommit: spec.repoCommit,
      // Approvals the claim would reset stay as they are (or as the decision set them).
      requirementsApproved: decided.requirementsApproved ?? spec.requirementsApproved,
      requirementsApprovedAt: decided.requirementsApproved !== undefined ? (decided.requirementsApprovedAt ?? null) : spec.requirementsApprovedAt,
      designApproved: decided.designApproved ?? spec.designApproved,
      designApprovedAt: decided.designApproved !== undefined ? (decided.designApprovedAt ?? null) : spec.designApprovedAt,
    },
    repoRef: spec.repoCommit,
    details: { run_id: runId, kind, from_phase: from, approval_mode: mode, ...(opts.reviewFeedback ? { review_comment: opts.reviewFeedback } : {}) },
  };
}

/** The `spec_runs` row of a planned run, inserted in the claim transaction. */
export async function insertRunRow(tx: Tx, plan: RunPlan, input: { specId: string; sandboxId: string | null; createdBy: string | null; startedAt: Date }): Promise<void> {
  await tx.insert(specRuns).values({
    id: plan.runId,
    specId: input.specId,
    kind: plan.kind,
    status: 'running',
    approvalMode: plan.approvalMode,
    fromPhase: plan.fromPhase,
    phases: plan.phases,
    comment: plan.reviewFeedback,
    sandboxId: input.sandboxId,
    createdBy: input.createdBy,
    startedAt: input.startedAt,
  });
}
