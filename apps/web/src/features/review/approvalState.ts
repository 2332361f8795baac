import type { Spec } from '@specline/protocol';
import { designApproval, requirementsApproval, type Approval } from '../specs/requirements/approval';
import { awaitingPhaseOf, isGatePhase, type GatePhase } from './model';

export interface Permission {
  allowed: boolean;
  /** Why not (shown next to the disabled button), or null. */
  reason: string | null;
}

export interface AwaitingState {
  phase: GatePhase;
  approve: Approval;
  reject: Permission;
}

type Source = Parameters<typeof requirementsApproval>[0] & Parameters<typeof awaitingPhaseOf>[0] & Pick<Spec, 'archived'>;

/**
 * What the stepper's approval bar offers, by the server's rules (so a button is disabled with the
 * reason instead of failing after a click): approving the design needs approved requirements; neither
 * while a run is executing; nothing on an archived spec. Null when no phase awaits approval.
 */
export function awaitingState(spec: Source): AwaitingState | null {
  const phase = awaitingPhaseOf(spec);
  if (!isGatePhase(phase)) return null;
  const base = phase === 'requirements' ? requirementsApproval(spec) : designApproval(spec);
  const archived = spec.archived ? 'This spec is archived.' : null;
  const approve: Approval = archived ? { ...base, allowed: false, reason: archived } : base;
  const empty = phase === 'requirements' ? (spec.requirements.length === 0 ? 'There are no requirements to reject.' : null) : !spec.design ? 'There is no design to reject.' : null;
  const rejectReason = archived ?? empty;
  return { phase, approve, reject: { allowed: rejectReason === null, reason: rejectReason } };
}
