import { z } from 'zod';
import { ApprovalMode, Phase } from './phases';
import { SpecWithMessage } from './compat';
import { PhaseDiff } from './diff';

/**
 * Runs of a spec (GitHub issue 10): every launch, approval, rejection and re-run is a run with an id,
 * its events carry `run_id`, review gates stop it (`awaiting_approval`), and proposals hold what a run
 * would have changed in rows a person edited.
 */

const id = z.string().min(1);
const isoTime = z.string();

/**
 * How a run came about: `launch` (execute, launch, a spec_driven ticket, an external sandbox), `approval`
 * (approving the requirements or the design of a review-mode run), `rejection` (rejecting one, with a
 * comment), `rerun` (`POST /rerun`), `resume` (a re-run from the phase a failed or cancelled run stopped in).
 */
export const RunKind = z.enum(['launch', 'resume', 'rerun', 'approval', 'rejection']);
export type RunKind = z.infer<typeof RunKind>;

export const RunStatus = z.enum(['running', 'awaiting_approval', 'completed', 'failed', 'cancelled']);
export type RunStatus = z.infer<typeof RunStatus>;

/** One phase of a run, from its events: attempts made, the evaluator's last score, how long it took. */
export const SpecRunPhase = z.object({
  phase: Phase,
  state: z.enum(['pending', 'running', 'retrying', 'passed', 'failed']),
  attempts: z.number().int().nonnegative(),
  /** The evaluator's score of the last attempt scored (0–1), or null. */
  score: z.number().nullable(),
  /** Seconds from the phase's start to its end (null while it runs or before it starts). */
  duration: z.number().nonnegative().nullable(),
  started_at: isoTime.nullable(),
  completed_at: isoTime.nullable(),
});
export type SpecRunPhase = z.infer<typeof SpecRunPhase>;

export const SpecRun = z.object({
  id,
  spec_id: id,
  kind: RunKind,
  status: RunStatus,
  approval_mode: ApprovalMode,
  /** The first phase this run ran; the phases before it came from the stored outputs as a person left them. */
  from_phase: Phase.nullable(),
  /** The phases this run was started with, in order. */
  planned_phases: z.array(Phase),
  /** Per planned phase, from the run's events. */
  phases: z.array(SpecRunPhase),
  /** Set when the run stopped for approval: the phase whose output waits. */
  awaiting_phase: Phase.nullable(),
  /** A rejection's comment (the evaluator feedback of the re-run phase); null otherwise. */
  comment: z.string().nullable(),
  /** Who started it (null: the system, an external sandbox). */
  created_by: z.string().nullable(),
  sandbox_id: z.string().nullable(),
  /** Why it failed or was cancelled. */
  error: z.string().nullable(),
  /** The run's events in the spec's stream: `GET /specs/{id}/events?run_id=…`. */
  first_spec_seq: z.number().int().nullable(),
  last_spec_seq: z.number().int().nullable(),
  event_count: z.number().int().nonnegative(),
  started_at: isoTime,
  ended_at: isoTime.nullable(),
});
export type SpecRun = z.infer<typeof SpecRun>;

/** Newest first. */
export const SpecRunList = z.object({ spec_id: id, runs: z.array(SpecRun), total: z.number().int(), has_more: z.boolean() });
export type SpecRunList = z.infer<typeof SpecRunList>;

/** What one run changed in one phase output, compared with the latest earlier output of that phase. */
export const RunPhaseDiff = PhaseDiff.extend({
  /** The run whose output is the "before" (null: none earlier, or stored before runs were recorded). */
  previous_run_id: z.string().nullable(),
  /** `spec_seq` of the `spec.phase_completed` events compared (null: no earlier output). */
  before_spec_seq: z.number().int().nullable(),
  after_spec_seq: z.number().int(),
});
export type RunPhaseDiff = z.infer<typeof RunPhaseDiff>;

export const RunDiff = z.object({
  spec_id: id,
  run_id: id,
  /** One entry per phase this run completed, in run order. */
  phases: z.array(RunPhaseDiff),
});
export type RunDiff = z.infer<typeof RunDiff>;

/** `POST /specs/{id}/reject-requirements` / `reject-design`: why; the re-run phase gets it as evaluator feedback. */
export const RejectBody = z.object({ comment: z.string().trim().min(1, 'a comment is required').max(5_000) });
export type RejectBody = z.infer<typeof RejectBody>;

/** `POST /specs/{id}/rerun`: regenerate `from_phase` and what follows from the stored outputs before it. */
export const RerunBody = z.object({
  from_phase: Phase,
  /** This run's approval mode (default: the spec's latest run's, else the project's). */
  approval_mode: ApprovalMode.optional(),
});
export type RerunBody = z.infer<typeof RerunBody>;

/** Answer of approve-/reject-/rerun: the spec, a sentence, and the run started (null when none was). */
export const ReviewResponse = SpecWithMessage.extend({ run_id: z.string().nullable() });
export type ReviewResponse = z.infer<typeof ReviewResponse>;

// ── proposals ────────────────────────────────────────────────────────────────
export const ProposalKind = z.enum(['requirement', 'criterion', 'task', 'design']);
export type ProposalKind = z.infer<typeof ProposalKind>;
export const ProposalAction = z.enum(['add', 'update', 'remove']);
export type ProposalAction = z.infer<typeof ProposalAction>;
export const ProposalStatus = z.enum(['open', 'accepted', 'dismissed', 'superseded']);
export type ProposalStatus = z.infer<typeof ProposalStatus>;

/**
 * A change a run would have made to a row a person edited (which runs never overwrite). `update`: the
 * fields that differ, before (the row now) → after (the run's); `add`: a criterion the run gives a
 * requirement a person edited; `remove`: a row the run's output no longer has.
 */
export const SpecProposal = z.object({
  id,
  spec_id: id,
  run_id: z.string().nullable(),
  kind: ProposalKind,
  action: ProposalAction,
  /** Stable id of the row (`REQ-002`, `REQ-002.AC-1`, `TSK-003`); null for the design. */
  local_id: z.string().nullable(),
  /** The requirement (local id) of a criterion; null otherwise. */
  parent_local_id: z.string().nullable(),
  /** Server id of the row (null for an `add`, or once the row is gone). */
  target_id: z.string().nullable(),
  title: z.string().nullable(),
  changes: z.array(z.object({ field: z.string(), before: z.unknown(), after: z.unknown() })),
  status: ProposalStatus,
  created_at: isoTime,
  resolved_at: isoTime.nullable(),
  resolved_by: z.string().nullable(),
});
export type SpecProposal = z.infer<typeof SpecProposal>;

export const ProposalsQuery = z.object({
  status: ProposalStatus.optional(),
  limit: z.coerce.number().int().min(1).max(500).default(100),
  offset: z.coerce.number().int().min(0).default(0),
});
export const SpecProposalList = z.object({ spec_id: id, proposals: z.array(SpecProposal), total: z.number().int(), has_more: z.boolean() });
export type SpecProposalList = z.infer<typeof SpecProposalList>;
