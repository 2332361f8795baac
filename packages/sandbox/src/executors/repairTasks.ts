/**
 * Retry repair of a TASKS output: unique ids, tasks attached to existing tickets, dependencies read
 * from any shape and reduced to existing tasks without cycles, estimates brought into (0, 8], unknown
 * requirement/component references dropped, then every requirement and every design component
 * cited by at least one task.
 */
import { Priority } from '@specline/protocol';
import { idOf, type Json } from '../analysis/shape';
import { findCycles, normalizeDependencies, taskRequirementIds } from '../analysis/traceability';
import { readComponents, readRequirements } from './read';
import { nextId, normalizeIds, type RepairInput } from './repairCommon';

function idsIn(value: unknown): string[] {
  return (Array.isArray(value) ? value : typeof value === 'string' ? value.split(',') : []).map(idOf).filter((id): id is string => id !== undefined);
}

/** Removes dependency edges until no cycle is left; each cycle loses its closing edge. */
export function breakCycles(tasks: Json[], fixes: string[]): void {
  for (let guard = 0; guard < 1000; guard++) {
    const cycle = findCycles(tasks, 1)[0];
    if (!cycle) return;
    const last = cycle[cycle.length - 1]!;
    const first = cycle[0]!;
    const task = tasks.find((t) => idOf(t['id']) === last);
    if (!task) return;
    task['depends_on'] = (task['depends_on'] as string[]).filter((d) => d !== first);
    fixes.push(`tasks[${last}].depends_on: dropped ${first} to break the cycle ${[...cycle, first].join(' → ')}`);
  }
}

/** Does task `from` depend on task `to`, directly or not? */
function dependsOn(tasks: readonly Json[], from: string, to: string): boolean {
  const seen = new Set<string>();
  const stack = [from];
  while (stack.length > 0) {
    const id = stack.pop()!;
    if (id === to) return true;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...((tasks.find((t) => String(t['id']) === id)?.['depends_on'] as string[] | undefined) ?? []));
  }
  return false;
}

export function repairTasks(input: RepairInput, output: Json, fixes: string[]): void {
  const reqs = readRequirements(input.phaseData['requirements']);
  const components = readComponents(input.phaseData['design']);
  const knownReqs = new Set(reqs.map((r) => r.id));
  const knownComponents = new Set(components.map((c) => c.id));

  const ticketsResult = normalizeIds(Array.isArray(output['tickets']) ? output['tickets'] : [], 'ticket', 'tickets', fixes);
  const tickets = ticketsResult.items;
  if (tickets.length === 0) {
    tickets.push({ id: 'TKT-001', title: String(input.title || 'Feature'), description: 'All tasks of the feature.', priority: 'medium', requirements: [] });
    fixes.push('tickets: none, created TKT-001 for all tasks');
  }
  const { items: tasks, renames } = normalizeIds(Array.isArray(output['tasks']) ? output['tasks'] : [], 'task', 'tasks', fixes);
  const taskIds = new Set(tasks.map((t) => String(t['id'])));
  const ticketIds = new Set(tickets.map((t) => String(t['id'])));
  const fallbackTicket = String(tickets[tickets.length - 1]!['id']);

  for (const task of tasks) {
    const id = String(task['id']);
    if (typeof task['title'] !== 'string' || task['title'] === '') {
      task['title'] = `Task ${id}`;
      fixes.push(`tasks[${id}].title: missing`);
    }
    if (typeof task['description'] !== 'string') task['description'] = '';
    const ticket = idOf(task['ticket_id']) ?? idOf(task['parent_ticket']);
    if (ticket === undefined || !ticketIds.has(ticketsResult.renames.get(ticket) ?? ticket)) {
      task['ticket_id'] = fallbackTicket;
      fixes.push(`tasks[${id}].ticket_id: ${ticket ?? '(missing)'} does not exist, now ${fallbackTicket}`);
    } else task['ticket_id'] = ticketsResult.renames.get(ticket) ?? ticket;
    const deps = normalizeDependencies(task).map((d) => renames.get(d) ?? d);
    const kept = deps.filter((d) => taskIds.has(d) && d !== id);
    if (kept.length !== deps.length) fixes.push(`tasks[${id}].depends_on: dropped ${deps.filter((d) => !kept.includes(d)).join(', ')} (no such task or itself)`);
    task['depends_on'] = [...new Set(kept)];
    delete task['dependencies'];
    delete task['blocked_by'];
    const hours = task['estimated_hours'];
    if (typeof hours !== 'number' || !Number.isFinite(hours) || hours <= 0) {
      task['estimated_hours'] = 2;
      fixes.push(`tasks[${id}].estimated_hours: ${JSON.stringify(hours)} is not a positive number, set to 2`);
    } else if (hours > 8) {
      task['estimated_hours'] = 8;
      fixes.push(`tasks[${id}].estimated_hours: ${hours} is over 8, capped at 8 (split the task when it is worked on)`);
    }
    const cited = taskRequirementIds(task);
    const validReqs = reqs.length > 0 ? cited.filter((r) => knownReqs.has(r)) : cited;
    if (validReqs.length !== cited.length) fixes.push(`tasks[${id}].requirements: dropped unknown ${cited.filter((r) => !validReqs.includes(r)).join(', ')}`);
    task['requirements'] = validReqs;
    delete task['requirements_addressed'];
    delete task['requirement_ids'];
    const comps = idsIn(task['components'] ?? task['component_ids']);
    const validComps = components.length > 0 ? comps.filter((c) => knownComponents.has(c)) : comps;
    if (validComps.length !== comps.length) fixes.push(`tasks[${id}].components: dropped unknown ${comps.filter((c) => !validComps.includes(c)).join(', ')}`);
    task['components'] = validComps;
  }
  breakCycles(tasks, fixes);

  // Coverage: every requirement cited by a task, preferably one working on a component that serves it;
  // a requirement about behaviour goes to an implementation task, one about tests to a test task.
  const isTest = (t: Json) => t['type'] === 'test' || /\b(test|tests|testing|verif\w*)\b/i.test(String(t['title']));
  for (const req of reqs) {
    if (tasks.some((t) => (t['requirements'] as string[]).includes(req.id))) continue;
    const servingComponents = components.filter((c) => c.requirements.includes(req.id)).map((c) => c.id);
    const testing = req.category === 'testing';
    const fits = (t: Json) => (testing ? isTest(t) : !isTest(t));
    const owner =
      tasks.find((t) => fits(t) && (t['components'] as string[]).some((c) => servingComponents.includes(c))) ??
      tasks.find(fits) ??
      (testing ? tasks.find((t) => (t['components'] as string[]).some((c) => servingComponents.includes(c))) : undefined);
    if (owner) {
      (owner['requirements'] as string[]).push(req.id);
      fixes.push(`${req.id}: covered by no task, now cited by ${String(owner['id'])}`);
    } else {
      const id = nextId('task', taskIds);
      tasks.push({ id, ticket_id: fallbackTicket, title: `Cover ${req.id}: ${req.title}`, description: `Implement and test ${req.id}: ${req.text}`, estimated_hours: 3, depends_on: [], requirements: [req.id], components: servingComponents });
      fixes.push(`${req.id}: covered by no task, added ${id}`);
    }
  }
  for (const component of components) {
    if (tasks.some((t) => (t['components'] as string[]).includes(component.id))) continue;
    const byFile = component.file_path ? tasks.find((t) => JSON.stringify(t).includes(component.file_path!)) : undefined;
    const byReq = tasks.find((t) => (t['requirements'] as string[]).some((r) => component.requirements.includes(r)));
    const owner = byFile ?? byReq;
    if (owner) {
      (owner['components'] as string[]).push(component.id);
      fixes.push(`${component.id}: referenced by no task, now cited by ${String(owner['id'])}`);
    } else {
      const id = nextId('task', taskIds);
      const served = component.requirements.filter((r) => knownReqs.has(r));
      tasks.push({ id, ticket_id: fallbackTicket, title: `Implement ${component.name}`, description: `Build ${component.name}${component.file_path ? ` in ${component.file_path}` : ''}.`, estimated_hours: 3, depends_on: [], requirements: served.length > 0 ? served : reqs.slice(0, 1).map((r) => r.id), components: [component.id] });
      fixes.push(`${component.id}: referenced by no task, added ${id}`);
    }
  }

  // A test task depends on the implementation tasks of what it tests (when that adds no cycle).
  const implementations = tasks.filter((t) => !isTest(t));
  for (const test of tasks.filter(isTest)) {
    const tid = String(test['id']);
    for (const req of (test['requirements'] as string[]).filter((r) => reqs.find((x) => x.id === r)?.category !== 'testing')) {
      const deps = test['depends_on'] as string[];
      if (implementations.some((impl) => deps.includes(String(impl['id'])) && (impl['requirements'] as string[]).includes(req))) continue;
      const impl = implementations.find((t) => (t['requirements'] as string[]).includes(req) && !dependsOn(tasks, String(t['id']), tid));
      if (!impl) continue;
      deps.push(String(impl['id']));
      fixes.push(`tasks[${tid}].depends_on: added ${String(impl['id'])}, which implements ${req} that the test checks`);
    }
  }

  for (const ticket of tickets) {
    const tid = String(ticket['id']);
    if (typeof ticket['title'] !== 'string' || ticket['title'] === '') ticket['title'] = `Ticket ${tid}`;
    if (typeof ticket['description'] !== 'string') ticket['description'] = '';
    if (!Priority.safeParse(ticket['priority']).success) ticket['priority'] = 'medium';
    const own = idsIn(ticket['requirements'] ?? ticket['requirement_ids']).filter((r) => reqs.length === 0 || knownReqs.has(r));
    const fromTasks = tasks.filter((t) => t['ticket_id'] === tid).flatMap((t) => t['requirements'] as string[]);
    ticket['requirements'] = [...new Set([...own, ...fromTasks])];
  }
  output['tickets'] = tickets;
  output['tasks'] = tasks;
}
