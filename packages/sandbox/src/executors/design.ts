/**
 * The planner's DESIGN phase: components (DES-001…) mapped onto the detected stack, each citing the
 * requirements it serves; data models; API endpoints (stated in the requirements, or the existing
 * routes a hook sits in front of); error handling and testing strategy in terms of the detected
 * framework and test runner; a mermaid flowchart.
 */
import { formatId, type DesignOutput } from '@specline/protocol';
import type { SpecInfo } from '../types';
import { parseQuota, type RequirementCategory } from './requirements';
import { featureFile, placeFile, stackProfile, type StackProfile } from './profile';
import { readRequirements, type ReqView } from './read';
import { clauseFacts, featureWords, titleCase, toCase, type ClauseFacts } from './text';

export type ComponentKind = 'config' | 'store' | 'service' | 'http' | 'ui' | 'telemetry';

const SERVES: Readonly<Record<ComponentKind, readonly RequirementCategory[]>> = {
  config: ['config'],
  store: ['rule'],
  service: ['rule', 'behaviour', 'response', 'testing'],
  http: ['response', 'errors'],
  ui: ['ui'],
  telemetry: ['observability'],
};

interface Plan {
  kind: ComponentKind;
  name: string;
  type: string;
  responsibility: string;
  file_path: string;
  interfaces: { name: string; signature: string; description: string }[];
  uses: ComponentKind[];
}

function httpIntegration(profile: StackProfile): { noun: string; dirs: string[]; how: string } {
  switch (profile.httpFramework) {
    case 'Fastify':
      return { noun: 'Fastify plugin', dirs: ['plugins', 'hooks', 'middleware'], how: 'an `onRequest` hook registered as a Fastify plugin (fastify-plugin, so it applies to every route of the API scope)' };
    case 'Express':
    case 'Koa':
    case 'Hono':
      return { noun: `${profile.httpFramework} middleware`, dirs: ['middleware', 'middlewares'], how: `${profile.httpFramework} middleware mounted before the API routes` };
    case 'NestJS':
      return { noun: 'NestJS guard', dirs: ['guards', 'common'], how: 'a NestJS guard applied globally to the API module' };
    case 'Django':
    case 'Django REST framework':
      return { noun: 'Django middleware', dirs: ['middleware'], how: 'a Django middleware class listed in MIDDLEWARE' };
    case 'FastAPI':
    case 'Starlette':
      return { noun: `${profile.httpFramework} middleware`, dirs: ['middleware', 'dependencies'], how: 'an ASGI middleware (or a router dependency) in front of the API routes' };
    case 'Flask':
      return { noun: 'Flask before_request hook', dirs: ['middleware'], how: 'a `before_request` hook on the API blueprint' };
    case 'Gin':
    case 'Echo':
    case 'chi':
    case 'Fiber':
      return { noun: `${profile.httpFramework} middleware`, dirs: ['middleware'], how: `${profile.httpFramework} middleware on the API router group` };
    case undefined:
      return { noun: 'HTTP handler', dirs: ['routes', 'handlers', 'api'], how: 'the HTTP layer in front of the feature' };
    default:
      return { noun: `${profile.httpFramework} integration`, dirs: ['middleware', 'routes'], how: `the ${profile.httpFramework} request pipeline` };
  }
}

function storeBackends(profile: StackProfile): string {
  const fw = profile.frameworks.join(' ').toLowerCase();
  const backends = ['an in-memory implementation (single instance, tests)'];
  if (/redis/.test(fw)) backends.push('a Redis implementation for several instances (Redis client detected)');
  if (/drizzle|postgres|pglite|prisma|sqlalchemy|typeorm|gorm/.test(fw)) backends.push('a database-backed implementation through the existing data layer');
  return backends.join(', ');
}

/** A requirement that keeps something between requests (not the log lines of observability). */
function needsState(req: ReqView): boolean {
  return req.category !== 'observability' && req.category !== 'testing' && /\b(store|stored|persist\w*|save|saved|history|count|counted|queue|cache|cached|per (second|minute|hour|day))\b/i.test(req.text);
}

function planComponents(spec: Pick<SpecInfo, 'title'>, reqs: readonly ReqView[], profile: StackProfile, limit: ClauseFacts['limit']): Plan[] {
  const words = featureWords(spec.title);
  const name = titleCase(words);
  const camel = toCase(words, 'camelCase');
  const has = (...cats: RequirementCategory[]) => reqs.some((r) => cats.includes(r.category));
  const stateful = has('rule') || reqs.some((r) => needsState(r));
  const httpish = profile.httpFramework !== undefined || has('response');
  const plans: Plan[] = [];
  if (has('config')) {
    plans.push({
      kind: 'config', name: `${name} configuration`, type: 'config', file_path: featureFile(profile, spec.title, 'config'), uses: [],
      responsibility: `Reads and validates the ${name.toLowerCase()} settings (with the described defaults) once at start-up; fails fast naming a bad setting.`,
      interfaces: [{ name: `load${toCase(words, 'PascalCase')}Config`, signature: `(env: Record<string, string | undefined>) => ${toCase(words, 'PascalCase')}Config`, description: 'Parses and validates the settings; throws naming the setting on an invalid value.' }],
    });
  }
  if (stateful) {
    plans.push({
      kind: 'store', name: `${name} store`, type: 'store', file_path: featureFile(profile, spec.title, 'store'), uses: [],
      responsibility: `Keeps the ${name.toLowerCase()} state behind a small interface with ${storeBackends(profile)}; operations are atomic per key.`,
      interfaces: limit
        ? [{ name: 'increment', signature: '(key: string, windowStart: number) => Promise<number>', description: 'Atomically counts one more hit in the window and returns the new count.' }]
        : [{ name: 'get / put', signature: '(key: string) => Promise<Entry | undefined>; (key: string, entry: Entry) => Promise<void>', description: 'Reads and writes one entry.' }],
    });
  }
  plans.push({
    kind: 'service', name: `${name} service`, type: 'service', file_path: featureFile(profile, spec.title, ...words, 'service'),
    uses: [...(stateful ? (['store'] as const) : []), ...(has('config') ? (['config'] as const) : [])],
    responsibility: limit
      ? `Decides for each request whether the ${limit.subject.replace(/^(each|every|the)\s+/i, '')} is within ${limit.quota}; computes remaining allowance and the seconds until the window resets. Pure logic with an injected clock.`
      : `Implements the rules of ${name.toLowerCase()}: ${reqs.filter((r) => SERVES.service.includes(r.category)).map((r) => r.title.toLowerCase()).join('; ') || 'the feature behaviour'}.`,
    interfaces: limit
      ? [{ name: 'check', signature: '(key: string, now: number) => Promise<{ allowed: boolean; limit: number; remaining: number; retryAfterSeconds: number }>', description: `Counts the request against ${limit.quota} and returns the decision.` }]
      : [{ name: camel, signature: '(input: Input) => Promise<Result>', description: `Runs ${name.toLowerCase()} for one request.` }],
  });
  if (httpish) {
    const http = httpIntegration(profile);
    plans.push({
      kind: 'http', name: `${name} ${http.noun}`, type: 'http', file_path: placeFile(profile, spec.title, http.dirs, 'plugin'), uses: ['service', ...(has('observability') ? (['telemetry'] as const) : [])],
      responsibility: `Connects ${name.toLowerCase()} to the API as ${http.how}; maps decisions and failures to HTTP responses (status codes, headers, error body).`,
      interfaces: [{ name: `register${toCase(words, 'PascalCase')}`, signature: profile.httpFramework === 'Fastify' ? '(app: FastifyInstance, options) => Promise<void>' : '(app, options) => void', description: 'Installs the hook/middleware with its dependencies injected.' }],
    });
  }
  if (has('ui') && profile.frontendRoot) {
    plans.push({
      kind: 'ui', name: `${name} UI`, type: 'ui', file_path: `${profile.frontendRoot}/${toCase(words, 'camelCase')}/${toCase(words, 'PascalCase')}.tsx`, uses: [],
      responsibility: `Shows ${name.toLowerCase()} in the ${profile.frontendFramework ?? 'web'} front end, with accessible controls and text states.`,
      interfaces: [{ name: toCase(words, 'PascalCase'), signature: '(props) => JSX.Element', description: 'The view component.' }],
    });
  }
  if (has('observability')) {
    plans.push({
      kind: 'telemetry', name: `${name} telemetry`, type: 'telemetry', file_path: featureFile(profile, spec.title, 'telemetry'), uses: [],
      responsibility: `Writes one structured log entry per ${name.toLowerCase()} decision or failure through the injected logger, with identifiers hashed or shortened; keeps outcome counters.`,
      interfaces: [{ name: 'record', signature: '(event: { outcome: string; subject: string; reason?: string }) => void', description: 'Logs and counts one outcome.' }],
    });
  }
  return plans;
}

function dataModels(spec: Pick<SpecInfo, 'title'>, plans: readonly Plan[], limit: ClauseFacts['limit'], facts: readonly ClauseFacts[]): DesignOutput['data_models'] {
  const pascal = toCase(featureWords(spec.title), 'PascalCase');
  const models: DesignOutput['data_models'] = [];
  const quota = limit ? parseQuota(limit.quota) : undefined;
  const seconds: Record<string, number> = { second: 1, minute: 60, hour: 3600, day: 86_400, week: 604_800 };
  if (plans.some((p) => p.kind === 'config')) {
    const fields = [{ name: 'enabled', type: 'boolean', description: 'Switches the feature off without a deploy (default true).' }];
    if (quota) {
      fields.push({ name: `max_${quota.unit}s`, type: 'integer', description: `Allowed ${quota.unit}s per window (default ${quota.count}).` });
      if (quota.period) fields.push({ name: 'window_seconds', type: 'integer', description: `Window length (default ${seconds[quota.period] ?? 60}, one ${quota.period}).` });
    }
    for (const quantity of [...new Set(facts.flatMap((f) => (f.limit ? [] : f.quantities)))].filter((q) => q !== limit?.quota)) {
      const parsed = parseQuota(quantity);
      if (parsed) fields.push({ name: `${parsed.unit}_threshold`, type: 'integer', description: `Threshold from the description (default ${parsed.count}).` });
    }
    models.push({ name: `${pascal}Config`, description: 'Validated settings, read once at start-up.', fields });
  }
  if (limit) {
    models.push({
      name: `${pascal}Window`,
      description: `Counter of one ${limit.subject.replace(/^(each|every)\s+/i, '')} in the current window (the store's record).`,
      fields: [
        { name: 'key', type: 'string', description: `Identifier of the ${limit.subject.replace(/^(each|every)\s+/i, '')} (hashed, never the raw secret).` },
        { name: 'window_start', type: 'timestamp (ms)', description: 'Start of the fixed window the count belongs to.' },
        { name: 'count', type: 'integer', description: 'Requests counted in this window.' },
      ],
    });
    models.push({
      name: `${pascal}Decision`,
      description: 'Result of one check, used to build the response.',
      fields: [
        { name: 'allowed', type: 'boolean' },
        { name: 'limit', type: 'integer' },
        { name: 'remaining', type: 'integer' },
        { name: 'retry_after_seconds', type: 'integer', description: 'Seconds until the window resets; sent as Retry-After when refused.' },
      ],
    });
  } else if (plans.some((p) => p.kind === 'store')) {
    models.push({
      name: `${pascal}Entry`,
      description: 'One stored record of the feature.',
      fields: [
        { name: 'id', type: 'string' },
        { name: 'created_at', type: 'timestamp' },
        { name: 'updated_at', type: 'timestamp' },
        { name: 'status', type: 'string' },
      ],
    });
  }
  if (plans.some((p) => p.kind === 'http')) {
    models.push({ name: 'ErrorResponse', description: 'Body of every error answer of the feature.', fields: [{ name: 'detail', type: 'string', description: 'What went wrong, naming the field or limit.' }, { name: 'code', type: 'string', description: 'Stable machine-readable code.' }] });
  }
  return models;
}

export function generateDesign(spec: Pick<SpecInfo, 'title' | 'description'>, explore: unknown, requirementsOutput: unknown): DesignOutput {
  const profile = stackProfile(explore);
  const reqs = readRequirements(requirementsOutput);
  const facts = reqs.map((r) => clauseFacts(r.text));
  const limit = facts.find((f) => f.limit)?.limit;
  const plans = planComponents(spec, reqs, profile, limit);
  const idOf = (kind: ComponentKind) => formatId('component', plans.findIndex((p) => p.kind === kind) + 1);
  const served = new Map<ComponentKind, string[]>(plans.map((p) => [p.kind, []]));
  for (const req of reqs) {
    const owners = plans.filter(
      (p) => (SERVES[p.kind].includes(req.category) || (p.kind === 'store' && needsState(req))) && !(p.kind === 'service' && req.category === 'response' && served.has('http')),
    );
    for (const owner of owners.length > 0 ? owners : plans.filter((p) => p.kind === 'service')) served.get(owner.kind)!.push(req.id);
  }
  const components = plans.map((plan, i) => ({
    id: formatId('component', i + 1),
    name: plan.name,
    type: plan.type,
    kind: plan.kind,
    responsibility: plan.responsibility,
    file_path: plan.file_path,
    requirements: served.get(plan.kind) ?? [],
    interfaces: plan.interfaces,
    dependencies: plan.uses.filter((u) => plans.some((p) => p.kind === u)).map(idOf),
  }));
  const routes = facts.flatMap((f) => f.routes);
  const http = plans.find((p) => p.kind === 'http');
  const statuses = [...new Set(facts.flatMap((f) => f.statuses))];
  const headers = [...new Set(facts.flatMap((f) => f.headers))];
  const api_endpoints = routes.length > 0
    ? routes.map((r) => ({ method: r.method, path: r.path, description: `Added for ${spec.title}`, component: http ? idOf('http') : idOf('service') }))
    : http
      ? // A hook sits in front of every existing route: one entry per method, not an invented route.
        ['GET', 'POST', 'PUT', 'PATCH', 'DELETE'].map((method) => ({
          method,
          path: '/api/*',
          description: `Existing ${method} routes of the API, now passing through the ${http.name}${statuses.length > 0 ? `; may answer ${statuses.join('/')}${headers.length > 0 ? ` with ${headers.join(', ')}` : ''}` : ''}.`,
          component: idOf('http'),
        }))
      : [];
  const runner = profile.testRunner ?? 'the project test runner';
  const integration = profile.httpFramework === 'Fastify' ? 'through `app.inject()` on a Fastify instance with the plugin registered' : profile.httpFramework ? `through real HTTP requests to a ${profile.httpFramework} app started on port 0` : 'through the public entry point';
  const diagram = [
    'flowchart LR',
    ...(http ? [`  client([Client]) --> ${idOf('http').replace('-', '')}["${http.name}"]`] : []),
    ...components.flatMap((c) => c.dependencies.map((d) => `  ${c.id.replace('-', '')}["${c.name}"] --> ${d.replace('-', '')}["${components.find((x) => x.id === d)!.name}"]`)),
  ].join('\n');
  return {
    generated_by: 'planner',
    feature_name: spec.title,
    architecture_overview:
      `${spec.title} is added to the ${profile.language}${profile.httpFramework ? `/${profile.httpFramework}` : ''} code under ${profile.sourceRoot} as ${components.length} components: ` +
      `${components.map((c) => `${c.id} ${c.name} (${c.file_path})`).join(', ')}. ` +
      `${http ? `Requests reach the ${http.name}, which asks the service for a decision and turns it into the HTTP answer. ` : ''}` +
      `The service holds the rules and is pure apart from its injected store and clock, so it is unit-tested without the framework. ` +
      `Every requirement of the REQUIREMENTS phase is served by the components that cite it.`,
    architecture_diagram: diagram,
    components,
    data_models: dataModels(spec, plans, limit, facts),
    api_endpoints,
    error_handling: [
      statuses.length > 0 ? `Refusals are answered with ${statuses.join('/')}${headers.length > 0 ? ` and the ${headers.join(', ')} header${headers.length > 1 ? 's' : ''}` : ''}, with an ErrorResponse body {detail, code} naming the limit or rule.` : 'Refusals are answered with an error naming the rule that was broken.',
      'Invalid configuration stops start-up with a message naming the setting; invalid input is rejected with 4xx and the field named.',
      plans.some((p) => p.kind === 'store') ? 'If the store fails, the request is served (fail open) and the error is logged; this choice is a configuration option for deployments that prefer to fail closed.' : 'Failures of dependencies are logged with their cause and answered with a 5xx error; no partial state is kept.',
      'Errors are mapped to responses in one place (the HTTP integration), never inside the service.',
    ].join(' '),
    testing_strategy:
      `${runner} tests (${profile.testPattern}${profile.colocatedTests ? ', colocated next to the source files as the repository does' : ''}): unit tests for the service and store with an injected clock (no real waiting); ` +
      `integration tests ${integration}; one test per acceptance criterion, named after its id (e.g. "${reqs[0]?.criteria[0] ?? 'REQ-001.AC-1'}"). Run with \`${profile.testCommand}\`.`,
  };
}
