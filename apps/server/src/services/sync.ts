/**
 * The HTTP ticket sink of a run's SYNC phase: creates the spec's tickets and tasks from the TASKS
 * output, idempotently by `(spec_id, local_id)`. A repeated call creates nothing and answers the same
 * server ids with `created: false`. One transaction; the spec row is locked so two concurrent calls
 * cannot both create.
 */
import type { SyncBody, SyncResponse } from '@specline/protocol';
import { and, eq, inArray, sql } from 'drizzle-orm';
import type { z } from 'zod';
import { notFound } from '../http/errors';
import type { Db, Tx } from '../store/db';
import { specs, tasks, tickets } from '../store/schema';
import { newId } from './ids';

export type SyncInput = z.output<typeof SyncBody>;

function firstByLocalId<T extends { local_id: string }>(list: readonly T[], what: string, errors: string[]): T[] {
  const seen = new Set<string>();
  return list.filter((item) => {
    if (!seen.has(item.local_id)) return seen.add(item.local_id);
    errors.push(`${what} ${item.local_id} appears more than once; the first one is used`);
    return false;
  });
}

export async function syncTickets(db: Db, specId: string, body: SyncInput): Promise<SyncResponse> {
  return db.transaction((tx) => syncTicketsTx(tx, specId, body));
}

/** The sync inside the caller's transaction (`POST /specs/{id}/execute-tasks` runs the same path). */
export async function syncTicketsTx(tx: Tx, specId: string, body: SyncInput): Promise<SyncResponse> {
  const [spec] = await tx.select({ projectId: specs.projectId, userId: specs.userId }).from(specs).where(eq(specs.id, specId)).for('update');
  if (!spec) throw notFound('spec');
  const errors: string[] = [];
  const wantedTickets = firstByLocalId(body.tickets, 'ticket', errors);
  const wantedTasks = firstByLocalId(body.tasks, 'task', errors);

  const createdTickets = wantedTickets.length
    ? await tx
        .insert(tickets)
        .values(
          wantedTickets.map((t) => ({
            id: newId.ticket(),
            projectId: spec.projectId,
            specId,
            localId: t.local_id,
            title: t.title,
            description: t.description,
            priority: t.priority,
            status: 'backlog',
            phaseId: 'PHASE_IMPLEMENTATION',
            createdBy: spec.userId,
          })),
        )
        .onConflictDoNothing({ target: [tickets.specId, tickets.localId] })
        .returning({ localId: tickets.localId })
    : [];
  const ticketCreated = new Set(createdTickets.map((t) => t.localId));
  const ticketLocals = [...new Set([...wantedTickets.map((t) => t.local_id), ...wantedTasks.map((t) => t.ticket_local_id)])];
  const ticketRows = ticketLocals.length
    ? await tx
        .select({ id: tickets.id, localId: tickets.localId, title: tickets.title })
        .from(tickets)
        .where(and(eq(tickets.specId, specId), inArray(tickets.localId, ticketLocals)))
    : [];
  const ticketByLocal = new Map(ticketRows.map((t) => [t.localId ?? '', t]));

  const creatable = wantedTasks.filter((t) => {
    if (ticketByLocal.has(t.ticket_local_id)) return true;
    errors.push(`task ${t.local_id}: ticket ${t.ticket_local_id} is neither in this sync nor created by an earlier one; task skipped`);
    return false;
  });
  const createdTasks = creatable.length
    ? await tx
        .insert(tasks)
        .values(
          creatable.map((t) => ({
            id: newId.task(),
            ticketId: ticketByLocal.get(t.ticket_local_id)!.id,
            specId,
            localId: t.local_id,
            title: t.title,
            description: t.description,
            priority: t.priority,
            estimatedHours: t.estimated_hours,
          })),
        )
        .onConflictDoNothing({ target: [tasks.specId, tasks.localId] })
        .returning({ localId: tasks.localId })
    : [];
  const taskCreated = new Set(createdTasks.map((t) => t.localId));
  const taskLocals = [...new Set(creatable.flatMap((t) => [t.local_id, ...t.depends_on]))];
  const taskRows = taskLocals.length
    ? await tx
        .select({ id: tasks.id, localId: tasks.localId, ticketId: tasks.ticketId, title: tasks.title })
        .from(tasks)
        .where(and(eq(tasks.specId, specId), inArray(tasks.localId, taskLocals)))
    : [];
  const taskByLocal = new Map(taskRows.map((t) => [t.localId ?? '', t]));

  // Dependencies of the tasks created now, as server ids (existing tasks keep theirs).
  const deps = creatable
    .filter((t) => taskCreated.has(t.local_id))
    .map((t) => ({
      id: taskByLocal.get(t.local_id)!.id,
      deps: t.depends_on.flatMap((local) => {
        const target = taskByLocal.get(local);
        if (!target) errors.push(`task ${t.local_id}: depends on unknown task ${local}; dependency dropped`);
        return target ? [target.id] : [];
      }),
    }))
    .filter((d) => d.deps.length);
  if (deps.length) {
    await tx.execute(sql`
      update ${tasks} as t set dependencies = d.deps
      from jsonb_to_recordset(${JSON.stringify(deps)}::jsonb) as d(id text, deps jsonb)
      where t.id = d.id`);
  }

  return {
    tickets: wantedTickets.map((t) => {
      const row = ticketByLocal.get(t.local_id)!;
      return { local_id: t.local_id, id: row.id, title: row.title, created: ticketCreated.has(t.local_id) };
    }),
    tasks: creatable.map((t) => {
      const row = taskByLocal.get(t.local_id)!;
      return { local_id: t.local_id, id: row.id, ticket_id: row.ticketId, title: row.title, created: taskCreated.has(t.local_id) };
    }),
    errors,
  };
}
