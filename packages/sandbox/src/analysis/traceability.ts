/**
 * Traceability analysis computed by code, never asserted by a model: dependency graph (cycles,
 * topological order), dangling references, requirement coverage, and the SYNC phase output built
 * from them. Every function accepts unknown-shaped data (whatever a model or a hand edit produced).
 */
import type { SyncOutput } from '@specline/protocol';
import { asArray, asRecord, idOf, itemLabel, listAt, refsAt, type FieldRef } from './shape';

/** Fields a task's dependencies may be written under, in the order they are read. */
export const DEPENDENCY_FIELDS = ['depends_on', 'dependencies', 'dependencies.depends_on', 'dependencies.blocked_by', 'blocked_by'] as const;
/** Fields a task's requirement references may be written under. */
export const TASK_REQUIREMENT_FIELDS = ['requirements', 'requirements_addressed', 'requirement_ids'] as const;
/** Fields a task's parent ticket may be written under. */
export const TASK_TICKET_FIELDS = ['ticket_id', 'parent_ticket'] as const;
/** Fields a task's design components may be written under. */
export const TASK_COMPONENT_FIELDS = ['components', 'component_ids'] as const;
/** Fields a ticket's requirement references may be written under. */
export const TICKET_REQUIREMENT_FIELDS = ['requirements', 'requirement_ids'] as const;

export interface DanglingRef {
  /** The item holding the reference (its id, or `tasks[3]` when it has none). */
  from: string;
  /** The id that points nowhere. */
  to: string;
  /** Where in the item: `depends_on`, `dependencies.depends_on`, `requirements`, `ticket_id`... */
  field: string;
}

/** Task ids a task depends on, whatever the shape of its dependency field. */
export function normalizeDependencies(task: unknown): string[] {
  return dependencyRefs(task).map((ref) => ref.id);
}

/** Like {@link normalizeDependencies}, with the field each id was found under. */
export function dependencyRefs(task: unknown): FieldRef[] {
  return refsAt(task, DEPENDENCY_FIELDS);
}

/** Requirement ids a task cites, whatever the field. */
export function taskRequirementIds(task: unknown): string[] {
  return refsAt(task, TASK_REQUIREMENT_FIELDS).map((ref) => ref.id);
}

/** The id of each item, `undefined` for an item without one. */
export function idsOf(items: readonly unknown[]): (string | undefined)[] {
  return items.map((item) => idOf(asRecord(item)?.['id']));
}

/** Ids that appear more than once in `items`, each reported once. */
export function findDuplicateIds(items: readonly unknown[]): string[] {
  const seen = new Set<string>();
  const duplicates: string[] = [];
  for (const id of idsOf(items)) {
    if (id === undefined) continue;
    if (seen.has(id) && !duplicates.includes(id)) duplicates.push(id);
    seen.add(id);
  }
  return duplicates;
}

/** Adjacency of the dependency graph (task → the tasks it depends on), limited to existing task ids. */
function dependencyGraph(tasks: readonly unknown[]): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const task of tasks) {
    const id = idOf(asRecord(task)?.['id']);
    if (id !== undefined && !graph.has(id)) graph.set(id, []);
  }
  for (const task of tasks) {
    const id = idOf(asRecord(task)?.['id']);
    if (id === undefined) continue;
    const edges = graph.get(id) ?? [];
    for (const dep of normalizeDependencies(task)) if (graph.has(dep) && !edges.includes(dep)) edges.push(dep);
  }
  return graph;
}

/** Strongly connected components (iterative Tarjan), each a list of ids. */
function stronglyConnected(graph: Map<string, string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const onStack = new Set<string>();
  const stack: string[] = [];
  const components: string[][] = [];
  let next = 0;
  for (const root of graph.keys()) {
    if (index.has(root)) continue;
    const work: { node: string; edge: number }[] = [{ node: root, edge: 0 }];
    index.set(root, next);
    low.set(root, next++);
    stack.push(root);
    onStack.add(root);
    while (work.length > 0) {
      const frame = work[work.length - 1]!;
      const edges = graph.get(frame.node) ?? [];
      if (frame.edge < edges.length) {
        const to = edges[frame.edge++]!;
        if (!index.has(to)) {
          index.set(to, next);
          low.set(to, next++);
          stack.push(to);
          onStack.add(to);
          work.push({ node: to, edge: 0 });
        } else if (onStack.has(to)) {
          low.set(frame.node, Math.min(low.get(frame.node)!, index.get(to)!));
        }
        continue;
      }
      work.pop();
      const parent = work[work.length - 1];
      if (parent) low.set(parent.node, Math.min(low.get(parent.node)!, low.get(frame.node)!));
      if (low.get(frame.node) === index.get(frame.node)) {
        const component: string[] = [];
        let member: string | undefined;
        do {
          member = stack.pop()!;
          onStack.delete(member);
          component.push(member);
        } while (member !== frame.node);
        components.push(component);
      }
    }
  }
  return components;
}

/**
 * Every elementary dependency cycle, each as the list of task ids along it starting from its
 * smallest id (`["TSK-001", "TSK-003"]` means TSK-001 depends on TSK-003 which depends on TSK-001).
 * A task depending on itself is a cycle of one. At most `limit` cycles are returned.
 */
export function findCycles(tasks: readonly unknown[], limit = 100): string[][] {
  const graph = dependencyGraph(tasks);
  const cycles: string[][] = [];
  for (const component of stronglyConnected(graph)) {
    const members = new Set(component);
    const only = component[0]!;
    if (component.length === 1 && !(graph.get(only) ?? []).includes(only)) continue;
    const order = [...component].sort();
    for (let i = 0; i < order.length && cycles.length < limit; i++) {
      const start = order[i]!;
      const allowed = new Set(order.slice(i));
      const path = [start];
      const onPath = new Set(path);
      const walk = (node: string): void => {
        for (const to of graph.get(node) ?? []) {
          if (cycles.length >= limit || !members.has(to)) continue;
          if (to === start) cycles.push([...path]);
          else if (allowed.has(to) && !onPath.has(to)) {
            path.push(to);
            onPath.add(to);
            walk(to);
            path.pop();
            onPath.delete(to);
          }
        }
      };
      walk(start);
    }
  }
  return cycles;
}

/** Tasks in an order where each comes after its dependencies (stable), or `null` when there is a cycle. */
export function topologicalOrder(tasks: readonly unknown[]): string[] | null {
  const graph = dependencyGraph(tasks);
  const done = new Set<string>();
  const order: string[] = [];
  while (order.length < graph.size) {
    const ready = [...graph.keys()].find((id) => !done.has(id) && (graph.get(id) ?? []).every((dep) => done.has(dep)));
    if (ready === undefined) return null;
    done.add(ready);
    order.push(ready);
  }
  return order;
}

export interface TraceInput {
  tasks: readonly unknown[];
  /** When given, task and ticket requirement references are checked against it. */
  requirements?: readonly unknown[];
  /** When given, task ticket references are checked against it. */
  tickets?: readonly unknown[];
  /** When given (the design's components), task component references are checked against it. */
  components?: readonly unknown[];
}

/** References that point to nothing: task→task, task→requirement, task→ticket, task→component, ticket→requirement. */
export function findDanglingRefs(input: TraceInput): DanglingRef[] {
  const known = (items: readonly unknown[] | undefined) => (items ? new Set(idsOf(items).filter((id) => id !== undefined)) : undefined);
  const taskIds = known(input.tasks)!;
  const requirementIds = known(input.requirements);
  const ticketIds = known(input.tickets);
  const componentIds = known(input.components);
  const out: DanglingRef[] = [];
  const check = (from: string, refs: FieldRef[], ids: Set<string> | undefined) => {
    if (!ids) return;
    for (const ref of refs) if (!ids.has(ref.id)) out.push({ from, to: ref.id, field: ref.field });
  };
  input.tasks.forEach((task, i) => {
    const from = labelId('tasks', task, i);
    check(from, dependencyRefs(task), taskIds);
    check(from, refsAt(task, TASK_REQUIREMENT_FIELDS), requirementIds);
    check(from, refsAt(task, TASK_TICKET_FIELDS), ticketIds);
    check(from, refsAt(task, TASK_COMPONENT_FIELDS), componentIds);
  });
  (input.tickets ?? []).forEach((ticket, i) => {
    check(labelId('tickets', ticket, i), refsAt(ticket, TICKET_REQUIREMENT_FIELDS), requirementIds);
  });
  return out;
}

/** An item's id, or `tasks[3]` when it has none. */
function labelId(list: string, item: unknown, index: number): string {
  return idOf(asRecord(item)?.['id']) ?? itemLabel(list, item, index);
}

export interface CoverageResult {
  coverage: { requirement_id: string; task_ids: string[] }[];
  /** Share of requirements covered by at least one task, 0..100, two decimals. 0 when there are none. */
  coverage_percent: number;
  uncovered: string[];
}

/** Which tasks cover each requirement (a task covers the requirements it cites). */
export function coverage(requirements: readonly unknown[], tasks: readonly unknown[]): CoverageResult {
  const rows: CoverageResult['coverage'] = [];
  for (const id of idsOf(requirements)) {
    if (id === undefined || rows.some((row) => row.requirement_id === id)) continue;
    const taskIds = tasks
      .filter((task) => taskRequirementIds(task).includes(id))
      .map((task) => idOf(asRecord(task)?.['id']))
      .filter((taskId): taskId is string => taskId !== undefined);
    rows.push({ requirement_id: id, task_ids: [...new Set(taskIds)] });
  }
  const covered = rows.filter((row) => row.task_ids.length > 0).length;
  const percent = rows.length === 0 ? 0 : Math.round((covered / rows.length) * 10_000) / 100;
  return { coverage: rows, coverage_percent: Math.min(100, Math.max(0, percent)), uncovered: rows.filter((r) => r.task_ids.length === 0).map((r) => r.requirement_id) };
}

/** A dangling reference as one readable line: `tasks[TSK-004].depends_on: TSK-009 does not exist`. */
export function describeDangling(ref: DanglingRef): string {
  const list = ref.from.startsWith('TKT-') || ref.from.startsWith('tickets[') ? 'tickets' : 'tasks';
  const where = ref.from.includes('[') ? ref.from : `${list}[${ref.from}]`;
  return `${where}.${ref.field}: ${ref.to} does not exist`;
}

/** A cycle as one readable line: `dependency cycle TSK-001 → TSK-002 → TSK-001`. */
export function describeCycle(cycle: readonly string[]): string {
  return `dependency cycle ${[...cycle, cycle[0] ?? ''].join(' → ')}`;
}

/**
 * The SYNC phase output, computed from the earlier phases' outputs (`phaseData.requirements`,
 * `phaseData.design`, `phaseData.tasks`). Blockers name every problem that keeps the plan from
 * being executed; `ready_for_execution` is true exactly when there are none.
 */
export function computeSync(phaseData: Record<string, unknown>): SyncOutput {
  const requirementsOutput = phaseData['requirements'];
  const tasksOutput = phaseData['tasks'];
  const requirements = listAt(requirementsOutput, 'requirements');
  const tasks = listAt(tasksOutput, 'tasks') ?? [];
  const tickets = listAt(tasksOutput, 'tickets');
  const components = listAt(phaseData['design'], 'components');
  const blockers: string[] = [];

  if (requirements === undefined) blockers.push('requirements output is missing: nothing to trace tasks to');
  else if (requirements.length === 0) blockers.push('requirements output lists no requirements');
  if (listAt(tasksOutput, 'tasks') === undefined) blockers.push('tasks output is missing');
  else if (tasks.length === 0) blockers.push('tasks output lists no tasks');

  for (const [list, items] of [['requirements', requirements], ['tickets', tickets], ['tasks', tasks]] as const) {
    for (const id of findDuplicateIds(items ?? [])) blockers.push(`${list}: duplicate id ${id}`);
  }

  const cycles = findCycles(tasks);
  for (const cycle of cycles) blockers.push(describeCycle(cycle));
  const danglingRefs = findDanglingRefs({ tasks, requirements, tickets, components });
  for (const ref of danglingRefs) blockers.push(describeDangling(ref));

  const result = coverage(requirements ?? [], tasks);
  for (const id of result.uncovered) blockers.push(`${id} is covered by no task`);

  const taskIds = new Set(idsOf(tasks));
  const danglingDeps = danglingRefs.some((ref) => taskIds.has(ref.from) && DEPENDENCY_FIELDS.some((f) => f === ref.field));
  return {
    coverage: result.coverage,
    coverage_percent: result.coverage_percent,
    dependency_order_valid: cycles.length === 0 && !danglingDeps,
    cycles,
    dangling_refs: danglingRefs,
    ready_for_execution: blockers.length === 0,
    blockers,
  };
}

/** Number of items under `key` of an output, 0 when absent. */
export function countAt(output: unknown, key: string): number {
  return asArray(asRecord(output)?.[key]).length;
}
