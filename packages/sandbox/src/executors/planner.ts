/**
 * `planner`: the deterministic, offline phase executor. It uses no model and no network: EXPLORE is
 * a static analysis of the working directory; PRD, REQUIREMENTS, DESIGN and TASKS are derived from
 * the spec's title and description and the earlier outputs by rules; SYNC is computed by the
 * traceability analysis. The same input always gives the same output. On a retry it repairs the
 * previous output using the evaluator's problems instead of starting over.
 */
import type { Phase } from '@specline/protocol';
import { asRecord, type Json } from '../analysis/shape';
import { computeSync } from '../analysis/traceability';
import { loadCodeIndex } from '../codeindex/index';
import type { CodeIndex } from '../codeindex/types';
import type { ExecutionResult, PhaseContext, PhaseExecutor, RetryFeedback } from '../types';
import { generateDesign } from './design';
import { runExplore } from './explore/explore';
import { generatePrd } from './prd';
import { generateRequirements, type PlanInputs } from './requirements';
import { repairOutput } from './repair';
import { generateTasks } from './tasks';

export interface PlannerOptions {
  /** EXPLORE stops after this many files and reports `truncated` (default 50,000). */
  maxFiles?: number;
  /** EXPLORE does not enter directories deeper than this (default 32). */
  maxDepth?: number;
  /** Extra directory names EXPLORE skips, on top of node_modules, .git, dist, build, coverage, … */
  ignore?: readonly string[];
  /** Milliseconds clock, only for the durations in progress lines (never part of an output). */
  now?: () => number;
  /**
   * Builds the code index of a working directory when the runner passed none (`context.index`);
   * default `loadCodeIndex` (shared with EXPLORE, memoised per directory and commit). Called at most
   * once per directory per executor; an error, `undefined` or `false` (no loading) means the plan is
   * grounded on the EXPLORE output's code facts only.
   */
  loadIndex?: ((cwd: string, signal: AbortSignal) => Promise<CodeIndex | undefined>) | false;
}

export const PLANNER_NAME = 'planner';

/** A deterministic planner uses no tokens and costs nothing. */
const NO_USAGE = { input_tokens: 0, output_tokens: 0, cost_usd: 0 } as const;

export function createPlannerExecutor(options: PlannerOptions = {}): PhaseExecutor {
  const maxFiles = options.maxFiles ?? 50_000;
  const maxDepth = options.maxDepth ?? 32;
  const ignore = options.ignore ?? [];
  const indexes = new Map<string, Promise<CodeIndex | undefined>>();
  // The same variant EXPLORE loads (same caps), so the memoised index is shared, not built twice.
  const loadIndex = options.loadIndex === false ? undefined : (options.loadIndex ?? ((cwd: string, signal: AbortSignal) => loadCodeIndex(cwd, { maxFiles, maxDepth, ignoreDirs: ignore, signal })));

  /** The index the plan reads: the runner's, else one built from `cwd` (once), else none. */
  async function indexFor(context: PhaseContext, signal: AbortSignal): Promise<CodeIndex | undefined> {
    if (context.index) return context.index;
    if (!loadIndex) return undefined;
    let pending = indexes.get(context.cwd);
    if (!pending) {
      pending = loadIndex(context.cwd, signal).catch(() => undefined);
      indexes.set(context.cwd, pending);
    }
    return pending;
  }

  async function generate(phase: Phase, context: PhaseContext, signal: AbortSignal): Promise<Json> {
    const { spec, phaseData } = context;
    const explore = phaseData['explore'];
    const hasCodebase = context.hasCodebase !== false && asRecord(explore)?.['has_codebase'] !== false;
    const index = phase !== 'explore' && phase !== 'sync' && hasCodebase ? await indexFor(context, signal) : undefined;
    signal.throwIfAborted();
    const inputs: PlanInputs = { hasCodebase, ...(index ? { index } : {}) };
    const requirements = () => phaseData['requirements'] ?? generateRequirements(spec, explore, inputs);
    switch (phase) {
      case 'explore':
        return runExplore(context.cwd, spec, { maxFiles, maxDepth, ignore, signal, progress: (m) => context.progress(m), ...(options.now ? { now: options.now } : {}), ...(context.index ? { index: context.index } : {}), ...(context.hasCodebase === false ? { hasCodebase: false } : {}) });
      case 'prd':
        return generatePrd(spec, explore, inputs);
      case 'requirements': {
        const output = generateRequirements(spec, explore, inputs);
        const reqs = output.requirements;
        const existing = asRecord(output['existing_implementation']);
        context.progress(
          `Derived ${reqs.length} requirements for ${String(output['change_kind'])} (${reqs.filter((r) => String(r['source']).startsWith('description')).length} from the description's clauses) with ${reqs.reduce((n, r) => n + r.acceptance_criteria.length, 0)} acceptance criteria${existing ? `; ${String(existing['summary'])}` : ''}`,
        );
        return output;
      }
      case 'design': {
        if (phaseData['requirements'] === undefined) context.progress('No REQUIREMENTS output in the context: deriving requirements first');
        const output = generateDesign(spec, explore, requirements(), inputs);
        const modified = output.components.filter((c) => c['change'] === 'modify').length;
        context.progress(`Designed ${output.components.length} components (${modified} on existing files, ${output.components.length - modified} new), ${output.data_models.length} data models, ${output.api_endpoints.length} API endpoints`);
        return output;
      }
      case 'tasks': {
        const reqs = requirements();
        const design = phaseData['design'] ?? generateDesign(spec, explore, reqs, inputs);
        const output = generateTasks(spec, explore, reqs, design, inputs);
        context.progress(`Planned ${output.tickets.length} tickets and ${output.tasks.length} tasks (${String(output['total_estimated_hours'])} h estimated)`);
        return output;
      }
      case 'sync': {
        const output = computeSync(phaseData);
        context.progress(`Traceability computed: ${output.coverage_percent}% of requirements covered, ${output.cycles.length} cycles, ${output.dangling_refs.length} dangling references`);
        return { generated_by: PLANNER_NAME, ...output };
      }
    }
  }

  return {
    name: PLANNER_NAME,
    async execute(phase: Phase, context: PhaseContext, feedback: RetryFeedback | null, signal: AbortSignal): Promise<ExecutionResult> {
      signal.throwIfAborted();
      const fresh = await generate(phase, context, signal);
      signal.throwIfAborted();
      const previous = asRecord(feedback?.previousOutput);
      if (!feedback || !previous || phase === 'sync') {
        if (feedback) context.progress(feedback.previousOutput === null ? `Previous attempt failed${feedback.error ? ` (${feedback.error})` : ''}; generated the output again` : 'SYNC is recomputed from the phase data on every attempt');
        return { output: fresh, usage: { ...NO_USAGE } };
      }
      const { output, fixes } = repairOutput({ phase, previous, fresh, problems: feedback.problems, phaseData: context.phaseData, title: context.spec.title });
      context.progress(
        `Repaired the previous ${phase} output: ${feedback.problems.length} problem${feedback.problems.length === 1 ? '' : 's'} reported, ${fixes.length} fix${fixes.length === 1 ? '' : 'es'} applied`,
        { fixes: fixes.slice(0, 50), problems: feedback.problems.length },
      );
      return { output: { ...output, repaired_from_attempt: feedback.attempt, repairs: fixes }, usage: { ...NO_USAGE } };
    },
  };
}

