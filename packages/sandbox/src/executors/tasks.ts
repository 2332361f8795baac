/**
 * The planner's TASKS phase: one implementation task per design component, in dependency order
 * (model → settings/store → service → middleware → route → views), each naming the files it touches
 * (`files`, and `files_to_create` / `files_to_modify`) and the requirements it builds; then one test
 * task per test file, in the repository's test layout and runner, after the implementation tasks it
 * tests; then the documentation. Estimates are sized to the change (a changed file is smaller than a
 * new one). Dependencies only point at earlier tasks (a DAG); every requirement and component is cited.
 */
import { formatId, type Priority, type TasksOutput } from '@specline/protocol';
import { asArray, asRecord, idOf } from '../analysis/shape';
import type { SpecInfo } from '../types';
import type { Grounding } from './plan/ground';
import { placeTest, testCommand } from './plan/place';
import { stackProfile, testFileFor } from './profile';
import { readComponents, readRequirements, type ComponentView, type ReqView } from './read';
import { planFor, type PlanInputs } from './requirements';
import { truncate } from './text';

const LAYER_OF_ROLE: Readonly<Record<string, number>> = { model: 0, migration: 1, settings: 1, config: 1, store: 1, schema: 2, repository: 2, client: 2, notification: 3, service: 3, auth: 4, middleware: 4, job: 4, telemetry: 4, route: 5, http: 5, registration: 6, template: 7, ui: 7 };
const GROUP_OF_LAYER = (layer: number): string => (layer <= 2 ? 'data' : layer <= 4 ? 'logic' : 'interface');
const PRIORITY_RANK: Readonly<Record<Priority, number>> = { low: 0, medium: 1, high: 2, critical: 3 };

interface Component extends ComponentView {
  change: 'modify' | 'create';
  existing_symbols: string[];
  dependencies: string[];
  layer: number;
  responsibility: string;
  tests: { path: string; change: 'modify' | 'create' }[];
}

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
  create: string[];
  modify: string[];
}

/** The design's components with what the planner's design adds (change, symbols, tests), read leniently. */
function readDesign(designOutput: unknown, g: Grounding): Component[] {
  const views = readComponents(designOutput);
  const raw = new Map(asArray(asRecord(designOutput)?.['components']).map((c) => [idOf(asRecord(c)?.['id']) ?? '', asRecord(c) ?? {}]));
  return views.map((view, i) => {
    const record = raw.get(view.id) ?? {};
    const stated = record['change'];
    const exists = view.file_path !== undefined && g.repo.hasCodebase && g.repo.exists(view.file_path);
    const change: 'modify' | 'create' = stated === 'modify' || stated === 'create' ? stated : exists ? 'modify' : 'create';
    const tests = asArray(record['files'])
      .map(asRecord)
      .filter((f) => f !== undefined && typeof f['path'] === 'string' && (f['purpose'] === 'tests' || /(^|\/)tests?\/|[._]test\.|test_|Tests?\.java$/.test(String(f['path']))))
      .map((f): { path: string; change: 'modify' | 'create' } => ({ path: String(f!['path']), change: f!['change'] === 'modify' ? 'modify' : 'create' }));
    return {
      ...view,
      change,
      existing_symbols: asArray(record['existing_symbols']).filter((s): s is string => typeof s === 'string'),
      dependencies: asArray(record['dependencies']).filter((d): d is string => typeof d === 'string'),
      layer: LAYER_OF_ROLE[view.kind] ?? 5 + i / 1000,
      responsibility: typeof record['responsibility'] === 'string' ? record['responsibility'] : '',
      tests,
    };
  });
}

/** Components in an order where each comes after the ones it depends on (else by layer). */
function ordered(components: readonly Component[]): Component[] {
  const pending = [...components].sort((a, b) => a.layer - b.layer || (a.id < b.id ? -1 : 1));
  const out: Component[] = [];
  while (pending.length > 0) {
    const ready = pending.findIndex((c) => c.dependencies.every((d) => out.some((o) => o.id === d) || !pending.some((p) => p.id === d)));
    out.push(...pending.splice(ready < 0 ? 0 : ready, 1));
  }
  return out;
}

function code(text: string): string {
  return `\`${text}\``;
}

function implTitle(c: Component, existingFlow: boolean): string {
  const file = c.file_path ? ` in ${code(c.file_path)}` : '';
  const settings = /^Settings: (.+)$/.exec(c.name);
  if (settings) return c.change === 'modify' && c.file_path ? `Add the settings ${settings[1]!} to ${code(c.file_path)}` : `Create the settings ${settings[1]!}${file}`;
  if (/^(?:Mount|Apply|Schedule|Register|Wire)\b/.test(c.name)) return `${c.name}${file}`;
  if (existingFlow && c.change === 'modify' && (c.kind === 'route' || c.kind === 'http')) return `Review and extend ${lowerName(c.name)}${file}`;
  if (c.change === 'modify') return `Extend ${lowerName(c.name)}${file}`;
  return `Create ${lowerName(c.name)}${file}`;
}

function lowerName(name: string): string {
  return /^[A-Z][a-z]/.test(name) && !/^[A-Z][a-z]+[A-Z]/.test(name) ? name.charAt(0).toLowerCase() + name.slice(1) : name;
}

function hoursFor(c: Component, served: number, fallback: number): number {
  const base = c.change === 'modify' ? 1 : 2;
  const sized = Math.max(base, fallback);
  return Math.min(6, sized + 0.5 * Math.max(0, served - 2));
}

export function generateTasks(spec: Pick<SpecInfo, 'title' | 'description'>, explore: unknown, requirementsOutput: unknown, designOutput: unknown, inputs: PlanInputs = {}): TasksOutput {
  const { g, bp } = planFor(spec, explore, inputs);
  const profile = stackProfile(explore);
  const reqs = readRequirements(requirementsOutput);
  const reqById = new Map(reqs.map((r) => [r.id, r]));
  const components = ordered(readDesign(designOutput, g));
  const testingReqs = reqs.filter((r) => r.category === 'testing').map((r) => r.id);
  const functional = (ids: readonly string[]) => ids.filter((id) => reqById.has(id) && reqById.get(id)!.category !== 'testing');
  const partHours = new Map(bp.parts.map((p) => [p.file_path ?? p.key, p.hours]));
  const existingFlow = g.existing !== undefined;
  const runner = bp.runner;
  const drafts: TaskDraft[] = [];
  const implKey = (c: Component) => `impl:${c.id}`;

  for (const c of components) {
    const own = functional(c.requirements);
    // A component citing nothing works for the requirements of the components that use it.
    const users = components.filter((u) => u.dependencies.includes(c.id));
    const borrowed = own.length > 0 ? [] : [...new Set(users.flatMap((u) => functional(u.requirements)))];
    const served = own.length > 0 ? own : borrowed.length > 0 ? borrowed : functional(reqs.map((r) => r.id)).slice(0, 1);
    const criteria = served.flatMap((id) => reqById.get(id)?.criteria ?? []);
    const notes = served.map((id) => reqById.get(id)).filter((r): r is ReqView => r !== undefined);
    const existingNotes = asArray(asRecord(requirementsOutput)?.['requirements'])
      .map(asRecord)
      .filter((r) => r !== undefined && served.includes(String(r['id'])) && typeof r['existing_implementation'] === 'string')
      .map((r) => `${String(r!['id'])}: ${String(r!['existing_implementation'])}`);
    drafts.push({
      key: implKey(c),
      group: GROUP_OF_LAYER(c.layer),
      title: implTitle(c, existingFlow),
      description: [
        c.change === 'modify'
          ? `Change ${c.file_path ? code(c.file_path) : 'the existing code'}${c.existing_symbols.length > 0 ? ` (${c.existing_symbols.slice(0, 6).map(code).join(', ')})` : ''} for ${c.name} (${c.id}).`
          : `Create ${c.file_path ? code(c.file_path) : 'the module'} for ${c.name} (${c.id}).`,
        c.responsibility,
        notes.length > 0 ? `Builds ${notes.map((r) => `${r.id} (${truncate(r.title, 60)})`).join('; ')}.` : '',
        existingNotes.length > 0 ? `Already there: ${existingNotes.join('; ')}. Change only what falls short of the requirement.` : '',
        criteria.length > 0 ? `Done when ${criteria.slice(0, 6).join(', ')}${criteria.length > 6 ? ' and the rest of its criteria' : ''} hold.` : '',
      ].filter(Boolean).join(' '),
      type: 'implementation',
      hours: hoursFor(c, served.length, partHours.get(c.file_path ?? '') ?? 0),
      after: c.dependencies.filter((d) => drafts.some((t) => t.key === `impl:${d}`)).map((d) => `impl:${d}`),
      requirements: served,
      components: [c.id],
      create: c.file_path && c.change === 'create' ? [c.file_path] : [],
      modify: c.file_path && c.change === 'modify' ? [c.file_path] : [],
    });
  }

  // Test files: from the design (planner's), else placed for each component with behaviour.
  const tests = new Map<string, { change: 'modify' | 'create'; components: Component[] }>();
  const designHasTests = components.some((c) => c.tests.length > 0);
  for (const c of components) {
    const planned = c.tests.length > 0 ? c.tests : [];
    if (!designHasTests && planned.length === 0 && c.file_path && ['service', 'route', 'http', 'middleware', 'store', 'client', 'job'].includes(c.kind) && (c.change === 'create' || !g.repo.grounded)) {
      planned.push(g.repo.grounded ? { path: placeTest(g, c.file_path).path, change: placeTest(g, c.file_path).change } : { path: testFileFor(profile, c.file_path), change: 'create' });
    }
    for (const t of planned) {
      const entry = tests.get(t.path) ?? { change: t.change, components: [] };
      entry.components.push(c);
      tests.set(t.path, entry);
    }
  }
  if (tests.size === 0) {
    const main = components.find((c) => ['route', 'http', 'middleware', 'service'].includes(c.kind)) ?? components[0];
    if (main) tests.set('', { change: 'create', components: [main] });
  }
  for (const [path, entry] of tests) {
    // The components the file tests, and those they use: everything the test exercises is built first.
    const under = new Set(entry.components.map((c) => c.id));
    for (let grew = true; grew; ) {
      grew = false;
      for (const c of components) if (under.has(c.id)) for (const d of c.dependencies) if (!under.has(d)) { under.add(d); grew = true; }
    }
    const tested = components.filter((c) => under.has(c.id));
    const servedReqs = [...new Set(tested.flatMap((c) => drafts.find((d) => d.key === implKey(c))?.requirements ?? []))];
    const criteria = servedReqs.flatMap((id) => reqById.get(id)?.criteria ?? []);
    const names = entry.components.map((c) => c.name).join(' and ');
    drafts.push({
      key: `test:${path || entry.components[0]!.id}`,
      group: GROUP_OF_LAYER(Math.max(...entry.components.map((c) => c.layer))),
      title: path ? `${entry.change === 'modify' ? 'Extend' : 'Write'} ${runner} tests in ${code(path)}` : `Write ${runner} tests for ${names}`,
      description: `${runner} tests${path ? ` in ${code(path)}${entry.change === 'modify' ? ' (existing file)' : ''}` : ''} for ${names}, one per criterion: ${criteria.length > 0 ? criteria.join(', ') : servedReqs.join(', ')}. Each test names the criterion it checks and fails when the behaviour is removed.${g.repo.hasCodebase ? ` Run with \`${testCommand(g)}\`.` : ''}`,
      type: 'test',
      hours: Math.min(4, 1 + 0.25 * Math.max(0, criteria.length - 2)),
      after: tested.map(implKey).filter((k) => drafts.some((d) => d.key === k)),
      requirements: [...new Set([...servedReqs, ...testingReqs])],
      components: entry.components.map((c) => c.id),
      create: path && entry.change === 'create' ? [path] : [],
      modify: path && entry.change === 'modify' ? [path] : [],
    });
  }

  // Every requirement cited: the ones no component serves get a verification task after everything.
  const cited = new Set(drafts.flatMap((d) => d.requirements));
  const uncovered = reqs.filter((r) => !cited.has(r.id));
  const implKeys = drafts.filter((d) => d.type === 'implementation').map((d) => d.key);
  if (uncovered.length > 0) {
    drafts.push({
      key: 'verify',
      group: 'verification',
      title: `Verify ${uncovered.map((r) => r.id).join(', ')} end to end`,
      description: `${runner} tests against the assembled application for ${uncovered.map((r) => `${r.id} (${r.title})`).join('; ')}.`,
      type: 'test',
      hours: Math.min(4, 1 + 0.5 * uncovered.length),
      after: implKeys,
      requirements: uncovered.map((r) => r.id),
      components: components.map((c) => c.id),
      create: [],
      modify: [],
    });
  }
  // Documentation where the repository documents itself.
  const readme = g.repo.hasCodebase ? ['README.md', 'readme.md', 'docs/README.md'].find((p) => g.repo.exists(p)) : undefined;
  if (readme || !g.repo.hasCodebase || !g.repo.grounded) {
    const userFacing = reqs.filter((r) => ['config', 'response', 'rule', 'ui', 'behaviour'].includes(r.category)).map((r) => r.id);
    const topic = spec.title.replace(/^(add|implement|create|build|support)\s+/i, '');
    drafts.push({
      key: 'docs',
      group: 'verification',
      title: `Document ${lowerName(topic)}${readme ? ` in ${code(readme)}` : ''}`,
      description: `Describe ${lowerName(topic)} for its users: ${[...bp.endpoints.map((e) => code(`${e.method} ${e.path}`)), ...bp.facts.settings.filter((s) => !s.existing).map((s) => code(s.name))].join(', ') || 'the new behaviour'}, with the answers of ${userFacing.slice(0, 4).join(', ') || 'the requirements'}.`,
      type: 'documentation',
      hours: 0.5,
      after: implKeys,
      requirements: userFacing.length > 0 ? userFacing.slice(0, 6) : reqs.slice(0, 1).map((r) => r.id),
      components: components.filter((c) => ['route', 'http', 'settings', 'config', 'ui', 'template'].includes(c.kind)).map((c) => c.id),
      create: [],
      modify: readme && g.repo.grounded ? [readme] : [],
    });
  }

  // Tickets by layer group, in the order groups first appear; tasks numbered in creation order (dependency order).
  const taskId = new Map(drafts.map((d, i) => [d.key, formatId('task', i + 1)]));
  const groups = [...new Set(drafts.map((d) => d.group))];
  const feature = spec.title;
  const ticketTitle: Record<string, string> = { data: `${feature}: data and settings`, logic: `${feature}: logic`, interface: `${feature}: endpoints and views`, verification: `${feature}: verification and documentation` };
  const tickets = groups.map((group, i) => {
    const members = drafts.filter((d) => d.group === group);
    const requirementIds = [...new Set(members.flatMap((d) => d.requirements))];
    const priority = requirementIds.reduce<Priority>((best, id) => {
      const p = reqById.get(id)?.priority ?? 'medium';
      return PRIORITY_RANK[p] > PRIORITY_RANK[best] ? p : best;
    }, 'low');
    return {
      id: formatId('ticket', i + 1),
      title: ticketTitle[group] ?? `${feature}: ${group}`,
      description: `${members.length} task${members.length === 1 ? '' : 's'}: ${members.map((m) => `${taskId.get(m.key)!} ${m.title}`).join('; ')}. Requirements: ${requirementIds.join(', ') || 'none'}.`,
      priority,
      requirements: requirementIds,
      components: [...new Set(members.flatMap((m) => m.components))],
      tasks: members.map((m) => taskId.get(m.key)!),
    };
  });
  const ticketOf = new Map(groups.map((g2, i) => [g2, formatId('ticket', i + 1)]));
  const tasks = drafts.map((d, i) => ({
    id: taskId.get(d.key)!,
    ticket_id: ticketOf.get(d.group)!,
    title: d.title,
    description: d.description,
    type: d.type,
    estimated_hours: d.hours,
    // Only earlier tasks are referenced: the graph is a DAG by construction.
    depends_on: d.after.filter((k) => drafts.findIndex((x) => x.key === k) < i).map((k) => taskId.get(k)!).filter(Boolean),
    requirements: d.requirements,
    components: d.components,
    files: [...d.modify, ...d.create],
    files_to_create: d.create,
    files_to_modify: d.modify,
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
