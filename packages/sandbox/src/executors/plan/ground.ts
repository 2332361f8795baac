/**
 * Grounding: which existing files, routes, models and symbols a request touches, each with the
 * reason it was picked (an index search over the request, plus the routes, models, settings and auth
 * facts that share its concepts), whether the requested feature already exists, and which resource
 * the change is about. Deterministic: ties are broken by path.
 */
import type { LocatedFact, ModelFact, RouteFact } from '../../codeindex/types';
import type { SpecInfo } from '../../types';
import type { RepoFacts } from './repo';
import { profileRequest, type RequestProfile } from './request';
import { baseName, concept, concepts, dirName, plural } from './words';

export type Role =
  | 'route'
  | 'model'
  | 'schema'
  | 'service'
  | 'repository'
  | 'settings'
  | 'auth'
  | 'middleware'
  | 'registration'
  | 'notification'
  | 'template'
  | 'test'
  | 'migration'
  | 'store'
  | 'client'
  | 'job'
  | 'ui'
  | 'other';

export interface Touch {
  path: string;
  role: Role;
  symbols: string[];
  reason: string;
  score: number;
}

export interface ScoredRoute extends RouteFact {
  score: number;
  matched: string[];
}

export interface ExistingImplementation {
  /** "POST /password-recovery/{email} (recover_password) and POST /reset-password/ (reset_password) in src/shop/auth/password_reset.py" */
  summary: string;
  files: string[];
  routes: RouteFact[];
  symbols: string[];
}

export interface Grounding {
  spec: Pick<SpecInfo, 'title' | 'description'>;
  repo: RepoFacts;
  request: RequestProfile;
  /** Routes that share the request's concepts, best first. */
  routes: ScoredRoute[];
  /** Routes of the resource the request is about (its actor or object), for prefixes and context. */
  contextRoutes: ScoredRoute[];
  models: (ModelFact & { score: number })[];
  settingsFile: string | undefined;
  settings: LocatedFact[];
  auth: LocatedFact[];
  /** Existing files the change touches, best first, one entry per file. */
  touches: Touch[];
  existing: ExistingImplementation | undefined;
  /** The model of the actor named by the request (`Owner` for "Let owners …"). */
  actorModel: ModelFact | undefined;
  /** A thing the request asks to create that has no model yet (`visit` for "book visits"). */
  newResource: string | undefined;
  /** The existing resource whose files new ones are modelled on (`owner`, `item`, `post`). */
  analogue: string | undefined;
}

/** Words that name what a change does, not a thing it stores. */
const FEATURE_WORDS: ReadonlySet<string> = new Set(['password', 'email', 'limit', 'attempt', 'page', 'list', 'request', 'login', 'token', 'setting', 'paginate', 'search', 'filter', 'sort', 'export', 'import', 'reset', 'confirm', 'notify', 'cache', 'audit', 'upload', 'download', 'validation', 'access', 'permission', 'support', 'feature', 'ability']);

function sortByScore<T extends { score: number }>(items: T[], key: (t: T) => string): T[] {
  return items.sort((a, b) => b.score - a.score || (key(a) < key(b) ? -1 : key(a) > key(b) ? 1 : 0));
}

/** Concepts of a route: its path and handler, and the handler's docstring when the index has it. */
function routeConcepts(route: RouteFact, repo: RepoFacts): { strong: Set<string>; doc: Set<string> } {
  const strong = new Set([...concepts(route.path), ...concepts(route.handler ?? '')]);
  const doc = new Set<string>();
  const symbol = route.handler ? repo.symbols(route.file).find((s) => s.name === route.handler) : undefined;
  for (const c of concepts(symbol?.doc ?? '')) doc.add(c);
  return { strong, doc };
}

function scoreRoutes(repo: RepoFacts, request: RequestProfile): ScoredRoute[] {
  const key = new Set(request.keyConcepts);
  const all = new Set(request.allConcepts);
  const out: ScoredRoute[] = [];
  for (const route of repo.routes) {
    if (repo.testFiles.includes(route.file)) continue;
    const { strong, doc } = routeConcepts(route, repo);
    let score = 0;
    const matched: string[] = [];
    for (const c of strong) {
      if (key.has(c)) {
        score += 2;
        matched.push(c);
      } else if (all.has(c)) {
        score += 1;
        matched.push(c);
      }
    }
    for (const c of doc) if (key.has(c)) score += 0.5;
    if (score > 0) out.push({ ...route, score, matched });
  }
  return sortByScore(out, (r) => `${r.file}:${String(r.line).padStart(6, '0')}`);
}

function modelConcepts(model: ModelFact): string[] {
  return [...concepts(model.name), ...concepts(model.table ?? '')];
}

function scoreModels(repo: RepoFacts, request: RequestProfile): (ModelFact & { score: number })[] {
  const key = new Set(request.keyConcepts);
  const all = new Set([...request.allConcepts, ...request.objects.map(concept)]);
  const out: (ModelFact & { score: number })[] = [];
  for (const model of repo.models) {
    let score = 0;
    for (const c of new Set(modelConcepts(model))) score += key.has(c) ? 3 : all.has(c) ? 2 : 0;
    const fieldHits = new Set(model.fields.flatMap((f) => concepts(f)).filter((c) => key.has(c) || all.has(c)));
    score += Math.min(2, fieldHits.size * 0.5);
    if (score > 0) out.push({ ...model, score });
  }
  return sortByScore(out, (m) => `${m.file}:${m.name}`);
}

/** A route as people write it: `POST /password-recovery/{email}`. */
export function routeLabel(route: Pick<RouteFact, 'method' | 'path'>): string {
  return `${route.method === 'ANY' ? 'ANY' : route.method} ${route.path}`;
}

/** Picks where the repository keeps its settings: the settings class or config file the index found. */
function settingsFileOf(repo: RepoFacts): string | undefined {
  const ranked = [...repo.settings].sort((a, b) => rankSetting(a) - rankSetting(b) || (a.file < b.file ? -1 : a.file > b.file ? 1 : 0));
  const source = ranked.find((s) => repo.sourceFiles.includes(s.file) || /\.(py|ts|js|java|go|kt|rb)$/.test(s.file));
  return source?.file ?? ranked[0]?.file;
}

function rankSetting(fact: LocatedFact): number {
  if (fact.kind === 'settings_class') return 0;
  if (/\b(config|settings)\.(py|ts|js)$/.test(fact.file)) return 1;
  if (/properties$|\.ya?ml$/.test(fact.file)) return 3;
  if (/\.env/.test(fact.file)) return 4;
  return 2;
}

function roleOfFile(path: string, repo: RepoFacts, settingsFile: string | undefined): Role {
  if (repo.testFiles.includes(path)) return 'test';
  if (repo.routes.some((r) => r.file === path)) return 'route';
  if (repo.models.some((m) => m.file === path)) return 'model';
  if (path === settingsFile || repo.settings.some((s) => s.file === path)) return 'settings';
  const name = baseName(path).toLowerCase();
  if (/migration|alembic|flyway/.test(path)) return 'migration';
  if (/\.(html|jinja2?|hbs|ejs|tsx|jsx|vue|svelte)$/.test(path)) return /templates?\//.test(path) || /\.html$/.test(path) ? 'template' : 'ui';
  if (/e-?mail|mailer|notif/.test(name)) return 'notification';
  if (repo.auth.some((a) => a.file === path)) return 'auth';
  if (/middleware|interceptor|guard|filter/.test(name) || /\/middlewares?\//.test(path)) return 'middleware';
  if (/repositor|store|dao$/.test(name)) return 'repository';
  if (/service|crud|manager|usecase|handler/.test(name)) return 'service';
  if (/schema|dto|serializer/.test(name)) return 'schema';
  return 'other';
}

/** Words to search the index with: the request's concepts and their synonyms. */
function searchQuery(request: RequestProfile): string {
  return [...new Set([...request.keyConcepts, ...request.keyConcepts, ...request.allConcepts.slice(0, 12)])].join(' ');
}

/**
 * The grounding of a request in a repository. Without a code base (or without known paths) it is
 * empty apart from the request profile: nothing existing is named.
 */
export function ground(spec: Pick<SpecInfo, 'title' | 'description'>, repo: RepoFacts): Grounding {
  const hasFrontend = repo.frameworks.some((f) => /react|vue|svelte|angular|next|nuxt|solid|thymeleaf|jinja|templates/i.test(f)) || repo.files.some((f) => /\/templates\/.+\.html$/.test(f));
  const request = profileRequest(spec, hasFrontend);
  const empty: Grounding = { spec, repo, request, routes: [], contextRoutes: [], models: [], settingsFile: undefined, settings: [], auth: [], touches: [], existing: undefined, actorModel: undefined, newResource: undefined, analogue: undefined };
  if (!repo.hasCodebase || !repo.grounded) return empty;

  const scored = scoreRoutes(repo, request);
  const best = scored[0]?.score ?? 0;
  const routes = scored.filter((r) => r.score >= 2 && r.score >= best * 0.6);
  const models = scoreModels(repo, request).filter((m) => m.score >= 1);
  const modelNames = new Set(repo.models.map((m) => concept(m.name)));
  const actorModel = request.actor ? repo.models.find((m) => concept(m.name) === request.actor) : undefined;
  const newResource = request.objects.find((o) => !modelNames.has(concept(o)) && request.keyConcepts.includes(concept(o)) && !FEATURE_WORDS.has(concept(o)));
  const contextConcepts = new Set([request.actor, ...request.objects.map(concept), ...models.slice(0, 2).map((m) => concept(m.name))].filter((c): c is string => c !== undefined));
  const contextRoutes = sortByScore(
    repo.routes.filter((r) => !repo.testFiles.includes(r.file)).map((r) => ({ ...r, score: concepts(r.path).filter((c) => contextConcepts.has(c)).length, matched: concepts(r.path).filter((c) => contextConcepts.has(c)) })).filter((r) => r.score > 0),
    (r) => `${r.file}:${String(r.line).padStart(6, '0')}`,
  );
  const settingsFile = settingsFileOf(repo);
  const all = new Set(request.allConcepts);
  // A setting is related when it names a key concept and, for several-word requests, one more of the request's concepts.
  const keySet = new Set(request.keyConcepts);
  const settings = repo.settings.filter((s) => {
    const named = concepts(s.name);
    return named.some((c) => keySet.has(c)) && named.filter((c) => all.has(c)).length >= Math.min(2, request.keyConcepts.length);
  });
  const authRelevant = request.traits.includes('auth') || request.traits.includes('access_control') || request.traits.includes('rate_limit') && request.allConcepts.includes('login');
  const auth = authRelevant ? repo.auth : [];

  const touches = new Map<string, Touch>();
  const touch = (path: string, role: Role, symbols: readonly string[], reason: string, score: number) => {
    if (!repo.exists(path)) return;
    const known = touches.get(path);
    if (known) {
      for (const s of symbols) if (!known.symbols.includes(s)) known.symbols.push(s);
      if (!known.reason.includes(reason)) known.reason = `${known.reason}; ${reason}`;
      known.score += score / 2;
      return;
    }
    touches.set(path, { path, role, symbols: [...symbols], reason, score });
  };
  for (const file of [...new Set(routes.map((r) => r.file))]) {
    const own = routes.filter((r) => r.file === file);
    touch(file, 'route', own.map((r) => r.handler).filter((h): h is string => h !== undefined), `declares ${own.map((r) => `\`${routeLabel(r)}\``).join(', ')}`, Math.max(...own.map((r) => r.score)) + 2);
  }
  for (const model of models.slice(0, 4)) touch(model.file, 'model', [model.name], `defines the ${model.name} model${model.fields.length > 0 ? ` (${model.fields.slice(0, 6).join(', ')})` : ''}`, model.score + 1);
  if (actorModel) touch(actorModel.file, 'model', [actorModel.name], `defines ${actorModel.name}, the ${request.actor ?? 'actor'} named by the request`, 2);
  for (const s of settings.slice(0, 6)) touch(s.file, 'settings', [s.name], `holds the related setting ${s.name}`, 1.5);
  for (const a of auth.slice(0, 4)) touch(a.file, 'auth', [a.name], `${a.kind === 'middleware' ? 'middleware' : a.kind === 'dependency' ? 'dependency' : 'auth helper'} ${a.name}`, 1);

  // The index's ranking over paths, symbols and docstrings: files that name the request's key concepts.
  const key = new Set(request.keyConcepts);
  const hits = repo.search(searchQuery(request), 30).filter((h) => !repo.testFiles.includes(h.path));
  const top = hits[0]?.score ?? 0;
  for (const hit of hits) {
    if (hit.score < top * 0.3) continue;
    const named = new Set([...concepts(hit.path), ...concepts(hit.symbol ?? '')]);
    const shared = [...named].filter((c) => key.has(c));
    if (shared.length === 0 || (key.size >= 2 && shared.length < 2 && !touches.has(hit.path))) continue;
    const role = roleOfFile(hit.path, repo, settingsFile);
    touch(hit.path, role, hit.symbol ? [hit.symbol] : [], hit.symbol ? `\`${hit.symbol}\` matches ${shared.join(', ')}` : `its path matches ${shared.join(', ')}`, 1 + shared.length);
  }
  const ranked = sortByScore([...touches.values()], (t) => t.path);

  // Settings the touched code names in its docstrings (`valid for EMAIL_RESET_TOKEN_EXPIRE_HOURS`), declared in the settings file.
  for (const t of ranked.slice(0, 6)) {
    for (const symbol of repo.symbols(t.path)) {
      for (const name of (symbol.doc ?? '').match(/\b[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+\b/g) ?? []) {
        if (settings.some((s) => s.name === name) || !concepts(name).some((c) => keySet.has(c))) continue;
        settings.push({ name, file: settingsFile ?? t.path, line: 0, kind: `setting named in the docstring of ${symbol.name}` });
      }
    }
  }

  // Already implemented: a route (or symbol) covering every key concept of the request.
  const keys = request.keyConcepts;
  const covering = routes.filter((r) => keys.length > 0 && keys.every((k) => r.matched.includes(k)) && (keys.length >= 2 || concepts(r.path).length <= 2));
  let existing: ExistingImplementation | undefined;
  if (covering.length > 0 && request.kind !== 'rule' && request.kind !== 'endpoint') {
    const files = [...new Set(covering.map((r) => r.file))];
    const siblings = routes.filter((r) => files.includes(r.file) && r.score >= 2 && keys.filter((k) => r.matched.includes(k)).length >= Math.min(2, keys.length));
    const all = [...new Map([...covering, ...siblings].map((r) => [`${r.method} ${r.path}`, r])).values()];
    const symbols = [...new Set([...all.map((r) => r.handler).filter((h): h is string => h !== undefined), ...ranked.filter((t) => files.includes(t.path)).flatMap((t) => t.symbols)])];
    existing = {
      summary: `${files.join(', ')}: ${all.map((r) => `\`${routeLabel(r)}\`${r.handler ? ` (${r.handler})` : ''}`).join(', ')}`,
      files,
      routes: all,
      symbols,
    };
  }

  const analogue = pickAnalogue(repo, request, actorModel, models);
  return { ...empty, routes, contextRoutes, models, settingsFile, settings, auth, touches: ranked, existing, actorModel, newResource, analogue };
}

/**
 * The resource whose files a new resource copies: the actor's when it has routes, else the related
 * model with the most routes and tests, else the resource with the most routes.
 */
function pickAnalogue(repo: RepoFacts, request: RequestProfile, actor: ModelFact | undefined, models: readonly ModelFact[]): string | undefined {
  const candidates = [...new Set([...(actor ? [actor.name] : []), ...models.map((m) => m.name), ...repo.models.map((m) => m.name)])].map((name) => concept(name));
  let best: { name: string; score: number } | undefined;
  for (const [i, name] of candidates.entries()) {
    const routeFiles = new Set(repo.routes.filter((r) => concepts(r.path).includes(name) || concepts(baseName(r.file)).includes(name)).map((r) => r.file));
    if (routeFiles.size === 0) continue;
    const tests = repo.testFiles.filter((t) => concepts(baseName(t)).includes(name)).length;
    const score = routeFiles.size * 2 + tests + (name === request.actor ? 3 : 0) - i * 0.01;
    if (!best || score > best.score) best = { name, score };
  }
  return best?.name;
}

/** The plural path segment a resource's routes use (`/owners`, `/items/`): the resource name as the routes spell it. */
export function collectionSegment(resource: string, routes: readonly RouteFact[]): string {
  for (const route of routes) {
    for (const segment of route.path.split('/')) if (segment !== '' && concept(segment) === resource) return segment;
  }
  return plural(resource);
}

export function dirsOf(paths: readonly string[]): string[] {
  const counts = new Map<string, number>();
  for (const p of paths) counts.set(dirName(p), (counts.get(dirName(p)) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1)).map(([d]) => d);
}
