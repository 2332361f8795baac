/**
 * The repository paths a design or a task list says it creates or modifies: from the fields that
 * hold them (design `components[].file_path` with `change`, `components[].files`; tasks
 * `files_to_create`, `files_to_modify`, `files_to_delete`, `files`) and from paths written in the
 * text (`src/app.ts` in a description), with the change each implies.
 */
import { asArray, asRecord, itemLabel } from '../../analysis/shape';
import { text } from '../scorecard';
import { isDocTask, isTestTask } from './plan';

export type Change = 'create' | 'modify' | 'delete' | 'unspecified';

export interface PlannedPath {
  path: string;
  /** Where it was found: `components[DES-002].file_path`, `tasks[TSK-003].files_to_modify`, `tasks[TSK-003].description`. */
  where: string;
  change: Change;
  /** Found in a field, or in prose (then `change` comes from the verb before it). */
  source: 'field' | 'text';
  /** What the item holding it does: implementation (a design component, an implementation task), tests, or docs. */
  role: 'implementation' | 'test' | 'docs';
}

/** A change word as written (`create`, `new`, `update`, `edit`…), normalised. */
export function normalizeChange(value: unknown): Change {
  const word = (text(value) ?? '').toLowerCase();
  if (/^(?:create|created|new|add|added|adds)$/.test(word)) return 'create';
  if (/^(?:modify|modified|update|updated|edit|edited|extend|extended|change|changed|patch|amend|refactor)$/.test(word)) return 'modify';
  if (/^(?:delete|deleted|remove|removed|drop)$/.test(word)) return 'delete';
  return 'unspecified';
}

const changeOf = (record: Record<string, unknown> | undefined): Change => normalizeChange(record?.['change'] ?? record?.['action'] ?? record?.['operation'] ?? record?.['status']);

/** A path as the plan wrote it, cleaned (`./src/a.ts:12` → `src/a.ts`), or undefined when it is no repository path. */
export function cleanPath(raw: string): string | undefined {
  let p = raw.trim().replace(/^[`'"(]+|[`'"),;:]+$/g, '');
  p = p.replace(/^\.\//, '').replace(/(?::\d+(?::\d+)?|#L\d+(?:-L?\d+)?)$/, '').replace(/\\/g, '/').replace(/\/+$/, '');
  if (p === '' || p.startsWith('/') || p.startsWith('~') || /^[a-z][a-z0-9+.-]*:/i.test(p) || /[*?{}<>\s|]/.test(p)) return undefined;
  if (p.split('/').some((part) => part === '..' || part === '')) return undefined;
  return p;
}

function fileEntries(value: unknown): { path: string; change: Change }[] {
  const out: { path: string; change: Change }[] = [];
  const entries = typeof value === 'string' ? [value] : asArray(value);
  for (const entry of entries) {
    const record = asRecord(entry);
    const raw = typeof entry === 'string' ? entry : text(record?.['path']) ?? text(record?.['file']) ?? text(record?.['file_path']);
    const path = raw === undefined ? undefined : cleanPath(raw);
    if (path !== undefined) out.push({ path, change: record ? changeOf(record) : 'unspecified' });
  }
  return out;
}

const EXTENSION = /\.[A-Za-z][A-Za-z0-9]{0,7}$/;
/** `dir/…/name.ext` written in prose; a bare `name.ext` only inside backticks. */
const PROSE_PATH = /(?<![\w/.@-])((?:[\w@-][\w.@-]*\/)+[\w@-][\w.@-]*\.[A-Za-z][A-Za-z0-9]{0,7})(?![\w/-])|`([\w@.-]+\.[A-Za-z][A-Za-z0-9]{0,7})`/g;
const MODIFY_VERB = /\b(?:modify|modifies|modifying|update[sd]?|updating|edit(?:s|ed|ing)?|extend(?:s|ed|ing)?|chang(?:e|es|ed|ing)|patch(?:es|ed|ing)?|amend(?:s|ed)?|adjust(?:s|ed)?|refactor(?:s|ed)?|register(?:s|ed)?\b.{0,30}\b(?:in|into)|wire[sd]?\b.{0,30}\binto|mount(?:s|ed)?\b.{0,30}\bin|hook(?:s|ed)?\b.{0,30}\binto|import(?:s|ed)?\b.{0,30}\bin)\s+(?:the\s+)?(?:existing\s+)?(?:file\s+)?[`'"]?$/i;
const CREATE_VERB = /\b(?:create[sd]?|creating|add(?:s|ed)?\s+(?:a\s+)?new|new\s+(?:file|module)|write[s]?|writing|introduce[sd]?|generate[sd]?|scaffold(?:s|ed)?)\b[^.;]{0,40}$/i;

/** Paths written in `prose`, with the change the words just before each imply. */
export function pathsInText(prose: string, where: string, role: PlannedPath['role'] = 'implementation'): PlannedPath[] {
  const out: PlannedPath[] = [];
  for (const match of prose.matchAll(PROSE_PATH)) {
    const raw = match[1] ?? match[2] ?? '';
    const path = cleanPath(raw);
    if (path === undefined || !EXTENSION.test(path) || /^\d+(?:\.\d+)+$/.test(path)) continue;
    // The sentence so far, up to the path.
    const before = prose.slice(Math.max(0, match.index - 80), match.index).split(/[.;!?]\s/).pop() ?? '';
    const change: Change = MODIFY_VERB.test(before) ? 'modify' : CREATE_VERB.test(before) ? 'create' : 'unspecified';
    if (!out.some((p) => p.path === path)) out.push({ path, where, change, source: 'text', role });
  }
  return out;
}

/** Paths of a DESIGN output. */
export function designPaths(design: unknown): PlannedPath[] {
  const o = asRecord(design);
  const out: PlannedPath[] = [];
  asArray(o?.['components']).forEach((item, i) => {
    const c = asRecord(item);
    const where = itemLabel('components', item, i);
    const change = changeOf(c);
    const role: PlannedPath['role'] = /\btests?\b/i.test(`${text(c?.['name']) ?? ''} ${text(c?.['type']) ?? ''} ${text(c?.['kind']) ?? ''}`) ? 'test' : 'implementation';
    const filePath = typeof c?.['file_path'] === 'string' ? cleanPath(c['file_path']) : undefined;
    if (filePath !== undefined) out.push({ path: filePath, where: `${where}.file_path`, change, source: 'field', role });
    for (const entry of fileEntries(c?.['files'])) out.push({ path: entry.path, where: `${where}.files`, change: entry.change === 'unspecified' ? change : entry.change, source: 'field', role });
    for (const key of ['responsibility', 'description']) {
      const prose = text(c?.[key]);
      if (prose) out.push(...pathsInText(prose, `${where}.${key}`, role));
    }
  });
  for (const key of ['architecture_overview', 'error_handling', 'testing_strategy']) {
    const prose = text(o?.[key]);
    if (prose) out.push(...pathsInText(prose, key, key === 'testing_strategy' ? 'test' : 'implementation'));
  }
  return out;
}

/** Paths of a TASKS output. */
export function taskPaths(tasks: unknown): PlannedPath[] {
  const out: PlannedPath[] = [];
  asArray(asRecord(tasks)?.['tasks']).forEach((item, i) => {
    const t = asRecord(item);
    const where = itemLabel('tasks', item, i);
    const role: PlannedPath['role'] = isTestTask(item) ? 'test' : isDocTask(item) ? 'docs' : 'implementation';
    const fields: [string, Change][] = [['files_to_create', 'create'], ['files_to_modify', 'modify'], ['files_to_delete', 'delete'], ['files', 'unspecified'], ['file_path', 'unspecified']];
    for (const [key, change] of fields) {
      for (const entry of fileEntries(t?.[key])) out.push({ path: entry.path, where: `${where}.${key}`, change: entry.change === 'unspecified' ? change : entry.change, source: 'field', role });
    }
    for (const key of ['title', 'description']) {
      const prose = text(t?.[key]);
      if (prose) out.push(...pathsInText(prose, `${where}.${key}`, role));
    }
  });
  return out;
}
