/**
 * Person edits of a spec's tasks. Dependencies are server ids of tasks of the SAME spec; a task may not
 * depend on itself, and no edit may close a cycle (422 `validation_failed` naming the offending path).
 */
import type { SpecTask } from '@specline/protocol';
import { and, eq, sql } from 'drizzle-orm';
import { AppError, notFound, type ErrorItem } from '../http/errors';
import type { Db, Queryable, Tx } from '../store/db';
import { specTasks } from '../store/schema';
import { requireSpecAccess } from './access';
import { newId } from './ids';
import { changeSpec } from './specs';
import { changedFields } from './versions';
import { loadTasks, specTaskDto } from './specView';

export interface TaskInput {
  title: string;
  description: string;
  phase: string;
  priority: string;
  estimated_hours?: number | null | undefined;
  dependencies?: string[] | undefined;
}

export type TaskPatch = Partial<{
  title: string;
  description: string;
  phase: string;
  priority: string;
  status: string;
  assigned_agent: string | null;
  estimated_hours: number | null;
  actual_hours: number | null;
  dependencies: string[];
}>;

export async function listSpecTasks(db: Queryable, specId: string, userId: string): Promise<SpecTask[]> {
  await requireSpecAccess(db, specId, userId);
  return loadTasks(db, specId);
}

/** The cycle `taskId → … → taskId` through `graph`, or undefined. */
export function findCycle(graph: Map<string, string[]>, taskId: string): string[] | undefined {
  const stack: { id: string; path: string[] }[] = (graph.get(taskId) ?? []).map((d) => ({ id: d, path: [taskId, d] }));
  const seen = new Set<string>();
  while (stack.length) {
    const { id, path } = stack.pop()!;
    if (id === taskId) return path;
    if (seen.has(id)) continue;
    seen.add(id);
    for (const next of graph.get(id) ?? []) stack.push({ id: next, path: [...path, next] });
  }
  return undefined;
}

/** Checks a task's new dependency list against the spec's tasks; throws 422 naming each bad entry. */
async function validateDependencies(tx: Tx, specId: string, taskId: string | undefined, deps: string[]): Promise<string[]> {
  const rows = await tx.select({ id: specTasks.id, dependencies: specTasks.dependencies }).from(specTasks).where(eq(specTasks.specId, specId));
  const graph = new Map(rows.map((r) => [r.id, r.dependencies]));
  const errors: ErrorItem[] = [];
  deps.forEach((dep, i) => {
    const path = `body.dependencies.${i}`;
    if (dep === taskId) errors.push({ path, message: 'a task cannot depend on itself' });
    else if (!graph.has(dep)) errors.push({ path, message: `no task ${dep} in this spec` });
  });
  const unique = [...new Set(deps)];
  if (errors.length === 0 && taskId) {
    graph.set(taskId, unique);
    const cycle = findCycle(graph, taskId);
    if (cycle) errors.push({ path: 'body.dependencies', message: `would create a dependency cycle: ${cycle.join(' → ')}` });
  }
  if (errors.length) throw new AppError('validation_failed', `invalid dependencies: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, { errors });
  return unique;
}

export function createSpecTask(db: Db, specId: string, userId: string, input: TaskInput): Promise<SpecTask> {
  return changeSpec(db, specId, userId, async (tx) => {
    const dependencies = await validateDependencies(tx, specId, undefined, input.dependencies ?? []);
    const [max] = await tx.select({ max: sql<number | null>`max(${specTasks.position})` }).from(specTasks).where(eq(specTasks.specId, specId));
    const position = max?.max === null || max?.max === undefined ? 0 : Number(max.max) + 1;
    const [row] = await tx
      .insert(specTasks)
      .values({
        id: newId.specTask(),
        specId,
        title: input.title,
        description: input.description,
        phase: input.phase,
        priority: input.priority,
        estimatedHours: input.estimated_hours ?? null,
        dependencies,
        position,
        editedAt: sql`now()`,
      })
      .returning();
    if (!row) throw new Error('insert returned no row');
    return { result: specTaskDto(row), changeType: 'task_added', summary: `Added task "${row.title}"`, details: { task_id: row.id } };
  });
}

export function updateSpecTask(db: Db, specId: string, userId: string, taskId: string, patch: TaskPatch): Promise<SpecTask> {
  return changeSpec(db, specId, userId, async (tx) => {
    const [existing] = await tx.select().from(specTasks).where(and(eq(specTasks.id, taskId), eq(specTasks.specId, specId)));
    if (!existing) throw notFound('task');
    const dependencies = patch.dependencies === undefined ? undefined : await validateDependencies(tx, specId, taskId, patch.dependencies);
    // History lists only what really changed (the edit form sends every field); nothing changed: nothing written.
    const changes = changedFields({ ...patch, ...(dependencies !== undefined ? { dependencies } : {}) }, { ...specTaskDto(existing) });
    const fields = Object.keys(changes);
    if (fields.length === 0) return { result: specTaskDto(existing), changeType: null, summary: '' };
    const [row] = await tx
      .update(specTasks)
      .set({
        ...(patch.title !== undefined ? { title: patch.title } : {}),
        ...(patch.description !== undefined ? { description: patch.description } : {}),
        ...(patch.phase !== undefined ? { phase: patch.phase } : {}),
        ...(patch.priority !== undefined ? { priority: patch.priority } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.assigned_agent !== undefined ? { assignedAgent: patch.assigned_agent } : {}),
        ...(patch.estimated_hours !== undefined ? { estimatedHours: patch.estimated_hours } : {}),
        ...(patch.actual_hours !== undefined ? { actualHours: patch.actual_hours } : {}),
        ...(dependencies !== undefined ? { dependencies } : {}),
        editedAt: sql`now()`,
        updatedAt: sql`now()`,
      })
      .where(eq(specTasks.id, taskId))
      .returning();
    if (!row) throw notFound('task');
    const name = row.localId ?? `task "${row.title}"`;
    return { result: specTaskDto(row), changeType: 'task_updated', summary: `Edited ${name} (${fields.map((f) => f.replace(/_/g, ' ')).join(', ')})`, details: { task: row.localId, task_id: taskId, fields, ...changes } };
  });
}

/** Deletes a task and drops it from the dependency lists of the others (no dangling references). */
export function deleteSpecTask(db: Db, specId: string, userId: string, taskId: string): Promise<void> {
  return changeSpec(db, specId, userId, async (tx) => {
    const [row] = await tx.delete(specTasks).where(and(eq(specTasks.id, taskId), eq(specTasks.specId, specId))).returning({ title: specTasks.title, localId: specTasks.localId });
    if (!row) throw notFound('task');
    await tx
      .update(specTasks)
      .set({ dependencies: sql`${specTasks.dependencies} - ${taskId}::text`, updatedAt: sql`now()` })
      .where(and(eq(specTasks.specId, specId), sql`${specTasks.dependencies} @> ${JSON.stringify([taskId])}::jsonb`));
    return { result: undefined, changeType: 'task_deleted', summary: `Deleted task "${row.title}"`, details: { task_id: taskId, local_id: row.localId } };
  });
}
