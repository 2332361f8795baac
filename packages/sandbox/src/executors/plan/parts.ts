/** The parts of a blueprint (design components on real or placed files) and the helpers that make them. */
import type { ModelFact, RouteFact } from '../../codeindex/types';
import { clauseFacts, splitClauses } from '../text';
import { collectionSegment, type Grounding, type Role, type Touch } from './ground';
import { placeNew, placeTest, type Placed } from './place';
import { type ChangeKind } from './request';
import { concept, concepts, inStyle, plural } from './words';


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

export const LAYER: Readonly<Partial<Record<Role, number>>> = { model: 0, migration: 1, settings: 1, store: 1, schema: 2, repository: 2, client: 2, notification: 3, service: 3, auth: 4, middleware: 4, job: 4, route: 5, registration: 6, template: 7, ui: 7, other: 5 };

export function base(_g: Grounding, key: string, role: Role, name: string, at: Placed | Touch | undefined, fields: Partial<Part>): Part {
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
export function modifyPart(g: Grounding, key: string, role: Role, name: string, path: string, symbols: readonly string[], reason: string, fields: Partial<Part>, ownSymbolsOnly = false): Part {
  const touch = g.touches.find((t) => t.path === path);
  const all = [...new Set([...(ownSymbolsOnly ? [] : (touch?.symbols ?? [])), ...symbols])];
  return base(g, key, role, name, { path, role, symbols: all, reason: touch && !reason ? touch.reason : reason || (touch?.reason ?? ''), score: 0 }, fields);
}

export function routeFilesOf(routes: readonly RouteFact[]): string[] {
  return [...new Set(routes.map((r) => r.file))];
}

export function handlerSymbols(routes: readonly RouteFact[], file: string): string[] {
  return routes.filter((r) => r.file === file && r.handler !== undefined).map((r) => r.handler!);
}

/** The framework's status for a request that fails input validation. */
export function invalidStatusOf(g: Grounding): number {
  return g.repo.http === 'FastAPI' ? 422 : 400;
}

export function isFormBased(g: Grounding): boolean {
  return g.repo.files.some((f) => /(^|\/)templates\/.+\.html$/.test(f)) && (g.repo.http === 'Spring' || g.repo.frameworks.some((f) => /thymeleaf|jinja|django/i.test(f)));
}

/** Names in the language's style: `login_rate_limit` (py), `loginRateLimit` (ts), `LoginRateLimit` (java). */
export function ident(g: Grounding, words: readonly string[], style?: 'type' | 'value'): string {
  if (style === 'type') return inStyle(words, 'PascalCase');
  return g.repo.ext === 'py' || g.repo.ext === 'rb' || g.repo.ext === 'rs' ? inStyle(words, 'snake_case') : inStyle(words, 'camelCase');
}

export function settingName(g: Grounding, words: readonly string[]): string {
  if (g.repo.ext === 'java' || g.repo.ext === 'kt') return `${rootPrefix(g)}.${inStyle(words, 'kebab-case')}`;
  return words.map((w) => w.toUpperCase()).join('_');
}

/** The prefix of the application's own properties: `clinic` for `ClinicProperties`, else `app`. */
export function rootPrefix(g: Grounding): string {
  const klass = g.repo.settings.find((s) => s.kind === 'settings_class' && /^[A-Z]\w*(?:Properties|Config|Settings)$/.test(s.name));
  const stem = klass?.name.replace(/(?:Properties|Config|Settings)$/, '');
  return stem ? stem.charAt(0).toLowerCase() + stem.slice(1) : 'app';
}

/** The settings part: the repository's settings file gains the new settings. */
export function settingsPart(g: Grounding, names: readonly string[], serves: Aspect[], words: readonly string[] = g.request.keyConcepts.slice(0, 2)): Part | undefined {
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
export function plannedTests(g: Grounding, parts: readonly Part[]): { part: string; placed: Placed }[] {
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
export function newCollectionPath(g: Grounding, resource: string, parentItem: string | undefined): string {
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

export function commonPrefix(paths: readonly string[]): string {
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
export function itemRoute(g: Grounding, model: ModelFact | undefined): RouteFact | undefined {
  if (!model) return undefined;
  const name = concept(model.name);
  return g.repo.routes.find((r) => r.method === 'GET' && /[{<:][^/]*[}>]?$/.test(r.path) && concept(r.path.split('/').filter((s) => s !== '').slice(-2, -1)[0] ?? '') === name);
}

/** The model holding a child collection of `parent` (`Owner.pets` → `Pet`). */
export function childModel(g: Grounding, parent: ModelFact | undefined): ModelFact | undefined {
  if (!parent) return undefined;
  for (const field of parent.fields) {
    const child = g.repo.models.find((m) => m !== parent && concept(field) === concept(m.name));
    if (child) return child;
  }
  return undefined;
}

export function words(text: string): string[] {
  return text.split(/[\s_-]+/).filter((w) => w !== '');
}

/** The requirements' source of numbers stated in the description (`5 attempts`, `15 minutes`, `100 requests per minute`). */
export function statedNumbers(g: Grounding): { count?: number; windowSeconds?: number; quota?: string; pageSize?: number } {
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

export function capitalizeWords(text: string): string {
  return text.replace(/(^|\s)([a-z])/g, (_m, s: string, c: string) => `${s}${c.toUpperCase()}`);
}
