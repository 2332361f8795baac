import type { Phase, StoredEvent } from '@specline/protocol';
import { diffOutputs, type PhaseDiffView } from './diff';

/**
 * One phase's history from its events: each time the phase ran (a "pass", one per run that reached it),
 * and within it each attempt with its score, feedback and duration. Where two consecutive attempts both
 * carry an output (a completed phase always does; a retried attempt does when the producer sends it), the
 * later one gets the diff from the earlier one: what the feedback, or a reviewer's comment, changed.
 */

export interface AttemptView {
  /** 1, 2, … within its pass. */
  attempt: number;
  outcome: 'passed' | 'retried' | 'failed' | 'running';
  score: number | null;
  /** The evaluator's feedback on this attempt (why it was retried or failed), or null. */
  feedback: string | null;
  error: string | null;
  reason: string | null;
  /** Seconds, from this attempt's start to its outcome; null while it runs. */
  duration: number | null;
  startedAt: string | null;
  /** The attempt's output when the events carry it. */
  output: Record<string, unknown> | null;
  /** What this attempt changed compared with the previous output of the phase (this pass's or an earlier pass's). */
  diff: PhaseDiffView | null;
  /** `spec_seq` of the attempt's outcome event (keys, links). */
  seq: number;
}

export interface PhasePass {
  /** 1, 2, … over the phase's passes, oldest first. */
  number: number;
  runId: string | null;
  /** A reviewer's comment the pass started from (a rejection), or null. */
  reviewComment: string | null;
  attempts: AttemptView[];
  outcome: 'passed' | 'failed' | 'running';
  /** The phase's total duration as its completion reports it. */
  duration: number | null;
  awaitingApproval: boolean;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const str = (v: unknown): string | null => (typeof v === 'string' && v.trim() !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

const ATTEMPT_IN_MESSAGE = /\(attempt (\d+)\/\d+\)/;

function outputOf(data: Obj): Obj | null {
  for (const key of ['phase_output', 'attempt_output', 'output']) if (isObj(data[key])) return data[key];
  return null;
}

function seconds(from: string | null, to: string): number | null {
  if (!from) return null;
  const ms = Date.parse(to) - Date.parse(from);
  return Number.isFinite(ms) && ms >= 0 ? ms / 1000 : null;
}

/**
 * @param events the phase's events, any order (sorted here by `spec_seq`)
 * @param diff how two outputs are compared (the protocol's `diffPhaseOutputs` through `normalizePhaseDiff`)
 */
export function phaseHistory(phase: Phase, events: readonly StoredEvent[], diff: (phase: Phase, before: Obj | null, after: Obj | null) => PhaseDiffView = diffOutputs): PhasePass[] {
  const sorted = [...events].filter((e) => (e.phase ?? (e.event_data['phase'] as string | undefined)) === phase).sort((a, b) => a.spec_seq - b.spec_seq);
  const passes: PhasePass[] = [];
  let pass: PhasePass | null = null;
  let attemptStart: string | null = null;
  let attemptNo = 1;
  let lastOutput: Obj | null = null;

  const close = (attempt: Omit<AttemptView, 'diff' | 'duration' | 'startedAt' | 'attempt'>, at: string) => {
    if (!pass) return;
    const view: AttemptView = { ...attempt, attempt: attemptNo, startedAt: attemptStart, duration: seconds(attemptStart, at), diff: null };
    if (view.output) {
      view.diff = lastOutput ? diff(phase, lastOutput, view.output) : null;
      lastOutput = view.output;
    }
    pass.attempts.push(view);
    attemptStart = at;
  };

  for (const event of sorted) {
    const data = event.event_data;
    switch (event.event_type) {
      case 'spec.phase_started': {
        pass = { number: passes.length + 1, runId: event.run_id ?? null, reviewComment: null, attempts: [], outcome: 'running', duration: null, awaitingApproval: false };
        passes.push(pass);
        attemptStart = event.emitted_at;
        attemptNo = num(data['attempt']) ?? 1;
        break;
      }
      case 'spec.progress': {
        if (!pass) break;
        const message = str(data['message']) ?? '';
        const match = ATTEMPT_IN_MESSAGE.exec(message);
        if (match && !str(data['tool'])) {
          attemptNo = Number(match[1]);
          attemptStart = event.emitted_at;
        }
        const comment = str(data['review_comment']);
        if (comment) pass.reviewComment = comment;
        break;
      }
      case 'spec.phase_retry': {
        if (!pass) break;
        attemptNo = num(data['retry_count']) ?? attemptNo;
        close({ outcome: 'retried', score: num(data['eval_score']), feedback: str(data['eval_feedback']), error: str(data['error']), reason: str(data['reason']), output: outputOf(data), seq: event.spec_seq }, event.emitted_at);
        attemptNo += 1;
        break;
      }
      case 'spec.phase_completed': {
        if (!pass) break;
        const retries = num(data['retry_count']);
        if (retries !== null) attemptNo = retries + 1;
        close({ outcome: 'passed', score: num(data['eval_score']), feedback: null, error: null, reason: null, output: outputOf(data), seq: event.spec_seq }, event.emitted_at);
        pass.outcome = 'passed';
        pass.duration = num(data['duration_seconds']);
        break;
      }
      case 'spec.phase_failed': {
        if (!pass) break;
        const retries = num(data['retry_count']);
        if (retries !== null) attemptNo = retries + 1;
        close({ outcome: 'failed', score: num(data['eval_score']), feedback: str(data['eval_feedback']), error: str(data['error']), reason: str(data['reason']), output: outputOf(data), seq: event.spec_seq }, event.emitted_at);
        pass.outcome = 'failed';
        break;
      }
      case 'spec.awaiting_approval': {
        if (pass) pass.awaitingApproval = true;
        break;
      }
      default:
        break;
    }
  }
  // The attempt in progress of a pass still running.
  const open = passes.at(-1);
  if (open && open.outcome === 'running') {
    open.attempts.push({ attempt: attemptNo, outcome: 'running', score: null, feedback: null, error: null, reason: null, duration: null, startedAt: attemptStart, output: null, diff: null, seq: sorted.at(-1)?.spec_seq ?? 0 });
  }
  return passes;
}

/** The newest output of the phase in its history, or null. */
export function latestOutput(passes: readonly PhasePass[]): Record<string, unknown> | null {
  for (let p = passes.length - 1; p >= 0; p--) {
    const attempts = passes[p]!.attempts;
    for (let a = attempts.length - 1; a >= 0; a--) if (attempts[a]!.output) return attempts[a]!.output;
  }
  return null;
}
