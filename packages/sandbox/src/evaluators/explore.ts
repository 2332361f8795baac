/** EXPLORE and PRD evaluators. */
import { ExploreOutput, PrdOutput } from '@specline/protocol';
import type { EvalResult } from '../types';
import { asArray, asRecord } from '../analysis/shape';
import { findDuplicateIds } from '../analysis/traceability';
import { Scorecard, checkSchema, requireObject, text } from './scorecard';

export function evaluateExplore(output: unknown, threshold?: number): EvalResult {
  const card = new Scorecard();
  const o = requireObject(card, output);
  if (!o) return card.result(threshold);
  checkSchema(card, ExploreOutput, o);

  const summary = text(o['codebase_summary']) ?? '';
  if (summary.length < 40) card.warn('codebase_summary', `is ${summary.length} characters; describe the codebase in at least a sentence or two`);
  card.score('summary', 1, Math.min(1, summary.length / 40));

  const stack = asArray(o['tech_stack']).filter((s) => text(s) !== undefined);
  if (stack.length === 0) card.error('tech_stack', 'lists no technology');
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

  const feature = asRecord(o['feature_summary']);
  const featureChecks = [text(feature?.['name']), text(feature?.['one_liner']), asArray(feature?.['scope_in']).length > 0 ? 'y' : undefined];
  if (!text(feature?.['name'])) card.error('feature_summary.name', 'is empty');
  if (!text(feature?.['one_liner'])) card.warn('feature_summary.one_liner', 'is empty');
  if (asArray(feature?.['scope_in']).length === 0) card.warn('feature_summary.scope_in', 'lists nothing in scope');
  card.ratio('feature_summary', 1, featureChecks.filter(Boolean).length, featureChecks.length);
  return card.result(threshold);
}

export function evaluatePrd(output: unknown, threshold?: number): EvalResult {
  const card = new Scorecard();
  const o = requireObject(card, output);
  if (!o) return card.result(threshold);
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
  return card.result(threshold);
}
