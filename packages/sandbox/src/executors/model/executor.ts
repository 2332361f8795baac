/**
 * `anthropic` and `openai`: model-backed phase executors. Each phase is one bounded agent loop
 * (`loop.ts`) over a provider adapter: the prompt of the phase (`prompts/<phase>.md`) with the earlier
 * outputs, the repository tools, and the phase's schema as the answer's contract. A retry carries the
 * previous output and the evaluator's feedback. EXPLORE merges the model's narrative over the static
 * analysis; SYNC is computed by code (runSpec never asks an executor for it).
 */
import type { Phase } from '@specline/protocol';
import { asRecord } from '../../analysis/shape';
import { computeSync } from '../../analysis/traceability';
import { systemClock } from '../../clock';
import { renderPrompt } from '../../prompts/index';
import type { Clock, ExecutionResult, Logger, PhaseContext, PhaseExecutor, RetryFeedback } from '../../types';
import { mergeExplore, staticExplore, type StaticExploreOptions } from './explore';
import { DEFAULT_LOOP_LIMITS, runAgentLoop, type LoopLimits } from './loop';
import { renderOverview } from './overview';
import { mergePrices, priceOf, type PriceTable } from './prices';
import { Repo } from './repo';
import { responseFormatName, submitToolName, type ModelPhase } from './schemas';
import { RepoTools } from './tools';
import type { ModelClient, StructuredOutputMode } from './types';

export interface ModelExecutorOptions {
  client: ModelClient;
  model: string;
  /** `tool` (default): a `submit_<phase>` tool; `json_schema`: OpenAI `response_format` (OpenAI-compatible servers only). */
  structuredOutput?: StructuredOutputMode;
  /** Stream the answers (default true). */
  stream?: boolean;
  limits?: Partial<LoopLimits>;
  /** Bytes of repository content per attempt (default 256 KiB). */
  maxReadBytes?: number;
  /** Price overrides ($ per million tokens), laid over the built-in table. */
  prices?: PriceTable;
  clock?: Clock;
  random?: () => number;
  logger?: Logger;
  /** Options of the static EXPLORE under the model's. */
  explore?: StaticExploreOptions;
}

export const DEFAULT_MAX_READ_BYTES = 256 * 1024;

const PHASE_PROMPT: Record<ModelPhase, 'explore' | 'prd' | 'requirements' | 'design' | 'tasks'> = {
  explore: 'explore',
  prd: 'prd',
  requirements: 'requirements',
  design: 'design',
  tasks: 'tasks',
};

function json(value: unknown): string {
  const pretty = JSON.stringify(value, null, 2) ?? 'null';
  return pretty.length > 60_000 ? (JSON.stringify(value) ?? 'null') : pretty;
}

/** Earlier outputs a phase is written from (EXPLORE's facts travel in the overview). */
function contextFor(phase: Phase, context: PhaseContext): Record<string, unknown> {
  const data = context.phaseData;
  const pick = (...phases: Phase[]) => Object.fromEntries(phases.flatMap((p) => (data[p] !== undefined ? [[p, data[p]]] : [])));
  const explore = asRecord(data['explore']);
  const feature = explore?.['feature_summary'] !== undefined ? { explore: { feature_summary: explore['feature_summary'] } } : {};
  switch (phase) {
    case 'requirements':
      return { ...feature, ...pick('prd') };
    case 'design':
      return { ...feature, ...pick('prd', 'requirements') };
    case 'tasks':
      return pick('requirements', 'design');
    case 'explore':
    case 'prd':
    case 'sync':
      return {};
  }
}

function retryText(feedback: RetryFeedback | null, attempt: number): string {
  if (!feedback) return '';
  if (feedback.previousOutput === null) {
    return `\n\n${renderPrompt('retry-error', { attempt, error: feedback.error ?? 'unknown error' })}`;
  }
  const problems = feedback.problems.length > 0 ? feedback.problems.map((p) => `- [${p.severity}] ${p.path}: ${p.message}`).join('\n') : feedback.text || '- (no details)';
  return `\n\n${renderPrompt('retry', { attempt, previous_attempt: feedback.attempt, score: feedback.score.toFixed(2), feedback: problems, previous_output: json(feedback.previousOutput) })}`;
}

export function createModelExecutor(options: ModelExecutorOptions): PhaseExecutor {
  const { client, model } = options;
  const structured = options.structuredOutput ?? 'tool';
  if (structured === 'json_schema' && client.provider !== 'openai') throw new Error('structured output json_schema needs the openai executor (Anthropic answers through the submit tool)');
  const limits: LoopLimits = { ...DEFAULT_LOOP_LIMITS, ...(options.limits ?? {}) };
  const maxReadBytes = options.maxReadBytes ?? DEFAULT_MAX_READ_BYTES;
  const clock = options.clock ?? systemClock;
  const price = priceOf(model, mergePrices(options.prices));
  if (!price) options.logger?.warn(`no price for model "${model}": its cost is reported as 0 (set MODEL_PRICES to price it)`);
  const repos = new Map<string, Repo>();
  const repoFor = (cwd: string) => {
    let repo = repos.get(cwd);
    if (!repo) {
      repo = new Repo(cwd);
      repos.set(cwd, repo);
    }
    return repo;
  };

  const system = (hasCodebase: boolean, phase: Phase) => {
    const answer = structured === 'tool' ? renderPrompt('answer-tool', { submit: submitToolName(phase) }) : renderPrompt('answer-json', { schema_name: responseFormatName(phase) });
    const base = renderPrompt('system', { answer_instruction: answer });
    return hasCodebase ? base : `${base}\n\n${renderPrompt('no-codebase', {})}`;
  };

  return {
    name: client.provider,
    model,
    async execute(phase: Phase, context: PhaseContext, feedback: RetryFeedback | null, signal: AbortSignal): Promise<ExecutionResult> {
      signal.throwIfAborted();
      if (phase === 'sync') return { output: computeSync(context.phaseData) };
      const hasCodebase = context.hasCodebase !== false;
      const repo = hasCodebase ? repoFor(context.cwd) : undefined;

      let draft: Record<string, unknown> | undefined;
      let overviewSource: unknown = context.phaseData['explore'];
      let prompt: string;
      if (phase === 'explore') {
        draft = await staticExplore(context, signal, options.explore);
        overviewSource = draft;
        prompt = renderPrompt('explore', { title: context.spec.title, description: context.spec.description || '(none)', draft: json(draft) });
      } else {
        prompt = renderPrompt(PHASE_PROMPT[phase], {
          title: context.spec.title,
          description: context.spec.description || '(none)',
          ...(phase === 'prd' ? { explore: json(context.phaseData['explore'] ?? {}) } : { context: json(contextFor(phase, context)) }),
        });
      }
      prompt += retryText(feedback, context.attempt);
      const overview = overviewSource !== undefined ? renderPrompt('overview', { overview: renderOverview(overviewSource) }) : '';
      const tools = repo ? new RepoTools(repo, { maxReadBytes }, context.index) : undefined;

      const result = await runAgentLoop({
        client,
        model,
        phase,
        system: system(hasCodebase, phase),
        overview,
        prompt,
        structured,
        ...(tools ? { tools } : {}),
        stream: options.stream ?? true,
        limits,
        clock,
        ...(options.random ? { random: options.random } : {}),
        price,
        progress: (message, extra) => context.progress(message, extra),
        signal,
      });

      if (phase !== 'explore' || !draft) return { output: result.output, usage: result.usage };
      const known = new Set<string>();
      if (repo) {
        for (const file of (await repo.files()).files) {
          known.add(file);
          for (let i = file.indexOf('/'); i > 0; i = file.indexOf('/', i + 1)) known.add(file.slice(0, i));
        }
      }
      const { output, report } = mergeExplore(draft, result.output, (p) => known.has(p) || context.index?.exists(p) === true);
      const dropped = [...report.keyFilesDropped, ...report.relatedDropped];
      context.progress(
        `Merged the model's EXPLORE over the static analysis: ${report.keyFiles} key files, ${report.relatedCode} related code entries${dropped.length > 0 ? `; dropped ${dropped.length} path(s) not in the repository (${dropped.slice(0, 5).join(', ')})` : ''}`,
      );
      return { output, usage: result.usage };
    },
  };
}
