/** The evaluator of each phase, and the {@link evaluate} dispatcher the state machine calls. */
import type { Phase, PhaseData } from '@specline/protocol';
import type { EvalResult, Evaluate, EvaluateOptions } from '../types';
import type { Check } from './checks';
import { evaluateDesign } from './design';
import { evaluateExplore, evaluatePrd } from './explore';
import { MEANING_CHECKS } from './meaning';
import { evaluateRequirements } from './requirements';
import { evaluateSync } from './sync';
import { evaluateTasks } from './tasks';

export { evaluateDesign } from './design';
export { evaluateExplore, evaluatePrd } from './explore';
export { evaluateRequirements, MIN_ACCEPTANCE_CRITERIA } from './requirements';
export { evaluateSync } from './sync';
export { evaluateTasks, MAX_TASK_HOURS } from './tasks';
export { analyzeEars, type EarsAnalysis, type EarsPattern } from './ears';
export { DEFAULT_THRESHOLD, clamp01, formatFeedback } from './scorecard';
export { runChecks, type Check, type CheckInput } from './checks';
export { MEANING_CHECKS } from './meaning';
export { findVagueWording, type WordingFinding } from './rules/wording';
export { analyzeObservable } from './rules/observable';
export { judgeRelevance } from './rules/relevance';
export { TOTALS as ESTIMATE_TOTALS } from './rules/plan';

/**
 * An evaluator with the given criteria (by default the offline {@link MEANING_CHECKS}); pass more
 * checks (a model judge, say) to add criteria: `createEvaluate([...MEANING_CHECKS, judge])`.
 */
export function createEvaluate(checks: readonly Check[] = MEANING_CHECKS): Evaluate {
  return (phase: Phase, output: unknown, context: PhaseData, options: EvaluateOptions = {}): EvalResult => {
    switch (phase) {
      case 'explore':
        return evaluateExplore(output, context, options, checks);
      case 'prd':
        return evaluatePrd(output, context, options, checks);
      case 'requirements':
        return evaluateRequirements(output, context, options, checks);
      case 'design':
        return evaluateDesign(output, context, options, checks);
      case 'tasks':
        return evaluateTasks(output, context, options, checks);
      case 'sync':
        return evaluateSync(output, context, options, checks);
    }
  };
}

/** Scores `output` of `phase` against the earlier phases' outputs (`context`). Pure; never throws on odd input. */
export const evaluate: Evaluate = createEvaluate();
