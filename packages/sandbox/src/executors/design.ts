/**
 * The planner's DESIGN phase, written from the blueprint (`plan/blueprint.ts`): the components a
 * change of this kind needs in this stack, each on a real file (`change: "modify"`, with the
 * `existing_symbols` it touches and the `reason` it was picked) or on a new file where the
 * repository keeps such files (`change: "create"`); the data-model changes in the repository's ORM;
 * the endpoints under their real prefixes; error handling in the framework's terms; and a testing
 * strategy naming the runner and the test files. Every requirement is served by a component.
 */
import type { DesignOutput } from '@specline/protocol';
import { formatId } from '@specline/protocol';
import type { SpecInfo } from '../types';
import type { Aspect, Blueprint, Part } from './plan/blueprint';
import type { Grounding } from './plan/ground';
import { testCommand, testPattern } from './plan/place';
import { readRequirements, type ReqView } from './read';
import { planFor, type PlanInputs, type RequirementCategory } from './requirements';
import { truncate } from './text';

/**
 * A component's responsibility followed by the requirements it serves, by id and title: the design says
 * what it is built for, and a person's edit of a requirement shows in the design made from it.
 */
function withServed(responsibility: string, reqs: readonly ReqView[]): string {
  if (reqs.length === 0) return responsibility;
  const base = responsibility.trim() === '' ? '' : `${responsibility.trim().replace(/[.;:,]?$/, '.')} `;
  return `${base}Serves ${reqs.map((r) => `${r.id} (${truncate(r.title, 60)})`).join('; ')}.`;
}

/** Which roles serve a requirement of a category, when it carries no aspect of its own (a model's or a person's requirement). */
const ROLES_FOR: Readonly<Record<RequirementCategory, readonly Part['role'][]>> = {
  rule: ['middleware', 'store', 'service', 'route'],
  response: ['route', 'middleware'],
  behaviour: ['service', 'route', 'middleware', 'job', 'client'],
  ui: ['template', 'ui', 'route'],
  config: ['settings', 'middleware', 'service'],
  errors: ['route', 'middleware', 'service', 'client'],
  observability: ['middleware', 'service', 'job', 'client', 'route'],
  testing: ['route', 'middleware', 'service', 'job', 'client', 'model'],
};

/** The aspect a requirement of a category is about, when it names none itself. */
const ASPECT_OF: Readonly<Record<RequirementCategory, Aspect>> = { rule: 'limit', response: 'refusal', behaviour: 'behaviour', ui: 'display', config: 'config', errors: 'validation', observability: 'observability', testing: 'testing' };

function servingParts(req: ReqView & { aspect?: string }, parts: readonly Part[]): Part[] {
  for (const aspect of [req.aspect, ASPECT_OF[req.category]]) {
    if (aspect === undefined) continue;
    const byAspect = parts.filter((p) => p.serves.includes(aspect as Aspect));
    if (byAspect.length > 0) return byAspect.slice(0, 3);
  }
  for (const role of ROLES_FOR[req.category]) {
    const found = parts.filter((p) => p.role === role);
    if (found.length > 0) return found.slice(0, 2);
  }
  return [];
}

function readAspects(requirementsOutput: unknown): Map<string, string> {
  const out = new Map<string, string>();
  const list = (requirementsOutput as { requirements?: unknown[] } | undefined)?.requirements ?? [];
  for (const item of list) {
    const r = item as { id?: unknown; aspect?: unknown };
    if (typeof r.id === 'string' && typeof r.aspect === 'string') out.set(r.id, r.aspect);
  }
  return out;
}

function errorConvention(g: Grounding): string {
  const errors = g.repo.sourceFiles.find((f) => /(^|\/)errors?\.(ts|js|py)$/.test(f));
  switch (g.repo.http) {
    case 'FastAPI':
      return 'raised as `HTTPException` (FastAPI answers `{"detail": …}`)';
    case 'Express':
      return errors ? `raised as the repository's error type from \`${errors}\` and answered by its error handler` : 'passed to `next(err)` and answered by the error-handling middleware';
    case 'Spring':
      return 'field errors go back to the form through `BindingResult`; a missing row ends in `ResponseStatusException(HttpStatus.NOT_FOUND)`';
    case undefined:
      return 'reported with an error naming the value';
    default:
      return `answered through ${g.repo.http}'s error handling`;
  }
}

function errorHandling(g: Grounding, bp: Blueprint): string {
  const convention = errorConvention(g);
  const lines: string[] = [];
  const status = bp.facts.invalidStatus;
  if (bp.kind === 'rule') {
    if (g.request.traits.includes('rate_limit')) {
      lines.push(`Over the limit the request is answered 429 (Too Many Requests) with a Retry-After header (seconds left in the window), ${convention}.`);
      lines.push('If the limiter store fails, the request is served (fail open) and the failure is logged with its cause; the limiter never turns a store error into a 500.');
    } else lines.push(`A request the rule refuses is answered with the rule's status and a body naming the rule, ${convention}.`);
  } else if (bp.kind === 'endpoint') {
    lines.push(`Invalid query parameters are answered ${status} naming the parameter before any database query runs, ${convention}.`);
    lines.push('A page past the end is not an error: it answers 200 with an empty list and the total.');
  } else if (g.existing && g.request.traits.includes('password_reset')) {
    lines.push(`A malformed, expired or already used reset token is answered 400 and changes nothing; a request for an unknown email gets the same answer as one for a registered email; a new password that fails the schema is answered ${status}, ${convention}.`);
  } else {
    if (bp.facts.formBased) lines.push(`Invalid form input shows the form again with a message next to each invalid field and stores nothing; ${convention}.`);
    else lines.push(`Invalid input is answered ${status} naming the field and stores nothing, ${convention}.`);
    if (bp.endpoints.some((e) => /[{<:]/.test(e.path))) lines.push('A path id that names no row is answered 404 (Not Found).');
  }
  if (g.existing) lines.push('The existing error answers are kept unless a requirement says otherwise; the review task lists each one it changes.');
  if (bp.kind === 'integration') lines.push('Timeouts and 5xx answers of the outside service are retried at most 3 times with backoff, then answered 502 with the service named; other 4xx answers are not retried.');
  return lines.join(' ');
}

function testingStrategy(g: Grounding, bp: Blueprint, reqs: readonly ReqView[]): string {
  const runner = bp.runner;
  const files = bp.tests.map((t) => `\`${t.placed.path}\`${t.placed.change === 'create' ? ' (new)' : ' (extended)'}`);
  const example = g.repo.tests.examples.find((e) => bp.tests.some((t) => t.placed.path === e)) ?? g.repo.tests.examples[0];
  const how = (() => {
    switch (g.repo.http) {
      case 'FastAPI':
        return g.repo.files.some((f) => /conftest\.py$/.test(f)) ? 'requests go through the FastAPI `TestClient` of the `client` fixture in `tests/conftest.py`' : 'requests go through the FastAPI `TestClient`';
      case 'Express':
        return `requests go through supertest against the app built by \`createApp()\`${example ? `, as \`${example}\` does` : ''}`;
      case 'Spring':
        return `controllers are tested with \`@WebMvcTest\` and \`MockMvc\`${example ? `, as \`${example}\` does` : ''}, repositories mocked with \`@MockBean\``;
      case 'Fastify':
        return 'requests go through `app.inject()` on a Fastify instance with the plugin registered';
      case undefined:
        return 'tests call the public entry point';
      default:
        return `requests go through a ${g.repo.http} app started on port 0`;
    }
  })();
  const clock = bp.facts.defaults['window'] !== undefined || reqs.some((r) => /injected clock/i.test(r.criteria.join(' ')) || /expire|hour|minute|window/i.test(r.text)) ? ' Time comes from an injected clock; no test sleeps.' : '';
  const fakes = g.request.traits.includes('notify') || bp.parts.some((p) => p.role === 'notification') ? ' The mail sender is replaced by a fake that records each message.' : bp.parts.some((p) => p.role === 'client') ? ' The outside service is replaced by a fake client.' : '';
  return (
    `${runner} tests (${testPattern(g)})${files.length > 0 ? ` in ${files.join(' and ')}` : ''}: ${how}; one test per acceptance criterion, named after its id (e.g. "${reqs[0]?.criteria[0] ?? 'REQ-001.AC-1'}").${clock}${fakes}` +
    (g.repo.hasCodebase ? ` Run with \`${testCommand(g)}\`.` : '')
  );
}

function overview(spec: Pick<SpecInfo, 'title'>, g: Grounding, bp: Blueprint, components: readonly { id: string; name: string; file_path?: string | undefined; change: string }[]): string {
  const stack = g.repo.hasCodebase ? `the ${g.repo.language}${g.repo.http ? `/${g.repo.http}` : ''}${g.repo.orm ? ` + ${g.repo.orm}` : ''} code` : 'a code base that is not connected yet';
  const modified = components.filter((c) => c.change === 'modify' && c.file_path);
  const created = components.filter((c) => c.change === 'create' && c.file_path);
  const parts: string[] = [];
  if (g.existing) parts.push(`${spec.title}: already implemented in ${g.existing.summary}. This design keeps that implementation and extends it where the requirements find a gap; it adds no second one.`);
  else parts.push(`${spec.title} is ${bp.label} in ${stack}.`);
  if (modified.length > 0) parts.push(`It changes ${modified.length} existing file${modified.length === 1 ? '' : 's'}: ${modified.map((c) => `${c.id} \`${c.file_path}\``).join(', ')}.`);
  if (created.length > 0) parts.push(`It adds ${created.length} file${created.length === 1 ? '' : 's'}, placed where the repository keeps such files: ${created.map((c) => `${c.id} \`${c.file_path}\``).join(', ')}.`);
  if (!g.repo.hasCodebase) parts.push('No repository is connected, so no existing file is named; file locations are decided once the code base is known.');
  if (bp.endpoints.length > 0) parts.push(`Endpoints: ${bp.endpoints.map((e) => `\`${e.method} ${e.path}\` (${e.change === 'create' ? 'new' : 'existing'})`).join(', ')}.`);
  for (const note of bp.notes.filter((n) => !n.startsWith('Already implemented'))) parts.push(note);
  return parts.join(' ');
}

function diagram(components: readonly { id: string; name: string; kind: string; dependencies: string[] }[]): string {
  const node = (id: string) => id.replace('-', '');
  const label = (c: { id: string; name: string }) => `${node(c.id)}["${c.name.replace(/"/g, "'")}"]`;
  // The client reaches the part nothing else calls among the entry roles (the route, the middleware, the page).
  const entries = components.filter((c) => ['route', 'middleware', 'template', 'ui', 'registration'].includes(c.kind));
  const entry = entries.find((c) => !components.some((o) => o.dependencies.includes(c.id))) ?? entries[0];
  const lines = ['flowchart LR'];
  if (entry) lines.push(`  client([Client]) --> ${label(entry)}`);
  for (const c of components) for (const d of c.dependencies) lines.push(`  ${label(c)} --> ${label(components.find((x) => x.id === d)!)}`);
  if (lines.length === 1) for (const c of components) lines.push(`  ${label(c)}`);
  return lines.join('\n');
}

export function generateDesign(spec: Pick<SpecInfo, 'title' | 'description'>, explore: unknown, requirementsOutput: unknown, inputs: PlanInputs = {}): DesignOutput {
  const { g, bp } = planFor(spec, explore, inputs);
  const aspects = readAspects(requirementsOutput);
  const reqs = readRequirements(requirementsOutput).map((r) => ({ ...r, ...(aspects.has(r.id) ? { aspect: aspects.get(r.id)! } : {}) }));
  const parts = [...bp.parts].sort((a, b) => a.layer - b.layer);
  const idOf = new Map(parts.map((p, i) => [p.key, formatId('component', i + 1)]));
  const served = new Map<string, string[]>(parts.map((p) => [p.key, []]));
  const main = parts.find((p) => p.role === 'route' || p.role === 'middleware') ?? parts.find((p) => p.role === 'service') ?? parts[parts.length - 1];
  for (const req of reqs) {
    const owners = servingParts(req, parts);
    for (const owner of owners.length > 0 ? owners : main ? [main] : []) served.get(owner.key)!.push(req.id);
  }
  const testsOf = new Map<string, { path: string; change: string }[]>();
  for (const test of bp.tests) testsOf.set(test.part, [...(testsOf.get(test.part) ?? []), { path: test.placed.path, change: test.placed.change }]);
  const components = parts.map((part) => ({
    id: idOf.get(part.key)!,
    name: part.name,
    type: part.role,
    kind: part.role,
    responsibility: withServed(part.responsibility, (served.get(part.key) ?? []).flatMap((id) => reqs.find((r) => r.id === id) ?? [])),
    ...(part.file_path ? { file_path: part.file_path } : {}),
    change: part.change,
    existing_symbols: part.existing_symbols,
    reason: part.reason,
    requirements: served.get(part.key) ?? [],
    interfaces: part.interfaces,
    dependencies: part.uses.map((u) => idOf.get(u)).filter((d): d is string => d !== undefined),
    ...(testsOf.has(part.key) ? { files: testsOf.get(part.key)!.map((t) => ({ path: t.path, change: t.change, purpose: 'tests' })) } : {}),
  }));
  const api_endpoints = bp.endpoints.map((e) => ({ method: e.method, path: e.path, description: e.description, component: idOf.get(e.part) ?? components[0]?.id ?? 'DES-001', change: e.change }));
  // Stated routes of clause requirements that the blueprint did not plan (a description naming its own endpoint).
  for (const req of reqs) {
    for (const match of req.text.matchAll(/`(GET|POST|PUT|PATCH|DELETE) (\/[^`\s]*)`/g)) {
      if (!api_endpoints.some((e) => e.method === match[1] && e.path === match[2])) {
        const owner = components.find((c) => c.requirements.includes(req.id)) ?? components[0];
        api_endpoints.push({ method: match[1]!, path: match[2]!, description: `Stated by ${req.id}: ${req.title}.`, component: owner?.id ?? 'DES-001', change: g.repo.routes.some((r) => r.method === match[1] && r.path === match[2]) ? 'modify' : 'create' });
      }
    }
  }
  return {
    generated_by: 'planner',
    feature_name: spec.title,
    change_kind: bp.kind,
    architecture_overview: overview(spec, g, bp, components),
    architecture_diagram: diagram(components),
    components,
    data_models: bp.models.map((m) => ({ name: m.name, description: m.description, change: m.change, ...(m.file_path ? { file_path: m.file_path } : {}), ...(m.table ? { table: m.table } : {}), fields: m.fields })),
    api_endpoints,
    error_handling: errorHandling(g, bp),
    testing_strategy: testingStrategy(g, bp, reqs),
    existing_implementation: g.existing ? { summary: `Already implemented in ${g.existing.summary}`, files: g.existing.files } : null,
    notes: bp.notes.filter((n) => !n.startsWith('Already implemented')),
  };
}
