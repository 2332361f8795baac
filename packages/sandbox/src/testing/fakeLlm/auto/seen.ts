/**
 * What the auto agent has seen: the brief in the prompt (feature title and description, earlier
 * phase outputs and the ids they define) and the results of its own tool calls (the file list, the
 * file it read, the search hits).
 */
import { asArray, asRecord, isRecord } from '../../../analysis/shape';
import type { RequestView } from '../request';

export interface SeenRequirement {
  id: string;
  title: string;
  text: string;
  type: string;
}

export interface SeenComponent {
  id: string;
  name: string;
  responsibility: string;
  file_path?: string;
  change?: string;
  requirements: string[];
}

export interface Brief {
  title: string;
  description: string;
  /** The whole prompt (system and user text): the repository overview and instructions. */
  overview: string;
  requirements: SeenRequirement[];
  components: SeenComponent[];
}

export interface Seen {
  brief: Brief;
  files: string[];
  read?: { path: string; content: string };
  search?: { query: string; paths: string[] };
}

const PATHISH = /^(?:\.\/)?[\w@.+-]+(?:\/[\w@.+[\]-]+)*\.[A-Za-z0-9]+$|^(?:\.\/)?(?:[\w@.+-]+\/)+[\w@.+-]+$/;

/** JSON objects embedded in free text (fenced blocks, inline objects). Bounded work on big prompts. */
export function jsonObjects(text: string, maxAttempts = 400): Record<string, unknown>[] {
  const out: Record<string, unknown>[] = [];
  let attempts = 0;
  for (let i = text.indexOf('{'); i >= 0 && attempts < maxAttempts; i = text.indexOf('{', i + 1)) {
    attempts++;
    let depth = 0;
    let inString = false;
    let end = -1;
    for (let j = i; j < text.length; j++) {
      const ch = text[j];
      if (inString) {
        if (ch === '\\') j++;
        else if (ch === '"') inString = false;
      } else if (ch === '"') inString = true;
      else if (ch === '{') depth++;
      else if (ch === '}' && --depth === 0) {
        end = j;
        break;
      }
    }
    if (end < 0) break;
    try {
      const value = JSON.parse(text.slice(i, end + 1)) as unknown;
      if (isRecord(value)) {
        out.push(value);
        i = end;
      }
    } catch {
      // not JSON from here: try the next brace
    }
  }
  return out;
}

/** Records reachable from `root` (itself and nested objects, a few levels deep). */
function walk(root: unknown, visit: (record: Record<string, unknown>) => void, depth = 0): void {
  if (depth > 4) return;
  if (Array.isArray(root)) {
    for (const item of root) walk(item, visit, depth + 1);
    return;
  }
  const record = asRecord(root);
  if (!record) return;
  visit(record);
  for (const value of Object.values(record)) if (typeof value === 'object' && value !== null) walk(value, visit, depth + 1);
}

const str = (value: unknown): string => (typeof value === 'string' ? value.trim() : '');

function requirementsIn(objects: readonly Record<string, unknown>[]): SeenRequirement[] {
  const out: SeenRequirement[] = [];
  for (const object of objects) {
    walk(object, (record) => {
      for (const item of asArray(record['requirements'])) {
        const r = asRecord(item);
        const id = str(r?.['id']);
        if (/^REQ-\d{3,}$/.test(id) && !out.some((x) => x.id === id)) {
          out.push({ id, title: str(r?.['title']) || id, text: str(r?.['text']), type: str(r?.['type']) || 'functional' });
        }
      }
    });
  }
  return out;
}

function componentsIn(objects: readonly Record<string, unknown>[]): SeenComponent[] {
  const out: SeenComponent[] = [];
  for (const object of objects) {
    walk(object, (record) => {
      for (const item of asArray(record['components'])) {
        const c = asRecord(item);
        const id = str(c?.['id']);
        if (!/^DES-\d{3,}$/.test(id) || out.some((x) => x.id === id)) continue;
        const requirements = asArray(c?.['requirements']).filter((r): r is string => typeof r === 'string');
        const file = str(c?.['file_path']);
        out.push({
          id,
          name: str(c?.['name']) || id,
          responsibility: str(c?.['responsibility']),
          ...(file ? { file_path: file } : {}),
          ...(str(c?.['change']) ? { change: str(c?.['change']) } : {}),
          requirements,
        });
      }
    });
  }
  return out;
}

/** Ids of a kind mentioned anywhere in the text, each with the rest of its line as a title. */
function mentioned(text: string, pattern: RegExp): { id: string; title: string }[] {
  const out: { id: string; title: string }[] = [];
  for (const match of text.matchAll(pattern)) {
    const id = match[1]!;
    if (out.some((x) => x.id === id)) continue;
    const rest = text.slice((match.index ?? 0) + match[0].length).split('\n')[0] ?? '';
    const title = rest.replace(/^[\s:)\]|*`—–-]+/, '').replace(/[|*`]+/g, ' ').trim();
    out.push({ id, title: title.slice(0, 80) || id });
  }
  return out;
}

function labelled(text: string, labels: string): string | undefined {
  const match = new RegExp(`^[ \\t>#*-]*(?:${labels})[ \\t]*\\**[ \\t]*[:：][ \\t]*\\**[ \\t]*(.+)$`, 'im').exec(text);
  return match?.[1]?.replace(/\*+$/, '').trim() || undefined;
}

/** The block of text after a `Description:` label (or a `## Description` heading), up to a blank line or the next heading. */
function described(text: string): string | undefined {
  const inline = /^[ \t>#*-]*description[ \t]*\**[ \t]*[:：][ \t]*([\s\S]*?)(?:\n[ \t]*\n|\n#|(?![\s\S]))/im.exec(text)?.[1]?.trim();
  if (inline) return inline;
  const heading = /^#+[ \t]*description[ \t]*\n([\s\S]*?)(?:\n#|(?![\s\S]))/im.exec(text)?.[1]?.trim();
  return heading || undefined;
}

export function readBrief(system: string, prompt: string): Brief {
  const objects = jsonObjects(`${prompt}\n${system}`);
  // Free text without the embedded JSON: `Title: …` / `Description: …` lines first.
  const plain = prompt.replace(/```[\s\S]*?```/g, '\n').trim();
  let title = labelled(plain, 'title|feature|spec title|feature request') ?? '';
  let description = described(plain) ?? '';
  if (!title) {
    for (const object of objects) {
      walk(object, (record) => {
        if (!title && typeof record['title'] === 'string' && typeof record['description'] === 'string') {
          title = str(record['title']);
          description ||= str(record['description']);
        }
      });
    }
  }
  if (!title) {
    const first = plain.split('\n').map((l) => l.replace(/^[#>*\s-]+/, '').trim()).find((l) => l !== '' && !l.startsWith('{'));
    title = (first ?? 'the feature').slice(0, 100);
  }
  description ||= title;

  const all = `${prompt}\n${system}`;
  let requirements = requirementsIn(objects);
  if (requirements.length === 0) {
    requirements = mentioned(all, /\b(REQ-\d{3,})\b(?!\.AC)/g).map(({ id, title: t }) => ({ id, title: t, text: '', type: 'functional' }));
  }
  let components = componentsIn(objects);
  if (components.length === 0) {
    components = mentioned(all, /\b(DES-\d{3,})\b/g).map(({ id, title: t }) => ({ id, name: t, responsibility: '', requirements: [] }));
  }
  return { title, description, overview: all, requirements, components };
}

/** File paths in a tool result: a JSON list (of strings or `{path}`), an object holding one, or lines. */
export function pathsIn(result: string): string[] {
  const out: string[] = [];
  const push = (value: unknown) => {
    const path = typeof value === 'string' ? value.trim() : str(asRecord(value)?.['path'] ?? asRecord(value)?.['file']);
    const clean = path.replace(/^\.\//, '').replace(/:\d+.*$/, '').replace(/:$/, '');
    if (clean && !clean.endsWith('/') && PATHISH.test(clean) && !out.includes(clean)) out.push(clean);
  };
  let parsed: unknown;
  try {
    parsed = JSON.parse(result) as unknown;
  } catch {
    parsed = undefined;
  }
  if (parsed !== undefined) {
    walk(Array.isArray(parsed) ? { files: parsed } : parsed, (record) => {
      for (const value of Object.values(record)) if (Array.isArray(value)) for (const item of value) push(item);
      if (typeof record['path'] === 'string') push(record['path']);
    });
    if (out.length > 0) return out;
  }
  for (const line of result.split(/\r?\n/)) {
    const token = line
      .replace(/^\s*(?:[-*•]|\d+[.)])\s+/, '')
      .trim()
      .split(/\s+/)[0];
    if (token) push(token.replace(/[,;]$/, ''));
  }
  return out;
}

/** The text of a read_file result: JSON `{content}`, or lines numbered `  12| code` under a header line. */
function contentOf(result: string): string {
  try {
    const record = asRecord(JSON.parse(result) as unknown);
    const content = record?.['content'] ?? record?.['text'];
    if (typeof content === 'string') return content;
  } catch {
    // plain text
  }
  const lines = result.split(/\r?\n/);
  const numbered = lines.filter((l) => /^\s*\d+\| ?/.test(l));
  return numbered.length > 0 && numbered.length >= lines.length - 2 ? numbered.map((l) => l.replace(/^\s*\d+\| ?/, '')).join('\n') : result;
}

export function readSeen(view: RequestView): Seen {
  const brief = readBrief(view.system, view.prompt);
  const files: string[] = [];
  const add = (paths: readonly string[]) => {
    for (const p of paths) if (!files.includes(p)) files.push(p);
  };
  let read: Seen['read'];
  let search: Seen['search'];
  for (const exchange of view.exchanges) {
    if (exchange.result === undefined) continue;
    const input = asRecord(exchange.input);
    if (exchange.name === 'list_files') add(pathsIn(exchange.result));
    else if (exchange.name === 'read_file' && typeof input?.['path'] === 'string') read = { path: input['path'], content: contentOf(exchange.result) };
    else if (exchange.name === 'search') {
      const paths = pathsIn(exchange.result);
      search = { query: str(input?.['query']), paths };
      add(paths);
    }
  }
  return { brief, files, ...(read ? { read } : {}), ...(search ? { search } : {}) };
}
