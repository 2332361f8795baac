/**
 * Facts derived from a scan and its manifests: languages, frameworks, workspaces, package manager,
 * test layout, entry points and source directories. Pure: no I/O.
 */
import path from 'node:path';
import { LANGUAGE_BY_EXT, SECONDARY_LANGUAGES, TEST_DIR_NAMES, TEST_RUNNER_CONFIGS, frameworkFor, manifestKind, type FrameworkRole } from './catalog';
import type { ManifestInfo } from './manifests';
import type { ScanResult } from './scan';

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

const byDepthThenPath = (a: string, b: string) => depthOf(a) - depthOf(b) || (a < b ? -1 : a > b ? 1 : 0);

/** Manifest files worth reading: up to depth 4, shallowest first, at most `max`. */
export function manifestCandidates(scan: ScanResult, max = 60): { path: string; kind: string }[] {
  return scan.files
    .filter((file) => depthOf(file) <= 4 && manifestKind(basename(file)) !== undefined)
    .sort(byDepthThenPath)
    .slice(0, max)
    .map((file) => ({ path: file, kind: manifestKind(basename(file))! }));
}

export function languages(scan: ScanResult): { name: string; files: number }[] {
  const counts = new Map<string, number>();
  for (const [ext, count] of scan.extensions) {
    const language = LANGUAGE_BY_EXT[ext];
    if (language) counts.set(language, (counts.get(language) ?? 0) + count);
  }
  return [...counts].map(([name, files]) => ({ name, files })).sort((a, b) => b.files - a.files || (a.name < b.name ? -1 : 1));
}

/** The main programming language: the most frequent one that is not markup/styling/shell. */
export function primaryLanguage(langs: readonly { name: string; files: number }[]): string | undefined {
  return (langs.find((l) => !SECONDARY_LANGUAGES.has(l.name)) ?? langs[0])?.name;
}

const ROLE_ORDER: readonly FrameworkRole[] = ['http', 'frontend', 'data', 'validation', 'cli', 'runtime', 'build', 'test'];

export interface Framework {
  name: string;
  role: FrameworkRole;
  /** Manifests that declare it (or the config file that shows it). */
  sources: string[];
}

export function frameworks(manifests: readonly ManifestInfo[], scan: ScanResult): Framework[] {
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
  for (const file of scan.files) {
    if (depthOf(file) > 4) continue;
    const config = TEST_RUNNER_CONFIGS.find((c) => c.pattern.test(basename(file)));
    if (config) add(config.runner, 'test', file);
  }
  return [...found.values()].sort((a, b) => ROLE_ORDER.indexOf(a.role) - ROLE_ORDER.indexOf(b.role) || (a.name < b.name ? -1 : 1));
}

/** Workspace directories: patterns of the root manifests resolved against the scanned directories. */
export function workspaces(manifests: readonly ManifestInfo[], scan: ScanResult): { tool: string | undefined; dirs: string[] } {
  const dirs = new Set(scan.dirs);
  const manifestDirs = new Set(manifests.map((m) => dirname(m.path)));
  const resolved: string[] = [];
  let tool: string | undefined;
  for (const manifest of manifests) {
    if (!manifest.workspaces || manifest.workspaces.length === 0) continue;
    const base = dirname(manifest.path);
    if (tool === undefined) {
      const lock = (name: string) => scan.files.includes(base === '' ? name : `${base}/${name}`);
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
}

const UNIT_RUNNER_PREFERENCE = ['Vitest', 'Jest', 'Mocha', 'AVA', 'pytest', 'unittest', 'go test', 'cargo test', 'JUnit', 'RSpec', 'PHPUnit', 'Karma'];

function testPattern(file: string): string {
  const base = basename(file);
  const dotted = /(\.(?:test|spec)(?:-d)?\.[a-z]+)$/.exec(base);
  if (dotted) return `*${dotted[1]!}`;
  if (/^test_.+\.py$/.test(base)) return 'test_*.py';
  const suffix = /(_test\.[a-z]+|_spec\.rb|(?:Test|Tests|IT)\.[a-z]+)$/.exec(base);
  return suffix ? `*${suffix[1]!}` : base;
}

export function testLayout(scan: ScanResult, fw: readonly Framework[], langs: readonly { name: string; files: number }[]): TestLayout {
  const runners = fw.filter((f) => f.role === 'test' && f.name !== 'Testing Library').map((f) => f.name);
  const patterns = new Map<string, number>();
  const dirs = new Map<string, number>();
  for (const file of scan.tests.files) {
    const pattern = testPattern(file);
    patterns.set(pattern, (patterns.get(pattern) ?? 0) + 1);
    const segments = file.split('/');
    const at = segments.findIndex((s, i) => i < segments.length - 1 && TEST_DIR_NAMES.has(s));
    if (at >= 0) {
      const dir = segments.slice(0, at + 1).join('/');
      dirs.set(dir, (dirs.get(dir) ?? 0) + 1);
    }
  }
  const has = (p: string) => patterns.has(p);
  if (has('*_test.go') && !runners.includes('go test')) runners.push('go test');
  if (langs.some((l) => l.name === 'Rust') && scan.files.some((f) => basename(f) === 'Cargo.toml') && !runners.includes('cargo test')) runners.push('cargo test');
  if ((has('test_*.py') || has('*_test.py')) && !runners.includes('pytest')) runners.push('unittest');
  const runner = UNIT_RUNNER_PREFERENCE.find((r) => runners.includes(r)) ?? runners[0];
  return {
    runner,
    runners,
    files: scan.tests.files.length,
    patterns: [...patterns].map(([pattern, files]) => ({ pattern, files })).sort((a, b) => b.files - a.files || (a.pattern < b.pattern ? -1 : 1)),
    dirs: [...dirs].map(([dir, files]) => ({ dir, files })).sort((a, b) => b.files - a.files || (a.dir < b.dir ? -1 : 1)),
    colocated: scan.tests.colocated,
    separate: scan.tests.separate,
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

/** The file a manifest entry names, resolved to a scanned file (`dist/x.js` falls back to `src/x.ts`). */
function resolveEntry(base: string, entry: string, files: ReadonlySet<string>): string | undefined {
  const full = path.posix.normalize(path.posix.join(base, entry.replace(/^\.\//, '')));
  const candidates = [full, full.replace(/(^|\/)(dist|build|lib|out)\//, '$1src/').replace(/\.([cm]?)js$/, '.$1ts'), full.replace(/\.([cm]?)js$/, '.$1ts'), `${full}/index.ts`, `${full}/index.js`];
  return candidates.find((c) => files.has(c));
}

export function entryPoints(scan: ScanResult, manifests: readonly ManifestInfo[], max = 20): string[] {
  const files = new Set(scan.files);
  const out: string[] = [];
  const push = (file: string | undefined) => {
    if (file !== undefined && !out.includes(file)) out.push(file);
  };
  for (const manifest of manifests) {
    const base = dirname(manifest.path);
    for (const entry of manifest.entries ?? []) push(resolveEntry(base, entry, files));
    for (const key of ['start', 'dev', 'serve']) {
      const script = manifest.scripts?.[key];
      if (script) for (const token of script.split(/\s+/)) if (/\.[cm]?[jt]sx?$|\.py$/.test(token)) push(resolveEntry(base, token, files));
    }
  }
  const heuristic = scan.files.filter((f) => depthOf(f) <= 4 && !f.split('/').some((s) => TEST_DIR_NAMES.has(s)) && ENTRY_PATTERNS.some((p) => p.test(f))).sort(byDepthThenPath);
  for (const file of heuristic) push(file);
  return out.slice(0, max);
}

const SOURCE_DIR_NAMES: ReadonlySet<string> = new Set(['src', 'lib', 'app', 'cmd', 'internal', 'pkg']);

/** Directories holding source code (`apps/server/src`, `src`, a Python package), most files first. */
export function sourceDirs(scan: ScanResult, max = 20): { dir: string; files: number }[] {
  const counts = new Map<string, number>();
  for (const file of scan.files) {
    if (LANGUAGE_BY_EXT[file.slice(file.lastIndexOf('.') + 1).toLowerCase()] === undefined) continue;
    const segments = file.split('/');
    const at = segments.findIndex((s, i) => i < Math.min(segments.length - 1, 4) && SOURCE_DIR_NAMES.has(s));
    let dir: string | undefined;
    if (at >= 0) dir = segments.slice(0, at + 1).join('/');
    else if (basename(file) === '__init__.py' && segments.length <= 3) dir = dirname(file);
    if (dir !== undefined) counts.set(dir, (counts.get(dir) ?? 0) + 1);
  }
  return [...counts].map(([dir, files]) => ({ dir, files })).sort((a, b) => b.files - a.files || (a.dir < b.dir ? -1 : 1)).slice(0, max);
}
