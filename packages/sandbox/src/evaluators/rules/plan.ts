/**
 * Substance of a task plan: test tasks come after the implementation they test; no single task
 * lumps every requirement of a multi-component design; each task says what of the request it
 * builds; and the total estimate is plausible for the scope.
 */
import { asArray, asRecord, idList, itemLabel, refsAt } from '../../analysis/shape';
import { TASK_COMPONENT_FIELDS, idsOf, normalizeDependencies, taskRequirementIds } from '../../analysis/traceability';
import { contentTerms, isWeakTerm } from '../../analysis/words';
import { text } from '../scorecard';

export interface PlanProblem {
  where: string;
  severity: 'error' | 'warning';
  message: string;
}

/** Estimate bounds for the whole plan (documented in the evaluators README). */
export const TOTALS = {
  /** Below this many hours per requirement, a plan cannot have built and tested it. */
  minHoursPerRequirement: 0.5,
  /** The usual size of one requirement; a plan beyond 10× this per requirement is out of scope. */
  typicalHoursPerRequirement: 4,
  maxFactor: 10,
  /** Above this many hours per design component, the plan is padded or the design too coarse (a warning). */
  maxHoursPerComponent: 16,
} as const;

const TEST_TITLE = /^\s*(?:(?:write|add|create|implement|extend|update)\s+)?(?:(?:unit|integration|e2e|end-to-end|api|regression|automated|contract|acceptance)\s+)*tests?\b|\btests?\s+(?:for|of|covering)\b|\btesting\b/i;
const TEST_DESCRIPTION = /^\s*(?:write|add|create)\b[^.]{0,40}\btests?\b/i;
const DOC_TITLE = /^\s*(?:document|docs?\b|write (?:the )?docs|update (?:the )?(?:readme|docs|documentation|changelog))/i;

export function isTestTask(task: unknown): boolean {
  const t = asRecord(task);
  const type = (text(t?.['type']) ?? text(t?.['kind']) ?? '').toLowerCase();
  if (/^(?:tests?|testing|qa)$/.test(type)) return true;
  if (type !== '' && type !== 'task') return false;
  return TEST_TITLE.test(text(t?.['title']) ?? '') || TEST_DESCRIPTION.test(text(t?.['description']) ?? '');
}

export function isDocTask(task: unknown): boolean {
  const t = asRecord(task);
  const type = (text(t?.['type']) ?? text(t?.['kind']) ?? '').toLowerCase();
  return /^(?:docs?|documentation)$/.test(type) || DOC_TITLE.test(text(t?.['title']) ?? '');
}

/** A requirement about the tests themselves ("Automated tests for rate limiting"). */
export function isTestRequirement(requirement: unknown): boolean {
  return /\btests?\b|\btesting\b/i.test(text(asRecord(requirement)?.['title']) ?? '');
}

/** Every task `id` depends on, directly or not. */
function ancestors(id: string, byId: Map<string, unknown>): Set<string> {
  const out = new Set<string>();
  const stack = [...normalizeDependencies(byId.get(id))];
  while (stack.length > 0) {
    const next = stack.pop()!;
    if (out.has(next) || !byId.has(next)) continue;
    out.add(next);
    stack.push(...normalizeDependencies(byId.get(next)));
  }
  return out;
}

/** Test tasks with no implementation task before them (in the dependency order) covering what they test. */
export function loneTestTasks(tasks: readonly unknown[], requirements: readonly unknown[] | undefined): PlanProblem[] {
  const byId = new Map<string, unknown>();
  tasks.forEach((task) => {
    const id = idsOf([task])[0];
    if (id !== undefined && !byId.has(id)) byId.set(id, task);
  });
  const testRequirements = new Set((requirements ?? []).filter(isTestRequirement).map((r) => idsOf([r])[0]).filter((id): id is string => id !== undefined));
  const implementations = tasks.filter((task) => !isTestTask(task) && !isDocTask(task));
  const out: PlanProblem[] = [];
  tasks.forEach((task, i) => {
    if (!isTestTask(task)) return;
    const where = itemLabel('tasks', task, i);
    const id = idsOf([task])[0];
    const before = id === undefined ? new Set<string>() : ancestors(id, byId);
    const builtBefore = implementations.filter((impl) => before.has(idsOf([impl])[0] ?? ''));
    const covered = new Set(builtBefore.flatMap(taskRequirementIds));
    const tested = taskRequirementIds(task).filter((req) => !testRequirements.has(req));
    const missing = tested.filter((req) => !covered.has(req));
    if (builtBefore.length > 0 && missing.length === 0) return;
    const elsewhere = implementations.filter((impl) => taskRequirementIds(impl).some((req) => missing.includes(req)) && idsOf([impl])[0] !== id).map((impl) => idsOf([impl])[0]).filter((x): x is string => x !== undefined);
    const what = missing.length > 0 ? missing.join(', ') : 'what it tests';
    const fix = elsewhere.length > 0 ? `add ${elsewhere.slice(0, 3).join(', ')} to its depends_on` : `add the task that implements ${what} and make this one depend on it`;
    const head = builtBefore.length === 0 ? 'is a test task with no implementation task before it in the dependency order' : `tests ${what}, which no implementation task before it implements`;
    out.push({ where: `${where}.depends_on`, severity: 'error', message: `${head}: a test task alone implements nothing; ${fix}` });
  });
  return out;
}

/** One task doing everything: it cites every requirement while the design has several components. */
export function lumpedTasks(tasks: readonly unknown[], requirements: readonly unknown[] | undefined, components: readonly unknown[] | undefined): PlanProblem[] {
  const requirementIds = requirements ? idsOf(requirements).filter((id): id is string => id !== undefined) : [...new Set(tasks.flatMap(taskRequirementIds))];
  const componentIds = components ? idsOf(components).filter((id): id is string => id !== undefined) : [...new Set(tasks.flatMap((t) => refsAt(t, TASK_COMPONENT_FIELDS).map((r) => r.id)))];
  if (componentIds.length < 2 || requirementIds.length < 3) return [];
  const implementations = tasks.filter((task) => !isTestTask(task) && !isDocTask(task));
  const out: PlanProblem[] = [];
  tasks.forEach((task, i) => {
    const cited = new Set(taskRequirementIds(task));
    if (!requirementIds.every((id) => cited.has(id))) return;
    // A docs or test task may span everything when implementation tasks do the building.
    if ((isDocTask(task) || isTestTask(task)) && implementations.length > 1) return;
    const shown = componentIds.slice(0, 4).join(', ') + (componentIds.length > 4 ? ', …' : '');
    out.push({
      where: `${itemLabel('tasks', task, i)}.requirements`,
      severity: 'error',
      message: `cites every requirement (${requirementIds.length}) on its own while the design has ${componentIds.length} components: split it into one task per component (${shown}), each citing only the requirements it implements`,
    });
  });
  if (out.length === 0 && tasks.length === 1) {
    out.push({ where: 'tasks', severity: 'error', message: `is a single task for a design of ${componentIds.length} components: plan at least one implementation task per component` });
  }
  return out;
}

/** Tasks whose words share nothing with the requirements and components they cite, nor with the request. */
export function unrelatedTasks(tasks: readonly unknown[], requirements: readonly unknown[] | undefined, components: readonly unknown[] | undefined, request: string): PlanProblem[] {
  const strong = (s: string) => contentTerms(s).filter((t) => !isWeakTerm(t) && !/^\d+$/.test(t));
  const describe = (items: readonly unknown[] | undefined, keys: string[]) =>
    new Map((items ?? []).map((item) => [idsOf([item])[0] ?? '', strong(keys.map((k) => text(asRecord(item)?.[k]) ?? '').join(' '))]));
  const reqTerms = describe(requirements, ['title', 'text']);
  const compTerms = describe(components, ['name', 'responsibility']);
  const requestTerms = new Set(strong(request));
  const out: PlanProblem[] = [];
  tasks.forEach((task, i) => {
    const t = asRecord(task);
    const own = strong(`${text(t?.['title']) ?? ''} ${text(t?.['description']) ?? ''}`);
    if (own.length === 0) return;
    const related = new Set([...requestTerms, ...taskRequirementIds(task).flatMap((id) => reqTerms.get(id) ?? []), ...idList(t?.['components']).flatMap((id) => compTerms.get(id) ?? [])]);
    if (related.size === 0 || own.some((term) => related.has(term))) return;
    out.push({
      where: itemLabel('tasks', task, i),
      severity: 'warning',
      message: `"${text(t?.['title']) ?? ''}" shares no term with the requirements (${taskRequirementIds(task).join(', ') || 'none'}) or components it cites, nor with the request: say what of the feature it builds, or cite what it really serves`,
    });
  });
  return out;
}

/** Is the total estimate plausible for the number of requirements and components? Score 1, 0.5 (warning) or 0 (error). */
export function estimateTotals(tasks: readonly unknown[], requirementCount: number, componentCount: number): { problems: PlanProblem[]; score: number; total: number } {
  const total = Math.round(asArray(tasks).reduce<number>((sum, task) => {
    const hours = asRecord(task)?.['estimated_hours'];
    return sum + (typeof hours === 'number' && Number.isFinite(hours) && hours > 0 ? hours : 0);
  }, 0) * 100) / 100;
  const problems: PlanProblem[] = [];
  if (requirementCount > 0 && total < TOTALS.minHoursPerRequirement * requirementCount) {
    problems.push({
      where: 'tasks',
      severity: 'error',
      message: `the estimates total ${total} h for ${requirementCount} requirements (${(total / requirementCount).toFixed(2)} h each): under ${TOTALS.minHoursPerRequirement} h per requirement is not enough to build and test them; estimate each task's implementation and tests`,
    });
  }
  const ceiling = TOTALS.typicalHoursPerRequirement * TOTALS.maxFactor * requirementCount;
  if (requirementCount > 0 && total > ceiling) {
    problems.push({
      where: 'tasks',
      severity: 'error',
      message: `the estimates total ${total} h for ${requirementCount} requirements: more than ${TOTALS.maxFactor}× the usual ${TOTALS.typicalHoursPerRequirement} h per requirement (${ceiling} h); the plan is padded or goes beyond the request`,
    });
  } else if (componentCount > 0 && total > TOTALS.maxHoursPerComponent * componentCount) {
    problems.push({
      where: 'tasks',
      severity: 'warning',
      message: `the estimates total ${total} h for ${componentCount} design components: more than ${TOTALS.maxHoursPerComponent} h per component; check the estimates or split the components`,
    });
  }
  const score = problems.some((p) => p.severity === 'error') ? 0 : problems.length > 0 ? 0.5 : 1;
  return { problems, score, total };
}
