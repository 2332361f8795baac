/**
 * Pluggable criteria. A {@link Check} judges one aspect of a phase output, records its problems on
 * the scorecard and returns its score; the evaluator adds it as a weighted criterion named after
 * the check. A check that needs the request or the repository is skipped without them and shows as
 * `<name>_skipped: 1` in `details`. The offline meaning checks are in `meaning.ts`; a model judge
 * would be one more Check (its verdict computed before the synchronous evaluation, since `Evaluate`
 * is pure and synchronous) passed to {@link createEvaluate}.
 */
import type { Phase, PhaseData } from '@specline/protocol';
import type { Json } from '../analysis/shape';
import type { EvalResult, EvaluateOptions, RepoView, SpecInfo } from '../types';
import type { Scorecard } from './scorecard';

export interface CheckInput {
  phase: Phase;
  output: Json;
  /** Outputs of the earlier phases. */
  context: PhaseData;
  spec?: Pick<SpecInfo, 'title' | 'description'>;
  repo?: RepoView;
}

export interface Check {
  /** The criterion's name in `details`. */
  readonly name: string;
  readonly phases: readonly Phase[];
  readonly weight: number;
  /** Inputs the check cannot work without; when one is missing the check is skipped. */
  readonly needs?: readonly ('spec' | 'repo')[];
  /** Records problems on `card` and returns the criterion's score in [0, 1], or null when there was nothing to judge (skipped). */
  run(input: CheckInput, card: Scorecard): number | null;
}

export function checkInput(phase: Phase, output: Json, context: PhaseData, options: EvaluateOptions): CheckInput {
  return { phase, output, context, ...(options.spec ? { spec: options.spec } : {}), ...(options.repo ? { repo: options.repo } : {}) };
}

/** Runs the checks that apply to `input.phase`, adding one criterion (or a skip) each. */
export function runChecks(checks: readonly Check[], input: CheckInput, card: Scorecard): void {
  for (const check of checks) {
    if (!check.phases.includes(input.phase)) continue;
    if (check.needs?.some((need) => input[need] === undefined)) {
      card.skip(check.name);
      continue;
    }
    const score = check.run(input, card);
    if (score === null) card.skip(check.name);
    else card.score(check.name, check.weight, score);
  }
}

/** Runs `checks` on a phase output the structural evaluator has already scored on `card`, then scores the card. */
export function finish(card: Scorecard, phase: Phase, output: Json, context: PhaseData, options: EvaluateOptions, checks: readonly Check[]): EvalResult {
  runChecks(checks, checkInput(phase, output, context, options), card);
  return card.result(options.threshold);
}
