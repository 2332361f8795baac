/**
 * EXPLORE and PRD evaluators. An EXPLORE of a project without a repository (`has_codebase: false`)
 * may have empty lists but must say so in its summary; an EXPLORE that found nothing where there is
 * code fails (on `tech_stack`, and against the repository when one is given).
 */
import { ExploreOutput, PrdOutput } from '@specline/protocol';
import type { PhaseData } from '@specline/protocol';
import type { EvalResult, EvaluateOptions } from '../types';
import { finish, type Check } from './checks';
import { MEANING_CHECKS } from './meaning';
import { asArray, asRecord } from '../analysis/shape';
import { findDuplicateIds } from '../analysis/traceability';
import { Scorecard, checkSchema, requireObject, text } from './scorecard';

export function evaluateExplore(output: unknown, context: PhaseData = {}, options: EvaluateOptions = {}, checks: readonly Check[] = MEANING_CHECKS): EvalResult {
  const card = new Scorecard();
  const o = requireObject(card, output);
  if (!o) return card.result(options.threshold);
  checkSchema(card, ExploreOutput, o);

  const summary = text(o['codebase_summary']) ?? '';
  if (o['has_codebase'] === false) scoreWithoutCodebase(card, o, summary);
  else scoreCodebase(card, o, summary);

  const feature = asRecord(o['feature_summary']);
  const featureChecks = [text(feature?.['name']), text(feature?.['one_liner']), asArray(feature?.['scope_in']).length > 0 ? 'y' : undefined];
  if (!text(feature?.['name'])) card.error('feature_summary.name', 'is empty');
  if (!text(feature?.['one_liner'])) card.warn('feature_summary.one_liner', 'is empty');
  if (asArray(feature?.['scope_in']).length === 0) card.warn('feature_summary.scope_in', 'lists nothing in scope');
  card.ratio('feature_summary', 1, featureChecks.filter(Boolean).length, featureChecks.length);
  return finish(card, 'explore', o, context, options, checks);
}

const NO_CODEBASE = /\b(?:no|without|not (?:connected|linked|available)|none)\b[^.]{0,40}\b(?:code ?base|repositor(?:y|ies)|source code|code|project files)\b|\b(?:code ?base|repositor(?:y|ies))\b[^.]{0,30}\b(?:is|was) (?:not|missing|absent|empty)\b/i;

function scoreWithoutCodebase(card: Scorecard, o: Record<string, unknown>, summary: string): void {
  if (!NO_CODEBASE.test(summary)) {
    card.warn('codebase_summary', 'has_codebase is false: say so in the summary (e.g. "No repository is connected; the plan is written from the request alone")');
  }
  card.score('summary', 1, NO_CODEBASE.test(summary) ? 1 : 0.5);
  for (const key of ['key_files', 'entry_points']) {
    if (asArray(o[key]).length > 0) card.warn(key, `lists ${asArray(o[key]).length} item(s), but has_codebase is false: there is no repository to point into`);
  }
  card.score('codebase', 1, 1);
}

function scoreCodebase(card: Scorecard, o: Record<string, unknown>, summary: string): void {
  if (summary.length < 40) card.warn('codebase_summary', `is ${summary.length} characters; describe the codebase in at least a sentence or two`);
  card.score('summary', 1, Math.min(1, summary.length / 40));

  const stack = asArray(o['tech_stack']).filter((s) => text(s) !== undefined);
  if (stack.length === 0) card.error('tech_stack', 'lists no technology: name the languages and frameworks found (or set has_codebase: false when there is no repository)');
  card.score('tech_stack', 1, stack.length > 0 ? 1 : 0);

  const keyFiles = asArray(o['key_files']);
  const paths = keyFiles.map((f) => text(asRecord(f)?.['path']));
  keyFiles.forEach((f, i) => {
    if (paths[i] === undefined) card.error(`key_files[${i}].path`, 'is empty');
    else if (text(asRecord(f)?.['purpose']) === undefined) card.warn(`key_files[${i}].purpose`, `says nothing about ${paths[i]}`);
    else if (paths.indexOf(paths[i]) !== i) card.warn(`key_files[${i}].path`, `${paths[i]} is listed twice`);
  });
  if (keyFiles.length === 0) card.warn('key_files', 'lists no key file');
  card.ratio('key_files', 1, paths.filter((p) => p !== undefined).length, Math.max(1, keyFiles.length));

  const structure = asRecord(o['structure']) ?? {};
  if (Object.keys(structure).length === 0) card.warn('structure', 'describes no top-level structure');
  card.score('structure', 0.5, Object.keys(structure).length > 0 ? 1 : 0);

  if (asArray(o['entry_points']).length === 0) card.warn('entry_points', 'lists no entry point');
  if (text(o['test_structure']) === undefined) card.warn('test_structure', 'is empty');
  card.score('entry_and_tests', 0.5, (asArray(o['entry_points']).length > 0 ? 0.5 : 0) + (text(o['test_structure']) ? 0.5 : 0));
}

export function evaluatePrd(output: unknown, context: PhaseData = {}, options: EvaluateOptions = {}, checks: readonly Check[] = MEANING_CHECKS): EvalResult {
  const card = new Scorecard();
  const o = requireObject(card, output);
  if (!o) return card.result(options.threshold);
  checkSchema(card, PrdOutput, o);

  const overview = asRecord(o['overview']);
  const overviewFields = ['one_liner', 'problem_statement', 'solution_summary'].filter((k) => text(overview?.[k]) !== undefined);
  for (const k of ['one_liner', 'problem_statement', 'solution_summary']) if (!text(overview?.[k])) card.warn(`overview.${k}`, 'is empty');
  card.ratio('overview', 1, overviewFields.length, 3);

  const goals = asArray(o['goals']).filter((g) => text(g) !== undefined);
  if (goals.length === 0) card.error('goals', 'lists no goal');
  card.score('goals', 1, goals.length > 0 ? 1 : 0);

  const stories = asArray(o['user_stories']);
  if (stories.length === 0) card.error('user_stories', 'lists no user story');
  for (const id of findDuplicateIds(stories)) card.error('user_stories', `duplicate id ${id}`);
  let goodStories = 0;
  stories.forEach((story, i) => {
    const s = asRecord(story);
    const where = `user_stories[${text(s?.['id']) ?? i}]`;
    const missing = ['role', 'want', 'benefit'].filter((k) => !text(s?.[k]));
    if (missing.length > 0) card.warn(where, `is missing ${missing.join(', ')}`);
    const criteria = asArray(s?.['acceptance_criteria']).length;
    if (criteria === 0) card.warn(`${where}.acceptance_criteria`, 'is empty');
    if (missing.length === 0 && criteria > 0) goodStories++;
  });
  card.ratio('user_stories', 2, goodStories, Math.max(1, stories.length));

  const scope = asRecord(o['scope']);
  if (asArray(scope?.['in_scope']).length === 0) card.warn('scope.in_scope', 'lists nothing in scope');
  card.score('scope', 0.5, asArray(scope?.['in_scope']).length > 0 ? 1 : 0);
  return finish(card, 'prd', o, context, options, checks);
}
