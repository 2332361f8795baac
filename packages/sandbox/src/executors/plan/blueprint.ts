/**
 * The shape of a change: the parts (design components) a change of this kind needs in this stack,
 * each on a real file (`modify`, with the existing symbols it touches and why) or on a new file placed
 * where the repository keeps such files (`create`); the endpoints it adds or changes under their real
 * prefixes; the data-model changes in the repository's ORM; and the facts the requirements quote
 * (routes, parameters, defaults, setting names). Requirements, design and tasks are all written from
 * one blueprint, so they agree.
 */
import type { ModelFact, RouteFact } from '../../codeindex/types';
import { clauseFacts, splitClauses } from '../text';
import { collectionSegment, routeLabel, type Grounding, type Role, type Touch } from './ground';
import { filesOfRole, hasModel, placeNew, placeTest, roleDir, testRunner, type Placed } from './place';
import { ACTORS, kindLabel, type ChangeKind } from './request';
import { baseName, concept, concepts, dirName, inStyle, plural, splitWords } from './words';

/** What a requirement is about, so the design can tell which part serves it. */
export type Aspect =
  | 'limit'
  | 'refusal'
  | 'reset'
  | 'config'
  | 'errors'
  | 'validation'
  | 'observability'
  | 'testing'
  | 'list'
  | 'defaults'
  | 'request'
  | 'confirm'
  | 'token'
  | 'unknown'
  | 'create'
  | 'form'
  | 'display'
  | 'notify'
  | 'read'
  | 'update'
  | 'delete'
  | 'store'
  | 'call'
  | 'schedule'
  | 'migrate'
  | 'behaviour';

export interface Part {
  key: string;
  role: Role;
  name: string;
  /** Absent only when no repository is connected. */
  file_path: string | undefined;
  change: 'modify' | 'create';
  existing_symbols: string[];
  reason: string;
  responsibility: string;
  interfaces: { name: string; signature: string; description: string }[];
  /** Keys of the parts it calls. */
  uses: string[];
  serves: Aspect[];
  /** Position in the dependency order: model → store/settings → service → middleware → route → registration → view. */
  layer: number;
  /** Hours to implement (tests are estimated separately). */
  hours: number;
}

export interface PlannedEndpoint {
  method: string;
  path: string;
  description: string;
  part: string;
  change: 'modify' | 'create';
}

export interface PlannedModel {
  name: string;
  description: string;
  change: 'modify' | 'create' | 'none';
  file_path?: string;
  table?: string;
  fields: { name: string; type: string; description?: string }[];
}

/** Facts the requirements quote. */
export interface Facts {
  /** The routes the change is about, as written in requirements (`POST /api/v1/login/access-token`). */
  targets: string[];
  /** A noun phrase for what the change protects or lists ("the posts list"). */
  subject: string;
  params: Record<string, string>;
  defaults: Record<string, number>;
  /** New or reused setting names with their defaults. */
  settings: { name: string; default: string; description: string; existing: boolean }[];
  /** The framework's answer to invalid input (`422` for FastAPI, `400` elsewhere, a re-shown form for server-rendered pages). */
  invalidStatus: number;
  formBased: boolean;
}

export interface Blueprint {
  kind: ChangeKind;
  label: string;
  parts: Part[];
  endpoints: PlannedEndpoint[];
  models: PlannedModel[];
  facts: Facts;
  /** Things a reader should know (an existing implementation, a missing migration tool, no code base). */
  notes: string[];
  tests: { part: string; placed: Placed }[];
  runner: string;
}

const LAYER: Readonly<Partial<Record<Role, number>>> = { model: 0, migration: 1, settings: 1, store: 1, schema: 2, repository: 2, client: 2, notification: 3, service: 3, auth: 4, middleware: 4, job: 4, route: 5, registration: 6, template: 7, ui: 7, other: 5 };

function base(_g: Grounding, key: string, role: Role, name: string, at: Placed | Touch | undefined, fields: Partial<Part>): Part {
  const known = at !== undefined && 'role' in at;
  return {
    key,
    role,
    name,
    file_path: at?.path,
    change: known ? 'modify' : ((at)?.change ?? 'create'),
    existing_symbols: known ? [...(at).symbols] : [],
    reason: at === undefined ? 'no repository is connected: the file is chosen when the code is known' : known ? (at).reason : (at).reason,
    responsibility: '',
    interfaces: [],
    uses: [],
    serves: [],
    layer: LAYER[role] ?? 5,
    hours: known ? 1.5 : 2.5,
    ...fields,
  };
}

/** An existing file as a part (`modify`), with the symbols the grounding found in it. */
function modifyPart(g: Grounding, key: string, role: Role, name: string, path: string, symbols: readonly string[], reason: string, fields: Partial<Part>, ownSymbolsOnly = false): Part {
  const touch = g.touches.find((t) => t.path === path);
  const all = [...new Set([...(ownSymbolsOnly ? [] : (touch?.symbols ?? [])), ...symbols])];
  return base(g, key, role, name, { path, role, symbols: all, reason: touch && !reason ? touch.reason : reason || (touch?.reason ?? ''), score: 0 }, fields);
}

function routeFilesOf(routes: readonly RouteFact[]): string[] {
  return [...new Set(routes.map((r) => r.file))];
}

function handlerSymbols(routes: readonly RouteFact[], file: string): string[] {
  return routes.filter((r) => r.file === file && r.handler !== undefined).map((r) => r.handler!);
}

/** The framework's status for a request that fails input validation. */
function invalidStatusOf(g: Grounding): number {
  return g.repo.http === 'FastAPI' ? 422 : 400;
}

function isFormBased(g: Grounding): boolean {
  return g.repo.files.some((f) => /(^|\/)templates\/.+\.html$/.test(f)) && (g.repo.http === 'Spring' || g.repo.frameworks.some((f) => /thymeleaf|jinja|django/i.test(f)));
}

/** Names in the language's style: `login_rate_limit` (py), `loginRateLimit` (ts), `LoginRateLimit` (java). */
function ident(g: Grounding, words: readonly string[], style?: 'type' | 'value'): string {
  if (style === 'type') return inStyle(words, 'PascalCase');
  return g.repo.ext === 'py' || g.repo.ext === 'rb' || g.repo.ext === 'rs' ? inStyle(words, 'snake_case') : inStyle(words, 'camelCase');
}

function settingName(g: Grounding, words: readonly string[]): string {
  if (g.repo.ext === 'java' || g.repo.ext === 'kt') return `${rootPrefix(g)}.${inStyle(words, 'kebab-case')}`;
  return words.map((w) => w.toUpperCase()).join('_');
}

/** The prefix of the application's own properties: `clinic` for `ClinicProperties`, else `app`. */
function rootPrefix(g: Grounding): string {
  const klass = g.repo.settings.find((s) => s.kind === 'settings_class' && /^[A-Z]\w*(?:Properties|Config|Settings)$/.test(s.name));
  const stem = klass?.name.replace(/(?:Properties|Config|Settings)$/, '');
  return stem ? stem.charAt(0).toLowerCase() + stem.slice(1) : 'app';
}

/** The settings part: the repository's settings file gains the new settings. */
function settingsPart(g: Grounding, names: readonly string[], serves: Aspect[], words: readonly string[] = g.request.keyConcepts.slice(0, 2)): Part | undefined {
  const file = g.settingsFile;
  if (!g.repo.hasCodebase) return undefined;
  if (!file) {
    // No settings file known: the settings get a module of their own next to the code that reads them.
    const placed = placeNew(g, 'settings', [...words, 'config'], { analogue: false, fallbackDir: g.repo.sourceRoot });
    return base(g, 'settings', 'settings', `Settings: ${names.join(', ')}`, placed, { responsibility: `Reads and validates ${names.join(', ')} once at start-up (with the defaults); a bad value stops start-up with the setting named.`, serves, hours: 1 });
  }
  const owner = g.repo.settings.find((s) => s.file === file && (s.kind === 'settings_class' || s.kind === 'config_class' || s.kind === 'env_reader'))?.name;
  return modifyPart(g, 'settings', 'settings', `Settings: ${names.join(', ')}`, file, owner ? [owner] : [], `the repository's settings live here${owner ? ` (${owner})` : ''}`, {
    responsibility: `Declares ${names.join(', ')} with their defaults and validation, so a bad value stops start-up with the setting named.`,
    serves,
    hours: 0.5,
    interfaces: [],
  });
}

/** The test files of the parts that hold behaviour, one per file, in the repository's layout. */
function plannedTests(g: Grounding, parts: readonly Part[]): { part: string; placed: Placed }[] {
  const out: { part: string; placed: Placed }[] = [];
  for (const part of parts) {
    if (!part.file_path || !['route', 'service', 'middleware', 'store', 'client', 'job', 'notification', 'auth'].includes(part.role)) continue;
    const placed = placeTest(g, part.file_path);
    // A changed helper without tests of its own is tested through the route that calls it.
    if (part.change === 'modify' && placed.change === 'create' && part.role !== 'route' && part.role !== 'middleware') continue;
    // New persistence behind a new route is tested through the route's tests.
    if ((part.role === 'service' || part.role === 'repository') && parts.some((p) => p.role === 'route' && p.change === 'create' && p.uses.includes(part.key))) continue;
    if (!out.some((t) => t.placed.path === placed.path)) out.push({ part: part.key, placed });
  }
  return out;
}

/** A path prefix for the change's new routes: the analogue's collection route with the resource renamed, nested under the parent's item route when there is one. */
function newCollectionPath(g: Grounding, resource: string, parentItem: string | undefined): string {
  if (parentItem) return `${parentItem}/${plural(resource)}`;
  const analogue = g.analogue;
  if (analogue) {
    const route = g.repo.routes.find((r) => r.method === 'GET' && concepts(r.path).includes(analogue) && !/[{<:]/.test(r.path.split('/').slice(-2).join('/')));
    if (route) {
      const segment = collectionSegment(analogue, [route]);
      return route.path.replace(new RegExp(`/${segment}(?=/|$)`), `/${plural(resource)}`).replace(/\/$/, '');
    }
  }
  const prefix = commonPrefix(g.repo.routes.map((r) => r.path));
  return `${prefix}/${plural(resource)}`;
}

function commonPrefix(paths: readonly string[]): string {
  if (paths.length < 2) return '';
  const split = paths.map((p) => p.split('/').filter((s) => s !== ''));
  const out: string[] = [];
  for (let i = 0; ; i++) {
    const segment = split[0]![i];
    if (segment === undefined || /[{<:]/.test(segment) || !split.every((s) => s[i] === segment)) break;
    out.push(segment);
  }
  return out.length > 0 ? `/${out.join('/')}` : '';
}

/** The route of one item of a model (`/owners/{ownerId}`), when the repository has one. */
function itemRoute(g: Grounding, model: ModelFact | undefined): RouteFact | undefined {
  if (!model) return undefined;
  const name = concept(model.name);
  return g.repo.routes.find((r) => r.method === 'GET' && /[{<:][^/]*[}>]?$/.test(r.path) && concept(r.path.split('/').filter((s) => s !== '').slice(-2, -1)[0] ?? '') === name);
}

/** The model holding a child collection of `parent` (`Owner.pets` → `Pet`). */
function childModel(g: Grounding, parent: ModelFact | undefined): ModelFact | undefined {
  if (!parent) return undefined;
  for (const field of parent.fields) {
    const child = g.repo.models.find((m) => m !== parent && concept(field) === concept(m.name));
    if (child) return child;
  }
  return undefined;
}

function words(text: string): string[] {
  return text.split(/[\s_-]+/).filter((w) => w !== '');
}

/** The requirements' source of numbers stated in the description (`5 attempts`, `15 minutes`, `100 requests per minute`). */
function statedNumbers(g: Grounding): { count?: number; windowSeconds?: number; quota?: string; pageSize?: number } {
  const seconds: Record<string, number> = { second: 1, sec: 1, minute: 60, min: 60, hour: 3600, day: 86_400, week: 604_800 };
  const out: { count?: number; windowSeconds?: number; quota?: string; pageSize?: number } = {};
  for (const clause of splitClauses(g.spec.description)) {
    const facts = clauseFacts(clause);
    if (facts.limit) out.quota = facts.limit.quota;
    const count = /(\d[\d,]*)\s+(?:failed\s+)?(?:login\s+)?(?:attempts?|requests?|tries|calls?)\b/i.exec(clause);
    if (count && out.count === undefined) out.count = Number(count[1]!.replace(/,/g, ''));
    const window = /(?:per|a|an|each|every|within|in)\s+(\d+\s+)?(second|sec|minute|min|hour|day|week)s?\b/i.exec(clause);
    if (window && out.windowSeconds === undefined) out.windowSeconds = (window[1] ? Number(window[1]) : 1) * seconds[window[2]!.toLowerCase()]!;
    const page = /(\d+)\s+(?:items?|posts?|results?|rows?|entries|records?)\s+(?:per|a|each)\s+page|page\s+size\s+(?:of\s+)?(\d+)/i.exec(clause);
    if (page && out.pageSize === undefined) out.pageSize = Number(page[1] ?? page[2]);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The shapes, one per kind of change.
// ---------------------------------------------------------------------------------------------

function ruleShape(g: Grounding, bp: Blueprint): void {
  const stated = statedNumbers(g);
  const login = g.request.allConcepts.includes('login');
  const rateLimit = g.request.traits.includes('rate_limit');
  // Login attempts are the routes that take credentials: not token tests, refreshes or logouts.
  const targets = login ? g.routes.filter((r) => r.method !== 'GET' && r.matched.includes('login') && !splitWords(`${r.path} ${r.handler ?? ''}`).some((w) => ['test', 'logout', 'refresh', 'me', 'verify'].includes(w))) : g.routes;
  const top = targets[0]?.score ?? 0;
  const targetRoutes = login ? targets.filter((r) => r.score >= top).slice(0, 2) : targets.slice(0, 3);
  bp.facts.targets = targetRoutes.map(routeLabel);
  bp.facts.subject = login ? 'login attempts' : targetRoutes.length > 0 ? `requests to ${bp.facts.targets.join(', ')}` : 'API requests';
  const featureWords = rateLimit ? (login ? ['login', 'rate', 'limit'] : ['rate', 'limit']) : g.request.keyConcepts.slice(0, 2);
  if (rateLimit) {
    const count = stated.count ?? (login ? 5 : 100);
    const window = stated.windowSeconds ?? (login ? 900 : 60);
    bp.facts.defaults = { max: count, window };
    const maxName = settingName(g, login ? ['login', 'max', 'attempts'] : ['rate', 'limit', 'max', 'requests']);
    const windowName = settingName(g, login ? ['login', 'attempt', 'window', 'seconds'] : ['rate', 'limit', 'window', 'seconds']);
    bp.facts.settings = [
      { name: maxName, default: String(count), description: login ? 'failed login attempts allowed per email and client address in one window' : 'requests allowed per client in one window', existing: false },
      { name: windowName, default: String(window), description: 'length of the counting window in seconds', existing: false },
    ];
  }
  const settings = settingsPart(g, bp.facts.settings.map((s) => s.name), ['config'], featureWords.filter((w) => w !== 'login' || login));
  if (settings) bp.parts.push(settings);

  // The limiter (or rule) itself: in the middleware directory when there is one, else next to the auth dependencies / settings.
  const middlewareDir = roleDir(g, 'middleware');
  const depsFile = g.repo.auth.find((a) => a.kind === 'dependency')?.file;
  const near = middlewareDir ?? (depsFile ? dirName(depsFile) : g.settingsFile ? dirName(g.settingsFile) : undefined);
  const java = g.repo.ext === 'java' || g.repo.ext === 'kt';
  const limiterWords = java ? [...featureWords, 'interceptor'] : featureWords;
  const placed = g.repo.hasCodebase ? placeNew(g, 'middleware', limiterWords, { ...(near !== undefined ? { near } : {}), fallbackDir: g.repo.sourceRoot }) : undefined;
  const how = g.repo.http === 'FastAPI' ? 'a FastAPI dependency' : g.repo.http === 'Express' ? 'Express middleware' : g.repo.http === 'Fastify' ? 'a Fastify `onRequest` hook' : java ? 'a Spring `HandlerInterceptor`' : g.repo.http ? `${g.repo.http} middleware` : 'a guard in front of the handler';
  const limiterName = rateLimit ? `${login ? 'Login attempt' : 'Request'} limiter (${how})` : `${capitalizeWords(g.request.phrase)} (${how})`;
  const fn = ident(g, rateLimit ? (login ? ['check', 'login', 'attempts'] : ['rate', 'limit']) : ['enforce', ...featureWords]);
  bp.parts.push(
    base(g, 'middleware', 'middleware', limiterName, placed, {
      responsibility: rateLimit
        ? `Counts ${login ? 'failed login attempts per email and client address' : 'requests per client'} in a fixed window of ${bp.facts.defaults['window']} s (an in-memory store behind a small interface${g.repo.frameworks.some((f) => /redis/i.test(f)) ? '; Redis when several instances run' : ''}), refuses with 429 and Retry-After over ${bp.facts.defaults['max']}, and logs each refusal. The clock is injected.`
        : `Applies the rule "${g.request.phrase}" in front of ${bp.facts.targets.join(', ') || 'the affected routes'} and answers refusals in the API's error shape.`,
      interfaces: rateLimit
        ? [
            { name: fn, signature: g.repo.ext === 'py' ? `(request: Request, email: str) -> None  # raises HTTPException(429)` : g.repo.ext === 'java' ? 'boolean preHandle(HttpServletRequest, HttpServletResponse, Object)' : '(req: Request, res: Response, next: NextFunction) => void', description: 'Refuses the request with 429 and Retry-After when the window is full.' },
            ...(login ? [{ name: ident(g, ['record', 'login', 'failure']), signature: g.repo.ext === 'py' ? '(key: str) -> None' : '(key: string) => void', description: 'Counts one failed attempt.' }, { name: ident(g, ['clear', 'login', 'failures']), signature: g.repo.ext === 'py' ? '(key: str) -> None' : '(key: string) => void', description: 'Forgets the failures after a successful login.' }] : []),
          ]
        : [{ name: fn, signature: '(request) => decision', description: `Enforces ${g.request.phrase}.` }],
      uses: settings ? ['settings'] : [],
      serves: ['limit', 'refusal', 'observability', 'behaviour'],
      hours: 3,
    }),
  );
  for (const file of routeFilesOf(targetRoutes)) {
    const own = targetRoutes.filter((r) => r.file === file);
    bp.parts.push(
      modifyPart(g, `route:${file}`, 'route', `${baseName(file)} routes: apply the ${rateLimit ? 'limiter' : 'rule'}`, file, handlerSymbols(own, file), `declares ${own.map((r) => `\`${routeLabel(r)}\``).join(', ')}`, {
        responsibility: rateLimit && login
          ? `Runs the limiter before ${own.map((r) => `\`${routeLabel(r)}\``).join(', ')} checks the credentials, records a failed attempt when they are wrong and clears the count when they are right.`
          : `Puts the rule in front of ${own.map((r) => `\`${routeLabel(r)}\``).join(', ')}.`,
        uses: ['middleware'],
        serves: ['refusal', 'reset'],
        hours: 1,
      }, true),
    );
    for (const route of own) bp.endpoints.push({ method: route.method, path: route.path, description: rateLimit ? `Existing route, now refused with 429 and Retry-After after ${bp.facts.defaults['max']} failed attempts in ${bp.facts.defaults['window']} s.` : `Existing route, now behind ${g.request.phrase}.`, part: `route:${file}`, change: 'modify' });
  }
  if (targetRoutes.length === 0 && g.repo.grounded) {
    // No single route: the rule sits where the routers are mounted.
    const mount = registrationFile(g);
    if (mount) bp.parts.push(modifyPart(g, 'registration', 'registration', `Mount the ${rateLimit ? 'limiter' : 'rule'} in ${baseName(mount)}`, mount, [], 'where the routers are mounted', { responsibility: `Installs the ${rateLimit ? 'limiter' : 'rule'} in front of every API router.`, uses: ['middleware'], serves: ['refusal'], hours: 0.5 }));
  }
  if (rateLimit) {
    bp.models.push({
      name: `${inStyle(featureWords.filter((w) => w !== 'limit'), 'PascalCase') || 'Rate'}Window`,
      description: `One counting window of the limiter, kept in memory (not a database table): ${login ? 'key = email + client address' : 'key = client identifier'}.`,
      change: 'create',
      fields: [
        { name: 'key', type: 'string', description: login ? 'lower-cased email and client address; the password is never stored' : 'client identifier (API key hash or address)' },
        { name: 'window_start', type: 'timestamp', description: 'start of the window the count belongs to' },
        { name: 'count', type: 'integer', description: login ? 'failed attempts in the window' : 'requests in the window' },
      ],
    });
  }
}

function endpointShape(g: Grounding, bp: Blueprint): void {
  const pagination = g.request.traits.includes('pagination');
  const model = g.models[0];
  const resource = model ? concept(model.name) : g.request.objects[0] ?? g.request.keyConcepts.find((c) => c !== 'paginate' && c !== 'list') ?? 'item';
  const listRoutes = g.routes.filter((r) => r.method === 'GET' && !/[{<:][^/]*$/.test(r.path.replace(/\/$/, '')));
  const targets = (listRoutes.length > 0 ? listRoutes : g.routes.filter((r) => r.method === 'GET')).slice(0, 1);
  const target = targets[0] ?? g.contextRoutes.find((r) => r.method === 'GET' && !/[{<:]/.test(r.path));
  const plural_ = plural(resource);
  bp.facts.targets = target ? [routeLabel(target)] : [];
  bp.facts.subject = `the ${plural_} list`;
  const snake = g.repo.ext === 'py';
  const spring = g.repo.http === 'Spring';
  if (pagination) {
    const size = statedNumbers(g).pageSize ?? 20;
    bp.facts.params = { page: 'page', size: spring ? 'size' : snake ? 'page_size' : 'pageSize', total: snake ? 'total' : 'total' };
    bp.facts.defaults = { page: 1, size, max: 100 };
  }
  const routeFile = target?.file;
  if (routeFile) {
    bp.parts.push(
      modifyPart(g, 'route', 'route', `${capitalizeWords(plural_)} list route`, routeFile, target?.handler ? [target.handler] : [], target ? `declares \`${routeLabel(target)}\`` : '', {
        responsibility: pagination
          ? `Reads and validates \`${bp.facts.params['page']}\` and \`${bp.facts.params['size']}\` on \`${routeLabel(target)}\`, passes them to the query and answers the page with its total.`
          : `Adds ${g.request.phrase} to \`${routeLabel(target)}\`.`,
        serves: ['list', 'defaults', 'validation', 'errors', 'behaviour'],
        hours: 1.5,
      }, true),
    );
    bp.endpoints.push({ method: target.method, path: target.path, description: pagination ? `Existing list, now paged: \`?${bp.facts.params['page']}=1&${bp.facts.params['size']}=${bp.facts.defaults['size']}\`; the answer carries the items and the total.` : `Existing list, now with ${g.request.phrase}.`, part: 'route', change: 'modify' });
  }
  // The query behind it: a service / crud / repository file naming the resource.
  const service = [...filesOfRole(g, 'service'), ...filesOfRole(g, 'repository')].filter((f) => concepts(baseName(f)).includes(resource) || (filesOfRole(g, 'service').length === 1 && /crud/.test(f))).sort()[0];
  if (service) {
    const symbols = [...(g.touches.find((t) => t.path === service)?.symbols ?? []), ...g.repo.symbols(service).filter((s) => s.kind !== 'class' && concepts(s.name).some((c) => ['list', 'all', 'search', 'find', 'read', 'get', resource, plural(resource)].includes(c))).map((s) => s.name)];
    bp.parts.push(modifyPart(g, 'service', 'service', `${capitalizeWords(resource)} query`, service, symbols, `reads the ${plural_} from the database`, {
      responsibility: pagination ? `Fetches one page (${snake ? 'offset/limit' : spring ? 'a `Pageable`' : '`skip`/`take`'}) in a stable order (newest first, then id) and counts the total with the same filter.` : `Implements ${g.request.phrase} in the query.`,
      serves: ['list', 'defaults'],
      hours: 1,
    }));
    for (const part of bp.parts) if (part.role === 'route') part.uses.push('service');
  }
  const schema = g.repo.sourceFiles.find((f) => model && f === model.file);
  if (pagination && schema && g.repo.ext === 'py') {
    bp.parts.push(modifyPart(g, 'schema', 'schema', `${capitalizeWords(plural_)} page schema`, schema, [], `holds the response shapes of ${plural_}`, { responsibility: `The page answer: the items, \`total\`, \`${bp.facts.params['page']}\` and \`${bp.facts.params['size']}\`.`, serves: ['list'], hours: 0.5 }));
  }
  if (pagination) {
    bp.models.push({
      name: `${inStyle([resource], 'PascalCase')}Page`,
      description: `The answer of ${bp.facts.targets[0]}: one page of ${plural_} and where it is in the whole list.`,
      change: 'create',
      fields: [
        { name: 'data', type: `${inStyle([resource], 'PascalCase')}[]`, description: `at most \`${bp.facts.params['size']}\` ${plural_}, newest first` },
        { name: 'total', type: 'integer', description: `number of ${plural_} matching the filter` },
        { name: bp.facts.params['page']!, type: 'integer', description: `1-based page number (default ${bp.facts.defaults['page']})` },
        { name: bp.facts.params['size']!, type: 'integer', description: `page size (default ${bp.facts.defaults['size']}, at most ${bp.facts.defaults['max']})` },
      ],
    });
  }
  if (model) bp.models.push({ name: model.name, description: `Existing ${g.repo.orm ?? ''} model in ${model.file}; unchanged (an index on the sort column keeps pages fast to read).`.replace('  ', ' '), change: 'none', file_path: model.file, ...(model.table ? { table: model.table } : {}), fields: model.fields.slice(0, 8).map((f) => ({ name: f, type: 'existing' })) });
}

function flowShape(g: Grounding, bp: Blueprint): void {
  if (g.existing) {
    existingShape(g, bp);
    return;
  }
  const resource = g.newResource ?? g.request.objects[0] ?? g.request.keyConcepts[0] ?? 'request';
  const parent = childModel(g, g.actorModel) ?? g.actorModel;
  const parentItem = itemRoute(g, parent) ?? (parent !== g.actorModel ? undefined : undefined);
  const actorItem = itemRoute(g, g.actorModel);
  // Nested under the parent's item route when the parent has one, else under the actor's, else a collection of its own.
  const nestedUnder = parentItem?.path ?? (parent && actorItem ? `${actorItem.path}/${collectionSegment(concept(parent.name), g.repo.routes)}/${param(g, [concept(parent.name), 'id'])}` : actorItem?.path);
  const collection = newCollectionPath(g, resource, nestedUnder);
  const form = isFormBased(g);
  bp.facts.formBased = form;
  bp.facts.subject = plural(resource);
  resourceParts(g, bp, resource, collection, { form, parent, only: form ? ['create', 'form'] : ['create', 'list'] });
  if (g.actorModel && form) {
    const page = filesOfRole(g, 'template').find((f) => concepts(baseName(f)).includes(concept(g.actorModel!.name)) && /detail|show|view/i.test(baseName(f)));
    if (page) bp.parts.push(modifyPart(g, 'template:page', 'template', `${g.actorModel.name} page: list and book ${plural(resource)}`, page, [], `the ${g.actorModel.name.toLowerCase()}'s page, where the ${plural(resource)} are shown`, { responsibility: `Lists each ${parent?.name.toLowerCase() ?? 'item'}'s ${plural(resource)} (date, description) and links to the booking form.`, serves: ['display'], uses: ['route'], hours: 1 }));
  }
  if (g.request.traits.includes('notify')) notificationPart(g, bp, resource);
  if (!g.request.traits.includes('booking')) relatedFlowParts(g, bp, resource);
}

/** The feature exists: the parts are the files that implement it, changed only where the requirements find a gap. */
function existingShape(g: Grounding, bp: Blueprint): void {
  const existing = g.existing!;
  bp.notes.push(`Already implemented in ${existing.summary}. This plan reviews and extends that code; it adds no second implementation.`);
  bp.facts.targets = existing.routes.map(routeLabel);
  bp.facts.subject = g.request.phrase;
  for (const file of existing.files) {
    const own = existing.routes.filter((r) => r.file === file);
    const symbols = [...new Set([...handlerSymbols(own, file), ...(g.touches.find((t) => t.path === file)?.symbols ?? [])])];
    bp.parts.push(modifyPart(g, `route:${file}`, 'route', `Existing ${g.request.phrase} routes`, file, symbols, `already implements ${own.map((r) => `\`${routeLabel(r)}\``).join(', ')}`, {
      responsibility: `Keeps serving ${own.map((r) => `\`${routeLabel(r)}\``).join(' and ')}; changed only where a requirement below is not met yet (the review task names each gap).`,
      serves: ['request', 'confirm', 'token', 'unknown', 'errors', 'validation', 'behaviour', 'create', 'read', 'update', 'delete', 'list'],
      hours: 2,
    }));
  }
  // Helpers the flow calls (email rendering, token helpers) that the index found by name.
  for (const touch of g.touches.filter((t) => !existing.files.includes(t.path) && ['notification', 'service', 'auth'].includes(t.role) && t.score >= 3).slice(0, 2)) {
    bp.parts.push(modifyPart(g, `${touch.role}:${touch.path}`, touch.role, `${capitalizeWords(baseName(touch.path).replace(/_/g, ' '))} helpers`, touch.path, touch.symbols, touch.reason, {
      responsibility: touch.role === 'notification' ? `Renders and sends the message of ${g.request.phrase} (${touch.symbols.join(', ') || 'the mail helpers'}).` : `Helpers of ${g.request.phrase}: ${touch.symbols.join(', ')}.`,
      serves: touch.role === 'notification' ? ['notify', 'request'] : ['token'],
      hours: 1,
    }));
  }
  for (const part of bp.parts) if (part.role === 'route') part.uses.push(...bp.parts.filter((p) => p.role !== 'route').map((p) => p.key));
  for (const route of existing.routes) bp.endpoints.push({ method: route.method, path: route.path, description: `Existing${route.handler ? ` (${route.handler})` : ''}: kept, extended where a requirement is not met.`, part: `route:${route.file}`, change: 'modify' });
  const expiry = g.settings.find((s) => /expire|ttl|valid/i.test(s.name) && concepts(s.name).some((c) => g.request.keyConcepts.includes(c)));
  if (expiry) bp.facts.settings.push({ name: expiry.name, default: '', description: `existing setting in ${expiry.file}`, existing: true });
}

function notificationPart(g: Grounding, bp: Blueprint, resource: string): void {
  const existing = filesOfRole(g, 'notification')[0];
  if (existing) {
    bp.parts.push(modifyPart(g, 'notification', 'notification', 'Notification email', existing, [], 'the repository sends its email from here', { responsibility: `Renders and sends the ${resource} email with the existing mail helper.`, serves: ['notify'], hours: 1.5 }));
  } else {
    const placed = g.repo.hasCodebase ? placeNew(g, 'notification', ['notifications'], { fallbackDir: roleDir(g, 'service') ?? g.repo.sourceRoot }) : undefined;
    bp.parts.push(base(g, 'notification', 'notification', 'Notification sender', placed, { responsibility: `Sends the ${resource} message through an injected sender, so tests use a fake one.`, serves: ['notify'], hours: 2.5 }));
  }
  for (const part of bp.parts) if (part.role === 'route' || part.role === 'service') part.uses.push('notification');
}

/** A new file for a resource: the analogue's file of the role renamed, else `words + suffix` in the role's directory. */
function placeFor(g: Grounding, role: Role, words: readonly string[], suffix: readonly string[], options: { near?: string; fallbackDir?: string } = {}): Placed {
  const analogue = placeNew(g, role, words, options.near !== undefined ? { near: options.near } : {});
  if (analogue.reason.startsWith('modelled on')) return analogue;
  return placeNew(g, role, [...words, ...suffix], { analogue: false, ...options });
}

/** Path parameters as the repository writes them: `{id}` (FastAPI, Spring), `:id` (Express), `<id>` (Flask). */
function param(g: Grounding, words: readonly string[]): string {
  const name = ident(g, words);
  if (g.repo.routes.some((r) => /\/:[A-Za-z]/.test(r.path))) return `:${name}`;
  if (g.repo.routes.some((r) => /<[A-Za-z]/.test(r.path))) return `<${name}>`;
  return `{${name}}`;
}

/** The parts of a new resource: model (+ parent relation), repository or query layer, route, registration, views, in the stack's layout. */
function resourceParts(g: Grounding, bp: Blueprint, resource: string, collection: string, options: { form: boolean; parent: ModelFact | undefined; existing?: ModelFact; only?: ('create' | 'list' | 'read' | 'update' | 'delete' | 'form')[] }): void {
  const Res = inStyle(words(resource), 'PascalCase');
  const resWords = words(resource);
  const ops = options.only ?? ['create', 'list', 'read', 'update', 'delete'];
  const models = filesOfRole(g, 'model');
  const sharedModelFile = models.length === 1 && g.repo.models.filter((m) => m.file === models[0]).length >= 2 ? models[0] : undefined;
  const java = g.repo.ext === 'java' || g.repo.ext === 'kt';
  const parentDir = options.parent ? dirName(options.parent.file) : undefined;
  // The model.
  const orm = g.repo.orm ?? (java ? 'JPA' : undefined);
  if (options.existing) {
    const m = options.existing;
    bp.models.push({ name: m.name, description: `Existing ${orm ?? ''} model in ${m.file}; its routes are new, the model is unchanged.`.replace('  ', ' '), change: 'none', file_path: m.file, ...(m.table ? { table: m.table } : {}), fields: m.fields.slice(0, 10).map((f) => ({ name: f, type: 'existing' })) });
  }
  const modelAt: Placed | Touch | undefined = options.existing ? undefined : !g.repo.hasCodebase
    ? undefined
    : sharedModelFile
      ? { path: sharedModelFile, role: 'model', symbols: [], reason: `every ${orm ?? ''} model is declared in this file`.replace('  ', ' '), score: 0 }
      : java && parentDir !== undefined
        ? placeNew(g, 'model', resWords, { near: parentDir })
        : placeNew(g, 'model', resWords, { fallbackDir: roleDir(g, 'model') ?? `${g.repo.sourceRoot}/models` });
  if (!options.existing) bp.parts.push(base(g, 'model', 'model', `${Res} model${orm ? ` (${orm})` : ''}`, modelAt, {
    responsibility: `Declares ${Res}${options.parent ? ` belonging to a ${options.parent.name}` : ''} with its fields and constraints${orm ? ` as a ${orm} ${orm === 'Prisma' ? 'model' : 'entity'}` : ''}${options.parent && options.parent.file === modelAt?.path ? `, and the relation on ${options.parent.name} in the same file` : ''}.`,
    interfaces: [],
    serves: ['store', 'create'],
    layer: 0,
    hours: 1.5,
  }));
  const table = options.existing?.table ?? (g.repo.ext === 'py' ? resource : plural(inStyle(resWords, 'snake_case')));
  if (!options.existing) bp.models.push({
    name: Res,
    description: `New ${orm ?? ''} ${orm === 'Prisma' ? 'model' : 'table'} \`${table}\`${options.parent ? `, one row per ${resource} of a ${options.parent.name.toLowerCase()}` : ''}.`.replace('  ', ' '),
    change: 'create',
    ...(modelAt ? { file_path: modelAt.path } : {}),
    table,
    fields: [
      { name: 'id', type: 'integer (primary key)' },
      ...(options.parent ? [{ name: ident(g, [concept(options.parent.name), 'id']), type: 'integer (foreign key)', description: `the ${options.parent.name} it belongs to` }] : []),
      ...(g.request.traits.includes('booking') ? [{ name: ident(g, [resource, 'date']), type: 'date', description: `the day booked; today or later` }, { name: 'description', type: 'string (≤ 255)', description: `why the ${resource} is booked; required` }] : [{ name: 'name', type: 'string (≤ 255)', description: 'required' }]),
      { name: ident(g, ['created', 'at']), type: 'timestamp', description: 'set on insert' },
    ],
  });
  if (options.parent && g.repo.grounded && !options.existing && options.parent.file !== modelAt?.path) {
    bp.parts.push(modifyPart(g, 'model:parent', 'model', `${options.parent.name} model: ${plural(resource)} relation`, options.parent.file, [options.parent.name], `defines ${options.parent.name}, which the new ${Res} belongs to`, {
      responsibility: `Gains the one-to-many relation to ${Res} (${plural(resource)} in date order).`,
      serves: ['store', 'display'],
      layer: 0,
      hours: 0.5,
      uses: ['model'],
    }));
  }
  // Persistence: a repository (JPA) / query module (services, crud) when the repository has that layer.
  const repositoryFiles = filesOfRole(g, 'repository');
  const serviceFiles = filesOfRole(g, 'service');
  if (g.repo.grounded && java && repositoryFiles.length > 0) {
    const placed = placeFor(g, 'repository', resWords, ['repository'], parentDir !== undefined ? { near: parentDir } : {});
    bp.parts.push(base(g, 'repository', 'repository', `${Res} repository`, placed, { responsibility: `Reads and saves ${Res} rows (Spring Data \`JpaRepository<${Res}, Integer>\`).`, uses: ['model'], serves: ['store', 'create', 'list'], hours: 1 }));
  } else if (g.repo.grounded && serviceFiles.length > 0) {
    const single = serviceFiles.length === 1 && /crud/.test(serviceFiles[0]!) ? serviceFiles[0] : undefined;
    const placed: Placed | Touch = single ? { path: single, role: 'service', symbols: [], reason: 'the database reads and writes live in this module', score: 0 } : placeFor(g, 'service', resWords, serviceFiles.some((f) => /service/i.test(baseName(f))) ? ['service'] : []);
    bp.parts.push(base(g, 'service', 'service', `${Res} ${single ? 'queries' : 'service'}`, placed, { responsibility: `Creates and reads ${plural(resource)}${options.parent ? ` of one ${options.parent.name.toLowerCase()}` : ''}; refuses invalid input before anything is stored.`, uses: ['model'], serves: ['create', 'list', 'validation', 'store'], hours: single ? 1.5 : 2 }));
  }
  // The route / controller.
  // The analogue's router/controller renamed (`items.py` → `orders.py`, `OwnerController.java` → `VisitController.java`); else a file in the routers' directory.
  const fallbackWords = java ? [...resWords, 'controller'] : [...resWords.slice(0, -1), plural(resWords[resWords.length - 1]!)];
  const analogueRoute = g.repo.hasCodebase ? placeNew(g, 'route', resWords, java && parentDir !== undefined ? { near: parentDir } : {}) : undefined;
  const routePath = analogueRoute && analogueRoute.reason.startsWith('modelled on') ? analogueRoute : g.repo.hasCodebase ? placeNew(g, 'route', fallbackWords, { analogue: false, ...(java && parentDir !== undefined ? { near: parentDir } : { fallbackDir: roleDir(g, 'route') ?? `${g.repo.sourceRoot}/routes` }) }) : undefined;
  const persistence = bp.parts.find((p) => p.role === 'repository' || p.role === 'service')?.key;
  // The item parameter as the analogue's routes name it (`{id}`), unless the parent path already uses that name.
  const analogueModel = g.analogue ? g.repo.models.find((m) => concept(m.name) === g.analogue) : undefined;
  const analogueParam = itemRoute(g, analogueModel)?.path.split('/').pop();
  const idParam = analogueParam && /^(?:\{id\}|:id|<id>|<int:id>)$/.test(analogueParam) && !collection.includes(analogueParam) ? analogueParam : param(g, [resource, 'id']);
  const eps: PlannedEndpoint[] = [];
  const add = (method: string, path: string, description: string) => eps.push({ method, path, description, part: 'route', change: 'create' });
  if (options.form) {
    if (ops.includes('form') || ops.includes('create')) {
      add('GET', `${collection}/new`, `Shows the form to book a ${resource}.`);
      add('POST', `${collection}/new`, `Stores the ${resource} and redirects to the ${options.parent ? `${g.actorModel?.name.toLowerCase() ?? 'parent'}'s page` : 'list'}; shows the form again with field errors when the input is invalid.`);
    }
  } else {
    if (ops.includes('list')) add('GET', collection, `Lists ${plural(resource)}${options.parent ? ` of one ${options.parent.name.toLowerCase()}` : ''}.`);
    if (ops.includes('create')) add('POST', collection, `Creates a ${resource}; 201 with the stored row.`);
    if (ops.includes('read')) add('GET', `${collection}/${idParam}`, `One ${resource}; 404 when it does not exist.`);
    if (ops.includes('update')) add(g.repo.http === 'FastAPI' ? 'PUT' : 'PATCH', `${collection}/${idParam}`, `Updates a ${resource}.`);
    if (ops.includes('delete')) add('DELETE', `${collection}/${idParam}`, `Deletes a ${resource}.`);
  }
  bp.endpoints.push(...eps);
  bp.facts.targets = eps.map(routeLabel);
  bp.parts.push(base(g, 'route', 'route', java ? `${Res}Controller` : `${capitalizeWords(plural(resource))} routes`, routePath, {
    responsibility: `Serves ${eps.map((e) => `\`${routeLabel(e)}\``).join(', ')}${options.form ? ' with server-rendered pages' : ''}; validates the input and maps failures to ${options.form ? 'field errors on the form' : `${invalidStatusOf(g)}/404 answers`}.`,
    interfaces: eps.map((e) => ({ name: routeLabel(e), signature: options.form ? 'form → redirect or view' : 'JSON in → JSON out', description: e.description })),
    uses: persistence ? [persistence] : options.existing ? [] : ['model'],
    serves: ['create', 'list', 'form', 'validation', 'errors', 'read', 'update', 'delete', 'behaviour'],
    hours: options.form ? 2.5 : 2.5,
  }));
  // Registration: routers mounted by hand (FastAPI include_router, Express app.use); Spring scans components.
  if (!java && g.repo.grounded) {
    const mount = registrationFile(g);
    if (mount) bp.parts.push(modifyPart(g, 'registration', 'registration', `Mount the ${plural(resource)} router`, mount, [], 'where the other routers are mounted', { responsibility: `Mounts the new router${collection ? ` at \`${collection}\`` : ''} next to the others.`, uses: ['route'], serves: ['create'], hours: 0.5 }));
  }
  // Server-rendered views: a form next to the analogue's form.
  if (options.form && g.repo.grounded) {
    const templates = filesOfRole(g, 'template');
    const analogueForm = g.analogue ? templates.find((t) => concepts(baseName(t)).includes(g.analogue!) && /form/i.test(baseName(t))) : undefined;
    const formPath = analogueForm ? placeNew(g, 'template', resWords) : undefined;
    const fallback = templates.length > 0 ? { path: `${dirName(templates.find((t) => g.actorModel && concepts(t).includes(concept(g.actorModel.name))) ?? templates[0]!)}/${inStyle([...resWords, 'form'], 'camelCase')}.html`, change: 'create' as const, reason: 'next to the other page templates' } : undefined;
    const at = formPath && formPath.path.endsWith('.html') ? formPath : fallback;
    if (at) bp.parts.push(base(g, 'template:form', 'template', `${Res} booking form`, at, { responsibility: `The form for a new ${resource} (date, description) with field errors next to each input.`, serves: ['form', 'validation'], uses: ['route'], hours: 1.5 }));
  }
}

/** Where routers are mounted: the FastAPI router aggregator or app, the Express app. */
function registrationFile(g: Grounding): string | undefined {
  const routeDir = roleDir(g, 'route');
  const candidates = [
    ...(routeDir !== undefined ? [`${dirName(routeDir)}/app.${g.repo.ext}`, `${dirName(routeDir)}/main.${g.repo.ext}`, `${routeDir}/index.${g.repo.ext}`, `${dirName(routeDir)}/index.${g.repo.ext}`] : []),
    ...['app', 'main', 'server', 'urls'].flatMap((name) => g.repo.sourceFiles.filter((f) => new RegExp(`(^|/)${name}\\.(ts|js|py)$`).test(f))),
  ];
  return candidates.find((c) => g.repo.sourceFiles.includes(c) && !(c.endsWith('__init__.py')));
}

function resourceShape(g: Grounding, bp: Blueprint): void {
  const resource = g.newResource ?? g.request.objects.find((o) => !hasModel(g, o)) ?? g.request.keyConcepts[0] ?? 'item';
  const model = g.repo.models.find((m) => concept(m.name) === concept(resource));
  if (model && g.repo.routes.some((r) => concepts(r.path).includes(concept(resource)))) {
    // The resource exists with routes: extend them.
    endpointShape(g, bp);
    return;
  }
  // A model without routes (`Comment` in the schema, no comment routes) gets its routes; a new thing gets everything.
  // Its parent: the model it points to (`Comment.post` → Post), else the existing model the request names ("tags to posts" → Post), else the actor's.
  const parentModel =
    g.models.find((m) => m !== model && concept(m.name) !== concept(resource) && model?.fields.some((f) => concept(f) === concept(m.name))) ??
    (!model ? g.models.find((m) => concept(m.name) !== concept(resource) && g.request.keyConcepts.includes(concept(m.name))) : undefined) ??
    (g.actorModel && concept(g.actorModel.name) !== resource ? g.actorModel : undefined);
  const parentItem = parentModel ? itemRoute(g, parentModel) : undefined;
  const collection = newCollectionPath(g, resource, parentItem?.path);
  bp.facts.subject = plural(resource);
  resourceParts(g, bp, resource, collection, { form: isFormBased(g), parent: parentModel, ...(model ? { existing: model } : {}) });
  relatedFlowParts(g, bp, resource);
}

/**
 * The existing flows a new thing plugs into: an existing model the request names besides the new
 * resource ("discount codes … when they place an order" → Order) has its service and routes changed
 * to use it.
 */
function relatedFlowParts(g: Grounding, bp: Blueprint, resource: string): void {
  if (!g.repo.grounded) return;
  // Only a flow the request places the change in: "when they place an order", "at checkout", "during sign-up".
  const inFlow = (m: ModelFact) => new RegExp(`\\b(?:when|whenever|while|at|during|before|after)\\b[^.;]*\\b${concept(m.name)}`, 'i').test(g.request.text) || new RegExp(`\\b(?:at|during)\\s+(?:the\\s+)?\\w+`, 'i').test(g.spec.title);
  const related = g.models.filter((m) => concept(m.name) !== concept(resource) && m !== g.actorModel && g.request.allConcepts.includes(concept(m.name)) && !bp.parts.some((p) => p.existing_symbols.includes(m.name) || p.key === 'model:parent') && inFlow(m)).slice(0, 1);
  for (const model of related) {
    const name = concept(model.name);
    const service = filesOfRole(g, 'service').filter((f) => concepts(baseName(f)).includes(name)).sort()[0];
    // The route that creates one (`POST /api/orders`), else the other writes of that resource.
    const writes = g.repo.routes.filter((r) => concepts(r.path).includes(name) && r.method !== 'GET');
    const creates = writes.filter((r) => r.method === 'POST' && !/[{<:]/.test(r.path));
    const routes = (creates.length > 0 ? creates : writes).slice(0, 1);
    const routeFile = routes[0]?.file;
    const newKey = bp.parts.find((p) => p.change === 'create' && (p.role === 'service' || p.role === 'route'))?.key;
    if (service && !bp.parts.some((p) => p.file_path === service)) {
      const wanted = new Set(g.request.allConcepts.filter((c) => !ACTORS.has(c) && c !== name));
      const symbols = g.repo.symbols(service).filter((sym) => sym.kind !== 'class' && concepts(sym.name).some((c) => wanted.has(c))).map((sym) => sym.name);
      bp.parts.push(modifyPart(g, `flow:${service}`, 'service', `${model.name} flow: use the ${resource}`, service, symbols, `holds the ${model.name.toLowerCase()} logic the request changes`, { responsibility: `Applies the ${resource} where ${plural(name)} are made (${symbols.slice(0, 3).map((x) => `\`${x}\``).join(', ') || `the ${name} service`}), so the stored ${name} reflects it.`, uses: newKey ? [newKey] : [], serves: ['behaviour', 'create'], hours: 2 }, true));
    }
    if (routeFile && !bp.parts.some((p) => p.file_path === routeFile)) {
      bp.parts.push(modifyPart(g, `flow:${routeFile}`, 'route', `${model.name} routes: accept the ${resource}`, routeFile, handlerSymbols(routes, routeFile), `declares ${routes.slice(0, 2).map((r) => `\`${routeLabel(r)}\``).join(', ')}`, { responsibility: `Accepts the ${resource} in ${routes.slice(0, 2).map((r) => `\`${routeLabel(r)}\``).join(', ')} and answers ${bp.facts.invalidStatus} when it is not valid.`, uses: service ? [`flow:${service}`] : [], serves: ['validation', 'behaviour'], hours: 1 }));
      for (const r of routes.slice(0, 2)) bp.endpoints.push({ method: r.method, path: r.path, description: `Existing; now takes the ${resource}.`, part: `flow:${routeFile}`, change: 'modify' });
    }
  }
}

function dataShape(g: Grounding, bp: Blueprint): void {
  const model = g.models[0];
  if (model) {
    bp.parts.push(modifyPart(g, 'model', 'model', `${model.name} model`, model.file, [model.name], `defines ${model.name}`, { responsibility: `Gains the fields "${g.request.phrase}" asks for.`, serves: ['store', 'migrate', 'behaviour'], layer: 0, hours: 1 }));
    bp.models.push({ name: model.name, description: `Existing ${g.repo.orm ?? ''} model, changed as "${g.request.phrase}" asks.`.replace('  ', ' '), change: 'modify', file_path: model.file, fields: model.fields.slice(0, 8).map((f) => ({ name: f, type: 'existing' })) });
  }
  const migrationsDir = g.repo.files.map(dirName).find((d) => /(^|\/)(migrations|alembic\/versions|db\/migrate|db\/migration)$/.test(d));
  if (migrationsDir) {
    const placed: Placed = { path: `${migrationsDir}/${inStyle(g.request.keyConcepts.slice(0, 3), 'snake_case')}${g.repo.orm === 'Prisma' ? '/migration.sql' : g.repo.ext === 'py' ? '.py' : '.sql'}`, change: 'create', reason: `the repository's migrations live in ${migrationsDir}` };
    bp.parts.push(base(g, 'migration', 'migration', 'Schema migration', placed, { responsibility: 'Changes the schema and back-fills existing rows; reversible.', serves: ['migrate'], uses: ['model'], layer: 1, hours: 1.5 }));
  } else if (g.repo.grounded) {
    bp.notes.push(g.repo.orm === 'Prisma' ? 'The schema change is applied with `npx prisma migrate dev`, which writes the migration under prisma/migrations/.' : 'No migration directory was found: say how the schema change reaches existing databases before merging.');
  }
  for (const route of g.routes.slice(0, 2)) {
    bp.parts.push(modifyPart(g, `route:${route.file}`, 'route', `${baseName(route.file)} routes`, route.file, route.handler ? [route.handler] : [], `declares \`${routeLabel(route)}\``, { responsibility: 'Reads and writes the new fields.', serves: ['behaviour', 'validation'], uses: ['model'], hours: 1 }));
    bp.endpoints.push({ method: route.method, path: route.path, description: 'Existing route; reads/writes the new fields.', part: `route:${route.file}`, change: 'modify' });
  }
}

function integrationShape(g: Grounding, bp: Blueprint): void {
  const service = g.request.keyConcepts[0] ?? 'provider';
  const clientWords = [service, 'client'];
  const placed = g.repo.hasCodebase ? placeNew(g, 'client', clientWords, { fallbackDir: roleDir(g, 'service') ?? (g.settingsFile ? dirName(g.settingsFile) : g.repo.sourceRoot) }) : undefined;
  const names = [settingName(g, [service, 'api', 'key']), settingName(g, [service, 'timeout', 'seconds'])];
  bp.facts.settings = [{ name: names[0]!, default: '(none)', description: `credential for ${service}; start-up fails without it when the feature is on`, existing: false }, { name: names[1]!, default: '10', description: 'request timeout', existing: false }];
  const settings = settingsPart(g, names, ['config']);
  if (settings) bp.parts.push(settings);
  bp.parts.push(base(g, 'client', 'client', `${capitalizeWords(service)} client`, placed, { responsibility: `Calls ${service} with a timeout and retries on 5xx/timeouts (at most 3, with backoff); turns its errors into the application's errors; injected so tests use a fake.`, uses: settings ? ['settings'] : [], serves: ['call', 'errors'], hours: 3 }));
  for (const route of g.routes.slice(0, 2)) bp.parts.push(modifyPart(g, `route:${route.file}`, 'route', `${baseName(route.file)} routes`, route.file, route.handler ? [route.handler] : [], `declares \`${routeLabel(route)}\``, { responsibility: `Calls the ${service} client where "${g.request.phrase}" needs it.`, uses: ['client'], serves: ['behaviour', 'errors'], hours: 1.5 }));
}

function jobShape(g: Grounding, bp: Blueprint): void {
  const jobWords = [...g.request.keyConcepts.slice(0, 2), 'job'];
  const dir = g.repo.files.map(dirName).find((d) => /(^|\/)(jobs|tasks|workers|cron|scheduler)$/.test(d));
  const placed = g.repo.hasCodebase ? placeNew(g, 'job', jobWords, dir !== undefined ? { near: dir } : { fallbackDir: roleDir(g, 'service') ?? g.repo.sourceRoot }) : undefined;
  bp.parts.push(base(g, 'job', 'job', `${capitalizeWords(g.request.phrase)} job`, placed, { responsibility: 'Runs on its schedule with an injected clock; each run is idempotent and logs its outcome.', serves: ['schedule', 'behaviour', 'observability'], hours: 3 }));
  const entry = g.repo.sourceFiles.find((f) => /(^|\/)(main|app|server|worker)\.(ts|js|py|go)$/.test(f) || /Application\.java$/.test(f));
  if (entry) bp.parts.push(modifyPart(g, 'registration', 'registration', 'Schedule the job', entry, [], 'the application starts here', { responsibility: 'Starts the job on its schedule and stops it on shutdown.', uses: ['job'], serves: ['schedule'], hours: 0.5 }));
}

function uiShape(g: Grounding, bp: Blueprint): void {
  const touched = g.touches.filter((t) => t.role === 'template' || t.role === 'ui').slice(0, 2);
  for (const t of touched) bp.parts.push(modifyPart(g, `ui:${t.path}`, t.role, `${baseName(t.path)} view`, t.path, t.symbols, t.reason, { responsibility: `Shows ${g.request.phrase}.`, serves: ['display', 'behaviour'], hours: 2 }));
  if (touched.length === 0) {
    const placed = g.repo.hasCodebase ? placeNew(g, 'ui', g.request.keyConcepts.slice(0, 2), { fallbackDir: roleDir(g, 'template') ?? g.repo.sourceRoot }) : undefined;
    bp.parts.push(base(g, 'ui', 'ui', `${capitalizeWords(g.request.phrase)} view`, placed, { responsibility: `Shows ${g.request.phrase} with accessible controls and text states.`, serves: ['display', 'behaviour'], hours: 3 }));
  }
}

function capitalizeWords(text: string): string {
  return text.replace(/(^|\s)([a-z])/g, (_m, s: string, c: string) => `${s}${c.toUpperCase()}`);
}

export function buildBlueprint(g: Grounding): Blueprint {
  const bp: Blueprint = {
    kind: g.request.kind,
    label: g.request.kind === 'endpoint' && !g.repo.http && g.repo.routes.length === 0 ? 'a change to existing behaviour' : kindLabel(g.request.kind),
    parts: [],
    endpoints: [],
    models: [],
    facts: { targets: [], subject: g.request.phrase, params: {}, defaults: {}, settings: [], invalidStatus: invalidStatusOf(g), formBased: isFormBased(g) },
    notes: [],
    tests: [],
    runner: testRunner(g),
  };
  if (!g.repo.hasCodebase) bp.notes.push('No repository is connected: this plan is written from the request alone and names no existing file; file locations are chosen once the code base is known.');
  else if (!g.repo.grounded) bp.notes.push('The repository could not be read file by file (no code index and no code facts in EXPLORE): new files are placed by the detected stack only.');
  if (g.existing && g.request.kind !== 'rule' && g.request.kind !== 'endpoint') existingShape(g, bp);
  else {
    switch (g.request.kind) {
      case 'rule':
        ruleShape(g, bp);
        break;
      case 'endpoint':
        endpointShape(g, bp);
        break;
      case 'flow':
        flowShape(g, bp);
        break;
      case 'resource':
        resourceShape(g, bp);
        break;
      case 'data':
        dataShape(g, bp);
        break;
      case 'integration':
        integrationShape(g, bp);
        break;
      case 'job':
        jobShape(g, bp);
        break;
      case 'ui':
        uiShape(g, bp);
        break;
    }
  }
  if (bp.parts.length === 0) {
    // Nothing matched in the code: one part that implements the request, placed by role.
    const placed = g.repo.hasCodebase ? placeNew(g, 'service', g.request.keyConcepts.slice(0, 2).length > 0 ? g.request.keyConcepts.slice(0, 2) : ['feature'], { fallbackDir: roleDir(g, 'service') ?? roleDir(g, 'route') ?? g.repo.sourceRoot }) : undefined;
    bp.parts.push(base(g, 'service', 'service', `${capitalizeWords(g.request.phrase)}`, placed, { responsibility: `Implements ${g.request.phrase}.`, serves: ['behaviour', 'validation', 'errors', 'create', 'list'], hours: 3 }));
  }
  // New code that nothing existing calls is wired in where the application starts or mounts its parts.
  const createsCode = bp.parts.some((p) => p.change === 'create' && p.file_path && /\.(ts|tsx|js|mjs|py|java|kt|go|rb|rs|php|cs)$/.test(p.file_path));
  const modifiesCode = bp.parts.some((p) => p.change === 'modify' && p.file_path && /\.(ts|tsx|js|mjs|py|java|kt|go|rb|rs|php|cs)$/.test(p.file_path));
  if (g.repo.grounded && createsCode && !modifiesCode && g.repo.ext !== 'java' && g.repo.ext !== 'kt') {
    const entry = registrationFile(g) ?? g.repo.entryPoints.find((e) => g.repo.sourceFiles.includes(e)) ?? g.repo.sourceFiles.find((f) => /(^|\/)(cli|__main__|main|app|server)\.[a-z]+$/.test(f));
    const target = bp.parts.find((p) => p.change === 'create' && p.role !== 'model' && p.role !== 'settings') ?? bp.parts.find((p) => p.change === 'create');
    if (entry && target) {
      bp.parts.push(modifyPart(g, 'registration', 'registration', `Wire ${target.name.toLowerCase()} into ${baseName(entry)}`, entry, [], 'the application starts here, so the new code is reachable from it', { responsibility: `Calls ${target.name.toLowerCase()} from \`${entry}\` so the new behaviour is reachable.`, uses: [target.key], serves: ['behaviour'], hours: 0.5 }));
    }
  }
  // Dependencies only on parts that exist.
  const keys = new Set(bp.parts.map((p) => p.key));
  for (const part of bp.parts) part.uses = [...new Set(part.uses.filter((u) => keys.has(u) && u !== part.key))];
  bp.tests = plannedTests(g, bp.parts);
  if (bp.tests.length === 0 && g.repo.hasCodebase) {
    const main = bp.parts.find((p) => p.file_path && ['route', 'service', 'middleware'].includes(p.role)) ?? bp.parts.find((p) => p.file_path);
    if (main?.file_path) bp.tests.push({ part: main.key, placed: placeTest(g, main.file_path) });
  }
  return bp;
}
