/**
 * What the planner knows about the repository a plan is for, from the code index when there is one
 * (`context.index`, or built from `cwd`), else from the code facts of the EXPLORE output (which may
 * come from this planner, from a model or from a hand edit), else nothing: `hasCodebase: false`, and
 * the plan is written from the request alone.
 */
import { asArray, asRecord } from '../../analysis/shape';
import type { CodeIndex, IndexedSymbol, LocatedFact, ModelFact, RouteFact, SearchHit, TestLayoutFact } from '../../codeindex/types';
import { stackProfile } from '../profile';
import { concepts, dirName, extOf } from './words';

export interface RepoFacts {
  /** False when no repository is connected: the plan names no existing file. */
  hasCodebase: boolean;
  /** True when file paths are known (an index, or EXPLORE code facts): only then are existing files named. */
  grounded: boolean;
  /** Main language of the code a change goes into (`Python`), and its file extension (`py`). */
  language: string;
  ext: string;
  frameworks: string[];
  /** The HTTP framework (`FastAPI`, `Express`, `Spring`), when there is one. */
  http: string | undefined;
  /** The ORM / schema tool (`SQLModel`, `Prisma`, `JPA`), when there is one. */
  orm: string | undefined;
  routes: RouteFact[];
  models: ModelFact[];
  settings: LocatedFact[];
  auth: LocatedFact[];
  tests: TestLayoutFact;
  /** Every known file path (sorted). */
  files: string[];
  /** Known source files (not tests, not generated). */
  sourceFiles: string[];
  /** Where new server-side code goes when nothing closer is known (`src/shop`, `apps/server/src`). */
  sourceRoot: string;
  /** Entry points (`src/main.ts`, `shop/main.py`, `…Application.java`), main one first. */
  entryPoints: string[];
  testFiles: string[];
  commit: string | null;
  exists(path: string): boolean;
  isDir(path: string): boolean;
  symbols(path: string): IndexedSymbol[];
  /** Ranked files and symbols for a query (the index's BM25 search, or word overlap over the known paths). */
  search(query: string, limit?: number): SearchHit[];
}

const EXT_BY_LANGUAGE: Readonly<Record<string, string>> = {
  TypeScript: 'ts', JavaScript: 'js', Python: 'py', Go: 'go', Rust: 'rs', Java: 'java', Kotlin: 'kt', Ruby: 'rb', PHP: 'php', 'C#': 'cs', Scala: 'scala',
};
const LANGUAGE_BY_EXT: Readonly<Record<string, string>> = {
  ts: 'TypeScript', tsx: 'TypeScript', mts: 'TypeScript', cts: 'TypeScript', js: 'JavaScript', jsx: 'JavaScript', mjs: 'JavaScript', cjs: 'JavaScript', py: 'Python', go: 'Go',
  rs: 'Rust', java: 'Java', kt: 'Kotlin', rb: 'Ruby', php: 'PHP', cs: 'C#', scala: 'Scala',
};
const HTTP_FRAMEWORKS = ['FastAPI', 'Flask', 'Django', 'Starlette', 'Express', 'Fastify', 'Koa', 'Hono', 'NestJS', 'Next.js', 'Spring', 'Spring Boot', 'Gin', 'Echo', 'chi', 'Fiber', 'Rails', 'Sinatra', 'Laravel', 'Actix Web', 'Axum'];
const ORMS = ['Prisma', 'SQLModel', 'SQLAlchemy', 'Django ORM', 'Django', 'JPA', 'Hibernate', 'Spring Data JPA', 'Drizzle', 'TypeORM', 'Sequelize', 'Mongoose', 'GORM', 'ActiveRecord', 'Diesel', 'Ecto'];

export function languageOfPath(path: string): string | null {
  return LANGUAGE_BY_EXT[extOf(path).toLowerCase()] ?? null;
}

export function extForLanguage(language: string): string {
  return EXT_BY_LANGUAGE[language] ?? 'ts';
}

function strings(value: unknown): string[] {
  return asArray(value).filter((v): v is string => typeof v === 'string');
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() !== '' ? value : undefined;
}

function num(value: unknown): number {
  return typeof value === 'number' && Number.isFinite(value) ? value : 0;
}

function located(value: unknown): LocatedFact[] {
  return asArray(value).map(asRecord).filter((r) => r !== undefined && str(r['name']) && str(r['file'])).map((r) => ({ name: String(r!['name']), file: String(r!['file']), line: num(r!['line']), kind: str(r!['kind']) ?? 'unknown' }));
}

function routesOf(value: unknown): RouteFact[] {
  return asArray(value).map(asRecord).filter((r) => r !== undefined && str(r['path']) && str(r['file'])).map((r) => ({
    method: (str(r!['method']) ?? 'ANY').toUpperCase(),
    path: String(r!['path']),
    file: String(r!['file']),
    line: num(r!['line']),
    framework: str(r!['framework']) ?? '',
    ...(str(r!['handler']) ? { handler: String(r!['handler']) } : {}),
  }));
}

function modelsOf(value: unknown): ModelFact[] {
  return asArray(value).map(asRecord).filter((r) => r !== undefined && str(r['name']) && str(r['file'])).map((r) => ({
    name: String(r!['name']),
    file: String(r!['file']),
    line: num(r!['line']),
    framework: str(r!['framework']) ?? '',
    fields: strings(r!['fields']),
    ...(str(r!['table']) ? { table: String(r!['table']) } : {}),
  }));
}

function testLayoutOf(value: unknown, explore: Record<string, unknown>): TestLayoutFact {
  const t = asRecord(value);
  if (t) {
    return {
      runner: str(t['runner']) ?? null,
      runners: strings(t['runners']),
      layout: (['separate', 'colocated', 'mixed', 'none'] as const).find((l) => l === t['layout']) ?? 'none',
      dirs: strings(t['dirs']),
      pattern: str(t['pattern']) ?? null,
      files: num(t['files']),
      examples: strings(t['examples']),
      command: str(t['command']) ?? null,
    };
  }
  const runner = str(explore['test_runner']) ?? null;
  return { runner, runners: strings(explore['test_runners']), layout: 'none', dirs: strings(explore['test_dirs']), pattern: null, files: num(explore['test_files']), examples: [], command: null };
}

function pickFramework(frameworks: readonly string[], names: readonly string[]): string | undefined {
  for (const name of names) {
    const found = frameworks.find((f) => f.toLowerCase() === name.toLowerCase() || f.toLowerCase().startsWith(`${name.toLowerCase()} `));
    if (found) return name === 'Spring Boot' ? 'Spring' : name === 'Spring Data JPA' || name === 'Hibernate' ? 'JPA' : name;
  }
  return undefined;
}

/** Word-overlap ranking over known paths and the EXPLORE `related_code`, for plans without an index. */
function overlapSearch(files: readonly string[], related: readonly SearchHit[]): (query: string, limit?: number) => SearchHit[] {
  return (query, limit = 20) => {
    const wanted = new Set(concepts(query));
    const scored = new Map<string, SearchHit>();
    for (const hit of related) scored.set(`${hit.path}#${hit.symbol ?? ''}`, hit);
    for (const path of files) {
      const matched = concepts(path).filter((c) => wanted.has(c));
      if (matched.length === 0) continue;
      const key = `${path}#`;
      const known = scored.get(key);
      const score = matched.length + (known?.score ?? 0);
      scored.set(key, { path, score, matched: ['path'] });
    }
    return [...scored.values()].sort((a, b) => b.score - a.score || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0)).slice(0, limit);
  };
}

/**
 * The repository facts for a plan. `index` wins over the EXPLORE output's facts; `hasCodebase: false`
 * (from the run or from EXPLORE) means there is nothing to ground on.
 */
export function repoFacts(explore: unknown, index: CodeIndex | undefined, hasCodebase = true): RepoFacts {
  const e = asRecord(explore) ?? {};
  const connected = hasCodebase && e['has_codebase'] !== false;
  const exploreFrameworks = [...strings(e['frameworks']), ...strings(e['tech_stack'])];
  if (connected && index) {
    const frameworks = [...new Set([...index.facts.frameworks, ...exploreFrameworks])];
    const sourceFiles = index.files.filter((f) => !f.test && !f.generated && !f.vendored && f.language !== null).map((f) => f.path);
    const routeLanguages = index.facts.routes.map((r) => languageOfPath(r.file)).filter((l): l is string => l !== null);
    const language = mostCommon(routeLanguages) ?? index.languages.find((l) => EXT_BY_LANGUAGE[l.name] !== undefined)?.name ?? 'TypeScript';
    const files = index.files.map((f) => f.path).sort();
    return {
      sourceRoot: sourceRootOf(explore, sourceFiles, (p) => index.isDir(p)),
      entryPoints: [...new Set([...index.facts.entryPoints.map((e) => e.path), ...strings(e['entry_points'])])].filter((p) => index.exists(p)),
      hasCodebase: true,
      grounded: true,
      language,
      ext: extForLanguage(language),
      frameworks,
      http: pickFramework(frameworks, HTTP_FRAMEWORKS) ?? (index.facts.routes[0]?.framework || undefined),
      orm: pickFramework(frameworks, ORMS) ?? (index.facts.models[0]?.framework || undefined),
      routes: [...index.facts.routes],
      models: [...index.facts.models],
      settings: [...index.facts.settings],
      auth: [...index.facts.auth],
      tests: index.facts.tests,
      files,
      sourceFiles: sourceFiles.sort(),
      testFiles: index.files.filter((f) => f.test).map((f) => f.path).sort(),
      commit: index.commit,
      exists: (p) => index.exists(p),
      isDir: (p) => index.isDir(p),
      symbols: (p) => index.file(p)?.symbols ?? [],
      search: (q, limit = 20) => index.search(q, { limit }),
    };
  }
  const routes = connected ? routesOf(e['routes']) : [];
  const models = connected ? modelsOf(e['data_models']) : [];
  const settings = connected ? located(e['settings']) : [];
  const auth = connected ? located(e['auth']) : [];
  const tests = connected ? testLayoutOf(e['test_layout'], e) : { runner: null, runners: [], layout: 'none' as const, dirs: [], pattern: null, files: 0, examples: [], command: null };
  const related: SearchHit[] = connected
    ? asArray(e['related_code']).map(asRecord).filter((r) => r !== undefined && str(r['path'])).map((r) => ({
        path: String(r!['path']),
        ...(str(r!['symbol']) ? { symbol: String(r!['symbol']) } : {}),
        ...(typeof r!['line'] === 'number' ? { line: r!['line'] } : {}),
        score: num(r!['score']),
        matched: ['related_code'],
      }))
    : [];
  const keyFiles = connected ? asArray(e['key_files']).map((k) => str(asRecord(k)?.['path'])).filter((p): p is string => p !== undefined) : [];
  const entry = connected ? [...strings(e['entry_points']), ...asArray(e['entry_point_details']).map((d) => str(asRecord(d)?.['path'])).filter((p): p is string => p !== undefined)] : [];
  const known = [...new Set([...routes.map((r) => r.file), ...models.map((m) => m.file), ...settings.map((s) => s.file), ...auth.map((a) => a.file), ...tests.examples, ...related.map((r) => r.path), ...keyFiles, ...entry])].sort();
  const dirs = new Set<string>();
  for (const file of known) for (let d = dirName(file); d !== ''; d = dirName(d)) dirs.add(d);
  for (const d of connected ? [...strings(e['source_dirs']), ...strings(e['source_subdirs']), ...strings(e['test_dirs']), ...tests.dirs] : []) dirs.add(d);
  const languages = asArray(e['languages']).map((l) => str(asRecord(l)?.['name'])).filter((l): l is string => l !== undefined);
  const routeLanguage = mostCommon(routes.map((r) => languageOfPath(r.file)).filter((l): l is string => l !== null));
  const language = routeLanguage ?? languages.find((l) => EXT_BY_LANGUAGE[l] !== undefined) ?? exploreFrameworks.find((t) => EXT_BY_LANGUAGE[t] !== undefined) ?? 'TypeScript';
  const isTest = (p: string) => tests.examples.includes(p) || /(^|\/)(tests?|__tests__|spec)\/|[._-](test|spec)\.[a-z]+$|(^|\/)test_[^/]+\.py$|_test\.go$|Tests?\.java$/.test(p);
  return {
    sourceRoot: stackProfile(explore).sourceRoot,
    entryPoints: connected ? [...new Set(entry)] : [],
    hasCodebase: connected,
    grounded: connected && known.length > 0 && (routes.length > 0 || models.length > 0 || related.length > 0),
    language,
    ext: extForLanguage(language),
    frameworks: [...new Set(exploreFrameworks)],
    http: pickFramework(exploreFrameworks, HTTP_FRAMEWORKS) ?? (routes[0]?.framework || undefined),
    orm: pickFramework(exploreFrameworks, ORMS) ?? (models[0]?.framework || undefined),
    routes,
    models,
    settings,
    auth,
    tests,
    files: known,
    sourceFiles: known.filter((p) => languageOfPath(p) !== null && !isTest(p)),
    testFiles: known.filter(isTest),
    commit: connected ? (str(e['repo_commit']) ?? null) : null,
    exists: (p) => known.includes(p) || dirs.has(p),
    isDir: (p) => dirs.has(p),
    symbols: () => [],
    search: overlapSearch(known, related),
  };
}

/** The profile's source root when it exists, else the directory most source files sit under (two levels at most). */
function sourceRootOf(explore: unknown, sourceFiles: readonly string[], isDir: (p: string) => boolean): string {
  const profiled = stackProfile(explore).sourceRoot;
  if (isDir(profiled)) return profiled;
  const prefixes = sourceFiles.map((f) => f.split('/').slice(0, -1).slice(0, 2).join('/')).filter((d) => d !== '');
  return mostCommon(prefixes) ?? profiled;
}

function mostCommon(values: readonly string[]): string | undefined {
  const counts = new Map<string, number>();
  for (const v of values) counts.set(v, (counts.get(v) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))[0]?.[0];
}
