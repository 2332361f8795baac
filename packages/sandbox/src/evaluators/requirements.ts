/** REQUIREMENTS evaluator: EARS text, ≥ 2 acceptance criteria each, unique stable ids. */
import { ID_PATTERNS, RequirementsOutput } from '@specline/protocol';
import type { PhaseData } from '@specline/protocol';
import type { EvalResult, EvaluateOptions } from '../types';
import { finish, type Check } from './checks';
import { MEANING_CHECKS } from './meaning';
import { asArray, asRecord, itemLabel } from '../analysis/shape';
import { findDuplicateIds } from '../analysis/traceability';
import { analyzeEars } from './ears';
import { Scorecard, checkSchema, requireObject, text } from './scorecard';

export const MIN_ACCEPTANCE_CRITERIA = 2;

export function evaluateRequirements(output: unknown, context: PhaseData = {}, options: EvaluateOptions = {}, checks: readonly Check[] = MEANING_CHECKS): EvalResult {
  const card = new Scorecard();
  const o = requireObject(card, output);
  if (!o) return card.result(options.threshold);
  checkSchema(card, RequirementsOutput, o);

  const requirements = asArray(o['requirements']);
  if (requirements.length === 0) {
    card.error('requirements', 'lists no requirement');
    return card.result(options.threshold);
  }

  let goodIds = 0;
  let ears = 0;
  let criteriaOk = 0;
  const duplicates = findDuplicateIds(requirements);
  for (const id of duplicates) card.error('requirements', `duplicate id ${id}`);
  const texts = new Map<string, string>();

  requirements.forEach((item, i) => {
    const r = asRecord(item);
    const where = itemLabel('requirements', item, i);
    const id = text(r?.['id']);
    if (id === undefined) card.error(`${where}.id`, 'is missing');
    else if (!ID_PATTERNS.requirement.test(id)) card.error(`${where}.id`, `"${id}" is not a stable requirement id (REQ-001)`);
    else if (!duplicates.includes(id)) goodIds++;

    const sentence = text(r?.['text']);
    if (sentence === undefined) {
      card.error(`${where}.text`, 'is empty: missing EARS requirement text');
    } else {
      const analysis = analyzeEars(sentence);
      if (analysis.pattern === null) card.error(`${where}.text`, `missing EARS pattern: ${analysis.reason ?? 'not EARS'}`);
      else ears++;
      for (const modal of analysis.weakModals) card.warn(`${where}.text`, `uses the weak modal "${modal}"; a requirement SHALL`);
      const key = sentence.toLowerCase().replace(/\s+/g, ' ');
      const twin = texts.get(key);
      if (twin !== undefined) card.warn(`${where}.text`, `repeats the text of ${twin}`);
      else texts.set(key, where);
    }

    const criteria = asArray(r?.['acceptance_criteria']);
    if (criteria.length < MIN_ACCEPTANCE_CRITERIA) {
      card.error(`${where}.acceptance_criteria`, `has ${criteria.length}; at least ${MIN_ACCEPTANCE_CRITERIA} acceptance criteria are required`);
    }
    let criteriaValid = criteria.length >= MIN_ACCEPTANCE_CRITERIA;
    for (const dup of findDuplicateIds(criteria)) {
      card.error(`${where}.acceptance_criteria`, `duplicate id ${dup}`);
      criteriaValid = false;
    }
    criteria.forEach((criterion, k) => {
      const c = asRecord(criterion);
      const cid = text(c?.['id']);
      const cwhere = `${where}.acceptance_criteria[${cid ?? k}]`;
      if (text(c?.['text']) === undefined) {
        card.error(`${cwhere}.text`, 'is empty');
        criteriaValid = false;
      }
      if (cid === undefined) {
        card.error(`${cwhere}.id`, 'is missing');
        criteriaValid = false;
      } else if (!ID_PATTERNS.criterion.test(cid) || (id !== undefined && !cid.startsWith(`${id}.`))) {
        card.warn(`${cwhere}.id`, `"${cid}" should be ${id ?? 'REQ-001'}.AC-${k + 1}`);
      }
    });
    if (criteriaValid) criteriaOk++;

    if (text(r?.['title']) === undefined) card.warn(`${where}.title`, 'is empty');
  });

  card.ratio('ids', 1, goodIds, requirements.length);
  card.ratio('ears', 2, ears, requirements.length);
  card.ratio('acceptance_criteria', 2, criteriaOk, requirements.length);
  const warnings = card.problems.filter((p) => p.severity === 'warning').length;
  card.score('clarity', 0.5, 1 - warnings / Math.max(1, requirements.length * 2));
  return finish(card, 'requirements', o, context, options, checks);
}
