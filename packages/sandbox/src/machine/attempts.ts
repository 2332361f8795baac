/**
 * One attempt of a phase, as the driver runs it: either the executor produces the output and the
 * evaluator judges it (EXPLORE … TASKS), or code computes it and the ticket sink is called (SYNC).
 * An attempt ends in an {@link AttemptOutcome}; cancellation and timeouts surface as a thrown
 * {@link RunAbortError}.
 */
import type { EvalResult, Evaluate, PhaseContext, PhaseExecutor, RetryFeedback, SinkResult, SinkTask, SinkTicket, TicketSink } from '../types';
import type { Phase, PhaseData, PhaseFailureReason, Usage } from '@specline/protocol';
import { asRecord, idList, listAt } from '../analysis/shape';
import { computeSync, normalizeDependencies } from '../analysis/traceability';
import { writePhaseArtifact, type WrittenArtifact } from '../artifacts/markdown';
import type { Emitter } from './emitter';
import { abortCause, raceAbort } from './abort';

export type AttemptOutcome =
  | { kind: 'passed'; output: Record<string, unknown>; usage?: Usage; evaluation: EvalResult; artifact: WrittenArtifact | null; sink?: SinkResult }
  | { kind: 'failed'; reason: Exclude<PhaseFailureReason, 'cancelled'>; feedback: RetryFeedback; usage?: Usage; retryable: boolean };

export interface AttemptEnv {
  phase: Phase;
  attempt: number;
  phaseData: PhaseData;
  feedback: RetryFeedback | null;
  signal: AbortSignal;
  emitter: Emitter;
  evaluate: Evaluate;
  threshold: number;
  outputDir: string;
  title: string;
  context: PhaseContext;
}

const errorText = (error: unknown) => (error instanceof Error ? error.message : String(error));

function failed(reason: 'execution_error' | 'timeout', attempt: number, error: unknown, usage?: Usage): AttemptOutcome {
  return { kind: 'failed', reason, retryable: true, usage, feedback: { attempt, score: 0, text: '', problems: [], previousOutput: null, error: errorText(error) } };
}

/** Rethrows when the attempt was aborted for the whole run (cancelled, run timeout); maps an attempt timeout to a failure. */
function classify(error: unknown, env: AttemptEnv): AttemptOutcome {
  const cause = abortCause(env.signal);
  if (cause && cause.kind !== 'attempt_timeout') throw cause;
  if (cause) return failed('timeout', env.attempt, cause);
  const outcome = failed('execution_error', env.attempt, error, usageOf(error));
  // An error retrying cannot fix (a rejected API key): the phase fails now.
  if (outcome.kind === 'failed' && (error as { fatal?: unknown } | null)?.fatal === true) outcome.retryable = false;
  return outcome;
}

/** Usage an executor spent before it failed, when its error carries it (`error.usage`). */
function usageOf(error: unknown): Usage | undefined {
  const usage = (error as { usage?: unknown } | null)?.usage;
  return usage !== null && typeof usage === 'object' ? (usage as Usage) : undefined;
}

async function judge(env: AttemptEnv, output: Record<string, unknown>): Promise<EvalResult> {
  const evaluation = env.evaluate(env.phase, output, env.phaseData, {
    threshold: env.threshold,
    spec: env.context.spec,
    ...(env.context.index ? { repo: env.context.index } : {}),
  });
  const errors = evaluation.problems.filter((p) => p.severity === 'error').length;
  await env.emitter.emit('spec.progress', env.phase, {
    message: `Evaluation score: ${evaluation.score.toFixed(2)} (${evaluation.passed ? 'passed' : 'failed'}, threshold ${evaluation.threshold})`,
    eval_passed: evaluation.passed,
    eval_details: { ...evaluation.details, errors, warnings: evaluation.problems.length - errors },
  });
  return evaluation;
}

/** EXPLORE, PRD, REQUIREMENTS, DESIGN, TASKS: the executor writes, the evaluator judges, the artifact is written. */
export async function executorAttempt(env: AttemptEnv, executor: PhaseExecutor): Promise<AttemptOutcome> {
  let output: Record<string, unknown>;
  let usage: Usage | undefined;
  try {
    const result = await raceAbort(executor.execute(env.phase, env.context, env.feedback, env.signal), env.signal);
    usage = result.usage;
    output = asRecord(result.output) ?? { parse_error: `the executor returned ${typeof result.output} instead of an object` };
  } catch (error) {
    return classify(error, env);
  }
  let evaluation: EvalResult;
  try {
    evaluation = await judge(env, output);
  } catch (error) {
    return failed('execution_error', env.attempt, new Error(`the ${env.phase} evaluator failed: ${errorText(error)}`), usage);
  }
  if (!evaluation.passed) {
    return {
      kind: 'failed',
      reason: 'evaluation_failed',
      retryable: true,
      usage,
      feedback: { attempt: env.attempt, score: evaluation.score, text: evaluation.feedback, problems: evaluation.problems, previousOutput: output },
    };
  }
  try {
    const artifact = await writePhaseArtifact(env.phase, output, env.outputDir, env.title);
    return { kind: 'passed', output, usage, evaluation, artifact };
  } catch (error) {
    return failed('execution_error', env.attempt, new Error(`could not write the ${env.phase} document under ${env.outputDir}: ${errorText(error)}`), usage);
  }
}

/** Tickets and tasks of the TASKS output, as the sink takes them. */
export function sinkInput(phaseData: PhaseData): { tickets: SinkTicket[]; tasks: SinkTask[] } {
  const tickets = (listAt(phaseData['tasks'], 'tickets') ?? []).map((item) => asRecord(item) ?? {});
  const tasks = (listAt(phaseData['tasks'], 'tasks') ?? []).map((item) => asRecord(item) ?? {});
  const text = (v: unknown, fallback = '') => (typeof v === 'string' ? v : fallback);
  const priorityOf = new Map(tickets.map((t) => [text(t['id']), text(t['priority'], 'medium')]));
  return {
    tickets: tickets.map((t) => ({
      local_id: text(t['id']),
      title: text(t['title'], text(t['id'])),
      description: text(t['description']),
      priority: text(t['priority'], 'medium'),
      requirements: idList(t['requirements']),
    })),
    tasks: tasks.map((t) => {
      const ticket = text(t['ticket_id'], text(t['parent_ticket']));
      return {
        local_id: text(t['id']),
        ticket_local_id: ticket,
        title: text(t['title'], text(t['id'])),
        description: text(t['description']),
        priority: text(t['priority'], priorityOf.get(ticket) ?? 'medium'),
        estimated_hours: typeof t['estimated_hours'] === 'number' ? t['estimated_hours'] : null,
        depends_on: normalizeDependencies(t),
      };
    }),
  };
}

/**
 * SYNC: computed by code (no executor). The traceability result must be ready for execution
 * (a deterministic verdict: not retried); then the sink creates tickets and tasks (retried on error,
 * it is idempotent by local id) and their events carry the ids the sink returned.
 */
export async function syncAttempt(env: AttemptEnv, sink: TicketSink): Promise<AttemptOutcome> {
  const input = sinkInput(env.phaseData);
  const { emitter, phase } = env;
  if (env.attempt === 1) await emitter.emit('spec.sync_started', phase, { items_to_sync: input.tickets.length + input.tasks.length });
  const output = computeSync(env.phaseData) as Record<string, unknown>;
  const evaluation = await judge(env, output);
  if (!evaluation.passed) {
    return {
      kind: 'failed',
      reason: 'evaluation_failed',
      retryable: false,
      feedback: { attempt: env.attempt, score: evaluation.score, text: evaluation.feedback, problems: evaluation.problems, previousOutput: output },
    };
  }
  await emitter.emit('spec.tickets_creation_started', phase, { ticket_count: input.tickets.length, task_count: input.tasks.length });
  let result: SinkResult;
  try {
    result = await raceAbort(sink.createTickets(input, env.signal), env.signal);
  } catch (error) {
    const outcome = classify(error, env);
    await emitter.emit('spec.tickets_creation_completed', phase, { tickets_created: 0, tasks_created: 0, errors: [errorText(error)] });
    return outcome;
  }
  const ticketIds = new Map(result.tickets.map((t) => [t.local_id, t.id]));
  for (const t of result.tickets) if (t.created) await emitter.emit('spec.ticket_created', phase, { ticket_id: t.id, title: t.title, local_id: t.local_id });
  for (const t of result.tasks) if (t.created) await emitter.emit('spec.task_created', phase, { task_id: t.id, title: t.title, ticket_id: t.ticket_id, local_id: t.local_id });
  const created = { tickets: result.tickets.filter((t) => t.created).length, tasks: result.tasks.filter((t) => t.created).length };
  await emitter.emit('spec.tickets_creation_completed', phase, {
    tickets_created: created.tickets,
    tasks_created: created.tasks,
    errors: result.errors,
    tickets_existing: result.tickets.length - created.tickets,
    tasks_existing: result.tasks.length - created.tasks,
    ticket_ids: Object.fromEntries(ticketIds),
    task_ids: Object.fromEntries(result.tasks.map((t) => [t.local_id, t.id])),
  });
  if (result.errors.length > 0) {
    return failed('execution_error', env.attempt, new Error(`the ticket sink reported ${result.errors.length} error(s): ${result.errors.join('; ')}`));
  }
  await emitter.emit('spec.tasks_queued', phase, { task_count: result.tasks.length });
  await emitter.emit('spec.sync_completed', phase, { items_synced: result.tickets.length + result.tasks.length });
  return { kind: 'passed', output, evaluation, artifact: null, sink: result };
}

/** Outputs an earlier phase should have left for `phase`, missing from `phaseData`. */
export function missingContext(phase: Phase, phaseData: PhaseData): Phase[] {
  const needs: Record<Phase, Phase[]> = {
    explore: [],
    prd: ['explore'],
    requirements: ['explore'],
    design: ['requirements'],
    tasks: ['requirements', 'design'],
    sync: ['requirements', 'tasks'],
  };
  return needs[phase].filter((p) => asRecord(phaseData[p]) === undefined);
}
