/**
 * A spec's tickets: linking existing tickets of its project (`tickets.spec_id`), unlinking them, and
 * `execute-tasks`, which makes tickets and ticket tasks of the spec's tasks through the very path a
 * run's SYNC uses (`syncTicketsTx`: idempotent by `(spec_id, local_id)`). Each change records a version;
 * `linked_tickets` is always counted from `tickets.spec_id`, never stored.
 */
import { TicketItem, type ExecuteTasksResponse, type LinkTicketsResponse, type UnlinkTicketsResponse } from '@specline/protocol';
import { and, asc, eq, inArray } from 'drizzle-orm';
import { AppError } from '../http/errors';
import type { Db, Tx } from '../store/db';
import { specTasks, tickets } from '../store/schema';
import type { SpecRow } from './access';
import { changeSpec } from './specs';
import { syncTicketsTx, type SyncInput } from './sync';

/** The tickets named in the body that are in the spec's project; 422 naming each one that is not (or is elsewhere). */
async function projectTickets(tx: Tx, spec: SpecRow, ids: string[]) {
  const unique = [...new Set(ids)];
  const rows = await tx
    .select({ id: tickets.id, specId: tickets.specId, localId: tickets.localId })
    .from(tickets)
    .where(and(inArray(tickets.id, unique), eq(tickets.projectId, spec.projectId)));
  const found = new Set(rows.map((r) => r.id));
  const errors = ids.flatMap((id, i) => (found.has(id) ? [] : [{ path: `body.ticket_ids.${i}`, message: `no ticket ${id} in the project of this spec` }]));
  if (errors.length) {
    throw new AppError('validation_failed', `invalid ticket_ids: ${errors.map((e) => `${e.path}: ${e.message}`).slice(0, 5).join('; ')}; nothing was changed`, { errors });
  }
  return rows;
}

export function linkTickets(db: Db, specId: string, userId: string, ids: string[]): Promise<LinkTicketsResponse> {
  return changeSpec(db, specId, userId, async (tx, spec) => {
    const rows = await projectTickets(tx, spec, ids);
    const elsewhere = rows.filter((r) => r.specId !== null && r.specId !== specId);
    if (elsewhere.length) {
      throw new AppError('conflict', `ticket(s) ${elsewhere.map((r) => `${r.id} (spec ${r.specId})`).join(', ')} belong to another spec; unlink them there first. Nothing was changed`, {
        errors: elsewhere.map((r) => ({ path: `body.ticket_ids.${ids.indexOf(r.id)}`, message: `linked to spec ${r.specId}` })),
      });
    }
    const toLink = rows.filter((r) => r.specId === null).map((r) => r.id);
    if (toLink.length) await tx.update(tickets).set({ specId, updatedAt: new Date() }).where(inArray(tickets.id, toLink));
    return {
      result: { spec_id: specId, linked_count: toLink.length, already_linked_count: rows.length - toLink.length, ticket_ids: rows.map((r) => r.id) },
      changeType: toLink.length ? 'tickets_linked' : null,
      summary: `Linked ${toLink.length} ticket(s)`,
      details: { ticket_ids: toLink },
    };
  });
}

export function unlinkTickets(db: Db, specId: string, userId: string, ids: string[]): Promise<UnlinkTicketsResponse> {
  return changeSpec(db, specId, userId, async (tx, spec) => {
    const rows = await projectTickets(tx, spec, ids);
    const linked = rows.filter((r) => r.specId === specId);
    const made = linked.filter((r) => r.localId !== null);
    if (made.length) {
      throw new AppError('conflict', `ticket(s) ${made.map((r) => `${r.id} (${r.localId})`).join(', ')} were made from this spec's tasks and stay linked to it. Nothing was changed`, {
        errors: made.map((r) => ({ path: `body.ticket_ids.${ids.indexOf(r.id)}`, message: `made from the spec's task ticket ${r.localId}` })),
      });
    }
    const toUnlink = linked.map((r) => r.id);
    if (toUnlink.length) await tx.update(tickets).set({ specId: null, updatedAt: new Date() }).where(inArray(tickets.id, toUnlink));
    return {
      result: { spec_id: specId, unlinked_count: toUnlink.length, ticket_ids: toUnlink },
      changeType: toUnlink.length ? 'tickets_unlinked' : null,
      summary: `Unlinked ${toUnlink.length} ticket(s)`,
      details: { ticket_ids: toUnlink },
    };
  });
}

/** Local id of the ticket that takes the tasks a person added (they name no ticket of the TASKS output). */
export const SPEC_TICKET_LOCAL_ID = 'SPEC';

/**
 * `POST /specs/{id}/execute-tasks`: tickets and ticket tasks from the spec's tasks (all, or `task_ids`),
 * via the SYNC path. A task of the TASKS output goes to its ticket (`TKT-…`, titled as the output says);
 * a task a person added goes to one ticket named after the spec. Idempotent: tasks that have their
 * ticket task already are skipped. Needs an approved design and no run executing (409 `precondition_failed`).
 */
export function executeTasks(db: Db, specId: string, userId: string, taskIds: string[] | undefined): Promise<ExecuteTasksResponse> {
  return changeSpec(db, specId, userId, async (tx, spec) => {
    if (spec.status === 'executing') throw new AppError('precondition_failed', 'a run is executing: its SYNC phase makes the tickets; try again once it has finished');
    if (!spec.designApproved) throw new AppError('precondition_failed', 'approve the design before executing its tasks (POST /approve-design)');
    const all = await tx.select().from(specTasks).where(eq(specTasks.specId, specId)).orderBy(asc(specTasks.position), asc(specTasks.createdAt), asc(specTasks.id));
    if (all.length === 0) throw new AppError('precondition_failed', 'the spec has no tasks to execute');
    let selected = all;
    if (taskIds) {
      const byId = new Map(all.map((t) => [t.id, t]));
      const errors = taskIds.flatMap((id, i) => (byId.has(id) ? [] : [{ path: `body.task_ids.${i}`, message: `no task ${id} in this spec` }]));
      if (errors.length) throw new AppError('validation_failed', `invalid task_ids: ${errors.map((e) => `${e.path}: ${e.message}`).slice(0, 5).join('; ')}; nothing was created`, { errors });
      const wanted = new Set(taskIds);
      selected = all.filter((t) => wanted.has(t.id));
    }
    const localOf = new Map(all.map((t) => [t.id, t.localId ?? t.id]));
    // The tickets as the TASKS output describes them (stored mapped, in phase_data).
    const output = spec.phaseData['tasks'];
    const described = new Map<string, TicketItem>();
    if (output && typeof output === 'object' && Array.isArray((output as { tickets?: unknown }).tickets)) {
      for (const raw of (output as { tickets: unknown[] }).tickets) {
        const parsed = TicketItem.safeParse(raw);
        if (parsed.success && !described.has(parsed.data.id)) described.set(parsed.data.id, parsed.data);
      }
    }
    const ticketOf = (t: (typeof all)[number]) => t.ticketLocalId ?? SPEC_TICKET_LOCAL_ID;
    const ticketLocals = [...new Set(selected.map(ticketOf))];
    const body: SyncInput = {
      tickets: ticketLocals.map((local) => {
        const d = described.get(local);
        if (d) return { local_id: local, title: d.title, description: d.description, priority: d.priority, requirements: d.requirements };
        const title = local === SPEC_TICKET_LOCAL_ID ? spec.title : `${spec.title}: ${local}`;
        return { local_id: local, title: title.slice(0, 500), description: spec.description.slice(0, 20_000), priority: 'medium', requirements: [] };
      }),
      tasks: selected.map((t) => ({
        local_id: t.localId ?? t.id,
        ticket_local_id: ticketOf(t),
        title: t.title,
        description: t.description,
        priority: (['low', 'medium', 'high', 'critical'] as const).find((p) => p === t.priority) ?? 'medium',
        estimated_hours: t.estimatedHours,
        depends_on: t.dependencies.flatMap((dep) => localOf.get(dep) ?? []),
      })),
    };
    const synced = await syncTicketsTx(tx, specId, body);
    const created = synced.tasks.filter((t) => t.created).length;
    const ticketsCreated = synced.tickets.filter((t) => t.created).length;
    const ticketIds = synced.tickets.map((t) => t.id);
    const skipped = selected.length - created;
    return {
      result: {
        spec_id: specId,
        success: true,
        message: `${created} task(s) created in ${ticketIds.length} ticket(s)${ticketsCreated ? ` (${ticketsCreated} new)` : ''}; ${skipped} already had one`,
        tasks_created: created,
        tasks_skipped: skipped,
        tickets_created: ticketsCreated,
        ticket_id: ticketIds.length === 1 ? ticketIds[0]! : null,
        ticket_ids: ticketIds,
        errors: synced.errors,
      },
      changeType: created || ticketsCreated ? 'tasks_executed' : null,
      summary: `Made ${created} ticket task(s) and ${ticketsCreated} ticket(s) of the spec's tasks`,
      details: { ticket_ids: ticketIds, tasks_created: created, tasks_skipped: skipped },
    };
  });
}
