/**
 * The phase state machine: one pure reducer over a discriminated action union. It decides what
 * happens after each attempt (next phase, retry, finish, fail); the driver (`runSpec`) performs the
 * effects and emits the events. No I/O here.
 */
import type { Phase, PhaseData, PhaseFailureReason, Usage } from '@specline/protocol';
import type { RetryFeedback } from '../types';

/** `awaiting_approval`: a review gate stopped the run after a phase; a person approves (next phase) or rejects (that phase again). */
export type RunStatus = 'running' | 'retrying' | 'succeeded' | 'failed' | 'awaiting_approval';

export interface RunFailure {
  /** The phase that failed; null when the run failed before any phase (bad configuration). */
  phase: Phase | null;
  reason: PhaseFailureReason;
  error: string;
  /** Retries made in the failed phase (attempts − 1). */
  retryCount: number;
  score?: number;
  feedback?: string;
}

export interface RunState {
  status: RunStatus;
  phases: readonly Phase[];
  /** Index in `phases` of the phase running now (or next). */
  index: number;
  /** Attempts started in the current phase. */
  attempt: number;
  maxAttempts: number;
  phaseData: PhaseData;
  phasesCompleted: Phase[];
  /** What the next attempt of the current phase is told about the previous one. */
  feedback: RetryFeedback | null;
  /** Usage summed over every attempt of the current phase (failed ones count too). */
  usage: Usage | undefined;
  failure: RunFailure | null;
  /** Phases after which the run stops for a person's approval (review mode), when a phase follows them. */
  gates: readonly Phase[];
  /** The phase whose output waits for approval (status `awaiting_approval`). */
  awaiting: Phase | null;
}

export type RunAction =
  | { type: 'attempt_started' }
  | { type: 'attempt_passed'; output: Record<string, unknown>; usage?: Usage }
  | {
      type: 'attempt_failed';
      reason: Exclude<PhaseFailureReason, 'cancelled'>;
      feedback: RetryFeedback;
      usage?: Usage;
      /** False when another attempt cannot change the outcome (a deterministic step). */
      retryable: boolean;
    }
  | { type: 'aborted'; reason: 'cancelled' | 'timeout'; error: string };

/**
 * @param gates phases after which the run stops for approval (review mode: requirements and design);
 *   a gate on the last phase of the list does not stop anything, there is nothing left to hold back.
 * @param initialFeedback what the first attempt of the first phase is told (a reviewer's rejection comment).
 */
export function initialState(phases: readonly Phase[], phaseData: PhaseData, maxAttempts: number, gates: readonly Phase[] = [], initialFeedback: RetryFeedback | null = null): RunState {
  return {
    status: phases.length === 0 ? 'succeeded' : 'running',
    phases,
    index: 0,
    attempt: 0,
    maxAttempts,
    phaseData: { ...phaseData },
    phasesCompleted: [],
    feedback: initialFeedback,
    usage: undefined,
    failure: null,
    gates,
    awaiting: null,
  };
}

/** The phase running now, or null when the run is over. */
export function currentPhase(state: RunState): Phase | null {
  return state.status === 'running' || state.status === 'retrying' ? (state.phases[state.index] ?? null) : null;
}

export function addUsage(a: Usage | undefined, b: Usage | undefined): Usage | undefined {
  if (!b) return a;
  if (!a) return { ...b };
  const sum = (x: number | undefined, y: number | undefined) => (x === undefined && y === undefined ? undefined : (x ?? 0) + (y ?? 0));
  const out: Usage = { ...a, ...b };
  const input = sum(a.input_tokens, b.input_tokens);
  const output = sum(a.output_tokens, b.output_tokens);
  const cost = sum(a.cost_usd, b.cost_usd);
  const cacheRead = sum(a.cache_read_input_tokens, b.cache_read_input_tokens);
  const cacheWrite = sum(a.cache_creation_input_tokens, b.cache_creation_input_tokens);
  if (cacheRead !== undefined) out.cache_read_input_tokens = cacheRead;
  if (cacheWrite !== undefined) out.cache_creation_input_tokens = cacheWrite;
  if (input !== undefined) out.input_tokens = input;
  if (output !== undefined) out.output_tokens = output;
  if (cost !== undefined) out.cost_usd = cost;
  return out;
}

export function reduce(state: RunState, action: RunAction): RunState {
  const phase = currentPhase(state);
  if (phase === null) return state; // finished runs ignore further actions
  switch (action.type) {
    case 'attempt_started':
      return { ...state, status: 'running', attempt: state.attempt + 1 };
    case 'attempt_passed': {
      const index = state.index + 1;
      const gated = index < state.phases.length && state.gates.includes(phase);
      return {
        ...state,
        status: index >= state.phases.length ? 'succeeded' : gated ? 'awaiting_approval' : 'running',
        awaiting: gated ? phase : null,
        index,
        attempt: 0,
        phaseData: { ...state.phaseData, [phase]: action.output },
        phasesCompleted: [...state.phasesCompleted, phase],
        feedback: null,
        usage: undefined,
      };
    }
    case 'attempt_failed': {
      const usage = addUsage(state.usage, action.usage);
      if (action.retryable && state.attempt < state.maxAttempts) {
        return { ...state, status: 'retrying', feedback: action.feedback, usage };
      }
      const failure: RunFailure = {
        phase,
        reason: action.reason,
        error: action.feedback.error ?? (action.feedback.text || `${phase} failed evaluation`),
        retryCount: Math.max(0, state.attempt - 1),
        score: action.reason === 'evaluation_failed' ? action.feedback.score : undefined,
        feedback: action.feedback.text || undefined,
      };
      return { ...state, status: 'failed', feedback: action.feedback, usage, failure };
    }
    case 'aborted':
      return {
        ...state,
        status: 'failed',
        failure: { phase, reason: action.reason, error: action.error, retryCount: Math.max(0, state.attempt - 1) },
      };
  }
}

/** Delay before retry number `retry` (1-based): base · 2^(retry−1). */
export function backoffDelay(baseMs: number, retry: number): number {
  return Math.max(0, baseMs) * 2 ** Math.max(0, retry - 1);
}
