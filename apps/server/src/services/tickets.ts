/**
 * Tickets. A `spec_driven` ticket creates its spec (status `executing`, phase `explore`) in the same
 * transaction, with `tickets.spec_id` set, then starts the run; a failed launch leaves the spec `failed`
 * and the ticket (with its `spec_id`) still created.
 */
import { TicketStatus, type CreateTicketBody, type ModelSettingsInput, type Ticket, type TicketHistory, type TicketHistoryEntry, type TicketList, type TicketTask, type TicketType } from '@specline/protocol';
import { and, asc, count, desc, eq, inArray, isNotNull, isNull, sql, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { Queryable, Tx } from '../store/db';
import { projectMembers, tasks, tickets, users } from '../store/schema';
import { requireProjectMember, requireTicketAccess, type TicketRow } from './access';
import { asPriority, iso, oneOf, pageAnswer, type Page } from './dto';
import { idempotent, type StoredAnswer } from './idempotency';
import { newId } from './ids';
import { startRunSafely, type RunDeps } from './specRuns';
import { insertSpec } from './specs';

export type CreateTicketInput = z.output<typeof CreateTicketBody> & { model_settings?: ModelSettingsInput | undefined };
type TaskRow = typeof tasks.$inferSelect;

export function ticketDto(row: TicketRow): Ticket {
  return {
    id: row.id,
    title: row.title,
    description: row.description,
    status: oneOf(row.status, TicketStatus.options, 'backlog'),
    priority: asPriority(row.priority),
    phase_id: row.phaseId,
    project_id: row.projectId,
    workflow_mode: oneOf(row.workflowMode, ['quick', 'spec_driven'], 'quick'),
    spec_id: row.specId,
    local_id: row.localId,
    approval_status: row.approvalStatus,
    is_blocked: row.blockedAt !== null,
    blocked_reason: row.blockedReason,
    blocked_at: row.blockedAt ? iso(row.blockedAt) : null,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

function taskDto(row: TaskRow): TicketTask {
  return {
    id: row.id,
    ticket_id: row.ticketId,
    local_id: row.localId,
    title: row.title,
    description: row.description,
    status: row.status,
    priority: asPriority(row.priority),
    estimated_hours: row.estimatedHours,
    dependencies: row.dependencies,
    created_at: iso(row.createdAt),
  };
}

async function insertTicket(tx: Tx, userId: string, body: CreateTicketInput): Promise<Ticket> {
  await requireProjectMember(tx, body.project_id, userId);
  const ticketId = newId.ticket();
  let specId: string | null = null;
  if (body.workflow_mode === 'spec_driven') {
    const spec = await insertSpec(tx, {
      projectId: body.project_id,
      userId,
      title: body.title,
      description: body.description,
      status: 'executing',
      currentPhase: 'explore',
      specContext: { source_ticket_id: ticketId, workflow_mode: body.workflow_mode },
    });
    specId = spec.id;
  }
  const [row] = await tx
    .insert(tickets)
    .values({
      id: ticketId,
      projectId: body.project_id,
      specId,
      title: body.title,
      description: body.description,
      priority: body.priority,
      workflowMode: body.workflow_mode,
      ...(body.phase_id ? { phaseId: body.phase_id } : {}),
      createdBy: userId,
    })
    .returning();
  if (!row) throw new Error('insert returned no row');
  return ticketDto(row);
}

/** `POST /tickets`, idempotent under `Idempotency-Key`. A replay neither creates nor launches anything. */
export async function createTicket(deps: RunDeps, userId: string, body: CreateTicketInput, idempotencyKey: string | undefined): Promise<StoredAnswer<Ticket>> {
  const answer = await idempotent<Ticket>(deps.db, { userId, route: 'POST /api/v1/tickets', key: idempotencyKey, body }, async (tx) => ({
    status: 201,
    body: await insertTicket(tx, userId, body),
  }));
  if (!answer.replayed && answer.body.spec_id) await startRunSafely(deps, answer.body.spec_id, { userId, modelSettings: body.model_settings });
  return answer;
}

export async function listTickets(
  db: Queryable,
  userId: string,
  query: Page & { project_id?: string | undefined; status?: string | undefined; spec_id?: string | undefined; type?: TicketType | undefined },
): Promise<TicketList> {
  const filters: SQL[] = [eq(projectMembers.userId, userId)];
  if (query.project_id) filters.push(eq(tickets.projectId, query.project_id));
  if (query.status) filters.push(eq(tickets.status, query.status));
  if (query.spec_id) filters.push(eq(tickets.specId, query.spec_id));
  if (query.type) filters.push(typeFilter(query.type));
  const where = and(...filters);
  const mine = eq(projectMembers.projectId, tickets.projectId);
  const rows = await db
    .select({ ticket: tickets })
    .from(tickets)
    .innerJoin(projectMembers, mine)
    .where(where)
    // Newest first; the tickets one SYNC made together (same instant) in their own order, TKT-001 first.
    .orderBy(desc(tickets.createdAt), asc(sql`${tickets.localId} is null`), asc(tickets.localId), desc(tickets.id))
    .limit(query.limit)
    .offset(query.offset);
  const [total] = await db.select({ n: count() }).from(tickets).innerJoin(projectMembers, mine).where(where);
  return { tickets: rows.map((r) => ticketDto(r.ticket)), ...pageAnswer(total?.n ?? 0, query, rows.length) };
}

/** `type=`: `generated` tickets are SYNC's (a `local_id`); `quick` and `spec_driven` are the others by workflow mode. */
function typeFilter(type: TicketType): SQL {
  if (type === 'generated') return isNotNull(tickets.localId);
  return and(isNull(tickets.localId), eq(tickets.workflowMode, type)) ?? sql`false`;
}

export async function getTicket(db: Queryable, ticketId: string, userId: string): Promise<Ticket> {
  return ticketDto(await requireTicketAccess(db, ticketId, userId));
}

export async function listTicketTasks(db: Queryable, ticketId: string, userId: string): Promise<TicketTask[]> {
  await requireTicketAccess(db, ticketId, userId);
  const rows = await db.select().from(tasks).where(eq(tasks.ticketId, ticketId)).orderBy(asc(tasks.localId), asc(tasks.createdAt), asc(tasks.id));
  return rows.map(taskDto);
}

/** Tickets whose `spec_id` is this spec (the caller has checked access to the spec). */
export async function ticketsOfSpec(db: Queryable, specId: string): Promise<Ticket[]> {
  const rows = await db.select().from(tickets).where(eq(tickets.specId, specId)).orderBy(asc(tickets.localId), asc(tickets.createdAt), asc(tickets.id));
  return rows.map(ticketDto);
}

/**
 * `GET /tickets/{id}/history`: what the ticket's row records, oldest first: its creation (by hand, with its
 * spec run, or by a spec's SYNC), its review (approved or rejected, by whom, why), its block, and its last
 * change. Status moves before the last are not recorded one by one.
 */
export async function ticketHistory(db: Queryable, ticketId: string, userId: string): Promise<TicketHistory> {
  const row = await requireTicketAccess(db, ticketId, userId);
  const ids = [row.createdBy, row.reviewedBy].filter((v): v is string => v !== null);
  const names = new Map((ids.length ? await db.select({ id: users.id, name: users.name }).from(users).where(inArray(users.id, ids)) : []).map((u) => [u.id, u.name]));
  const nameOf = (id: string | null) => (id ? (names.get(id) ?? null) : null);
  const entries: TicketHistoryEntry[] = [];
  if (row.localId) entries.push({ at: iso(row.createdAt), kind: 'generated', summary: `Created as ${row.localId} by the spec's SYNC phase`, by: nameOf(row.createdBy) });
  else if (row.workflowMode === 'spec_driven') entries.push({ at: iso(row.createdAt), kind: 'created', summary: 'Created with a spec run', by: nameOf(row.createdBy) });
  else entries.push({ at: iso(row.createdAt), kind: 'created', summary: 'Created', by: nameOf(row.createdBy) });
  if (row.reviewedAt) {
    const rejected = row.approvalStatus === 'rejected';
    entries.push({
      at: iso(row.reviewedAt),
      kind: rejected ? 'rejected' : 'approved',
      summary: rejected ? `Rejected${row.rejectionReason ? `: ${row.rejectionReason}` : ''}` : 'Approved',
      by: nameOf(row.reviewedBy),
    });
  }
  if (row.blockedAt) entries.push({ at: iso(row.blockedAt), kind: 'blocked', summary: `Blocked${row.blockedReason ? ` (${row.blockedReason.replace(/_/g, ' ')})` : ''}`, by: null });
  const last = Math.max(row.createdAt.getTime(), row.reviewedAt?.getTime() ?? 0, row.blockedAt?.getTime() ?? 0);
  if (row.updatedAt.getTime() > last + 1000) entries.push({ at: iso(row.updatedAt), kind: 'updated', summary: `Last changed; status ${row.status.replace(/_/g, ' ')}`, by: null });
  entries.sort((a, b) => a.at.localeCompare(b.at));
  return { ticket_id: row.id, entries };
}
