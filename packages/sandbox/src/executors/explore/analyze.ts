/**
 * Facts EXPLORE derives from the code index: the tree's shape, frameworks with their roles and where
 * they are declared, workspaces, package manager, test layout, entry points and source directories.
 * Pure: no I/O.
 */
import path from 'node:path';
import { frameworkFor, LANGUAGE_BY_EXT, SECONDARY_LANGUAGES, TEST_DIR_NAMES, TEST_RUNNER_CONFIGS, type FrameworkRole } from '../../codeindex/catalog';
import { isTestFileName, testPatternOf } from '../../codeindex/languages';
import type { CodeIndex } from '../../codeindex/types';
import type { ManifestInfo } from './manifests';
import { namingStyle, type NamingStyle, type ScanResult } from './scan';

export function basename(file: string): string {
  return file.slice(file.lastIndexOf('/') + 1);
}

export function dirname(file: string): string {
  const i = file.lastIndexOf('/');
  return i < 0 ? '' : file.slice(0, i);
}

export function depthOf(file: string): number {
  return file.split('/').length;
}

function increment<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** The shape of the tree (names, counts, naming styles) in the form the descriptions use. */
export function scanFromIndex(index: CodeIndex): ScanResult {
  const scan: ScanResult = {
    files_scanned: index.filesIndexed,
    dirs_scanned: index.dirs.length,
    truncated: index.truncated,
    files: [],
    dirs: [...index.dirs],
    extensions: new Map(),
    topLevel: new Map(),
    dirFiles: new Map(),
    skipped: new Map(Object.entries(index.skipped)),
    tests: { files: [], colocated: 0, separate: 0 },
    naming: new Map(),
  };
  for (const dir of index.dirs) if (!dir.includes('/')) scan.topLevel.set(dir, { kind: 'dir', files: 0 });
  for (const file of index.files) {
    const rel = file.path;
    scan.files.push(rel);
    const ext = rel.lastIndexOf('.') > rel.lastIndexOf('/') + 1 ? rel.slice(rel.lastIndexOf('.') + 1).toLowerCase() : '';
    increment(scan.extensions, ext);
    const segments = rel.split('/');
    const top = segments[0]!;
    if (segments.length === 1) scan.topLevel.set(top, { kind: 'file', files: 1 });
    else {
      const entry = scan.topLevel.get(top);
      if (entry) entry.files++;
      increment(scan.dirFiles, top);
      if (segments.length > 2) increment(scan.dirFiles, `${top}/${segments[1]}`);
    }
    if (file.fixture || file.vendored || file.generated) continue;
    if (isTestFileName(rel)) {
      scan.tests.files.push(rel);
      if (segments.slice(0, -1).some((s) => TEST_DIR_NAMES.has(s))) scan.tests.separate++;
      else scan.tests.colocated++;
    } else if (file.language !== null && LANGUAGE_BY_EXT[ext] !== undefined) {
      const style = namingStyle(rel);
      if (style) increment(scan.naming, style);
    }
  }
  return scan;
}

/** The main programming language: the most frequent one that is not markup/styling/shell. */
export function primaryLanguage(langs: readonly { name: string; files: number }[]): string | undefined {
  return (langs.find((l) => !SECONDARY_LANGUAGES.has(l.name)) ?? langs[0])?.name;
}

const ROLE_ORDER: readonly FrameworkRole[] = ['http', 'frontend', 'data', 'auth', 'validation', 'cli', 'runtime', 'build', 'test'];

/** Frameworks the code shows (routes, models) that no manifest names, with their role. */
const CODE_ROLES: Readonly<Record<string, FrameworkRole>> = {
  FastAPI: 'http', Flask: 'http', Django: 'http', Starlette: 'http', Express: 'http', Fastify: 'http', Koa: 'http', Hono: 'http', NestJS: 'http',
  'Spring Boot': 'http', 'JAX-RS': 'http', Gin: 'http', Echo: 'http', chi: 'http', Fiber: 'http', 'gorilla/mux': 'http', 'net/http': 'http',
  'Ruby on Rails': 'http', Sinatra: 'http', Axum: 'http', 'Actix Web': 'http', SQLAlchemy: 'data', SQLModel: 'data', 'Spring Data JPA': 'data',
  Prisma: 'data', 'Drizzle ORM': 'data', TypeORM: 'data', GORM: 'data', Mongoose: 'data', 'Active Record': 'data', Diesel: 'data', SQLx: 'data', SeaORM: 'data',
};

export interface Framework {
  name: string;
  role: FrameworkRole;
  /** Manifests that declare it, the config file that shows it, or the code files it is seen in. */
  sources: string[];
}

export function frameworks(index: CodeIndex, manifests: readonly ManifestInfo[]): Framework[] {
  const found = new Map<string, Framework>();
  const add = (name: string, role: FrameworkRole, source: string) => {
    const entry = found.get(name) ?? { name, role, sources: [] };
    if (!entry.sources.includes(source)) entry.sources.push(source);
    found.set(name, entry);
  };
  for (const manifest of manifests) {
    for (const dep of [...manifest.dependencies, ...(manifest.dev_dependencies ?? [])]) {
      const framework = frameworkFor(dep);
      if (framework) add(framework.name, framework.role, manifest.path);
    }
  }
  for (const file of index.files) {
    if (depthOf(file.path) > 4 || file.fixture || file.vendored) continue;
    const config = TEST_RUNNER_CONFIGS.find((c) => c.pattern.test(basename(file.path)));
    if (config) add(config.runner, 'test', file.path);
  }
  const codeSources = new Map<string, string>();
  for (const r of index.facts.routes) codeSources.set(r.framework === 'Spring' ? 'Spring Boot' : r.framework === 'Rails' ? 'Ruby on Rails' : r.framework, r.file);
  for (const m of index.facts.models) codeSources.set(m.framework === 'JPA' ? 'Spring Data JPA' : m.framework === 'Drizzle' ? 'Drizzle ORM' : m.framework, m.file);
  for (const name of index.facts.frameworks) {
    if (found.has(name)) continue;
    const role = CODE_ROLES[name];
    const source = codeSources.get(name);
    if (role && source) add(name, role, source);
  }
  for (const runner of index.facts.tests.runners) if (!found.has(runner) && index.facts.tests.examples[0]) add(runner, 'test', index.facts.tests.examples[0]);
  return [...found.values()].sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) || (a.name < b.name ? -1 : 1));
}

/** Workspace directories: patterns of the root manifests resolved against the indexed directories. */
export function workspaces(manifests: readonly ManifestInfo[], scan: ScanResult): { tool: string | undefined; dirs: string[] } {
  const dirs = new Set(scan.dirs);
  const manifestDirs = new Set(manifests.map((m) => dirname(m.path)));
  const files = new Set(scan.files);
  const resolved: string[] = [];
  let tool: string | undefined;
  for (const manifest of manifests) {
    if (!manifest.workspaces || manifest.workspaces.length === 0) continue;
    const base = dirname(manifest.path);
    if (tool === undefined) {
      const lock = (name: string) => files.has(base === '' ? name : `${base}/${name}`);
      tool =
        manifest.kind === 'npm' ? (lock('yarn.lock') ? 'yarn workspaces' : lock('bun.lockb') || lock('bun.lock') ? 'bun workspaces' : 'npm workspaces')
        : manifest.kind === 'pnpm-workspace' ? 'pnpm workspaces'
        : manifest.kind === 'cargo' ? 'Cargo workspace'
        : manifest.kind === 'go-workspace' ? 'Go workspace (go.work)'
        : manifest.kind === 'maven' ? 'Maven modules'
        : `${manifest.kind} workspaces`;
    }
    for (const pattern of manifest.workspaces) {
      const negated = pattern.startsWith('!');
      const clean = path.posix.join(base, pattern.replace(/^!/, '').replace(/\/+$/, ''));
      let matches: string[];
      if (!clean.includes('*')) matches = dirs.has(clean) ? [clean] : [];
      else {
        const source = clean.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*\*/g, '@GLOBSTAR@').replace(/\*/g, '[^/]+').replace(/@GLOBSTAR@/g, '.+');
        const regex = new RegExp(`^${source}$`);
        matches = scan.dirs.filter((dir) => regex.test(dir) && manifestDirs.has(dir));
      }
      for (const match of matches) {
        const at = resolved.indexOf(match);
        if (negated && at >= 0) resolved.splice(at, 1);
        else if (!negated && at < 0) resolved.push(match);
      }
    }
  }
  return { tool, dirs: resolved.sort() };
}

const LOCKFILES: readonly [string, string][] = [
  ['package-lock.json', 'npm'], ['yarn.lock', 'yarn'], ['pnpm-lock.yaml', 'pnpm'], ['bun.lockb', 'bun'], ['bun.lock', 'bun'],
  ['poetry.lock', 'poetry'], ['uv.lock', 'uv'], ['Pipfile.lock', 'pipenv'], ['Cargo.lock', 'cargo'], ['go.sum', 'go modules'],
  ['Gemfile.lock', 'bundler'], ['composer.lock', 'composer'], ['gradle.lockfile', 'gradle'],
];

export function packageManager(scan: ScanResult, manifests: readonly ManifestInfo[]): string | undefined {
  const found = LOCKFILES.find(([file]) => scan.topLevel.get(file)?.kind === 'file');
  if (found) return found[1];
  const root = manifests.find((m) => dirname(m.path) === '');
  if (root?.kind === 'npm') return 'npm';
  if (root?.kind === 'pyproject' || root?.kind === 'pip-requirements') return 'pip';
  if (root?.kind === 'maven') return 'maven';
  if (root?.kind === 'gradle') return 'gradle';
  if (root?.kind === 'go') return 'go modules';
  return root?.kind;
}

export interface TestLayout {
  runner: string | undefined;
  runners: string[];
  files: number;
  /** `*.test.ts` → 40 */
  patterns: { pattern: string; files: number }[];
  /** Top-most test directories (`e2e`, `tests`, `packages/x/test`) → file count. */
  dirs: { dir: string; files: number }[];
  colocated: number;
  separate: number;
  command: string | null;
}

export function testLayout(index: CodeIndex, scan: ScanResult): TestLayout {
  const tests = index.facts.tests;
  const patterns = new Map<string, number>();
  const dirs = new Map<string, number>();
  for (const file of scan.tests.files) {
    increment(patterns, testPatternOf(file));
    const segments = file.split('/');
    const at = segments.findIndex((s, i) => i < segments.length - 1 && TEST_DIR_NAMES.has(s));
    if (at >= 0) increment(dirs, segments.slice(0, at + 1).join('/'));
  }
  return {
    runner: tests.runner ?? undefined,
    runners: [...tests.runners],
    files: scan.tests.files.length,
    patterns: [...patterns].map(([pattern, files]) => ({ pattern, files })).sort((a, b) => b.files - a.files || (a.pattern < b.pattern ? -1 : 1)),
    dirs: [...dirs].map(([dir, files]) => ({ dir, files })).sort((a, b) => b.files - a.files || (a.dir < b.dir ? -1 : 1)),
    colocated: scan.tests.colocated,
    separate: scan.tests.separate,
    command: tests.command,
  };
}

const ENTRY_PATTERNS: readonly RegExp[] = [
  /(^|\/)src\/(main|index|server|app|cli)\.[cm]?[jt]sx?$/,
  /^(main|index|server|app)\.[cm]?[jt]s$/,
  /(^|\/)(manage|main|app|wsgi|asgi|__main__|cli)\.py$/,
  /(^|\/)main\.go$/,
  /(^|\/)src\/(main|lib)\.rs$/,
  /(^|\/)(Main|Application)\.(java|kt)$/,
  /(^|\/)bin\/[^/]+$/,
  /(^|\/)index\.html$/,
];

/** Entry points the index found in the code and the manifests, then well-known names. */
export function entryPoints(index: CodeIndex, scan: ScanResult, max = 20): string[] {
  const out: string[] = [];
  const push = (file: string) => {
    if (!out.includes(file)) out.push(file);
  };
  const fixtures = new Set(index.files.filter((f) => f.fixture || f.vendored).map((f) => f.path));
  for (const entry of index.facts.entryPoints) push(entry.path);
  const heuristic = scan.files
    .filter((f) => depthOf(f) <= 4 && !fixtures.has(f) && !f.split('/').some((s) => TEST_DIR_NAMES.has(s)) && ENTRY_PATTERNS.some((p) => p.test(f)))
    .sort((a, b) => depthOf(a) - depthOf(b) || (a < b ? -1 : a > b ? 1 : 0));
  for (const file of heuristic) push(file);
  return out.slice(0, max);
}

const SOURCE_DIR_NAMES: ReadonlySet<string> = new Set(['src', 'lib', 'app', 'cmd', 'internal', 'pkg']);

/** Directories holding source code (`apps/server/src`, `src`, a Python package), most files first. */
export function sourceDirs(index: CodeIndex, max = 20): { dir: string; files: number }[] {
  const counts = new Map<string, number>();
  for (const file of index.files) {
    if (file.language === null || file.fixture || file.vendored || file.generated || file.test) continue;
    const segments = file.path.split('/');
    const at = segments.findIndex((s, i) => i < Math.min(segments.length - 1, 4) && SOURCE_DIR_NAMES.has(s));
    let dir: string | undefined;
    if (at >= 0) dir = segments.slice(0, at + 1).join('/');
    else if (basename(file.path) === '__init__.py' && segments.length <= 3) dir = dirname(file.path);
    if (dir !== undefined) increment(counts, dir);
  }
  return [...counts].map(([dir, files]) => ({ dir, files })).sort((a, b) => b.files - a.files || (a.dir < b.dir ? -1 : 1)).slice(0, max);
}

export type { NamingStyle };
