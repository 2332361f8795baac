/**
 * TASKS evaluator: stable unique ids, every task cites existing requirements and an existing
 * ticket, dependencies (whatever their shape) point to existing tasks and form no cycle, estimates
 * in range, every requirement covered, every design component referenced.
 */
import { ID_PATTERNS, TasksOutput, type PhaseData } from '@specline/protocol';
import type { EvalResult, EvaluateOptions } from '../types';
import { finish, type Check } from './checks';
import { MEANING_CHECKS } from './meaning';
import { asArray, asRecord, idList, itemLabel, listAt, refsAt } from '../analysis/shape';
import {
  TASK_COMPONENT_FIELDS,
  TASK_REQUIREMENT_FIELDS,
  TASK_TICKET_FIELDS,
  coverage,
  describeCycle,
  describeDangling,
  findCycles,
  findDanglingRefs,
  findDuplicateIds,
  idsOf,
} from '../analysis/traceability';
import { Scorecard, checkSchema, requireObject, text } from './scorecard';

/** Estimates must be in (0, MAX_TASK_HOURS]: a bigger task should be split. */
export const MAX_TASK_HOURS = 16;

/** Alternative shapes a task field may take; the schema issue is waived (with a warning) when one is used. */
const ALTERNATIVES: Record<string, readonly string[]> = {
  depends_on: ['dependencies'],
  requirements: TASK_REQUIREMENT_FIELDS.filter((f) => f !== 'requirements'),
  ticket_id: TASK_TICKET_FIELDS.filter((f) => f !== 'ticket_id'),
};

export function evaluateTasks(output: unknown, context: PhaseData = {}, options: EvaluateOptions = {}, checks: readonly Check[] = MEANING_CHECKS): EvalResult {
  const card = new Scorecard();
  const o = requireObject(card, output);
  if (!o) return card.result(options.threshold);
  const tasks = asArray(o['tasks']);
  const tickets = asArray(o['tickets']);

  checkSchema(card, TasksOutput, o, (path) => {
    const [list, index, field] = path;
    if (list !== 'tasks' || typeof index !== 'number' || typeof field !== 'string' || path.length !== 3) return false;
    const alternatives = ALTERNATIVES[field] ?? [];
    const task = asRecord(tasks[index]);
    const used = alternatives.find((alt) => task?.[alt] !== undefined);
    if (used === undefined) return false;
    card.warn(`${itemLabel('tasks', task, index)}.${field}`, `is written as \`${used}\`; the contract field is \`${field}\``);
    return true;
  });

  if (tickets.length === 0) card.error('tickets', 'lists no ticket');
  if (tasks.length === 0) {
    card.error('tasks', 'lists no task');
    return card.result(options.threshold);
  }

  // Ids: stable patterns, unique.
  const checkIds = (list: 'tickets' | 'tasks', items: unknown[], pattern: RegExp, example: string): number => {
    const duplicates = findDuplicateIds(items);
    for (const id of duplicates) card.error(list, `duplicate id ${id}`);
    let good = 0;
    items.forEach((item, i) => {
      const id = text(asRecord(item)?.['id']);
      if (id === undefined) card.error(`${list}[${i}].id`, 'is missing');
      else if (!pattern.test(id)) card.error(`${list}[${id}].id`, `"${id}" is not a stable id (${example})`);
      else if (!duplicates.includes(id)) good++;
    });
    return good;
  };
  const goodIds = checkIds('tickets', tickets, ID_PATTERNS.ticket, 'TKT-001') + checkIds('tasks', tasks, ID_PATTERNS.task, 'TSK-001');
  card.ratio('ids', 1, goodIds, tickets.length + tasks.length);

  // References: requirements, tickets, components, dependencies.
  const requirements = listAt(context['requirements'], 'requirements');
  const components = listAt(context['design'], 'components');
  const dangling = findDanglingRefs({ tasks, tickets, requirements, components });
  for (const ref of dangling) {
    const { path, message } = splitDangling(describeDangling(ref));
    card.error(path, message);
  }
  let citing = 0;
  tasks.forEach((task, i) => {
    if (refsAt(task, TASK_REQUIREMENT_FIELDS).length === 0) card.error(`${itemLabel('tasks', task, i)}.requirements`, 'cites no requirement');
    else citing++;
  });
  const danglingFrom = new Set(dangling.map((ref) => ref.from));
  card.ratio('traceability', 2, tasks.filter((t, i) => !danglingFrom.has(idsOf([t])[0] ?? `tasks[${i}]`)).length, tasks.length);
  card.ratio('requirement_citations', 1, citing, tasks.length);

  const cycles = findCycles(tasks);
  for (const cycle of cycles) card.error(`tasks[${cycle[0] ?? '?'}].depends_on`, describeCycle(cycle));
  card.score('dependencies', 2, cycles.length === 0 ? 1 : 0);

  // Estimates.
  let inRange = 0;
  tasks.forEach((task, i) => {
    const hours = asRecord(task)?.['estimated_hours'];
    const where = `${itemLabel('tasks', task, i)}.estimated_hours`;
    if (typeof hours !== 'number' || !Number.isFinite(hours)) card.error(where, `is ${JSON.stringify(hours) ?? 'missing'}; give a number of hours`);
    else if (hours <= 0) card.error(where, `is ${hours}; an estimate must be more than 0 hours`);
    else if (hours > MAX_TASK_HOURS) card.error(where, `is ${hours}; split tasks larger than ${MAX_TASK_HOURS} hours`);
    else inRange++;
    if (!text(asRecord(task)?.['description'])) card.warn(`${itemLabel('tasks', task, i)}.description`, 'is empty');
  });
  card.ratio('estimates', 1, inRange, tasks.length);

  // Coverage: every requirement covered by a task.
  if (requirements) {
    const result = coverage(requirements, tasks);
    for (const id of result.uncovered) card.error(`requirements[${id}]`, `${id} is covered by no task`);
    card.score('coverage', 2, result.coverage_percent / 100);
  }

  // Every design component referenced by a task, a ticket or a requirement.
  if (components) {
    const referenced = new Set<string>();
    for (const item of [...tasks, ...tickets]) for (const ref of refsAt(item, TASK_COMPONENT_FIELDS)) referenced.add(ref.id);
    for (const item of requirements ?? []) for (const id of idList(asRecord(item)?.['components'] ?? asRecord(item)?.['design_components'])) referenced.add(id);
    const ids = idsOf(components).filter((id): id is string => id !== undefined);
    const unreferenced = ids.filter((id) => !referenced.has(id));
    for (const id of unreferenced) card.warn(`components[${id}]`, `${id} is referenced by no task, ticket or requirement`);
    card.ratio('component_coverage', 1, ids.length - unreferenced.length, ids.length);
  }

  // Tickets with no task.
  const ticketOf = new Set(tasks.flatMap((task) => refsAt(task, TASK_TICKET_FIELDS).map((ref) => ref.id)));
  tickets.forEach((ticket, i) => {
    const id = text(asRecord(ticket)?.['id']);
    if (id !== undefined && !ticketOf.has(id)) card.warn(itemLabel('tickets', ticket, i), `${id} has no task`);
  });

  return finish(card, 'tasks', o, context, options, checks);
}

/** `tasks[TSK-004].depends_on: TSK-009 does not exist` → path and message. */
function splitDangling(line: string): { path: string; message: string } {
  const at = line.indexOf(': ');
  return at < 0 ? { path: '(output)', message: line } : { path: line.slice(0, at), message: line.slice(at + 2) };
}
