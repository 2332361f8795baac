/**
 * The file walk of the code index: breadth first (a capped walk has seen the shallow, most telling
 * files), entries sorted so the result never depends on the order the OS returns them, symbolic
 * links not followed. Reads names only, plus each directory's `.gitignore`. Skips dependencies, VCS
 * data, caches and tool output everywhere, build output where a build manifest sits next to it (or
 * .gitignore says so), binaries by extension, hidden directories but a few. Marks vendored and
 * test-fixture trees and generated files by name.
 */
import type { Dirent } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { BUILD_MANIFESTS, BUILD_OUTPUT_DIRS, FIXTURE_DIRS, HIDDEN_DIRS_KEPT, SKIPPED_DIRS, VENDORED_DIRS } from './catalog';
import { isBinaryName, isGeneratedName } from './languages';

export interface WalkEntry {
  path: string;
  vendored: boolean;
  fixture: boolean;
  generatedByName: boolean;
}

export interface WalkResult {
  files: WalkEntry[];
  /** Every directory entered (relative, `/` separators), root excluded. */
  dirs: string[];
  /** Names of the directories skipped as dependencies, build output or tool data, with how often. */
  skipped: Map<string, number>;
  truncated: boolean;
}

export interface WalkOptions {
  maxFiles: number;
  /** Directories deeper than this are not entered (default 32). */
  maxDepth?: number;
  /** Extra directory names to skip. */
  ignoreDirs?: readonly string[];
  signal?: AbortSignal;
}

interface Rules {
  /** Directory the .gitignore sits in, relative to the root ('' for the root). */
  base: string;
  ig: Ignore;
}

interface QueueItem {
  rel: string;
  depth: number;
  rules: readonly Rules[];
  vendored: boolean;
  fixture: boolean;
}

const CONCURRENCY = 16;

function byName(a: Dirent, b: Dirent): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0;
}

function ignoredByRules(rules: readonly Rules[], rel: string, isDir: boolean): boolean {
  for (const { base, ig } of rules) {
    const sub = base === '' ? rel : rel.startsWith(`${base}/`) ? rel.slice(base.length + 1) : undefined;
    if (sub === undefined || sub === '') continue;
    if (ig.ignores(isDir ? `${sub}/` : sub)) return true;
  }
  return false;
}

async function listDir(root: string, rel: string): Promise<Dirent[]> {
  try {
    return (await readdir(rel === '' ? root : path.join(root, rel), { withFileTypes: true })).sort(byName);
  } catch (error) {
    if (rel === '') throw new Error(`The code index cannot read the directory ${root}: ${(error as Error).message}`);
    return []; // an unreadable subdirectory is skipped, as the OS would hide it
  }
}

/** Is `build/` (or `out/`, `target/`) under `parent` build output? Yes beside a build manifest, unless it holds Go sources. */
async function isBuildOutput(root: string, rel: string, siblings: readonly Dirent[]): Promise<boolean> {
  if (!siblings.some((s) => s.isFile() && BUILD_MANIFESTS.has(s.name))) return false;
  const inside = await listDir(root, rel);
  return !inside.some((e) => e.isFile() && e.name.endsWith('.go'));
}

export async function walkTree(root: string, options: WalkOptions): Promise<WalkResult> {
  const skippedNames = new Set([...SKIPPED_DIRS, ...(options.ignoreDirs ?? [])]);
  const maxDepth = options.maxDepth ?? 32;
  const result: WalkResult = { files: [], dirs: [], skipped: new Map(), truncated: false };
  const skip = (name: string) => result.skipped.set(name, (result.skipped.get(name) ?? 0) + 1);
  const queue: QueueItem[] = [{ rel: '', depth: 0, rules: [], vendored: false, fixture: false }];
  let head = 0;

  while (head < queue.length && !result.truncated) {
    options.signal?.throwIfAborted();
    const batch = queue.slice(head, head + CONCURRENCY);
    head += batch.length;
    const listings = await Promise.all(batch.map((dir) => listDir(root, dir.rel)));
    // Each directory's own .gitignore applies to it and below.
    const ownRules = await Promise.all(
      batch.map(async (dir, index) => {
        if (!listings[index]!.some((e) => e.name === '.gitignore' && e.isFile())) return dir.rules;
        try {
          const text = await readFile(path.join(root, dir.rel, '.gitignore'), 'utf8');
          return [...dir.rules, { base: dir.rel, ig: ignore({ allowRelativePaths: true }).add(text) }];
        } catch {
          return dir.rules;
        }
      }),
    );
    for (let index = 0; index < batch.length && !result.truncated; index++) {
      const dir = batch[index]!;
      const rules = ownRules[index]!;
      const entries = listings[index]!;
      for (const entry of entries) {
        const rel = dir.rel === '' ? entry.name : `${dir.rel}/${entry.name}`;
        if (entry.isDirectory()) {
          const hidden = entry.name.startsWith('.') && !HIDDEN_DIRS_KEPT.has(entry.name);
          if (skippedNames.has(entry.name) || hidden || entry.name.endsWith('.egg-info')) {
            skip(entry.name);
            continue;
          }
          if (ignoredByRules(rules, rel, true)) continue;
          if (BUILD_OUTPUT_DIRS.has(entry.name) && !dir.vendored && !dir.fixture && (await isBuildOutput(root, rel, entries))) {
            skip(entry.name);
            continue;
          }
          if (dir.depth + 1 > maxDepth) continue;
          result.dirs.push(rel);
          queue.push({ rel, depth: dir.depth + 1, rules, vendored: dir.vendored || VENDORED_DIRS.has(entry.name), fixture: dir.fixture || FIXTURE_DIRS.has(entry.name) });
        } else if (entry.isFile()) {
          if (isBinaryName(entry.name) || ignoredByRules(rules, rel, false)) continue;
          if (result.files.length >= options.maxFiles) {
            result.truncated = true;
            break;
          }
          result.files.push({ path: rel, vendored: dir.vendored, fixture: dir.fixture, generatedByName: isGeneratedName(entry.name) });
        }
      }
    }
  }
  return result;
}
