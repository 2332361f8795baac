/**
 * The file-system walk of the planner's EXPLORE: iterative (no recursion), directories read a few at a
 * time, entries sorted so the result never depends on the order the OS returns them. Only names are
 * read here, never file contents. Ignored directories (dependencies, VCS data, build output) are not
 * entered; symbolic links are not followed; the walk stops at `maxFiles` files.
 */
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { HIDDEN_DIRS_KEPT, IGNORED_DIRS, LANGUAGE_BY_EXT, TEST_DIR_NAMES, TEST_FILE_PATTERNS } from './catalog';

export interface ScanOptions {
  /** Stop after this many files (the result says `truncated`). */
  maxFiles: number;
  /** Directories deeper than this are not entered. */
  maxDepth: number;
  /** Extra directory names to skip. */
  ignore: readonly string[];
  signal?: AbortSignal;
}

export interface ScanResult {
  files_scanned: number;
  dirs_scanned: number;
  truncated: boolean;
  /** Every file, relative to the root with `/` separators, in walk order. */
  files: string[];
  /** Every directory entered (relative, `/` separators), root excluded. */
  dirs: string[];
  /** Extension (lower case, no dot; `''` when none) → file count. */
  extensions: Map<string, number>;
  /** Top-level entry → number of files under it (1 for a top-level file). */
  topLevel: Map<string, { kind: 'dir' | 'file'; files: number }>;
  /** Directory (relative) → number of files directly or indirectly under it, for directories up to depth 2. */
  dirFiles: Map<string, number>;
  /** Names of the ignored directories met, with how often. */
  skipped: Map<string, number>;
  tests: { files: string[]; colocated: number; separate: number };
  /** File-name style of source files → count. */
  naming: Map<NamingStyle, number>;
}

export type NamingStyle = 'camelCase' | 'PascalCase' | 'kebab-case' | 'snake_case' | 'lowercase';

const CONCURRENCY = 16;

export function extensionOf(file: string): string {
  const base = file.slice(file.lastIndexOf('/') + 1);
  const dot = base.lastIndexOf('.');
  return dot <= 0 ? '' : base.slice(dot + 1).toLowerCase();
}

export function isTestFile(file: string): boolean {
  const base = file.slice(file.lastIndexOf('/') + 1);
  return TEST_FILE_PATTERNS.some((pattern) => pattern.test(base));
}

/** Style of a file name's stem (`rateLimiter.ts` → camelCase); `undefined` for one-word or odd names. */
export function namingStyle(file: string): NamingStyle | undefined {
  const base = file.slice(file.lastIndexOf('/') + 1);
  const stem = base.split('.')[0] ?? '';
  if (stem.length < 2 || /^(index|main|mod|lib|app|__init__|__main__)$/.test(stem)) return undefined;
  if (/^[a-z][a-z0-9]*(-[a-z0-9]+)+$/.test(stem)) return 'kebab-case';
  if (/^[a-z][a-z0-9]*(_[a-z0-9]+)+$/.test(stem)) return 'snake_case';
  if (/^[a-z][a-z0-9]*([A-Z][a-z0-9]*)+$/.test(stem)) return 'camelCase';
  if (/^[A-Z][a-z0-9]+([A-Z][a-z0-9]*)*$/.test(stem)) return 'PascalCase';
  if (/^[a-z][a-z0-9]*$/.test(stem)) return 'lowercase';
  return undefined;
}

function increment<K>(map: Map<K, number>, key: K, by = 1): void {
  map.set(key, (map.get(key) ?? 0) + by);
}

/** Walks `root` and collects names, counts and shapes. Throws the signal's reason when aborted. */
export async function scanTree(root: string, options: ScanOptions): Promise<ScanResult> {
  const ignored = new Set([...IGNORED_DIRS, ...options.ignore]);
  const result: ScanResult = {
    files_scanned: 0,
    dirs_scanned: 0,
    truncated: false,
    files: [],
    dirs: [],
    extensions: new Map(),
    topLevel: new Map(),
    dirFiles: new Map(),
    skipped: new Map(),
    tests: { files: [], colocated: 0, separate: 0 },
    naming: new Map(),
  };
  // Breadth first, so a truncated walk has seen the shallow (most telling) files.
  const queue: { rel: string; depth: number }[] = [{ rel: '', depth: 0 }];
  let head = 0;

  while (head < queue.length && !result.truncated) {
    options.signal?.throwIfAborted();
    const batch = queue.slice(head, head + CONCURRENCY);
    head += batch.length;
    const listings = await Promise.all(
      batch.map(async (dir) => {
        try {
          return await readdir(dir.rel === '' ? root : path.join(root, dir.rel), { withFileTypes: true });
        } catch (error) {
          if (dir.rel === '') throw new Error(`EXPLORE cannot read the working directory ${root}: ${(error as Error).message}`);
          return []; // unreadable subdirectory: skipped, like the OS would hide it
        }
      }),
    );
    batch.forEach((dir, index) => {
      if (result.truncated) return;
      result.dirs_scanned++;
      const entries = [...(listings[index] ?? [])].sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        const rel = dir.rel === '' ? entry.name : `${dir.rel}/${entry.name}`;
        if (entry.isDirectory()) {
          const hidden = entry.name.startsWith('.') && !HIDDEN_DIRS_KEPT.has(entry.name);
          if (ignored.has(entry.name) || hidden || entry.name.endsWith('.egg-info')) {
            increment(result.skipped, entry.name);
            continue;
          }
          if (dir.depth === 0) result.topLevel.set(entry.name, { kind: 'dir', files: 0 });
          if (dir.depth + 1 <= options.maxDepth) {
            result.dirs.push(rel);
            queue.push({ rel, depth: dir.depth + 1 });
          }
        } else if (entry.isFile()) {
          if (result.files_scanned >= options.maxFiles) {
            result.truncated = true;
            return;
          }
          addFile(result, rel);
        }
      }
    });
  }
  return result;
}

function addFile(result: ScanResult, rel: string): void {
  result.files_scanned++;
  result.files.push(rel);
  const ext = extensionOf(rel);
  increment(result.extensions, ext);
  const segments = rel.split('/');
  const top = segments[0]!;
  if (segments.length === 1) result.topLevel.set(top, { kind: 'file', files: 1 });
  else {
    const entry = result.topLevel.get(top);
    if (entry) entry.files++;
    increment(result.dirFiles, top);
    if (segments.length > 2) increment(result.dirFiles, `${top}/${segments[1]}`);
  }
  if (isTestFile(rel)) {
    result.tests.files.push(rel);
    if (segments.slice(0, -1).some((segment) => TEST_DIR_NAMES.has(segment))) result.tests.separate++;
    else result.tests.colocated++;
  } else if (LANGUAGE_BY_EXT[ext] !== undefined) {
    const style = namingStyle(rel);
    if (style) increment(result.naming, style);
  }
}
