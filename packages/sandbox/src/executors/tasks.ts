/**
 * The planner's TASKS phase: tickets (TKT-001…) grouped by concern, and tasks (TSK-001…) that
 * implement and test each design component. Dependencies only ever point at earlier tasks, so they
 * form a DAG; every requirement is cited by at least one task and every component by at least one.
 */
import { formatId, type Priority, type TasksOutput } from '@specline/protocol';
import type { SpecInfo } from '../types';
import { stackProfile, testFileFor } from './profile';
import { readComponents, readRequirements, type ComponentView, type ReqView } from './read';
import { featureWords } from './text';

const KIND_ORDER = ['config', 'store', 'service', 'telemetry', 'http', 'ui'] as const;
const KIND_HOURS: Readonly<Record<string, number>> = { config: 1.5, store: 3, service: 4, telemetry: 1.5, http: 3, ui: 4 };
const TICKET_OF_KIND: Readonly<Record<string, string>> = { config: 'foundation', store: 'foundation', service: 'core', telemetry: 'integration', http: 'integration', ui: 'ui' };
const PRIORITY_RANK: Readonly<Record<Priority, number>> = { low: 0, medium: 1, high: 2, critical: 3 };

interface TaskDraft {
  key: string;
  group: string;
  title: string;
  description: string;
  type: 'implementation' | 'test' | 'documentation';
  hours: number;
  after: string[];
  requirements: string[];
  components: string[];
  files_to_create: string[];
  files_to_modify: string[];
}

function kindRank(component: ComponentView): number {
  const i = (KIND_ORDER as readonly string[]).indexOf(component.kind);
  return i < 0 ? 2.5 : i;
}

/** Components in an order where each comes after the ones it depends on (design `dependencies`, else kind order). */
function orderComponents(components: readonly ComponentView[], design: unknown): ComponentView[] {
  const deps = new Map<string, string[]>();
  const list = (design as { components?: unknown[] } | undefined)?.components ?? [];
  for (const item of list) {
    const record = item as { id?: unknown; dependencies?: unknown };
    if (typeof record.id === 'string' && Array.isArray(record.dependencies)) deps.set(record.id, record.dependencies.filter((d): d is string => typeof d === 'string'));
  }
  const pending = [...components].sort((a, b) => kindRank(a) - kindRank(b) || (a.id < b.id ? -1 : 1));
  const out: ComponentView[] = [];
  while (pending.length > 0) {
    const ready = pending.findIndex((c) => (deps.get(c.id) ?? []).every((d) => out.some((o) => o.id === d) || !pending.some((p) => p.id === d)));
    out.push(...pending.splice(ready < 0 ? 0 : ready, 1)); // a cycle in the design is broken at the first pending component
  }
  return out;
}

function ticketTitle(group: string, feature: string, components: readonly ComponentView[]): string {
  switch (group) {
    case 'foundation':
      return `${feature}: configuration and storage`;
    case 'core':
      return `${feature}: core logic`;
    case 'integration':
      return `${feature}: API integration and observability`;
    case 'ui':
      return `${feature}: user interface`;
    case 'verification':
      return `${feature}: verification and documentation`;
    default:
      return `${feature}: ${components.map((c) => c.name).join(', ') || group}`;
  }
}

export function generateTasks(spec: Pick<SpecInfo, 'title' | 'description'>, explore: unknown, requirementsOutput: unknown, designOutput: unknown): TasksOutput {
  const profile = stackProfile(explore);
  const feature = featureWords(spec.title).map((w, i) => (i === 0 ? w.charAt(0).toUpperCase() + w.slice(1) : w)).join(' ');
  const reqs = readRequirements(requirementsOutput);
  const reqById = new Map(reqs.map((r) => [r.id, r]));
  const components = orderComponents(readComponents(designOutput), designOutput);
  const testingReqs = reqs.filter((r) => r.category === 'testing').map((r) => r.id);
  const drafts: TaskDraft[] = [];
  const implKey = (c: ComponentView) => `impl:${c.id}`;
  const componentDeps = new Map<string, string[]>();
  for (const item of (designOutput as { components?: unknown[] } | undefined)?.components ?? []) {
    const record = item as { id?: unknown; dependencies?: unknown };
    if (typeof record.id === 'string' && Array.isArray(record.dependencies)) componentDeps.set(record.id, record.dependencies.filter((d): d is string => typeof d === 'string'));
  }

  for (const component of components) {
    const own = component.requirements.filter((id) => reqById.has(id) && reqById.get(id)!.category !== 'testing');
    // A component citing nothing (a helper) works for the requirements of the components that use it.
    const users = components.filter((c) => (componentDeps.get(c.id) ?? []).includes(component.id));
    const borrowed = own.length > 0 ? [] : [...new Set(users.flatMap((c) => c.requirements.filter((id) => reqById.has(id) && reqById.get(id)!.category !== 'testing')))];
    const served = own.length > 0 ? own : borrowed.length > 0 ? borrowed : reqs.filter((r) => r.category !== 'testing').slice(0, 1).map((r) => r.id);
    const group = TICKET_OF_KIND[component.kind] ?? `component:${component.id}`;
    const earlier = (componentDeps.get(component.id) ?? []).filter((d) => drafts.some((t) => t.key === `impl:${d}`)).map((d) => `impl:${d}`);
    const criteria = served.flatMap((id) => reqById.get(id)?.criteria ?? []);
    drafts.push({
      key: implKey(component),
      group,
      title: `Implement ${component.name}`,
      description: [
        `Create ${component.file_path ?? 'the module'} for ${component.name} (${component.id}).`,
        served.length > 0 ? `It must satisfy ${served.map((id) => `${id} (${reqById.get(id)?.title ?? ''})`).join('; ')}.` : '',
        criteria.length > 0 ? `Done when ${criteria.slice(0, 6).join(', ')}${criteria.length > 6 ? ' …' : ''} hold.` : '',
      ].filter(Boolean).join(' '),
      type: 'implementation',
      hours: Math.min(8, (KIND_HOURS[component.kind] ?? 3) + 0.5 * Math.max(0, served.length - 1)),
      after: earlier,
      requirements: served,
      components: [component.id],
      files_to_create: component.file_path ? [component.file_path] : [],
      files_to_modify: [],
    });
    if (served.length > 0 || component.kind === 'service') {
      const testFile = component.file_path ? testFileFor(profile, component.file_path) : undefined;
      drafts.push({
        key: `test:${component.id}`,
        group,
        title: `Test ${component.name}`,
        description: `Write ${profile.testRunner ?? ''} tests${testFile ? ` in ${testFile}` : ''} covering ${criteria.length > 0 ? criteria.join(', ') : `the behaviour of ${component.name}`}; each test names the criterion it checks and fails when the behaviour is removed.`.replace('  ', ' '),
        type: 'test',
        hours: Math.min(8, 1 + 0.5 * Math.max(1, served.length)),
        after: [implKey(component)],
        requirements: [...new Set([...served, ...testingReqs])],
        components: [component.id],
        files_to_create: testFile ? [testFile] : [],
        files_to_modify: [],
      });
    }
  }

  // Every requirement cited by some task: the ones no component serves get a verification task.
  const cited = new Set(drafts.flatMap((d) => d.requirements));
  const uncovered = reqs.filter((r) => !cited.has(r.id));
  const lastImpl = drafts.filter((d) => d.type === 'implementation').map((d) => d.key);
  if (uncovered.length > 0 || drafts.length === 0) {
    drafts.push({
      key: 'verify',
      group: 'verification',
      title: `Verify ${uncovered.map((r) => r.id).join(', ') || 'the feature'} end to end`,
      description: `Add end-to-end ${profile.testRunner ?? ''} tests for ${uncovered.map((r: ReqView) => `${r.id} (${r.title})`).join('; ') || 'the feature'} against the assembled application.`.replace('  ', ' '),
      type: 'test',
      hours: Math.min(8, 1 + uncovered.length),
      after: lastImpl,
      requirements: uncovered.length > 0 ? uncovered.map((r) => r.id) : reqs.slice(0, 1).map((r) => r.id),
      components: components.map((c) => c.id),
      files_to_create: [],
      files_to_modify: [],
    });
  }
  const userFacing = reqs.filter((r) => r.category === 'config' || r.category === 'response' || r.category === 'rule' || r.category === 'ui').map((r) => r.id);
  drafts.push({
    key: 'docs',
    group: 'verification',
    title: `Document ${feature.toLowerCase()}`,
    description: `Describe the behaviour, settings and error answers of ${feature.toLowerCase()} in the README/API docs, including ${userFacing.join(', ') || 'the new behaviour'}.`,
    type: 'documentation',
    hours: 1,
    after: lastImpl,
    requirements: userFacing.length > 0 ? userFacing : reqs.slice(0, 1).map((r) => r.id),
    components: components.filter((c) => c.kind === 'http' || c.kind === 'config' || c.kind === 'ui').map((c) => c.id),
    files_to_create: [],
    files_to_modify: ['README.md'],
  });

  // Tickets in the order their groups first appear; tasks numbered ticket by ticket.
  const groups = [...new Set(drafts.map((d) => d.group))];
  const ordered = groups.flatMap((g) => drafts.filter((d) => d.group === g));
  const taskId = new Map(ordered.map((d, i) => [d.key, formatId('task', i + 1)]));
  const tickets = groups.map((group, i) => {
    const members = ordered.filter((d) => d.group === group);
    const requirementIds = [...new Set(members.flatMap((d) => d.requirements))];
    const priority = requirementIds.reduce<Priority>((best, id) => {
      const p = reqById.get(id)?.priority ?? 'medium';
      return PRIORITY_RANK[p] > PRIORITY_RANK[best] ? p : best;
    }, 'low');
    const memberComponents = components.filter((c) => members.some((m) => m.components.includes(c.id)));
    return {
      id: formatId('ticket', i + 1),
      title: ticketTitle(group, feature, memberComponents),
      description: `${members.length} tasks: ${members.map((m) => `${taskId.get(m.key)!} ${m.title}`).join('; ')}. Requirements: ${requirementIds.join(', ') || 'none'}.`,
      priority,
      requirements: requirementIds,
      components: [...new Set(members.flatMap((m) => m.components))],
      tasks: members.map((m) => taskId.get(m.key)!),
    };
  });
  const ticketOf = new Map(groups.map((g, i) => [g, formatId('ticket', i + 1)]));
  const tasks = ordered.map((d) => ({
    id: taskId.get(d.key)!,
    ticket_id: ticketOf.get(d.group)!,
    title: d.title,
    description: d.description,
    type: d.type,
    estimated_hours: d.hours,
    // Only earlier tasks (in creation order) are referenced: the graph is a DAG by construction.
    depends_on: d.after.filter((k) => drafts.findIndex((x) => x.key === k) < drafts.indexOf(d)).map((k) => taskId.get(k)!).filter(Boolean),
    requirements: d.requirements,
    components: d.components,
    files_to_create: d.files_to_create,
    files_to_modify: d.files_to_modify,
    acceptance_criteria: d.requirements.flatMap((id) => reqById.get(id)?.criteria ?? []),
  }));
  return {
    generated_by: 'planner',
    feature_name: spec.title,
    tickets,
    tasks,
    total_estimated_hours: tasks.reduce((sum, t) => sum + t.estimated_hours, 0),
    critical_path: criticalPath(tasks),
  };
}

/** The chain of dependent tasks with the most estimated hours. */
export function criticalPath(tasks: readonly { id: string; estimated_hours: number; depends_on: string[] }[]): string[] {
  const best = new Map<string, { hours: number; path: string[] }>();
  const visit = (id: string, seen: Set<string>): { hours: number; path: string[] } => {
    const known = best.get(id);
    if (known) return known;
    const task = tasks.find((t) => t.id === id);
    if (!task || seen.has(id)) return { hours: 0, path: [] };
    seen.add(id);
    let longest = { hours: 0, path: [] as string[] };
    for (const dep of task.depends_on) {
      const sub = visit(dep, seen);
      if (sub.hours > longest.hours) longest = sub;
    }
    seen.delete(id);
    const result = { hours: longest.hours + task.estimated_hours, path: [...longest.path, id] };
    best.set(id, result);
    return result;
  };
  let top = { hours: 0, path: [] as string[] };
  for (const task of tasks) {
    const result = visit(task.id, new Set());
    if (result.hours > top.hours) top = result;
  }
  return top.path;
}
