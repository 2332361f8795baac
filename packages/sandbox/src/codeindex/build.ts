/**
 * Builds the code index of a directory: walk, read and parse each file (in this thread, or on worker
 * threads for large trees), put the facts together, and cache the result by commit. `loadCodeIndex`
 * memoises per root and commit, so EXPLORE, the planner and the model's tools share one index.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { codeIndexFromJSON, createCodeIndex, CODE_INDEX_VERSION } from './codeIndex';
import type { RawFacts } from './extract/raw';
import { grammarOf } from './languages';
import { parseInWorkers } from './pool';
import { prepareReader, readIndexedFile, type ReadResult } from './reader';
import { resolveFacts } from './resolve';
import type { BuildIndexOptions, CodeIndex, IndexedFile, ManifestFact, SerializedCodeIndex } from './types';
import { walkTree, type WalkEntry } from './walk';

const run = promisify(execFile);

const DEFAULT_MAX_FILES = 50_000;
const DEFAULT_MAX_PARSE_BYTES = 512 * 1024;
/** Below this many files to parse, worker start-up costs more than it saves. */
const WORKER_THRESHOLD = 400;

export interface GitHead {
  commit: string;
  toplevel: string;
}

/** HEAD of the checkout `root` is in, or null when it is none (or git is missing). */
export async function gitHead(root: string): Promise<GitHead | null> {
  try {
    const { stdout } = await run('git', ['rev-parse', '--show-toplevel', 'HEAD'], { cwd: root, timeout: 10_000 });
    const [toplevel, commit] = stdout.trim().split('\n');
    if (!toplevel || !commit || !/^[0-9a-f]{40,64}$/.test(commit)) return null;
    return { commit, toplevel };
  } catch {
    return null;
  }
}

function plural(n: number, word: string): string {
  return `${n.toLocaleString('en-US')} ${word}${n === 1 ? '' : 's'}`;
}

/** What, besides root and commit, changes an index: the caps and ignore list, when not the defaults. */
function variantKey(options: BuildIndexOptions): string {
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
  const maxParseBytes = options.maxParseBytes ?? DEFAULT_MAX_PARSE_BYTES;
  const maxDepth = options.maxDepth ?? 32;
  const ignore = [...(options.ignoreDirs ?? [])].sort().join(',');
  return [maxFiles === DEFAULT_MAX_FILES ? '' : maxFiles, maxParseBytes === DEFAULT_MAX_PARSE_BYTES ? '' : maxParseBytes, maxDepth === 32 ? '' : maxDepth, ignore].join('\0');
}

/** The cache file of an index: by commit, and by the subdirectory when `root` is not the checkout's top. */
function cacheFile(cacheDir: string, commit: string, root: string, toplevel: string | undefined, options: BuildIndexOptions): string {
  const rel = toplevel ? path.relative(toplevel, root) : '';
  const variant = `${rel}\0${variantKey(options)}`;
  const suffix = variant === '\0\0\0\0' ? '' : `-${createHash('sha1').update(variant).digest('hex').slice(0, 10)}`;
  return path.join(cacheDir, `${commit}${suffix}.json`);
}

async function readCache(file: string, root: string): Promise<CodeIndex | undefined> {
  try {
    return codeIndexFromJSON(root, JSON.parse(await readFile(file, 'utf8')));
  } catch {
    return undefined;
  }
}

async function writeCache(file: string, index: CodeIndex): Promise<void> {
  await mkdir(path.dirname(file), { recursive: true });
  const tmp = `${file}.${process.pid}.${Date.now()}.tmp`;
  await writeFile(tmp, JSON.stringify(index.toJSON()));
  await rename(tmp, file);
}

function workerCount(options: BuildIndexOptions, toParse: number): number {
  if (options.workers !== undefined) return Math.max(0, Math.floor(options.workers));
  // This thread parses too: one worker per further core.
  return toParse >= WORKER_THRESHOLD ? Math.min(3, Math.max(1, availableParallelism() - 1)) : 0;
}

async function readAll(root: string, entries: readonly WalkEntry[], options: BuildIndexOptions, maxParseBytes: number): Promise<(ReadResult | null)[]> {
  const toParse = entries.filter((e) => !e.vendored && !e.fixture && !e.generatedByName && grammarOf(e.path) !== null).length;
  const workers = workerCount(options, toParse);
  const progressEvery = 5_000;
  if (workers > 0) {
    try {
      let reported = 0;
      return await parseInWorkers(root, entries, {
        workers,
        maxParseBytes,
        ...(options.signal ? { signal: options.signal } : {}),
        onProgress: (done) => {
          if (done - reported >= progressEvery && done < entries.length) {
            reported = done;
            options.progress?.(`Indexing: ${done.toLocaleString('en-US')} of ${entries.length.toLocaleString('en-US')} files read`);
          }
        },
      });
    } catch (error) {
      if (options.signal?.aborted) throw options.signal.reason;
      options.progress?.(`Parse workers unavailable (${(error as Error).message.split('\n')[0]!}); parsing in this thread`);
    }
  }
  await prepareReader(entries);
  const out: (ReadResult | null)[] = [];
  for (const entry of entries) {
    options.signal?.throwIfAborted();
    // Reads are synchronous: let timers and signals through now and then.
    if (out.length % 64 === 63) await new Promise((resolve) => setImmediate(resolve));
    out.push(readIndexedFile(root, entry, maxParseBytes));
    if (out.length % progressEvery === 0 && out.length < entries.length) options.progress?.(`Indexing: ${out.length.toLocaleString('en-US')} of ${entries.length.toLocaleString('en-US')} files read`);
  }
  return out;
}

/** Walks, reads and parses `root` and returns its index (from the cache when it holds this commit). */
export async function buildCodeIndex(root: string, options: BuildIndexOptions = {}): Promise<CodeIndex> {
  const absRoot = path.resolve(root);
  options.signal?.throwIfAborted();
  const head = options.commit === undefined || options.cacheDir !== undefined ? await gitHead(absRoot) : null;
  const commit = options.commit === undefined ? (head?.commit ?? null) : options.commit;
  return build(absRoot, options, commit, head?.toplevel);
}

async function build(absRoot: string, options: BuildIndexOptions, commit: string | null, toplevel: string | undefined): Promise<CodeIndex> {
  const started = performance.now();
  const cache = options.cacheDir && commit ? cacheFile(options.cacheDir, commit, absRoot, toplevel, options) : undefined;
  if (cache) {
    const cached = await readCache(cache, absRoot);
    if (cached) {
      options.progress?.(`Code index of ${commit!.slice(0, 12)} read from the cache: ${plural(cached.filesIndexed, 'file')}, ${plural(cached.facts.routes.length, 'route')}, ${plural(cached.facts.models.length, 'model')}`);
      return cached;
    }
  }
  const maxFiles = options.maxFiles ?? DEFAULT_MAX_FILES;
  const maxParseBytes = options.maxParseBytes ?? DEFAULT_MAX_PARSE_BYTES;
  const walk = await walkTree(absRoot, { maxFiles, ...(options.maxDepth !== undefined ? { maxDepth: options.maxDepth } : {}), ...(options.ignoreDirs ? { ignoreDirs: options.ignoreDirs } : {}), ...(options.signal ? { signal: options.signal } : {}) });
  options.signal?.throwIfAborted();
  const read = await readAll(absRoot, walk.files, options, maxParseBytes);
  options.signal?.throwIfAborted();
  const files: IndexedFile[] = [];
  const raw = new Map<string, Partial<RawFacts>>();
  const manifests: ManifestFact[] = [];
  for (const result of read) {
    if (!result) continue;
    files.push(result.file);
    if (result.facts) raw.set(result.file.path, result.facts);
    if (result.manifest) manifests.push(result.manifest);
  }
  manifests.sort((a, b) => a.path.split('/').length - b.path.split('/').length || (a.path < b.path ? -1 : 1));
  const facts = resolveFacts({ files, raw, manifests });
  const dirs = new Set<string>();
  for (const f of files) for (let i = f.path.indexOf('/'); i >= 0; i = f.path.indexOf('/', i + 1)) dirs.add(f.path.slice(0, i));
  const data: SerializedCodeIndex = {
    version: CODE_INDEX_VERSION,
    commit,
    files,
    dirs: [...dirs].sort(),
    facts,
    filesIndexed: files.length,
    truncated: walk.truncated,
    skipped: Object.fromEntries([...walk.skipped].sort((a, b) => (a[0] < b[0] ? -1 : 1))),
  };
  const index = createCodeIndex(absRoot, data);
  const symbols = files.reduce((n, f) => n + f.symbols.length, 0);
  const parsed = files.filter((f) => f.symbols.length > 0).length;
  options.progress?.(
    `Indexed ${plural(files.length, 'file')} (${plural(parsed, 'file')} with symbols, ${plural(symbols, 'symbol')}): ${plural(facts.routes.length, 'route')}, ${plural(facts.models.length, 'data model')}, ${plural(facts.settings.length, 'settings location')}, ${plural(facts.auth.length, 'auth location')}, ${plural(facts.tests.files, 'test file')} in ${Math.round(performance.now() - started)} ms${walk.truncated ? ` (stopped at the cap of ${maxFiles.toLocaleString('en-US')} files)` : ''}`,
  );
  if (cache) {
    try {
      await writeCache(cache, index);
    } catch (error) {
      options.progress?.(`Could not write the code index cache ${cache}: ${(error as Error).message}`);
    }
  }
  return index;
}

const memo = new Map<string, Promise<CodeIndex>>();

/** {@link buildCodeIndex}, memoised in this process per root and commit (and caps). */
export async function loadCodeIndex(root: string, options: BuildIndexOptions = {}): Promise<CodeIndex> {
  const absRoot = path.resolve(root);
  const head = await gitHead(absRoot);
  const commit = options.commit !== undefined ? options.commit : (head?.commit ?? null);
  const key = [absRoot, commit ?? 'no-commit', variantKey(options)].join('\0');
  let pending = memo.get(key);
  if (!pending) {
    pending = build(absRoot, options, commit, head?.toplevel);
    memo.set(key, pending);
    pending.catch(() => memo.delete(key));
  } else if (options.progress) {
    const progress = options.progress;
    void pending.then((index) => progress(`Code index of ${absRoot} reused: ${plural(index.filesIndexed, 'file')}`), () => undefined);
  }
  return pending;
}

/** Forgets the memoised indexes (tests, or a caller that knows the tree changed). */
export function clearCodeIndexMemo(): void {
  memo.clear();
}
