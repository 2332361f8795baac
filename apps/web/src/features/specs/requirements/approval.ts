import type { Spec } from '@specline/protocol';

export interface Approval {
  approved: boolean;
  approvedAt: string | null;
  /** Whether the Approve button may be pressed. */
  allowed: boolean;
  /** Why it may not (shown next to the disabled button), or null. */
  reason: string | null;
}

type ApprovalSource = Pick<Spec, 'status' | 'requirements_approved' | 'requirements_approved_at' | 'design_approved' | 'design_approved_at' | 'design'> & {
  requirements: readonly unknown[];
};

/** Requirements can be approved once: there are some, they are not approved yet, and no run is executing. */
export function requirementsApproval(spec: ApprovalSource): Approval {
  const approved = spec.requirements_approved;
  let reason: string | null = null;
  if (approved) reason = 'Already approved.';
  else if (spec.requirements.length === 0) reason = 'There are no requirements to approve yet.';
  else if (spec.status === 'executing') reason = 'Wait until the run has finished.';
  return { approved, approvedAt: spec.requirements_approved_at, allowed: reason === null, reason };
}

/** The design can be approved once: a design exists, the requirements are approved, no run is executing. */
export function designApproval(spec: ApprovalSource): Approval {
  const approved = spec.design_approved;
  let reason: string | null = null;
  if (approved) reason = 'Already approved.';
  else if (!spec.design) reason = 'There is no design to approve yet.';
  else if (!spec.requirements_approved) reason = 'Approve the requirements first.';
  else if (spec.status === 'executing') reason = 'Wait until the run has finished.';
  return { approved, approvedAt: spec.design_approved_at, allowed: reason === null, reason };
}
