/** The evaluator of each phase, and the {@link evaluate} dispatcher the state machine calls. */
import type { Phase, PhaseData } from '@specline/protocol';
import type { EvalResult, Evaluate } from '../types';
import { evaluateDesign } from './design';
import { evaluateExplore, evaluatePrd } from './explore';
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

/** Scores `output` of `phase` against the earlier phases' outputs (`context`). Pure; never throws on odd input. */
export const evaluate: Evaluate = (phase: Phase, output: unknown, context: PhaseData, options = {}): EvalResult => {
  const threshold = options.threshold;
  switch (phase) {
    case 'explore':
      return evaluateExplore(output, threshold);
    case 'prd':
      return evaluatePrd(output, threshold);
    case 'requirements':
      return evaluateRequirements(output, threshold);
    case 'design':
      return evaluateDesign(output, context, threshold);
    case 'tasks':
      return evaluateTasks(output, context, threshold);
    case 'sync':
      return evaluateSync(output, context, threshold);
  }
};
