/**
 * Readers for unknown-shaped phase outputs. A model may write `depends_on: ["TSK-001"]`,
 * `dependencies: {depends_on: [{id: "TSK-001"}]}` or a bare string; these helpers read all of them
 * so the analyses never miss a reference because of its shape.
 */

export type Json = Record<string, unknown>;

export function isRecord(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function asRecord(value: unknown): Json | undefined {
  return isRecord(value) ? value : undefined;
}

export function asArray(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

/** The list under `key` of a record, or `undefined` when the key is absent or not a list. */
export function listAt(value: unknown, key: string): unknown[] | undefined {
  const found = asRecord(value)?.[key];
  return Array.isArray(found) ? found : undefined;
}

/** An id from a string (`"TSK-001"`) or an object carrying one (`{id}`, `{task_id}`, `{requirement_id}`...). */
export function idOf(value: unknown): string | undefined {
  if (typeof value === 'string') {
    const trimmed = value.trim();
    return trimmed === '' ? undefined : trimmed;
  }
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  const record = asRecord(value);
  if (!record) return undefined;
  for (const key of ['id', 'task_id', 'ticket_id', 'requirement_id', 'component_id', 'ref']) {
    const candidate = record[key];
    if (typeof candidate === 'string' || typeof candidate === 'number') return idOf(candidate);
  }
  return undefined;
}

/** Ids from a list of strings/objects, a single string, or a comma-separated string. Order kept, duplicates dropped. */
export function idList(value: unknown): string[] {
  const out: string[] = [];
  const push = (id: string | undefined) => {
    if (id !== undefined && !out.includes(id)) out.push(id);
  };
  if (typeof value === 'string') {
    for (const part of value.split(',')) push(idOf(part));
  } else if (Array.isArray(value)) {
    for (const item of value) push(idOf(item));
  } else if (value !== undefined && value !== null) {
    push(idOf(value));
  }
  return out;
}

/** A reference found in an item, with the field (path inside the item) it came from. */
export interface FieldRef {
  id: string;
  field: string;
}

/** References under any of `fields` of `item`; nested paths like `dependencies.depends_on` allowed. */
export function refsAt(item: unknown, fields: readonly string[]): FieldRef[] {
  const out: FieldRef[] = [];
  for (const field of fields) {
    let value: unknown = item;
    for (const part of field.split('.')) value = asRecord(value)?.[part];
    if (value === undefined || value === null) continue;
    // `dependencies: {depends_on: [...]}` is read through its nested field, not as an id itself.
    if (asRecord(value) && idOf(value) === undefined) continue;
    for (const id of idList(value)) {
      if (!out.some((ref) => ref.id === id)) out.push({ id, field });
    }
  }
  return out;
}

/** A short label for an item in a list: its id when it has one, else its index. */
export function itemLabel(list: string, item: unknown, index: number): string {
  const id = idOf(asRecord(item)?.['id']);
  return id === undefined ? `${list}[${index}]` : `${list}[${id}]`;
}
