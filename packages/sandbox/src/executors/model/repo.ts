/**
 * The repository as the model's tools see it: a bounded walk of the working directory that respects
 * `.gitignore` (every `.gitignore` on the way, relative to its own directory) and skips tool and
 * dependency directories, plus safe path resolution (no absolute paths, no `..` escapes, no symlinks
 * leaving the root). Read-only.
 */
import type { Dirent } from 'node:fs';
import { readFile, readdir, realpath, stat } from 'node:fs/promises';
import { isAbsolute, join, posix, relative, sep } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { IGNORED_DIRS } from '../explore/catalog';

export interface RepoWalkOptions {
  /** Stop listing after this many files (default 20,000). */
  maxFiles?: number;
  signal?: AbortSignal;
}

export class PathRefused extends Error {
  override name = 'PathRefused';
}

/** A repository-relative path with `/` separators, or a refusal saying why. */
export function normalizeRelative(input: string): string {
  const raw = input.trim();
  if (raw === '') throw new PathRefused('the path is empty');
  if (raw.includes('\0')) throw new PathRefused('the path contains a NUL byte');
  if (isAbsolute(raw) || raw.startsWith('/') || raw.startsWith('\\') || /^[a-zA-Z]:/.test(raw) || raw.startsWith('~')) {
    throw new PathRefused('absolute paths are refused: give a path relative to the repository root');
  }
  const normalized = posix.normalize(raw.replace(/\\/g, '/')).replace(/^\.\/+/, '').replace(/\/+$/, '');
  if (normalized === '..' || normalized.startsWith('../')) throw new PathRefused('the path leaves the working directory');
  return normalized === '' ? '.' : normalized;
}

export class Repo {
  private rootReal: string | undefined;
  private listing: Promise<{ files: string[]; truncated: boolean }> | undefined;
  private readonly rules = new Map<string, Promise<Ignore | null>>();

  constructor(
    readonly root: string,
    private readonly options: RepoWalkOptions = {},
  ) {}

  private async realRoot(): Promise<string> {
    this.rootReal ??= await realpath(this.root);
    return this.rootReal;
  }

  /** The `.gitignore` of one directory (repository-relative, `''` for the root), parsed once. */
  private rulesOf(dir: string): Promise<Ignore | null> {
    let found = this.rules.get(dir);
    if (!found) {
      found = readFile(join(this.root, dir, '.gitignore'), 'utf8').then(
        (text) => ignore().add(text),
        () => null,
      );
      this.rules.set(dir, found);
    }
    return found;
  }

  /** Whether `.gitignore` rules (of the directories above it) or the built-in skip list exclude a path. */
  async isIgnored(rel: string, isDir = false): Promise<boolean> {
    const parts = rel.split('/');
    if (parts.some((part, i) => (i < parts.length - 1 || isDir) && (part === '.git' || IGNORED_DIRS.has(part)))) return true;
    for (let depth = 0; depth < parts.length; depth++) {
      const rules = await this.rulesOf(parts.slice(0, depth).join('/'));
      // `ignore` also tests the parent directories of the path, so `dist/` hides `dist/a/b.js`.
      if (rules?.ignores(`${parts.slice(depth).join('/')}${isDir ? '/' : ''}`)) return true;
    }
    return false;
  }

  /** Every file that is not ignored, sorted, up to the cap. */
  files(): Promise<{ files: string[]; truncated: boolean }> {
    this.listing ??= this.walk();
    return this.listing;
  }

  private async walk(): Promise<{ files: string[]; truncated: boolean }> {
    const max = this.options.maxFiles ?? 20_000;
    const files: string[] = [];
    const queue: string[] = [''];
    while (queue.length > 0) {
      this.options.signal?.throwIfAborted();
      const dir = queue.shift()!;
      let entries: Dirent[];
      try {
        entries = await readdir(join(this.root, dir), { withFileTypes: true });
      } catch {
        continue;
      }
      entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
      for (const entry of entries) {
        const rel = dir === '' ? entry.name : `${dir}/${entry.name}`;
        if (entry.isDirectory()) {
          if (entry.name === '.git' || IGNORED_DIRS.has(entry.name)) continue;
          if (await this.isIgnored(rel, true)) continue;
          queue.push(rel);
        } else if (entry.isFile()) {
          if (await this.isIgnored(rel)) continue;
          files.push(rel);
          if (files.length >= max) return { files: files.sort(), truncated: true };
        }
        // Symbolic links are not followed by the walk.
      }
    }
    return { files: files.sort(), truncated: false };
  }

  /**
   * The absolute real path of a repository file, or a refusal: absolute paths, `..` escapes, symbolic
   * links that lead outside the root, ignored files and directories are refused.
   */
  async resolveFile(input: string): Promise<{ rel: string; abs: string; size: number }> {
    const rel = normalizeRelative(input);
    if (rel === '.') throw new PathRefused('that is the repository root, not a file: use list_files');
    const root = await this.realRoot();
    let real: string;
    try {
      real = await realpath(join(root, rel));
    } catch {
      throw new PathRefused('no such file (use list_files or search to find the right path)');
    }
    if (real !== root && !real.startsWith(root + sep)) throw new PathRefused('the path leads outside the working directory (a symbolic link)');
    const inside = relative(root, real).split(sep).join('/');
    if (await this.isIgnored(inside)) throw new PathRefused('the file is excluded by .gitignore or is a dependency/build directory');
    const info = await stat(real);
    if (info.isDirectory()) throw new PathRefused('that is a directory: use list_files with a glob such as "dir/**"');
    if (!info.isFile()) throw new PathRefused('not a regular file');
    return { rel: inside, abs: real, size: info.size };
  }
}

/** Whether a buffer looks binary (a NUL byte in its first 8 KiB). */
export function looksBinary(buffer: Buffer): boolean {
  return buffer.subarray(0, 8192).includes(0);
}
