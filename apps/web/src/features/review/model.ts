import { ALL_PHASES, Phase, type Spec } from '@specline/protocol';
import { PHASE_INFO } from '../phases/phaseSteps';

/**
 * Review mode (issue 10) as the web reads it. The server's fields may be absent (an older server, or
 * before they land): every reader here degrades to "not known" instead of failing.
 */

export const APPROVAL_MODES = ['auto', 'review'] as const;
export type ApprovalMode = (typeof APPROVAL_MODES)[number];

export const AWAITING_APPROVAL = 'awaiting_approval';
/** Phases a review gate can stop after, in run order, with the approval each one needs. */
export const REVIEW_GATES = ['requirements', 'design'] as const;
export type GatePhase = (typeof REVIEW_GATES)[number];

export function isGatePhase(phase: string | null | undefined): phase is GatePhase {
  return phase === 'requirements' || phase === 'design';
}

export function isApprovalMode(value: unknown): value is ApprovalMode {
  return value === 'auto' || value === 'review';
}

/** A project's approval mode, or null when the server does not send one. */
export function approvalModeOf(project: object | null | undefined): ApprovalMode | null {
  const value = project ? (project as { approval_mode?: unknown }).approval_mode : undefined;
  return isApprovalMode(value) ? value : null;
}

export const APPROVAL_MODE_LABELS: Record<ApprovalMode, string> = { auto: 'Auto', review: 'Review' };
export const APPROVAL_MODE_HINTS: Record<ApprovalMode, string> = {
  auto: 'Runs go straight through every phase; you can still review and approve afterwards.',
  review: 'Runs stop after Requirements and after Design until a person approves or rejects them.',
};

/** What the awaiting logic needs of a spec; lists (`SpecSummary`) have it too. */
export type AwaitSource = Pick<Spec, 'status' | 'phases' | 'phase_status' | 'current_phase'> & Partial<Pick<Spec, 'requirements_approved' | 'design_approved'>>;

export function isAwaiting(spec: { status: string }): boolean {
  return spec.status === AWAITING_APPROVAL;
}

function approvedFlag(spec: AwaitSource, phase: GatePhase): boolean {
  return phase === 'requirements' ? spec.requirements_approved === true : spec.design_approved === true;
}

/**
 * The phase whose output waits for a person, or null when the spec is not awaiting approval. In order:
 * the phase the server names (`Spec.awaiting_approval`, or a phase status `awaiting_approval`); else the latest gate
 * phase that passed and is not approved; else the current phase.
 */
export function awaitingPhaseOf(spec: AwaitSource): Phase | null {
  if (!isAwaiting(spec)) return null;
  const named = Phase.safeParse((spec as { awaiting_approval?: unknown }).awaiting_approval);
  if (named.success) return named.data;
  for (const phase of ALL_PHASES) {
    if ((spec.phase_status[phase]?.state as string | undefined) === AWAITING_APPROVAL) return phase;
  }
  const gates = [...REVIEW_GATES].reverse();
  for (const phase of gates) {
    if (spec.phase_status[phase]?.state === 'passed' && !approvedFlag(spec, phase)) return phase;
  }
  return spec.current_phase;
}

/** The phases a run goes through, in order (the latest run's list, or the default one). */
export function runPhases(spec: Pick<Spec, 'phases'>): Phase[] {
  return spec.phases.length > 0 ? [...spec.phases] : ['explore', 'requirements', 'design', 'tasks', 'sync'];
}

/** The default phase of a re-run: the first phase after the last approved one (design approved → tasks). */
export function defaultRerunPhase(spec: Pick<Spec, 'phases' | 'requirements_approved' | 'design_approved'>): Phase {
  const phases = runPhases(spec);
  const after = (phase: Phase): Phase | undefined => phases[phases.indexOf(phase) + 1];
  if (spec.design_approved && phases.includes('design')) return after('design') ?? phases[0]!;
  if (spec.requirements_approved && phases.includes('requirements')) return after('requirements') ?? phases[0]!;
  return phases[0]!;
}

/** The phases a re-run from `from` regenerates: it and every phase after it. */
export function regeneratedPhases(spec: Pick<Spec, 'phases'>, from: Phase): Phase[] {
  const phases = runPhases(spec);
  const index = phases.indexOf(from);
  return index < 0 ? [] : phases.slice(index);
}

export function phaseLabel(phase: string | null | undefined): string {
  if (!phase) return '—';
  return phase in PHASE_INFO ? PHASE_INFO[phase as Phase].label : phase;
}

/** The phases' names as a sentence: "Design, Tasks and Sync". */
export function phaseListText(phases: readonly string[]): string {
  const labels = phases.map(phaseLabel);
  if (labels.length <= 1) return labels.join('');
  return `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}`;
}

/** What a re-run from each phase regenerates, in words people know from the tabs. */
const REGENERATES: Record<Phase, string> = {
  explore: 'the codebase exploration',
  prd: 'the product requirements document',
  requirements: 'the requirements and their acceptance criteria',
  design: 'the design (architecture, components, data models, API)',
  tasks: 'the tickets and tasks',
  sync: 'the coverage check and the ticket sync',
};

export function regeneratesText(phases: readonly Phase[]): string {
  const parts = phases.map((phase) => REGENERATES[phase]);
  if (parts.length <= 1) return parts.join('');
  return `${parts.slice(0, -1).join(', ')} and ${parts.at(-1)}`;
}

/** The longest rejection comment the server takes (`RejectBody.comment`). */
export const REJECT_COMMENT_MAX = 5000;
