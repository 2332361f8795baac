import { z } from 'zod';
import { Phase } from './phases';

/**
 * What changed between two outputs of one phase: the outputs of two runs (`GET /specs/{id}/runs/{run_id}/diff`)
 * or two attempts of one run (a retry with the evaluator's feedback, a re-run with a reviewer's comment).
 * Items are matched by their stable ids — requirements (`REQ-001`), criteria (`REQ-001.AC-1`), components
 * (`DES-001`), tickets (`TKT-001`), tasks (`TSK-001`) — data models by name and endpoints by `METHOD path`;
 * every other top-level value of the output is a `field`. Pure: no I/O, the same code on the server and the web.
 */

export const FieldChange = z.object({ field: z.string(), before: z.unknown(), after: z.unknown() });
export type FieldChange = z.infer<typeof FieldChange>;

export const DiffItemKind = z.enum(['requirement', 'criterion', 'component', 'data_model', 'endpoint', 'ticket', 'task', 'field']);
export type DiffItemKind = z.infer<typeof DiffItemKind>;

export const ChangeType = z.enum(['added', 'modified', 'removed']);
export type ChangeType = z.infer<typeof ChangeType>;

export const OutputChange = z.object({
  kind: DiffItemKind,
  /** The stable id (`REQ-001`, `REQ-001.AC-2`, `DES-003`, `TSK-004`), a data model's name, `GET /x` for an endpoint, the key for a `field`. */
  id: z.string(),
  /** The requirement of a criterion; null otherwise. */
  parent_id: z.string().nullable(),
  /** A readable name: the item's title, name or text (shortened); null for a `field`. */
  title: z.string().nullable(),
  change: ChangeType,
  /**
   * Field by field, before → after (null where absent). `added`: every field with `before: null`;
   * `removed`: every field with `after: null`; `modified`: only the fields that differ.
   */
  fields: z.array(FieldChange),
});
export type OutputChange = z.infer<typeof OutputChange>;

export const PhaseDiff = z.object({
  phase: Phase,
  changes: z.array(OutputChange),
  added: z.number().int().nonnegative(),
  modified: z.number().int().nonnegative(),
  removed: z.number().int().nonnegative(),
  /** True when nothing differs. */
  unchanged: z.boolean(),
});
export type PhaseDiff = z.infer<typeof PhaseDiff>;

type Json = Record<string, unknown>;

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);

/** JSON with sorted keys: equal values give equal strings whatever their key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isRecord(value)) {
    return `{${Object.keys(value)
      .filter((k) => value[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(value ?? null);
}

const same = (a: unknown, b: unknown): boolean => canonical(a) === canonical(b);
const orNull = (value: unknown): unknown => (value === undefined ? null : value);

function shorten(text: string, max = 80): string {
  const t = text.replace(/\s+/g, ' ').trim();
  return t.length > max ? `${t.slice(0, max - 1)}…` : t;
}

function titleOf(item: Json): string | null {
  for (const key of ['title', 'name', 'text', 'description']) {
    const v = item[key];
    if (typeof v === 'string' && v.trim() !== '') return shorten(v);
  }
  return null;
}

interface ListSpec {
  /** Key of the list in the output. */
  key: string;
  kind: DiffItemKind;
  /** Identity of an item (undefined: not identifiable, left out). */
  idOf: (item: Json) => string | undefined;
  /** A nested list diffed as items of its own (requirements' criteria). */
  nested?: ListSpec;
}

const byId = (item: Json): string | undefined => (typeof item['id'] === 'string' && item['id'] !== '' ? item['id'] : undefined);

const LISTS: Partial<Record<Phase, ListSpec[]>> = {
  requirements: [{ key: 'requirements', kind: 'requirement', idOf: byId, nested: { key: 'acceptance_criteria', kind: 'criterion', idOf: byId } }],
  design: [
    { key: 'components', kind: 'component', idOf: byId },
    { key: 'data_models', kind: 'data_model', idOf: (m) => (typeof m['name'] === 'string' && m['name'] !== '' ? m['name'] : undefined) },
    {
      key: 'api_endpoints',
      kind: 'endpoint',
      idOf: (e) => (typeof e['method'] === 'string' && typeof e['path'] === 'string' ? `${e['method'].toUpperCase()} ${e['path']}` : undefined),
    },
  ],
  tasks: [
    { key: 'tickets', kind: 'ticket', idOf: byId },
    { key: 'tasks', kind: 'task', idOf: byId },
  ],
};

/** The identifiable items of a list, first of each id kept, in order. */
function itemsOf(list: unknown, spec: ListSpec): Map<string, Json> {
  const out = new Map<string, Json>();
  if (!Array.isArray(list)) return out;
  for (const raw of list) {
    if (!isRecord(raw)) continue;
    const id = spec.idOf(raw);
    if (id !== undefined && !out.has(id)) out.set(id, raw);
  }
  return out;
}

/** Fields of an item as compared: every key but the identity and the nested list. */
function fieldKeys(a: Json | undefined, b: Json | undefined, spec: ListSpec): string[] {
  const skip = new Set(['id', ...(spec.nested ? [spec.nested.key] : [])]);
  const keys: string[] = [];
  for (const item of [a, b]) for (const key of Object.keys(item ?? {})) if (!skip.has(key) && !keys.includes(key)) keys.push(key);
  return keys;
}

function diffList(before: unknown, after: unknown, spec: ListSpec, parentId: string | null, out: OutputChange[]): void {
  const was = itemsOf(before, spec);
  const now = itemsOf(after, spec);
  const visit = (id: string, a: Json | undefined, b: Json | undefined) => {
    const keys = fieldKeys(a, b, spec);
    const fields: FieldChange[] = [];
    for (const key of keys) {
      const x = a?.[key];
      const y = b?.[key];
      if (!a || !b || !same(x, y)) fields.push({ field: key, before: a ? orNull(x) : null, after: b ? orNull(y) : null });
    }
    const change: ChangeType = !a ? 'added' : !b ? 'removed' : 'modified';
    if (change !== 'modified' || fields.length > 0) out.push({ kind: spec.kind, id, parent_id: parentId, title: titleOf(b ?? a ?? {}), change, fields });
    if (spec.nested) diffList(a?.[spec.nested.key], b?.[spec.nested.key], spec.nested, id, out);
  };
  for (const [id, b] of now) visit(id, was.get(id), b);
  for (const [id, a] of was) if (!now.has(id)) visit(id, a, undefined);
}

/**
 * What `after` changed compared with `before`, two outputs of `phase` (either may be null: a phase that
 * had no output, or has none now). Deterministic: items in the order of `after`, then the removed ones.
 */
export function diffPhaseOutputs(phase: Phase, before: unknown, after: unknown): PhaseDiff {
  const a: Json = isRecord(before) ? before : {};
  const b: Json = isRecord(after) ? after : {};
  const lists = LISTS[phase] ?? [];
  const changes: OutputChange[] = [];
  for (const spec of lists) diffList(a[spec.key], b[spec.key], spec, null, changes);
  const listKeys = new Set(lists.map((l) => l.key));
  const keys = [...Object.keys(b), ...Object.keys(a).filter((k) => !Object.hasOwn(b, k))].filter((k) => !listKeys.has(k));
  for (const key of keys) {
    const had = Object.hasOwn(a, key) && a[key] !== undefined;
    const has = Object.hasOwn(b, key) && b[key] !== undefined;
    if (had && has && same(a[key], b[key])) continue;
    if (!had && !has) continue;
    changes.push({
      kind: 'field',
      id: key,
      parent_id: null,
      title: null,
      change: !had ? 'added' : !has ? 'removed' : 'modified',
      fields: [{ field: key, before: had ? a[key] : null, after: has ? b[key] : null }],
    });
  }
  const count = (c: ChangeType) => changes.filter((x) => x.change === c).length;
  return { phase, changes, added: count('added'), modified: count('modified'), removed: count('removed'), unchanged: changes.length === 0 };
}
