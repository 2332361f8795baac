/**
 * The seams of the sandbox: what the state machine calls (executor, evaluator, ticket sink), what
 * observes it (reporters), and what it is given (clock, logger). Implementations live in their own
 * folders; this file holds only contracts.
 */
import type { Phase, PhaseData, SpecEvent, Usage } from '@specline/protocol';
import type { CodeIndex } from './codeindex/types';

/** Time, injected so tests never wait for real. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or rejects with the signal's reason when it aborts first. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
  /** Calls `fn` every `ms` until the returned function is called. */
  every(ms: number, fn: () => void): () => void;
}

/** Three-method logger (packages never print). */
export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

/** What a spec run is about. */
export interface SpecInfo {
  id: string;
  title: string;
  description: string;
}

/** Evaluator feedback handed to a retry, together with the output it judged. */
export interface RetryFeedback {
  attempt: number;
  score: number;
  text: string;
  problems: EvalProblem[];
  /** The previous attempt's output, so a retry can repair rather than start over. `null` after an execution error. */
  previousOutput: Record<string, unknown> | null;
  /** The previous attempt's error, when it failed to execute. */
  error?: string;
}

/**
 * What the evaluators and executors may ask about the repository a run is about, answered from the
 * code index (`codeindex/`). Paths are repository-relative with `/` separators.
 */
export interface RepoView {
  /** Is there a file or a directory at this path? */
  exists(path: string): boolean;
  isDir(path: string): boolean;
  /** Languages by file count, most first; generated and vendored files left out. */
  languages: readonly { name: string; files: number }[];
  /** Language of a file name by its extension (`src/a.py` → `Python`), or null when it is no source file. */
  languageOf(path: string): string | null;
  /** Test runners the repository uses (`pytest`, `Vitest`, `JUnit`, …), main one first. */
  testRunners: readonly string[];
}

export interface PhaseContext {
  spec: SpecInfo;
  /** Working directory the run is about (EXPLORE analyses it). */
  cwd: string;
  /** False when the project has no connected repository: EXPLORE reports that and plans come from the request alone. Default true. */
  hasCodebase?: boolean;
  /** The code index of `cwd` (absent without a code base, or when the caller did not build one). */
  index?: CodeIndex;
  /** Outputs of the phases that finished before this one (or were given as context for a resume). */
  phaseData: PhaseData;
  attempt: number;
  maxAttempts: number;
  /** Reports a human-readable progress line; becomes a `spec.progress` event. */
  progress(message: string, extra?: Record<string, unknown>): void;
}

export interface ExecutionResult {
  output: Record<string, unknown>;
  usage?: Usage;
}

/**
 * An executor error that retrying cannot fix (a rejected API key, a model that does not exist): the
 * phase fails at once, with no further attempt. Any error with `fatal: true` counts.
 */
export class FatalExecutorError extends Error {
  override name = 'FatalExecutorError';
  readonly fatal = true;
}

/** Produces a phase's output. `planner` is the deterministic offline one; model-backed ones plug in here. */
export interface PhaseExecutor {
  readonly name: string;
  /** The model it calls (`claude-sonnet-4-5`, `qwen2.5-coder:7b`), or null/absent for the planner. */
  readonly model?: string | null;
  execute(phase: Phase, context: PhaseContext, feedback: RetryFeedback | null, signal: AbortSignal): Promise<ExecutionResult>;
}

export interface EvalProblem {
  /** Where: `requirements[2].text`, `tasks[TSK-004].depends_on`. */
  path: string;
  message: string;
  severity: 'error' | 'warning';
}

export interface EvalResult {
  /** In [0, 1], clamped. */
  score: number;
  passed: boolean;
  threshold: number;
  /** Per-criterion scores, each in [0, 1]. */
  details: Record<string, number>;
  problems: EvalProblem[];
  /** Every problem on its own line, naming where it is. Empty when there is nothing to say. */
  feedback: string;
}

export interface EvaluateOptions {
  threshold?: number;
  /** The request, for the relevance checks. */
  spec?: Pick<SpecInfo, 'title' | 'description'>;
  /** The repository, for the grounding checks (paths exist, language and runner consistency). Without it those checks are skipped. */
  repo?: RepoView;
}

/** Scores a phase output against the earlier outputs. Pure. */
export type Evaluate = (phase: Phase, output: unknown, context: PhaseData, options?: EvaluateOptions) => EvalResult;

export interface SinkTicket {
  local_id: string;
  title: string;
  description: string;
  priority: string;
  requirements: string[];
}
export interface SinkTask {
  local_id: string;
  ticket_local_id: string;
  title: string;
  description: string;
  priority: string;
  estimated_hours: number | null;
  depends_on: string[];
}
export interface SinkResult {
  tickets: { local_id: string; id: string; title: string; created: boolean }[];
  tasks: { local_id: string; id: string; ticket_id: string; title: string; created: boolean }[];
  errors: string[];
}
/** Where SYNC creates tickets and tasks. Idempotent by local id: a second call creates nothing new. */
export interface TicketSink {
  createTickets(input: { tickets: SinkTicket[]; tasks: SinkTask[] }, signal?: AbortSignal): Promise<SinkResult>;
}

/**
 * Observes events. Reporters never change the run. `report` may buffer; `flush` delivers everything
 * reported so far; `close` flushes and releases resources. A reporter never throws from `report`.
 */
export interface Reporter {
  report(event: SpecEvent): Promise<void>;
  flush(): Promise<void>;
  close(): Promise<void>;
}
