/**
 * The repository tools a model may call: `list_files(glob)`, `read_file(path, start_line, end_line)`
 * and `search(query)`. Every call is bounded (results per call, bytes per read, bytes per attempt)
 * and refuses paths outside the working directory. A call never throws: a refusal or a failure is a
 * tool result marked as an error, so the model can correct itself.
 */
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import picomatch from 'picomatch';
import type { CodeIndex } from '../../codeindex/types';
import { PathRefused, looksBinary, normalizeRelative, type Repo } from './repo';
import type { ToolSpec } from './types';

export const REPO_TOOL_NAMES = ['list_files', 'read_file', 'search'] as const;
export type RepoToolName = (typeof REPO_TOOL_NAMES)[number];

export const REPO_TOOLS: readonly ToolSpec[] = [
  {
    name: 'list_files',
    description:
      'List the files of the repository (paths relative to its root, .gitignore respected, dependency and build directories left out). ' +
      'Optional glob, e.g. "src/**/*.ts", "**/*.py", "*.md" (a glob without "/" matches file names anywhere). At most 300 paths per call.',
    parameters: { type: 'object', properties: { glob: { type: 'string', description: 'A glob over repository-relative paths; default: every file.' } }, additionalProperties: false },
  },
  {
    name: 'read_file',
    description:
      'Read a text file of the repository, with line numbers. Give a repository-relative path; optionally 1-based start_line and end_line (inclusive). ' +
      'Long files are cut at a byte cap: read on with a later start_line. Binary files are not shown.',
    parameters: {
      type: 'object',
      properties: {
        path: { type: 'string', description: 'Repository-relative path, e.g. "src/app.ts".' },
        start_line: { type: 'integer', minimum: 1 },
        end_line: { type: 'integer', minimum: 1 },
      },
      required: ['path'],
      additionalProperties: false,
    },
  },
  {
    name: 'search',
    description:
      'Search the repository: ranked files and symbols from the code index (when there is one), then lines containing the query text ' +
      '(case-insensitive; binaries, large files and .gitignore-d files skipped). Returns "path:line: text" lines.',
    parameters: { type: 'object', properties: { query: { type: 'string', description: 'Words, an identifier or a phrase to look for.' } }, required: ['query'], additionalProperties: false },
  },
];

export interface ToolLimits {
  /** Bytes of repository content handed to the model per attempt (read_file, search and list_files results). */
  maxReadBytes: number;
  /** Bytes one read_file call returns at most (default 32 KiB). */
  maxBytesPerRead?: number;
  /** Search result lines (default 40). */
  maxSearchHits?: number;
  /** Files larger than this are skipped by the text search (default 1 MiB). */
  maxSearchFileBytes?: number;
}

export interface ToolOutcome {
  content: string;
  isError: boolean;
  /** For the `spec.progress` event: the call's arguments, short (`src/app.ts:1-80`). */
  argsSummary: string;
  /** A one-line description of what happened, for the timeline. */
  message: string;
}

const MAX_LINE_CHARS = 2_000;
/** Below this many bytes of budget, reads are refused as used up. */
const MIN_USEFUL_BYTES = 128;

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function str(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function int(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isInteger(value)) return value;
  if (typeof value === 'string' && /^\d+$/.test(value.trim())) return Number(value.trim());
  return undefined;
}

/** The tools of one attempt: a budget of bytes, the repository, and the code index when there is one. */
export class RepoTools {
  private bytesUsed = 0;
  private readonly perRead: number;

  constructor(
    private readonly repo: Repo,
    private readonly limits: ToolLimits,
    private readonly index?: CodeIndex,
  ) {
    this.perRead = limits.maxBytesPerRead ?? 32 * 1024;
  }

  get bytesRead(): number {
    return this.bytesUsed;
  }

  get budgetLeft(): number {
    return Math.max(0, this.limits.maxReadBytes - this.bytesUsed);
  }

  /** Too little of the budget is left to read anything useful. */
  get exhausted(): boolean {
    return this.budgetLeft < MIN_USEFUL_BYTES;
  }

  /** Runs one call. Unknown tools and bad arguments are error results, never exceptions. */
  async call(name: string, input: unknown, signal: AbortSignal): Promise<ToolOutcome> {
    const args = (input !== null && typeof input === 'object' && !Array.isArray(input) ? input : {}) as Record<string, unknown>;
    try {
      switch (name) {
        case 'list_files':
          return await this.listFiles(args);
        case 'read_file':
          return await this.readFile(args);
        case 'search':
          return await this.search(args, signal);
        default:
          return { content: `unknown tool "${name}" (the tools are ${REPO_TOOL_NAMES.join(', ')} and the submit tool)`, isError: true, argsSummary: '', message: `unknown tool ${clip(name, 60)}` };
      }
    } catch (error) {
      signal.throwIfAborted();
      const reason = error instanceof PathRefused ? error.message : `failed: ${error instanceof Error ? error.message : String(error)}`;
      const summary = name === 'read_file' ? clip(str(args['path']) ?? '?', 120) : name === 'search' ? `"${clip(str(args['query']) ?? '', 100)}"` : clip(str(args['glob']) ?? '**/*', 120);
      return { content: `${name} refused: ${reason}`, isError: true, argsSummary: summary, message: `${name} ${summary} refused: ${reason}` };
    }
  }

  /** Counts what is handed over; cuts it at the budget left. */
  private spend(text: string): { text: string; cut: boolean } {
    const left = this.budgetLeft;
    const bytes = Buffer.byteLength(text);
    if (bytes <= left) {
      this.bytesUsed += bytes;
      return { text, cut: false };
    }
    const kept = Buffer.from(text).subarray(0, left).toString('utf8').replace(/\uFFFD$/, '');
    this.bytesUsed += Buffer.byteLength(kept);
    return { text: kept, cut: true };
  }

  private refuseExhausted(name: string, summary: string): ToolOutcome {
    return {
      content: `the read budget of this attempt (${this.limits.maxReadBytes} bytes, MODEL_MAX_READ_BYTES) is used up: no more repository content can be read. Submit your answer with what you have.`,
      isError: true,
      argsSummary: summary,
      message: `${name} ${summary} refused: read budget used up`,
    };
  }

  private async listFiles(args: Record<string, unknown>): Promise<ToolOutcome> {
    const glob = (str(args['glob']) ?? '').trim() || '**/*';
    const summary = clip(glob, 120);
    if (glob.length > 300) throw new PathRefused('the glob is longer than 300 characters');
    if (glob !== '**/*') normalizeRelative(glob.replace(/[*?[\]{}!]/g, 'x'));
    if (this.exhausted) return this.refuseExhausted('list_files', summary);
    const { files, truncated } = await this.repo.files();
    const isMatch = picomatch(glob.replace(/^\.\//, ''), { dot: true, basename: !glob.includes('/') });
    const matched = files.filter((f) => isMatch(f));
    const shown = matched.slice(0, 300);
    const lines = [`${matched.length} file(s) match ${glob}${truncated ? ' (the listing stopped at its cap; narrow the glob)' : ''}:`, ...shown];
    if (matched.length > shown.length) lines.push(`… and ${matched.length - shown.length} more: narrow the glob`);
    const { text, cut } = this.spend(lines.join('\n'));
    return { content: cut ? `${text}\n[cut: the read budget is used up]` : text, isError: false, argsSummary: summary, message: `list_files ${summary}: ${matched.length} file(s)` };
  }

  private async readFile(args: Record<string, unknown>): Promise<ToolOutcome> {
    const path = str(args['path']);
    if (path === undefined) throw new PathRefused('"path" is required');
    const start = Math.max(1, int(args['start_line']) ?? 1);
    const endAsked = int(args['end_line']);
    const summaryOf = (rel: string, a?: number, b?: number) => clip(a !== undefined ? `${rel}:${a}-${b ?? ''}` : rel, 120);
    const resolved = await this.repo.resolveFile(path);
    if (this.exhausted) return this.refuseExhausted('read_file', summaryOf(resolved.rel, start, endAsked));
    const handle = await open(resolved.abs, 'r');
    let buffer: Buffer;
    try {
      const size = Math.min(resolved.size, 8 * 1024 * 1024);
      buffer = Buffer.alloc(size);
      await handle.read(buffer, 0, size, 0);
    } finally {
      await handle.close();
    }
    if (looksBinary(buffer)) {
      return { content: `${resolved.rel} is a binary file (${resolved.size} bytes): not shown`, isError: true, argsSummary: resolved.rel, message: `read_file ${resolved.rel} refused: binary file` };
    }
    const lines = buffer.toString('utf8').split(/\r?\n/);
    if (lines.length > 1 && lines[lines.length - 1] === '') lines.pop();
    const total = lines.length;
    if (start > total) {
      return { content: `${resolved.rel} has ${total} line(s); start_line ${start} is past its end`, isError: true, argsSummary: summaryOf(resolved.rel, start, endAsked), message: `read_file ${resolved.rel}: start_line ${start} past the end (${total} lines)` };
    }
    const end = Math.min(total, Math.max(start, endAsked ?? total));
    const width = String(end).length;
    // The header (`path (lines a-b of n)`) and the lines share the cap.
    const cap = Math.min(this.perRead, this.budgetLeft) - Buffer.byteLength(`${resolved.rel} (lines ${start}-${end} of ${total})\n`);
    const out: string[] = [];
    let bytes = 0;
    let last = start - 1;
    for (let n = start; n <= end; n++) {
      const line = `${String(n).padStart(width)}| ${clip(lines[n - 1] ?? '', MAX_LINE_CHARS)}`;
      const size = Buffer.byteLength(line) + 1;
      if (bytes + size > cap && out.length > 0) break;
      out.push(line);
      bytes += size;
      last = n;
    }
    const header = `${resolved.rel} (lines ${start}-${last} of ${total})`;
    const more = last < end ? `\n[cut at ${cap} bytes: read on with start_line=${last + 1}]` : '';
    const { text } = this.spend(`${header}\n${out.join('\n')}`);
    return {
      content: `${text}${more}`,
      isError: false,
      argsSummary: summaryOf(resolved.rel, start, last),
      message: `read_file ${resolved.rel} lines ${start}-${last} of ${total} (${Buffer.byteLength(text)} bytes)`,
    };
  }

  private async search(args: Record<string, unknown>, signal: AbortSignal): Promise<ToolOutcome> {
    const query = (str(args['query']) ?? '').trim();
    const summary = `"${clip(query, 100)}"`;
    if (query === '') throw new PathRefused('"query" is empty');
    if (query.length > 300) throw new PathRefused('the query is longer than 300 characters');
    if (this.exhausted) return this.refuseExhausted('search', summary);
    const lines: string[] = [];
    let indexHits = 0;
    if (this.index) {
      const hits = this.index.search(query, { limit: 15 });
      indexHits = hits.length;
      if (hits.length > 0) lines.push(`Code index (ranked):`);
      for (const hit of hits) lines.push(`${hit.path}${hit.line !== undefined ? `:${hit.line}` : ''}${hit.symbol ? ` ${hit.symbol}` : ''} (matched ${hit.matched.join(', ') || 'text'})`);
    }
    const textHits = await this.textSearch(query, signal);
    if (textHits.length > 0) lines.push(...(lines.length > 0 ? ['', 'Text matches:'] : []), ...textHits);
    if (lines.length === 0) lines.push(`no match for ${summary}; try other words, an identifier, or list_files`);
    const { text, cut } = this.spend(lines.join('\n'));
    return { content: cut ? `${text}\n[cut: the read budget is used up]` : text, isError: false, argsSummary: summary, message: `search ${summary}: ${indexHits > 0 ? `${indexHits} index hit(s), ` : ''}${textHits.length} matching line(s)` };
  }

  private async textSearch(query: string, signal: AbortSignal): Promise<string[]> {
    const maxHits = this.limits.maxSearchHits ?? 40;
    const maxFileBytes = this.limits.maxSearchFileBytes ?? 1024 * 1024;
    const { files } = await this.repo.files();
    const needle = query.toLowerCase();
    const words = [...new Set(needle.split(/[^a-z0-9_$.-]+/i).filter((w) => w.length >= 3))];
    const exact: string[] = [];
    const partial: { line: string; score: number }[] = [];
    let scanned = 0;
    for (const file of files) {
      if (exact.length >= maxHits || scanned > 64 * 1024 * 1024) break;
      signal.throwIfAborted();
      let buffer: Buffer;
      try {
        const handle = await open(join(this.repo.root, file), 'r');
        try {
          const { size } = await handle.stat();
          if (size > maxFileBytes || size === 0) continue;
          buffer = Buffer.alloc(size);
          await handle.read(buffer, 0, size, 0);
        } finally {
          await handle.close();
        }
      } catch {
        continue;
      }
      scanned += buffer.length;
      if (looksBinary(buffer)) continue;
      const text = buffer.toString('utf8');
      const lower = text.toLowerCase();
      const hasExact = lower.includes(needle);
      if (!hasExact && (words.length < 2 || !words.some((w) => lower.includes(w)))) continue;
      const fileLines = text.split(/\r?\n/);
      let perFile = 0;
      for (let i = 0; i < fileLines.length && perFile < 5; i++) {
        const lineLower = fileLines[i]!.toLowerCase();
        const shown = `${file}:${i + 1}: ${clip(fileLines[i]!.trim(), 200)}`;
        if (lineLower.includes(needle)) {
          exact.push(shown);
          perFile++;
          if (exact.length >= maxHits) break;
        } else if (!hasExact && words.length >= 2) {
          const score = words.filter((w) => lineLower.includes(w)).length;
          if (score >= 2) {
            partial.push({ line: shown, score });
            perFile++;
          }
        }
      }
    }
    if (exact.length > 0) return exact;
    return partial
      .sort((a, b) => b.score - a.score)
      .slice(0, maxHits)
      .map((p) => p.line);
  }
}
