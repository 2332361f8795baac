/**
 * Retry repair: when an attempt failed evaluation, the planner mends the previous output instead of
 * starting over. Structural defects are found and fixed directly (missing or duplicate ids, non-EARS
 * text, too few criteria, malformed fields); fields the evaluator named in a problem path
 * (`requirements[REQ-003].text`) and the planner did not already fix are replaced by the freshly
 * generated value of the same item. Every fix is described in one line.
 */
import { PhaseOutputSchemas, Priority, criterionId, type Phase } from '@specline/protocol';
import { asRecord, idOf, type Json } from '../analysis/shape';
import { criteriaForText, responseText } from './requirements';
import { readRequirements } from './read';
import { EARS, applyProblemPaths, clone, normalizeIds, type RepairInput, type RepairResult } from './repairCommon';
import { repairTasks } from './repairTasks';

export type { RepairInput, RepairResult } from './repairCommon';
import { clauseFacts, featureWords, lowerFirst } from './text';

/** Top-level fields that are missing or fail the phase schema are taken from the fresh output. */
function fillFromFresh(phase: Phase, output: Json, fresh: Json, fixes: string[]): void {
  const parsed = PhaseOutputSchemas[phase].safeParse(output);
  const bad = new Set(parsed.success ? [] : parsed.error.issues.map((issue) => String(issue.path[0] ?? '')));
  for (const key of Object.keys(fresh)) {
    if (!(key in output) || bad.has(key)) {
      fixes.push(`${key}: ${key in output ? 'invalid' : 'missing'}, taken from the planner's output`);
      output[key] = clone(fresh[key]);
    }
  }
}

function repairRequirements(input: RepairInput, output: Json, fixes: string[]): void {
  const list = Array.isArray(output['requirements']) ? output['requirements'] : [];
  if (list.length === 0) {
    fixes.push('requirements: none usable, taken from the planner\'s output');
    output['requirements'] = clone(input.fresh['requirements']);
    return;
  }
  const { items } = normalizeIds(list, 'requirement', 'requirements', fixes);
  const feature = featureWords(input.title).join(' ');
  const touched = new Set<string>();
  const explore = input.phaseData['explore'];
  for (const req of items) {
    const id = String(req['id']);
    const text = typeof req['text'] === 'string' ? req['text'].trim() : '';
    if (typeof req['title'] !== 'string' || req['title'].trim() === '') {
      req['title'] = text.replace(/^.*?SHALL\s+/i, '').slice(0, 80) || id;
      fixes.push(`requirements[${id}].title: missing, derived from the text`);
    }
    if (!EARS.test(text)) {
      const body = text.replace(/^(?:the\s+)?(?:system|api|service|server|application|app|backend|platform|it)\s+(?:shall|must|should|will|needs to)\s+/i, '') || String(req['title']);
      req['text'] = `WHEN a client invokes the ${feature} feature, THE SYSTEM SHALL ${responseText(lowerFirst(body), clauseFacts(body))}.`.replace(/\.\.$/, '.');
      touched.add(`${id}.text`);
      fixes.push(`requirements[${id}].text: not EARS, rewritten as WHEN … THE SYSTEM SHALL …`);
    }
    if (!Priority.safeParse(req['priority']).success) {
      const lower = typeof req['priority'] === 'string' ? req['priority'].toLowerCase() : '';
      req['priority'] = Priority.safeParse(lower).success ? lower : 'medium';
      fixes.push(`requirements[${id}].priority: invalid, now ${String(req['priority'])}`);
    }
    if (typeof req['type'] !== 'string' || req['type'] === '') req['type'] = 'functional';
    const criteria = (Array.isArray(req['acceptance_criteria']) ? req['acceptance_criteria'] : [])
      .map((c) => (typeof c === 'string' ? c : typeof asRecord(c)?.['text'] === 'string' ? String(asRecord(c)!['text']) : ''))
      .filter((c) => c.trim() !== '');
    const before = criteria.length;
    for (const extra of criteriaForText(String(req['text']), explore, input.title)) if (criteria.length < 2 && !criteria.includes(extra)) criteria.push(extra);
    if (criteria.length > before) fixes.push(`requirements[${id}].acceptance_criteria: had ${before}, added ${criteria.length - before}`);
    const old = Array.isArray(req['acceptance_criteria']) ? req['acceptance_criteria'] : [];
    const renumbered = criteria.map((text, n) => ({ id: criterionId(id, n + 1), text }));
    if (old.some((c, n) => idOf(asRecord(c)?.['id']) !== criterionId(id, n + 1))) fixes.push(`requirements[${id}].acceptance_criteria: ids renumbered ${criterionId(id, 1)}…`);
    req['acceptance_criteria'] = renumbered;
  }
  applyProblemPaths('requirements', items, (input.fresh['requirements'] as unknown[] | undefined) ?? [], input.problems, touched, fixes);
  output['requirements'] = items;
}

function repairDesign(input: RepairInput, output: Json, fixes: string[]): void {
  const { items } = normalizeIds(Array.isArray(output['components']) ? output['components'] : [], 'component', 'components', fixes);
  const reqs = readRequirements(input.phaseData['requirements']);
  const known = new Set(reqs.map((r) => r.id));
  for (const component of items) {
    const id = String(component['id']);
    if (typeof component['name'] !== 'string' || component['name'] === '') {
      component['name'] = id;
      fixes.push(`components[${id}].name: missing, set to the id`);
    }
    if (typeof component['responsibility'] !== 'string') component['responsibility'] = typeof component['description'] === 'string' ? component['description'] : '';
    const refs = (Array.isArray(component['requirements']) ? component['requirements'] : []).map(idOf).filter((r): r is string => r !== undefined);
    const valid = reqs.length > 0 ? refs.filter((r) => known.has(r)) : refs;
    if (valid.length !== refs.length) fixes.push(`components[${id}].requirements: dropped unknown ${refs.filter((r) => !valid.includes(r)).join(', ')}`);
    component['requirements'] = valid;
  }
  const served = new Set(items.flatMap((c) => c['requirements'] as string[]));
  const kindWords: Record<string, RegExp> = { config: /config/i, observability: /telemetry|log|metric/i, response: /plugin|middleware|route|handler|http|api/i, errors: /plugin|middleware|route|handler|http|api/i, ui: /ui|view|page|component/i };
  for (const req of reqs.filter((r) => !served.has(r.id))) {
    const words = kindWords[req.category];
    const owner = (words ? items.find((c) => words.test(`${String(c['name'])} ${typeof c['kind'] === 'string' ? c['kind'] : ''}`)) : undefined) ?? items.find((c) => /service|core|logic/i.test(String(c['name']))) ?? items[0];
    if (!owner) continue;
    (owner['requirements'] as string[]).push(req.id);
    fixes.push(`${req.id}: served by no component, now cited by ${String(owner['id'])}`);
  }
  const models = Array.isArray(output['data_models']) ? output['data_models'] : [];
  output['data_models'] = models.map(asRecord).filter((m): m is Json => m !== undefined && typeof m['name'] === 'string').map((model) => {
    const fields = model['fields'];
    if (Array.isArray(fields)) return model;
    const converted = Object.entries(asRecord(fields) ?? {}).map(([name, type]) => ({ name, type: typeof type === 'string' ? type : JSON.stringify(type) }));
    fixes.push(`data_models[${String(model['name'])}].fields: converted from a map to a list`);
    return { ...model, fields: converted };
  });
  for (const key of ['error_handling', 'testing_strategy'] as const) {
    const value = output[key];
    if (value !== undefined && typeof value !== 'string') {
      output[key] = Object.entries(asRecord(value) ?? { text: value }).map(([k, v]) => `${k}: ${typeof v === 'string' ? v : JSON.stringify(v)}`).join('\n');
      fixes.push(`${key}: structured value flattened to text`);
    }
  }
  applyProblemPaths('components', items, (input.fresh['components'] as unknown[] | undefined) ?? [], input.problems, new Set(), fixes);
  output['components'] = items;
}

/** Repairs `previous` for `phase`. SYNC is never repaired: it is recomputed by code. */
export function repairOutput(input: RepairInput): RepairResult {
  const fixes: string[] = [];
  const output = clone(input.previous);
  switch (input.phase) {
    case 'requirements':
      repairRequirements(input, output, fixes);
      break;
    case 'design':
      repairDesign(input, output, fixes);
      break;
    case 'tasks':
      repairTasks(input, output, fixes);
      break;
    case 'explore':
    case 'prd':
      break;
    case 'sync':
      return { output: input.fresh, fixes: ['sync: recomputed from the phase data'] };
  }
  fillFromFresh(input.phase, output, input.fresh, fixes);
  output['generated_by'] = 'planner';
  return { output, fixes };
}
