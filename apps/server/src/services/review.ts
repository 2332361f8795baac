/**
 * Review gates and re-runs (issue 10). In `review` mode a run stops after REQUIREMENTS and after DESIGN
 * (the sandbox's state machine stops; the spec becomes `awaiting_approval`, no sandbox waits). Then:
 *
 * - approving starts the next phases in a new sandbox (`design, tasks, sync` after the requirements,
 *   `tasks, sync` after the design; the gate stays on), with the stored outputs as a person left them;
 * - rejecting with a comment re-runs that phase (and what follows), its first attempt getting the comment
 *   as the evaluator's feedback and its previous output;
 * - `rerun {from_phase}` regenerates a phase and what follows from the stored outputs before it, in any mode.
 *
 * Approving outside a gate (auto mode, or nothing waiting) is what it always was: the approval flag.
 * Each of these answers 409 while a run is live. The decision, the approval flags and the claim of the
 * new run are one transaction (`runPlans.ts`).
 */
import type { ExecuteSpecResponse, Phase, ReviewResponse } from '@specline/protocol';
import { count, eq } from 'drizzle-orm';
import { AppError } from '../http/errors';
import { specRequirements } from '../store/schema';
import { requireSpecAccess, type SpecRow } from './access';
import type { RunPlanOptions } from './runPlans';
import { approveDesign, approveRequirements, getSpec, requireNotArchived } from './specs';
import type { RunDeps } from './specRuns';

export type GatePhase = 'requirements' | 'design';

const LABEL: Record<GatePhase, string> = { requirements: 'Requirements', design: 'Design' };

/** Is a review gate waiting for this approval (then approving starts the next phases)? */
export function gateWaitingFor(spec: SpecRow, phase: GatePhase): boolean {
  if (spec.status !== 'awaiting_approval' || spec.approvalMode !== 'review') return false;
  if (phase === 'requirements') return spec.awaitingPhase === 'requirements' || (spec.awaitingPhase === 'design' && !spec.requirementsApproved);
  return spec.awaitingPhase === 'design';
}

/** A run is live, or waits in the run queue (issue 11) to start: no decision or re-run may start another. */
const live = (spec: SpecRow): boolean => spec.status === 'executing' || spec.status === 'queued';

/** Starts a run for a review decision; 409 when one is live, 502 when its sandbox could not start (the spec is then failed). */
async function startRun(deps: RunDeps, specId: string, options: RunPlanOptions): Promise<ExecuteSpecResponse> {
  const answer = await deps.runs.start(specId, options);
  if (answer.status === 'already_running') {
    throw new AppError('already_running', `spec ${specId} is executing a run (sandbox ${answer.sandbox_id ?? 'unknown'}); wait for it to end or cancel it`);
  }
  return answer;
}

/** Where the new run is: its sandbox, or (behind a run queue) why it waits. */
const where = (started: ExecuteSpecResponse): string =>
  started.status === 'started' ? `in sandbox ${started.sandbox_id ?? '?'} (run ${started.run_id ?? '?'})` : `(${started.status}: ${started.message})`;

async function answer(deps: RunDeps, specId: string, userId: string, message: string, runId: string | null): Promise<ReviewResponse> {
  return { ...(await getSpec(deps.db, specId, userId)), message, run_id: runId };
}

/** `POST /specs/{id}/approve-requirements` / `approve-design`. */
export async function approvePhase(deps: RunDeps, specId: string, userId: string, phase: GatePhase): Promise<ReviewResponse> {
  const spec = await requireSpecAccess(deps.db, specId, userId);
  requireNotArchived(spec);
  if (live(spec)) throw new AppError('precondition_failed', `a run is executing; approve the ${phase} once it has finished (or cancel it)`);
  if (!gateWaitingFor(spec, phase)) {
    if (phase === 'requirements') {
      const approved = await approveRequirements(deps.db, specId, userId);
      return { ...approved, message: `Requirements approved (${approved.requirements.length}); next: the design`, run_id: null };
    }
    const approved = await approveDesign(deps.db, specId, userId);
    return { ...approved, message: 'Design approved; next: the tasks (POST /execute-tasks makes their tickets)', run_id: null };
  }
  const next: Phase = phase === 'requirements' ? 'design' : 'tasks';
  const started = await startRun(deps, specId, { userId, kind: 'approval', fromPhase: next, review: { action: 'approve', phase } });
  const runId = started.run_id ?? null;
  const what = phase === 'requirements' ? 'the design runs next' : 'the tasks and SYNC (tickets) run next';
  return answer(deps, specId, userId, `${LABEL[phase]} approved; ${what} ${where(started)}`, runId);
}

/** `POST /specs/{id}/reject-requirements` / `reject-design` `{comment}`. */
export async function rejectPhase(deps: RunDeps, specId: string, userId: string, phase: GatePhase, comment: string): Promise<ReviewResponse> {
  const spec = await requireSpecAccess(deps.db, specId, userId);
  requireNotArchived(spec);
  if (live(spec)) throw new AppError('already_running', `a run is executing; reject the ${phase} once it has finished (or cancel it)`);
  if (phase === 'requirements') {
    const [n] = await deps.db.select({ n: count() }).from(specRequirements).where(eq(specRequirements.specId, specId));
    if (!n || n.n === 0) throw new AppError('precondition_failed', 'the spec has no requirements to reject');
  } else if (!spec.design) throw new AppError('precondition_failed', 'the spec has no design to reject');
  const started = await startRun(deps, specId, { userId, kind: 'rejection', fromPhase: phase, reviewFeedback: comment, review: { action: 'reject', phase, comment } });
  const runId = started.run_id ?? null;
  return answer(deps, specId, userId, `${LABEL[phase]} rejected; re-running ${phase} with your comment ${where(started)}`, runId);
}

/** `POST /specs/{id}/rerun {from_phase, approval_mode?}`. */
export async function rerunFrom(deps: RunDeps, specId: string, userId: string, fromPhase: Phase, approvalMode: 'auto' | 'review' | undefined): Promise<ReviewResponse> {
  const spec = await requireSpecAccess(deps.db, specId, userId);
  requireNotArchived(spec);
  if (live(spec)) throw new AppError('already_running', 'a run is executing; re-run once it has finished (or cancel it)');
  const failedHere = (spec.status === 'failed' || spec.status === 'cancelled') && (spec.phaseStatus[fromPhase] as { state?: string } | undefined)?.state === 'failed';
  const started = await startRun(deps, specId, { userId, kind: failedHere ? 'resume' : 'rerun', fromPhase, approvalMode });
  const runId = started.run_id ?? null;
  return answer(deps, specId, userId, `${failedHere ? 'Resuming' : 'Re-running'} from ${fromPhase} ${where(started)}; the earlier phases' outputs are reused as they are`, runId);
}
