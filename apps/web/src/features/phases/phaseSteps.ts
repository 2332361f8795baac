import { DEFAULT_PHASES, type Phase, type PhaseStatus, type Spec } from '@specline/protocol';
import { awaitingPhaseOf, isAwaiting } from '../review/model';

/** What the stepper needs from a spec; list items (`SpecSummary`) have it too. */
export type PhaseSource = Pick<Spec, 'status' | 'phases' | 'phase_status' | 'current_phase'> & Partial<Pick<Spec, 'last_error' | 'requirements_approved' | 'design_approved'>>;

/**
 * The state of one step. `idle`: the spec never ran, so nothing is pending or running. `awaiting`: review
 * mode stopped the run after this phase until a person approves or rejects its output.
 */
export type StepState = 'idle' | 'pending' | 'running' | 'retrying' | 'passed' | 'failed' | 'cancelled' | 'awaiting';

export interface PhaseStep {
  phase: Phase;
  label: string;
  description: string;
  state: StepState;
  /** Attempt in progress (running / retrying) or the last one made. */
  attempt: number | null;
  maxAttempts: number | null;
  score: number | null;
  reason: string | null;
  error: string | null;
  /** Who wrote the output (`planner`, `anthropic`, `openai`) and with which model; null until reported. */
  executor: string | null;
  model: string | null;
  /** Short state in words: "Retrying · attempt 2/3", "Passed · score 0.92". */
  stateText: string;
  /** True for the step the run is on now (running or retrying). */
  current: boolean;
}

export type RunState = 'idle' | 'running' | 'completed' | 'failed' | 'cancelled' | 'awaiting';

export interface PhaseProgressModel {
  steps: PhaseStep[];
  run: RunState;
  passedCount: number;
  /** The step running now, else the one awaiting approval, else the failed / cancelled one, else null. */
  focus: PhaseStep | null;
}

export const PHASE_INFO: Record<Phase, { label: string; description: string }> = {
  explore: { label: 'Explore', description: 'Reads the codebase and scopes the feature.' },
  prd: { label: 'PRD', description: 'Writes a product requirements document.' },
  requirements: { label: 'Requirements', description: 'Writes EARS requirements with acceptance criteria.' },
  design: { label: 'Design', description: 'Designs the architecture, components, data models and API.' },
  tasks: { label: 'Tasks', description: 'Breaks the design into tickets and dependent tasks.' },
  sync: { label: 'Sync', description: 'Checks coverage and dependencies, then creates the tickets and tasks.' },
};

const REASON_TEXT: Record<string, string> = {
  evaluation_failed: 'evaluation failed',
  execution_error: 'execution error',
  cancelled: 'cancelled',
  timeout: 'timed out',
};

export function reasonText(reason: string | null | undefined): string | null {
  if (!reason) return null;
  return REASON_TEXT[reason] ?? reason.replace(/_/g, ' ');
}

export function formatScore(score: number): string {
  return score.toFixed(2);
}

/** The phases the stepper shows: the run's own list; the default run when there is none (prd only if it ran). */
export function stepPhases(spec: PhaseSource): Phase[] {
  if (spec.phases.length > 0) return [...spec.phases];
  const phases: Phase[] = [...DEFAULT_PHASES];
  if (spec.phase_status.prd) phases.splice(1, 0, 'prd');
  return phases;
}

function stateText(step: Omit<PhaseStep, 'stateText' | 'current'>): string {
  const attempts = step.attempt && step.maxAttempts ? `attempt ${step.attempt}/${step.maxAttempts}` : step.attempt && step.attempt > 1 ? `attempt ${step.attempt}` : null;
  switch (step.state) {
    case 'idle':
      return 'Not started';
    case 'pending':
      return 'Pending';
    case 'running':
      return attempts && step.attempt && step.attempt > 1 ? `Running · ${attempts}` : 'Running';
    case 'retrying':
      return attempts ? `Retrying · ${attempts}` : 'Retrying';
    case 'passed':
      return step.score !== null ? `Passed · score ${formatScore(step.score)}` : 'Passed';
    case 'failed': {
      const why = reasonText(step.reason);
      return why ? `Failed · ${why}` : 'Failed';
    }
    case 'cancelled':
      return 'Cancelled';
    case 'awaiting':
      return 'Awaiting your approval';
  }
}

/** A phase status as a step state: a phase stopped by a cancel is cancelled (not failed); an unknown state is pending. */
function stepStateOf(status: PhaseStatus): StepState {
  const state: string = status.state;
  if (state === 'failed' && status.reason === 'cancelled') return 'cancelled';
  if (state === 'awaiting_approval') return 'awaiting';
  return state === 'pending' || state === 'running' || state === 'retrying' || state === 'passed' || state === 'failed' ? state : 'pending';
}

function fromStatus(status: PhaseStatus | undefined): Pick<PhaseStep, 'state' | 'attempt' | 'maxAttempts' | 'score' | 'reason' | 'error' | 'executor' | 'model'> {
  if (!status) return { state: 'pending', attempt: null, maxAttempts: null, score: null, reason: null, error: null, executor: null, model: null };
  return {
    state: stepStateOf(status),
    attempt: status.attempt > 0 ? status.attempt : null,
    maxAttempts: status.max_attempts,
    score: status.eval_score,
    reason: status.reason,
    error: status.error,
    // Absent on a server from before model executors: treated as not reported.
    executor: status.executor ?? null,
    model: status.model ?? null,
  };
}

/** The run as a whole; a status this web does not know yet (`queued`) counts as running. */
function runStateOf(status: string, neverRan: boolean): RunState {
  if (neverRan || status === 'draft') return 'idle';
  if (isAwaiting({ status })) return 'awaiting';
  if (status === 'completed' || status === 'failed' || status === 'cancelled') return status;
  return 'running';
}

/**
 * The stepper's state rules, from the spec alone (the server keeps `phase_status` up to date from the events):
 * - a draft that never ran is idle: no step pending or spinning;
 * - a completed spec shows every step passed;
 * - otherwise each step takes its `phase_status`; steps without one are placed around `current_phase`
 *   (earlier passed, later pending);
 * - when the run is over (failed / cancelled) nothing is left running: the step that was running is failed
 *   (with the spec's last error) or cancelled; a phase stopped by a cancel is cancelled, not failed;
 * - a spec awaiting approval marks the phase that waits (see `awaitingPhaseOf`) as `awaiting`.
 */
export function derivePhaseSteps(spec: PhaseSource): PhaseProgressModel {
  const phases = stepPhases(spec);
  const hasStatus = phases.some((phase) => spec.phase_status[phase] !== undefined);
  const neverRan = spec.status === 'draft' && !hasStatus;
  const currentIndex = spec.current_phase ? phases.indexOf(spec.current_phase) : -1;
  const awaiting = awaitingPhaseOf(spec);

  const raw = phases.map((phase, index) => {
    const base = fromStatus(spec.phase_status[phase]);
    if (neverRan) base.state = 'idle';
    else if (spec.status === 'completed') base.state = 'passed';
    else if (!spec.phase_status[phase] && currentIndex >= 0) {
      if (index < currentIndex) base.state = 'passed';
      else if (index === currentIndex && spec.status === 'executing') base.state = 'running';
    }
    if (spec.status !== 'executing' && (base.state === 'running' || base.state === 'retrying')) {
      if (spec.status === 'cancelled') base.state = 'cancelled';
      else if (spec.status === 'failed') {
        base.state = 'failed';
        base.error ??= spec.last_error ?? null;
      } else base.state = 'pending';
    }
    // Only the phase the spec waits on is awaiting; a stale "awaiting" elsewhere has passed.
    if (phase === awaiting) base.state = 'awaiting';
    else if (base.state === 'awaiting') base.state = 'passed';
    return { phase, ...PHASE_INFO[phase], ...base };
  });

  // A failed / cancelled run whose statuses do not say where it stopped: mark the current phase.
  if ((spec.status === 'failed' || spec.status === 'cancelled') && !raw.some((s) => s.state === 'failed' || s.state === 'cancelled')) {
    const at = raw[currentIndex] ?? raw.find((s) => s.state !== 'passed');
    if (at) {
      at.state = spec.status;
      if (spec.status === 'failed') at.error ??= spec.last_error ?? null;
    }
  }

  const steps: PhaseStep[] = raw.map((step) => ({
    ...step,
    stateText: stateText(step),
    current: spec.status === 'executing' && (step.state === 'running' || step.state === 'retrying'),
  }));
  const run = runStateOf(spec.status, neverRan);
  const focus = steps.find((s) => s.current) ?? steps.find((s) => s.state === 'awaiting') ?? steps.find((s) => s.state === 'failed' || s.state === 'cancelled') ?? null;
  return { steps, run, passedCount: steps.filter((s) => s.state === 'passed').length, focus };
}
