/** DESIGN evaluator: components with stable unique ids that trace to existing requirements, sound endpoints. */
import { DesignOutput, ID_PATTERNS, type PhaseData } from '@specline/protocol';
import type { EvalResult, EvaluateOptions } from '../types';
import { finish, type Check } from './checks';
import { MEANING_CHECKS } from './meaning';
import { isTestRequirement } from './rules/plan';
import { asArray, asRecord, idList, itemLabel, listAt } from '../analysis/shape';
import { findDuplicateIds, idsOf } from '../analysis/traceability';
import { Scorecard, checkSchema, requireObject, text } from './scorecard';

const HTTP_METHODS = new Set(['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS', 'WS']);

export function evaluateDesign(output: unknown, context: PhaseData = {}, options: EvaluateOptions = {}, checks: readonly Check[] = MEANING_CHECKS): EvalResult {
  const card = new Scorecard();
  const o = requireObject(card, output);
  if (!o) return card.result(options.threshold);
  checkSchema(card, DesignOutput, o);

  const components = asArray(o['components']);
  if (components.length === 0) {
    card.error('components', 'lists no component');
    return card.result(options.threshold);
  }
  const duplicates = findDuplicateIds(components);
  for (const id of duplicates) card.error('components', `duplicate id ${id}`);

  const requirements = listAt(context['requirements'], 'requirements');
  const requirementIds = requirements ? new Set(idsOf(requirements)) : undefined;
  const addressed = new Set<string>();
  let goodComponents = 0;
  components.forEach((item, i) => {
    const c = asRecord(item);
    const where = itemLabel('components', item, i);
    const id = text(c?.['id']);
    let ok = true;
    if (id === undefined) {
      card.error(`${where}.id`, 'is missing');
      ok = false;
    } else if (!ID_PATTERNS.component.test(id)) {
      card.error(`${where}.id`, `"${id}" is not a stable component id (DES-001)`);
      ok = false;
    }
    if (!text(c?.['name'])) {
      card.error(`${where}.name`, 'is empty');
      ok = false;
    }
    if (!text(c?.['responsibility'])) {
      card.warn(`${where}.responsibility`, 'is empty: say what this component is for');
      ok = false;
    }
    for (const req of idList(c?.['requirements'])) {
      if (requirementIds && !requirementIds.has(req)) {
        card.error(`${where}.requirements`, `${req} does not exist`);
        ok = false;
      }
      addressed.add(req);
    }
    if (ok) goodComponents++;
  });
  card.ratio('components', 2, goodComponents, components.length);

  // Requirements no component addresses: only judged when components declare what they address.
  // A requirement about the tests themselves is addressed by the testing strategy.
  const declared = addressed.size > 0;
  if (text(o['testing_strategy'])) for (const r of requirements ?? []) if (isTestRequirement(r)) addressed.add(idsOf([r])[0] ?? '');
  if (requirements && declared) {
    const missing = idsOf(requirements).filter((id): id is string => id !== undefined && !addressed.has(id));
    for (const id of missing) card.warn('components', `no component addresses ${id}`);
    card.ratio('requirement_trace', 1, requirements.length - missing.length, requirements.length);
  }

  const endpoints = asArray(o['api_endpoints']);
  const seen = new Set<string>();
  let goodEndpoints = 0;
  endpoints.forEach((item, i) => {
    const e = asRecord(item);
    const method = (text(e?.['method']) ?? '').toUpperCase();
    const path = text(e?.['path']) ?? '';
    const where = `api_endpoints[${i}]`;
    let ok = true;
    if (!HTTP_METHODS.has(method)) {
      card.error(`${where}.method`, `"${method}" is not an HTTP method`);
      ok = false;
    }
    if (!path.startsWith('/')) {
      card.error(`${where}.path`, `"${path}" must start with /`);
      ok = false;
    }
    const key = `${method} ${path}`;
    if (seen.has(key)) {
      card.error(where, `${key} is listed twice`);
      ok = false;
    }
    seen.add(key);
    if (!text(e?.['description'])) card.warn(`${where}.description`, 'is empty');
    if (ok) goodEndpoints++;
  });
  card.ratio('api_endpoints', 1, goodEndpoints, endpoints.length);

  asArray(o['data_models']).forEach((item, i) => {
    const m = asRecord(item);
    if (asArray(m?.['fields']).length === 0) card.warn(`data_models[${text(m?.['name']) ?? i}].fields`, 'is empty');
  });

  const prose = ['architecture_overview', 'error_handling', 'testing_strategy'];
  for (const key of prose) if (!text(o[key])) card.warn(key, 'is empty');
  card.ratio('prose', 1, prose.filter((key) => text(o[key])).length, prose.length);
  return finish(card, 'design', o, context, options, checks);
}
