import { diffPhaseOutputs, type Phase } from '@specline/protocol';

/**
 * A readable diff of phase outputs, by stable id: what was added, what was modified (field by field,
 * before → after) and what was removed. The diff view renders {@link PhaseDiffView}; whatever shape the
 * server's (or the protocol's `diffPhaseOutputs`) answer has is brought to it by {@link normalizePhaseDiff}.
 */

export type ChangeKind = 'added' | 'modified' | 'removed';

export interface FieldChange {
  field: string;
  before: unknown;
  after: unknown;
}

export interface DiffEntry {
  change: ChangeKind;
  /** What the item is: requirement, criterion, component, endpoint, data model, ticket, task, section. */
  kind: string;
  /** Its stable id (`REQ-002`, `TSK-004`, `architecture_overview`). */
  id: string;
  /** Its title or name, for people. */
  label: string;
  /** Modified: the fields that changed. Added / removed: empty. */
  fields: FieldChange[];
}

export interface PhaseDiffView {
  /** A phase name (`design`); a string so an answer naming a phase this web does not know still shows. */
  phase: string;
  entries: DiffEntry[];
}

export function countChanges(diff: PhaseDiffView): Record<ChangeKind, number> {
  const counts: Record<ChangeKind, number> = { added: 0, modified: 0, removed: 0 };
  for (const entry of diff.entries) counts[entry.change]++;
  return counts;
}

export function isEmptyDiff(diff: PhaseDiffView): boolean {
  return diff.entries.length === 0;
}

// ── normalizing an answer ───────────────────────────────────────────────────

type Obj = Record<string, unknown>;
const isObj = (value: unknown): value is Obj => typeof value === 'object' && value !== null && !Array.isArray(value);
const str = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : typeof value === 'number' ? String(value) : undefined);

function changeOf(value: unknown): ChangeKind | undefined {
  switch (value) {
    case 'added':
    case 'add':
    case 'created':
      return 'added';
    case 'modified':
    case 'changed':
    case 'updated':
    case 'modify':
      return 'modified';
    case 'removed':
    case 'remove':
    case 'deleted':
      return 'removed';
    default:
      return undefined;
  }
}

function fieldsOf(item: Obj): FieldChange[] {
  const raw = item['fields'] ?? item['changes'] ?? item['field_changes'];
  if (Array.isArray(raw)) {
    return raw.filter(isObj).map((f) => ({ field: str(f['field']) ?? str(f['path']) ?? str(f['name']) ?? '?', before: f['before'] ?? f['old'] ?? f['from'], after: f['after'] ?? f['new'] ?? f['to'] }));
  }
  if (isObj(raw)) {
    return Object.entries(raw).map(([field, value]) => (isObj(value) ? { field, before: value['before'] ?? value['old'], after: value['after'] ?? value['new'] } : { field, before: undefined, after: value }));
  }
  return [];
}

function labelOf(item: Obj, id: string): string {
  const value = (item['after'] as Obj | undefined) ?? (item['before'] as Obj | undefined) ?? (item['item'] as Obj | undefined);
  return str(item['label']) ?? str(item['title']) ?? str(item['name']) ?? (isObj(value) ? (str(value['title']) ?? str(value['name']) ?? str(value['text'])) : undefined) ?? id;
}

function entryOf(item: unknown, change?: ChangeKind): DiffEntry | null {
  if (!isObj(item)) return null;
  const kind = change ?? changeOf(item['change']) ?? changeOf(item['op']) ?? changeOf(item['status']) ?? changeOf(item['type']);
  if (!kind) return null;
  const id = str(item['id']) ?? str(item['local_id']) ?? str(item['key']) ?? '?';
  const itemKind = str(item['kind']) ?? str(item['item_type']) ?? str(item['entity']) ?? (change ? str(item['type']) : undefined) ?? 'item';
  return { change: kind, kind: itemKind, id, label: labelOf(item, id), fields: kind === 'modified' ? fieldsOf(item) : [] };
}

/** Brings one phase's diff, in any of the shapes a server may send, to {@link PhaseDiffView}; null when it is none of them. */
export function normalizePhaseDiff(raw: unknown, phase?: string): PhaseDiffView | null {
  if (!isObj(raw)) return null;
  const name = str(raw['phase']) ?? phase ?? '?';
  if (Array.isArray(raw['entries'])) return { phase: name, entries: raw['entries'].map((e) => entryOf(e)).filter((e): e is DiffEntry => e !== null) };
  const grouped = ['added', 'modified', 'removed'] as const;
  if (grouped.some((key) => Array.isArray(raw[key]))) {
    const entries: DiffEntry[] = [];
    for (const key of grouped) {
      const list = raw[key];
      if (!Array.isArray(list)) continue;
      for (const item of list) {
        const entry = entryOf(item, key);
        if (entry) entries.push(entry);
      }
    }
    return { phase: name, entries };
  }
  const list = raw['changes'] ?? raw['items'];
  if (Array.isArray(list)) return { phase: name, entries: list.map((e) => entryOf(e)).filter((e): e is DiffEntry => e !== null) };
  return null;
}

/** A run's diff: one entry per phase (a list, or an object keyed by phase, or `{phases: …}`). */
export function normalizeRunDiff(raw: unknown): PhaseDiffView[] {
  if (!isObj(raw) && !Array.isArray(raw)) return [];
  const phases = Array.isArray(raw) ? raw : (raw['phases'] ?? raw['diffs'] ?? raw['diff']);
  if (Array.isArray(phases)) return phases.map((p) => normalizePhaseDiff(isObj(p) && isObj(p['diff']) ? { phase: p['phase'], ...p['diff'] } : p)).filter((d): d is PhaseDiffView => d !== null);
  if (isObj(phases)) {
    return Object.entries(phases)
      .map(([phase, diff]) => normalizePhaseDiff(diff, phase))
      .filter((d): d is PhaseDiffView => d !== null);
  }
  return [];
}

// ── computing one here ──────────────────────────────────────────────────────

/**
 * The diff of two outputs of a phase, by the protocol's `diffPhaseOutputs`: the same code the server
 * diffs runs with, so an attempt-to-attempt diff here reads like a run's diff there.
 */
export function diffOutputs(phase: Phase, before: Record<string, unknown> | null | undefined, after: Record<string, unknown> | null | undefined): PhaseDiffView {
  return normalizePhaseDiff(diffPhaseOutputs(phase, before ?? null, after ?? null)) ?? { phase, entries: [] };
}

/** A value as diff text: strings as they are, lists joined, objects as compact JSON, nothing as "—". */
export function valueText(value: unknown): string {
  if (value === undefined || value === null || value === '') return '—';
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  if (Array.isArray(value) && value.every((v) => typeof v === 'string' || typeof v === 'number')) return value.length === 0 ? '—' : value.join(', ');
  return JSON.stringify(value);
}

/**
 * Where two texts differ: the common start and end (cut at word boundaries) and the changed middle of
 * each, so a long field shows what changed instead of two walls of text.
 */
export function changedSpan(before: string, after: string): { prefix: string; before: string; after: string; suffix: string } {
  if (before === after) return { prefix: before, before: '', after: '', suffix: '' };
  let start = 0;
  const max = Math.min(before.length, after.length);
  while (start < max && before[start] === after[start]) start++;
  // Back to the start of the word, so a changed word is highlighted whole.
  while (start > 0 && /\S/.test(before[start - 1]!)) start--;
  let end = 0;
  while (end < max - start && before[before.length - 1 - end] === after[after.length - 1 - end]) end++;
  while (end > 0 && /\S/.test(before[before.length - end]!)) end--;
  return { prefix: before.slice(0, start), before: before.slice(start, before.length - end), after: after.slice(start, after.length - end), suffix: before.slice(before.length - end) };
}
