/**
 * A minimal {@link RepoView} for tests and for evaluating without the code index: from a list of
 * paths, or from a directory walk. Languages by extension, test runners from the manifests. The
 * code index (`codeindex/`) is the real one (the CLI uses it); this one is deliberately small, for tests.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, posix } from 'node:path';
import type { RepoView } from '../types';

const LANGUAGE_BY_EXT: Readonly<Record<string, string>> = {
  ts: 'TypeScript', tsx: 'TypeScript', mts: 'TypeScript', cts: 'TypeScript', js: 'JavaScript', jsx: 'JavaScript', mjs: 'JavaScript', cjs: 'JavaScript',
  py: 'Python', go: 'Go', rs: 'Rust', java: 'Java', kt: 'Kotlin', scala: 'Scala', rb: 'Ruby', php: 'PHP', cs: 'C#', swift: 'Swift',
  sh: 'Shell', sql: 'SQL', css: 'CSS', scss: 'SCSS', html: 'HTML', vue: 'Vue', svelte: 'Svelte',
};
const SKIP_DIRS = new Set(['node_modules', '.git', 'dist', 'build', 'coverage', '__pycache__', '.venv', 'target', '.next']);

export interface TestRepoView extends RepoView {
  files: readonly { path: string }[];
}

export function languageOfPath(path: string): string | null {
  const base = posix.basename(path);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? null : LANGUAGE_BY_EXT[base.slice(dot + 1).toLowerCase()] ?? null;
}

/** A view of a repository holding exactly `files` (repository-relative, `/`-separated). */
export function repoViewFromFiles(files: readonly string[], testRunners: readonly string[] = []): TestRepoView {
  const fileSet = new Set(files);
  const dirs = new Set<string>();
  for (const file of files) {
    for (let dir = posix.dirname(file); dir !== '.' && dir !== ''; dir = posix.dirname(dir)) dirs.add(dir);
  }
  const counts = new Map<string, number>();
  for (const file of files) {
    const language = languageOfPath(file);
    if (language) counts.set(language, (counts.get(language) ?? 0) + 1);
  }
  const clean = (path: string) => path.replace(/^\.\//, '').replace(/\/+$/, '');
  return {
    exists: (path) => fileSet.has(clean(path)) || dirs.has(clean(path)) || clean(path) === '',
    isDir: (path) => dirs.has(clean(path)) || clean(path) === '',
    languages: [...counts].map(([name, n]) => ({ name, files: n })).sort((a, b) => b.files - a.files || a.name.localeCompare(b.name)),
    languageOf: languageOfPath,
    testRunners,
    files: files.map((path) => ({ path })),
  };
}

function walk(root: string, dir = ''): string[] {
  const out: string[] = [];
  const entries = readdirSync(join(root, dir), { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name));
  for (const entry of entries) {
    const path = dir === '' ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory()) {
      if (!SKIP_DIRS.has(entry.name)) out.push(...walk(root, path));
    } else if (entry.isFile()) out.push(path);
  }
  return out;
}

function runnersOf(root: string, files: readonly string[]): string[] {
  const read = (path: string) => {
    try {
      return readFileSync(join(root, path), 'utf8');
    } catch {
      return '';
    }
  };
  const runners: string[] = [];
  const manifests = files.filter((f) => /(?:^|\/)(?:package\.json|pyproject\.toml|requirements[\w-]*\.txt|pom\.xml|build\.gradle(?:\.kts)?|go\.mod|Gemfile|Cargo\.toml)$/.test(f));
  const text = manifests.map(read).join('\n');
  const found: [string, RegExp][] = [['Vitest', /"vitest"/], ['Jest', /"jest"/], ['Mocha', /"mocha"/], ['pytest', /\bpytest\b/], ['JUnit', /junit/i], ['RSpec', /\brspec\b/], ['go test', /^module /m], ['cargo test', /\[package\]/]];
  for (const [name, regex] of found) if (regex.test(text)) runners.push(name);
  return runners;
}

/** A view of the directory `root`, walked once (no `.gitignore`; the usual build and dependency dirs skipped). */
export function repoViewFromDir(root: string): TestRepoView {
  const files = walk(root);
  return repoViewFromFiles(files, runnersOf(root, files));
}
