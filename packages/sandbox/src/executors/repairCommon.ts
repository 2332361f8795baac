/**
 * Shared pieces of the retry repair (see repair.ts): the input/result types, id normalisation and
 * problem-path replacement.
 */
import { ID_PATTERNS, formatId, type Phase } from '@specline/protocol';
import { asRecord, idOf, type Json } from '../analysis/shape';
import type { EvalProblem } from '../types';

export interface RepairInput {
  phase: Phase;
  previous: Json;
  fresh: Json;
  problems: readonly EvalProblem[];
  phaseData: Record<string, unknown>;
  title: string;
}

export interface RepairResult {
  output: Json;
  fixes: string[];
}

export const EARS = /\b(WHEN|IF|WHILE|WHERE)\b[\s\S]*\bSHALL\b/;

export function clone<T>(value: T): T {
  return structuredClone(value);
}

/** Next free `PREFIX-NNN` number given the ids in use. */
export function nextId(kind: 'requirement' | 'component' | 'ticket' | 'task', used: Set<string>): string {
  for (let n = 1; ; n++) {
    const id = formatId(kind, n);
    if (!used.has(id)) {
      used.add(id);
      return id;
    }
  }
}

/**
 * Gives every item of a list a unique id of the right pattern; returns the renames (old → new) so
 * references can follow. Items that are not objects are dropped.
 */
export function normalizeIds(items: unknown[], kind: 'requirement' | 'component' | 'ticket' | 'task', list: string, fixes: string[]): { items: Json[]; renames: Map<string, string> } {
  const pattern = ID_PATTERNS[kind];
  const used = new Set<string>();
  const renames = new Map<string, string>();
  const kept: Json[] = [];
  items.forEach((item, i) => {
    const record = asRecord(item);
    if (!record) {
      fixes.push(`${list}[${i}]: not an object, dropped`);
      return;
    }
    const id = idOf(record['id']);
    if (id !== undefined && pattern.test(id) && !used.has(id)) used.add(id);
    kept.push(record);
  });
  const seen = new Set<string>();
  for (const [i, record] of kept.entries()) {
    const id = idOf(record['id']);
    if (id !== undefined && pattern.test(id) && !seen.has(id)) {
      seen.add(id);
      continue;
    }
    const fresh = nextId(kind, used);
    seen.add(fresh);
    const duplicate = id !== undefined && pattern.test(id);
    fixes.push(`${list}[${i}]: id ${id === undefined ? '(missing)' : id} ${duplicate ? 'duplicated' : 'malformed'}, now ${fresh}`);
    // A reference to a duplicated id means the item that kept it; only malformed ids are followed.
    if (id !== undefined && !duplicate && !renames.has(id)) renames.set(id, fresh);
    record['id'] = fresh;
  }
  return { items: kept, renames };
}

/** `requirements[REQ-003].text` → list, item key (id or index) and field. */
function parsePath(path: string): { list: string; key: string; field: string } | undefined {
  const match = /^([a-z_]+)\[([^\]]+)\]\.([a-z_]+)/.exec(path);
  return match ? { list: match[1]!, key: match[2]!, field: match[3]! } : undefined;
}

/**
 * Replaces fields the evaluator pointed at (and the structural pass left alone) with the value the
 * planner generates for the same item.
 */
export function applyProblemPaths(list: string, items: Json[], freshItems: unknown[], problems: readonly EvalProblem[], touched: Set<string>, fixes: string[]): void {
  for (const problem of problems) {
    const at = parsePath(problem.path);
    if (!at || at.list !== list) continue;
    const index = /^\d+$/.test(at.key) ? Number(at.key) : items.findIndex((item) => idOf(item['id']) === at.key);
    const item = items[index];
    if (!item || touched.has(`${idOf(item['id'])}.${at.field}`)) continue;
    // Only the same item (same id and title) may lend its value: a model's REQ-003 need not be the planner's REQ-003.
    const fresh = asRecord(freshItems.find((f) => idOf(asRecord(f)?.['id']) === idOf(item['id']) && asRecord(f)?.['title'] === item['title']));
    if (fresh && at.field in fresh && JSON.stringify(fresh[at.field]) !== JSON.stringify(item[at.field])) {
      item[at.field] = clone(fresh[at.field]);
      touched.add(`${idOf(item['id'])}.${at.field}`);
      fixes.push(`${problem.path}: replaced with the planner's value (${problem.message})`);
    }
  }
}

