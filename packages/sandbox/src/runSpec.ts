/**
 * The driver of a spec run: performs the effects the state machine ({@link reduce}) asks for —
 * executor calls, evaluation, artifacts, ticket sink, backoff, timeouts, heartbeats — and emits
 * every event in the order of DESIGN §3. Every run, whatever happens, ends in exactly one
 * `agent.completed`.
 */
import { ALL_PHASES, DEFAULT_PHASES, parsePhase, phaseIndex, type Phase, type PhaseData, type PhaseFailureReason } from '@specline/protocol';
import { systemClock } from './clock';
import { evaluate as defaultEvaluate } from './evaluators/index';
import { DEFAULT_THRESHOLD } from './evaluators/scorecard';
import { RunAbortError, abortAfter, abortCause, linkAbort } from './machine/abort';
import { executorAttempt, missingContext, syncAttempt, type AttemptEnv, type AttemptOutcome } from './machine/attempts';
import { Emitter } from './machine/emitter';
import { addUsage, backoffDelay, currentPhase, initialState, reduce, type RunAction, type RunState } from './machine/state';
import type { Usage } from '@specline/protocol';
import type { CodeIndex } from './codeindex/types';
import type { Clock, Evaluate, Logger, PhaseExecutor, Reporter, SpecInfo, TicketSink } from './types';

export const RUN_DEFAULTS = {
  maxAttempts: 3,
  threshold: DEFAULT_THRESHOLD,
  backoffBaseMs: 2_000,
  attemptTimeoutMs: 15 * 60_000,
  runTimeoutMs: 2 * 60 * 60_000,
  heartbeatIntervalMs: 30_000,
} as const;

export interface RunSpecOptions {
  spec: SpecInfo;
  /** Directory the spec is about (EXPLORE analyses it). */
  cwd: string;
  /** False when the project has no repository: EXPLORE says so and the plan comes from the request alone (default true). */
  hasCodebase?: boolean;
  /** The code index of `cwd`: handed to executors (`context.index`) and to the evaluators' grounding checks. */
  index?: CodeIndex;
  /** Where markdown artifacts are written. */
  outputDir: string;
  executor: PhaseExecutor;
  /** Receives every event; `flush()` is called at the end, `close()` is left to the caller. */
  reporter: Reporter;
  sink: TicketSink;
  clock?: Clock;
  logger?: Logger;
  /** Phases to run, in canonical order, names case-insensitive. Default: DEFAULT_PHASES. */
  phases?: readonly string[];
  /** Run this one phase only, with earlier outputs taken from `initialPhaseData` (resume). */
  onlyPhase?: string;
  /** Outputs of phases finished earlier, keyed by phase. */
  initialPhaseData?: PhaseData;
  /** Attempts per phase (default 3). */
  maxAttempts?: number;
  /** Pass mark of the evaluators, 0..1 (default 0.7). */
  threshold?: number;
  /** Backoff before retry n is base·2^(n−1) (default 2 s). */
  backoffBaseMs?: number;
  /** Per-attempt timeout (default 15 min); a timed-out attempt is retried. */
  attemptTimeoutMs?: number;
  /** Whole-run timeout (default 2 h); 0 or Infinity for none. */
  runTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** Aborting it cancels the run (reason `cancelled`). */
  signal?: AbortSignal;
  /** The evaluator; defaults to this package's `evaluate`. */
  evaluate?: Evaluate;
  /**
   * `review`: the run stops after REQUIREMENTS and after DESIGN (when a later phase is in the list),
   * emits `spec.awaiting_approval`, and ends with `agent.completed {success: true, awaiting_approval}`;
   * a new run continues from the approved outputs. `auto` (default) runs straight through.
   */
  approvalMode?: ApprovalMode;
  /** A reviewer's rejection of the first phase's stored output: its first attempt gets the comment as evaluator feedback. */
  reviewFeedback?: string;
}

export type ApprovalMode = 'auto' | 'review';
/** The phases a person approves in review mode. */
export const REVIEW_GATES: readonly Phase[] = ['requirements', 'design'];

export interface RunResult {
  success: boolean;
  phaseData: PhaseData;
  phasesCompleted: Phase[];
  failedPhase?: Phase | null;
  failureReason?: PhaseFailureReason | 'configuration';
  error?: string;
  /** Markdown documents written: artifact type → path. */
  markdownArtifacts: Record<string, string>;
  ticketCreation: { tickets_created: number; tasks_created: number; errors: string[] };
  /** Number of events emitted (the last one's seq). */
  events: number;
  /** Set when a review gate stopped the run: the phase whose output waits for approval. */
  awaitingApproval?: Phase;
}

const silentLogger: Logger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

interface ResolvedConfig {
  phases: Phase[];
  maxAttempts: number;
  threshold: number;
  backoffBaseMs: number;
  attemptTimeoutMs: number;
  runTimeoutMs: number;
  heartbeatIntervalMs: number;
}

/** Validates the options; returns the resolved settings or an error naming the bad one. */
export function resolveRunConfig(options: Pick<RunSpecOptions, 'spec' | 'phases' | 'onlyPhase' | 'maxAttempts' | 'threshold' | 'backoffBaseMs' | 'attemptTimeoutMs' | 'runTimeoutMs' | 'heartbeatIntervalMs'>): ResolvedConfig | { error: string } {
  const known = ALL_PHASES.join(', ');
  let phases: Phase[];
  if (options.onlyPhase !== undefined) {
    const phase = parsePhase(options.onlyPhase);
    if (!phase) return { error: `onlyPhase: "${options.onlyPhase}" is not a phase (one of ${known})` };
    phases = [phase];
  } else {
    phases = [];
    for (const name of options.phases ?? DEFAULT_PHASES) {
      const phase = parsePhase(name);
      if (!phase) return { error: `phases: "${name}" is not a phase (one of ${known})` };
      if (phases.includes(phase)) return { error: `phases: "${phase}" is listed twice` };
      const last = phases[phases.length - 1];
      if (last !== undefined && phaseIndex(phase) < phaseIndex(last)) return { error: `phases: "${phase}" comes after "${last}"; phases run in the order ${known}` };
      phases.push(phase);
    }
    if (phases.length === 0) return { error: 'phases: the list is empty' };
  }
  if (options.spec.id.trim() === '') return { error: 'spec.id: is empty' };
  const int = (name: string, value: number | undefined, fallback: number, min: number, max: number): number | string => {
    const v = value ?? fallback;
    return Number.isInteger(v) && v >= min && v <= max ? v : `${name}: ${v} must be an integer from ${min} to ${max}`;
  };
  const ms = (name: string, value: number | undefined, fallback: number, allowNone: boolean): number | string => {
    const v = value ?? fallback;
    if (allowNone && (v === 0 || v === Number.POSITIVE_INFINITY)) return Number.POSITIVE_INFINITY;
    return Number.isFinite(v) && v > 0 ? v : `${name}: ${v} must be a positive number of milliseconds`;
  };
  const maxAttempts = int('maxAttempts', options.maxAttempts, RUN_DEFAULTS.maxAttempts, 1, 20);
  const threshold = options.threshold ?? RUN_DEFAULTS.threshold;
  const backoff = options.backoffBaseMs ?? RUN_DEFAULTS.backoffBaseMs;
  const attemptTimeoutMs = ms('attemptTimeoutMs', options.attemptTimeoutMs, RUN_DEFAULTS.attemptTimeoutMs, true);
  const runTimeoutMs = ms('runTimeoutMs', options.runTimeoutMs, RUN_DEFAULTS.runTimeoutMs, true);
  const heartbeatIntervalMs = ms('heartbeatIntervalMs', options.heartbeatIntervalMs, RUN_DEFAULTS.heartbeatIntervalMs, false);
  for (const v of [maxAttempts, attemptTimeoutMs, runTimeoutMs, heartbeatIntervalMs]) if (typeof v === 'string') return { error: v };
  if (!(threshold >= 0 && threshold <= 1)) return { error: `threshold: ${threshold} must be between 0 and 1` };
  if (!(backoff >= 0 && Number.isFinite(backoff))) return { error: `backoffBaseMs: ${backoff} must be 0 or more` };
  return {
    phases,
    maxAttempts: maxAttempts as number,
    threshold,
    backoffBaseMs: backoff,
    attemptTimeoutMs: attemptTimeoutMs as number,
    runTimeoutMs: runTimeoutMs as number,
    heartbeatIntervalMs: heartbeatIntervalMs as number,
  };
}

const describeReason = (reason: unknown): string =>
  reason instanceof Error ? reason.message : typeof reason === 'string' && reason !== '' ? reason : 'cancelled by the caller';
const clip = (s: string, max = 8_000) => (s.length > max ? `${s.slice(0, max)}… (${s.length - max} more characters)` : s);

export async function runSpec(options: RunSpecOptions): Promise<RunResult> {
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const evaluate = options.evaluate ?? defaultEvaluate;
  const emitter = new Emitter(options.spec.id, options.reporter, clock, logger);
  const initialData: PhaseData = { ...(options.initialPhaseData ?? {}) };
  const markdownArtifacts: Record<string, string> = {};
  const ticketCreation = { tickets_created: 0, tasks_created: 0, errors: [] as string[] };

  /** Every attempt's usage, summed over the run (`agent.completed.usage`). */
  let runUsage: Usage | undefined;
  const executorFields = { executor: options.executor.name, model: options.executor.model ?? null };

  const finish = async (result: Omit<RunResult, 'events' | 'markdownArtifacts' | 'ticketCreation'>): Promise<RunResult> => {
    await emitter.emit('agent.completed', null, {
      spec_id: options.spec.id,
      success: result.success,
      phase_data: result.phaseData,
      phases_completed: result.phasesCompleted,
      ...(result.awaitingApproval ? { awaiting_approval: result.awaitingApproval } : {}),
      ...(runUsage ? { usage: runUsage } : {}),
      ...executorFields,
      ...(result.success ? {} : { failed_phase: result.failedPhase ?? null, error: result.error ?? 'failed' }),
    });
    emitter.seal();
    await emitter.drain();
    try {
      await options.reporter.flush();
    } catch (error) {
      logger.error('reporter flush failed', { error: String(error) });
    }
    return { ...result, markdownArtifacts, ticketCreation, events: emitter.count };
  };

  const config = resolveRunConfig(options);
  if ('error' in config) {
    logger.error('bad run configuration', { error: config.error });
    await emitter.emit('spec.execution_failed', null, { failed_phase: null, error: `bad configuration: ${config.error}` });
    return finish({ success: false, phaseData: initialData, phasesCompleted: [], failedPhase: null, failureReason: 'configuration', error: `bad configuration: ${config.error}` });
  }

  const firstPhase = config.phases[0];
  const reviewComment = options.reviewFeedback?.trim();
  const initialFeedback =
    reviewComment && firstPhase
      ? {
          attempt: 0,
          score: 0,
          text: `Reviewer's comment on the previous ${firstPhase} output: ${reviewComment}`,
          problems: [{ path: firstPhase, message: reviewComment, severity: 'error' as const }],
          previousOutput: initialData[firstPhase] ?? null,
        }
      : null;
  const gates = options.approvalMode === 'review' ? REVIEW_GATES : [];
  let state: RunState = initialState(config.phases, initialData, config.maxAttempts, gates, initialFeedback);
  const dispatch = (action: RunAction) => {
    state = reduce(state, action);
  };
  const runCtl = new AbortController();
  const unlinkCaller = options.signal ? linkAbort(options.signal, runCtl, (s) => new RunAbortError('cancelled', `cancelled: ${describeReason(s.reason)}`)) : () => undefined;
  const stopRunTimer = abortAfter(clock, config.runTimeoutMs, runCtl, () => new RunAbortError('timeout', `the run timed out after ${config.runTimeoutMs / 1000} s`));

  await emitter.emit('spec.execution_started', null, { title: options.spec.title, description: options.spec.description, phases: [...config.phases] });
  const stopHeartbeat = clock.every(config.heartbeatIntervalMs, () => {
    const phase = currentPhase(state);
    void emitter.emit('spec.heartbeat', phase, { phases_completed: [...state.phasesCompleted], current_phase: phase });
  });

  const abortWith = (error: unknown): void => {
    const cause = error instanceof RunAbortError ? error : abortCause(runCtl.signal);
    if (!cause) throw error;
    dispatch({ type: 'aborted', reason: cause.kind === 'timeout' ? 'timeout' : 'cancelled', error: cause.message });
  };

  const runPhase = async (phase: Phase): Promise<void> => {
    const started = clock.now();
    const attemptUsage: Usage[] = [];
    await emitter.emit('spec.phase_started', phase, { phase, attempt: 1 });
    const missing = missingContext(phase, state.phaseData);
    if (missing.length > 0) await emitter.emit('spec.progress', phase, { message: `Context is missing the output of ${missing.join(', ')}; ${phase} runs without it` });
    while (currentPhase(state) === phase) {
      if (runCtl.signal.aborted) return abortWith(runCtl.signal.reason);
      dispatch({ type: 'attempt_started' });
      const attempt = state.attempt;
      const retry = state.feedback;
      await emitter.emit(
        'spec.progress',
        phase,
        retry
          ? retry.attempt === 0
            ? { message: `Re-running ${phase} with the reviewer's comment and the previous output (attempt ${attempt}/${config.maxAttempts})`, eval_feedback: clip(retry.text), review_comment: clip(reviewComment ?? '') }
            : { message: `Retrying ${phase} with the evaluator's feedback and the previous output (attempt ${attempt}/${config.maxAttempts})`, eval_feedback: clip(retry.text || (retry.error ?? '')) }
          : { message: `Starting ${phase} (attempt ${attempt}/${config.maxAttempts})` },
      );
      const attemptCtl = new AbortController();
      const unlink = linkAbort(runCtl.signal, attemptCtl, (s) => abortCause(s) ?? new RunAbortError('cancelled', 'cancelled'));
      const stopTimer = abortAfter(clock, config.attemptTimeoutMs, attemptCtl, () => new RunAbortError('attempt_timeout', `attempt ${attempt} of ${phase} timed out after ${config.attemptTimeoutMs / 1000} s`));
      let live = true;
      const env: AttemptEnv = {
        phase,
        attempt,
        phaseData: state.phaseData,
        feedback: retry,
        signal: attemptCtl.signal,
        emitter,
        evaluate,
        threshold: config.threshold,
        outputDir: options.outputDir,
        title: options.spec.title,
        context: {
          spec: options.spec,
          cwd: options.cwd,
          hasCodebase: options.hasCodebase ?? true,
          ...(options.index ? { index: options.index } : {}),
          phaseData: state.phaseData,
          attempt,
          maxAttempts: config.maxAttempts,
          progress: (message, extra) => {
            if (live) void emitter.emit('spec.progress', phase, { ...extra, message });
          },
        },
      };
      let outcome: AttemptOutcome;
      try {
        outcome = phase === 'sync' ? await syncAttempt(env, options.sink) : await executorAttempt(env, options.executor);
      } catch (error) {
        return abortWith(error);
      } finally {
        live = false;
        stopTimer();
        unlink();
      }
      if (outcome.usage) {
        attemptUsage.push(outcome.usage);
        runUsage = addUsage(runUsage, outcome.usage);
      }
      if (outcome.kind === 'passed') {
        const usage = addUsage(state.usage, outcome.usage);
        dispatch({ type: 'attempt_passed', output: outcome.output, usage: outcome.usage });
        await emitter.emit('spec.phase_completed', phase, {
          phase,
          eval_score: outcome.evaluation.score,
          duration_seconds: Math.max(0, (clock.now() - started) / 1000),
          retry_count: attempt - 1,
          phase_output: outcome.output,
          ...(usage ? { usage } : {}),
          ...(attemptUsage.length > 0 ? { attempt_usage: attemptUsage } : {}),
          ...(phase === 'sync' ? { executor: 'planner', model: null } : executorFields),
        });
        if (outcome.sink) {
          ticketCreation.tickets_created += outcome.sink.tickets.filter((t) => t.created).length;
          ticketCreation.tasks_created += outcome.sink.tasks.filter((t) => t.created).length;
        }
        const artifact = outcome.artifact;
        if (artifact) {
          markdownArtifacts[artifact.artifact_type] = artifact.path;
          await emitter.emit('spec.artifact_created', phase, { artifact_type: artifact.artifact_type, path: artifact.path });
          if (artifact.artifact_type === 'requirements') await emitter.emit('spec.requirements_generated', phase, { path: artifact.path, requirement_count: artifact.count });
          else if (artifact.artifact_type === 'design') await emitter.emit('spec.design_generated', phase, { path: artifact.path, component_count: artifact.count });
          else await emitter.emit('spec.tasks_generated', phase, { path: artifact.path, task_count: artifact.count });
        }
        return;
      }
      dispatch({ type: 'attempt_failed', reason: outcome.reason, feedback: outcome.feedback, usage: outcome.usage, retryable: outcome.retryable });
      if (state.status !== 'retrying') return;
      await emitter.emit('spec.phase_retry', phase, {
        phase,
        retry_count: attempt,
        max_retries: config.maxAttempts - 1,
        max_attempts: config.maxAttempts,
        reason: outcome.reason,
        ...(outcome.usage ? { usage: outcome.usage } : {}),
        ...(outcome.reason === 'evaluation_failed' ? { eval_score: outcome.feedback.score, eval_feedback: clip(outcome.feedback.text) } : { error: clip(outcome.feedback.error ?? '') }),
      });
      try {
        await clock.sleep(backoffDelay(config.backoffBaseMs, attempt), runCtl.signal);
      } catch (error) {
        return abortWith(error);
      }
    }
  };

  try {
    while (state.status === 'running' || state.status === 'retrying') {
      const phase = currentPhase(state);
      if (phase === null) break;
      await runPhase(phase);
    }
  } catch (error) {
    // A bug in the driver or a throwing dependency: still end the run properly.
    logger.error('run crashed', { error: String(error) });
    if (state.status !== 'failed') {
      state = { ...state, status: 'failed', failure: { phase: currentPhase(state), reason: 'execution_error', error: `internal error: ${describeReason(error)}`, retryCount: Math.max(0, state.attempt - 1) } };
    }
  } finally {
    stopHeartbeat();
    stopRunTimer();
    unlinkCaller();
  }

  const failure = state.failure;
  if (state.status === 'awaiting_approval' && state.awaiting) {
    const next = state.phases[state.index] ?? null;
    await emitter.emit('spec.awaiting_approval', state.awaiting, { phase: state.awaiting, next_phase: next, phases_completed: [...state.phasesCompleted] });
    return finish({ success: true, phaseData: state.phaseData, phasesCompleted: state.phasesCompleted, awaitingApproval: state.awaiting });
  }
  if (state.status === 'succeeded' || !failure) {
    await emitter.emit('spec.execution_completed', null, { phases_completed: [...state.phasesCompleted], markdown_artifacts: { ...markdownArtifacts }, ticket_creation: { ...ticketCreation } });
    return finish({ success: true, phaseData: state.phaseData, phasesCompleted: state.phasesCompleted });
  }
  if (failure.phase) {
    await emitter.emit('spec.phase_failed', failure.phase, {
      phase: failure.phase,
      reason: failure.reason,
      retry_count: failure.retryCount,
      ...(failure.score !== undefined ? { eval_score: failure.score } : {}),
      ...(failure.reason === 'evaluation_failed' ? { eval_feedback: clip(failure.feedback ?? '') } : { error: clip(failure.error) }),
    });
  }
  const firstProblem = (failure.feedback ?? '').split('\n')[0];
  const error =
    failure.reason === 'evaluation_failed'
      ? `${failure.phase ?? 'run'} failed evaluation after ${failure.retryCount + 1} attempt(s)${firstProblem ? `: ${firstProblem}` : ''}`
      : failure.error;
  await emitter.emit('spec.execution_failed', failure.phase, { failed_phase: failure.phase, error });
  return finish({ success: false, phaseData: state.phaseData, phasesCompleted: state.phasesCompleted, failedPhase: failure.phase, failureReason: failure.reason, error });
}
