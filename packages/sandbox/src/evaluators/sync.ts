/**
 * SYNC evaluator: the output must agree with a recomputation from the earlier phases (a claimed
 * coverage or readiness is never taken on trust), and the plan must be ready for execution.
 */
import { SyncOutput, type PhaseData } from '@specline/protocol';
import type { EvalResult, EvaluateOptions } from '../types';
import { finish, type Check } from './checks';
import { MEANING_CHECKS } from './meaning';
import { asArray, asRecord } from '../analysis/shape';
import { computeSync } from '../analysis/traceability';
import { Scorecard, checkSchema, requireObject } from './scorecard';

const key = (value: unknown) => JSON.stringify(value);

export function evaluateSync(output: unknown, context: PhaseData = {}, options: EvaluateOptions = {}, checks: readonly Check[] = MEANING_CHECKS): EvalResult {
  const card = new Scorecard();
  const o = requireObject(card, output);
  if (!o) return card.result(options.threshold);
  checkSchema(card, SyncOutput, o);
  const expected = computeSync(context);

  let agree = 0;
  const total = 5;
  const claimed = typeof o['coverage_percent'] === 'number' ? o['coverage_percent'] : NaN;
  if (Math.abs(claimed - expected.coverage_percent) <= 0.01) agree++;
  else card.error('coverage_percent', `claims ${String(o['coverage_percent'])} but the tasks cover ${expected.coverage_percent}% of requirements`);

  const claimedCoverage = new Map(
    asArray(o['coverage']).map((row) => [String(asRecord(row)?.['requirement_id']), asArray(asRecord(row)?.['task_ids']).map(String).sort()]),
  );
  const coverageWrong = expected.coverage.filter((row) => key(claimedCoverage.get(row.requirement_id)) !== key([...row.task_ids].sort()));
  for (const row of coverageWrong) {
    card.error(`coverage[${row.requirement_id}]`, `should list tasks [${row.task_ids.join(', ')}], claims [${(claimedCoverage.get(row.requirement_id) ?? []).join(', ')}]`);
  }
  if (coverageWrong.length === 0 && claimedCoverage.size === expected.coverage.length) agree++;
  else if (claimedCoverage.size !== expected.coverage.length) card.error('coverage', `has ${claimedCoverage.size} rows for ${expected.coverage.length} requirements`);

  const cyclesOf = (value: unknown) => new Set(asArray(value).map((c) => asArray(c).map(String).join('→')));
  const claimedCycles = cyclesOf(o['cycles']);
  const expectedCycles = cyclesOf(expected.cycles);
  if (claimedCycles.size === expectedCycles.size && [...expectedCycles].every((c) => claimedCycles.has(c))) agree++;
  else card.error('cycles', `claims ${claimedCycles.size} cycle(s), recomputation finds ${expectedCycles.size}: ${[...expectedCycles].join('; ') || 'none'}`);

  if (asArray(o['dangling_refs']).length === expected.dangling_refs.length) agree++;
  else card.error('dangling_refs', `claims ${asArray(o['dangling_refs']).length}, recomputation finds ${expected.dangling_refs.length}`);

  if (o['ready_for_execution'] === expected.ready_for_execution && o['dependency_order_valid'] === expected.dependency_order_valid) agree++;
  else {
    card.error(
      'ready_for_execution',
      `claims ready=${String(o['ready_for_execution'])}, order_valid=${String(o['dependency_order_valid'])}; recomputation: ready=${expected.ready_for_execution}, order_valid=${expected.dependency_order_valid}`,
    );
  }
  card.ratio('consistency', 2, agree, total);

  for (const blocker of expected.blockers) card.error('blockers', blocker);
  card.score('readiness', 2, expected.ready_for_execution ? 1 : 0);
  return finish(card, 'sync', o, context, options, checks);
}
