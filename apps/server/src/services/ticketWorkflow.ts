/**
 * The ticket workflow the original client drives: status transitions, the blocked overlay, the review
 * of `pending_review` tickets, and the ticket's context. Every call is checked against the caller's
 * membership (the original checked none) and runs in one transaction with the ticket row locked.
 *
 * Statuses are Specline's (`backlog → todo → in_progress → done`, `cancelled`); the original Kanban
 * names are accepted as aliases and kept in `phase_id` (`testing` → status `in_progress`, phase
 * `PHASE_TESTING`). The rules, minus the original's bugs:
 * - allowed: backlog → todo | in_progress | cancelled; todo → in_progress | backlog | cancelled;
 *   in_progress → done | todo (back for a fix) | cancelled; cancelled → backlog (reopen); done is final.
 *   Moving to the status a ticket has is a no-op (200), so the aliases' finer stages can follow each other.
 * - a blocked ticket moves nowhere until unblocked (the original let "unblocking" jump to any stage);
 *   a ticket pending review or rejected moves nowhere either.
 * - `force` (skip the rules, not the blocked or review checks) is for project owners only; the status
 *   must still be a known one (the original stored any text).
 * - blocking a done or cancelled ticket is 409, not a silent no-op; blocking twice keeps the first block.
 * - approve / reject need `pending_review` (409 otherwise) and record who reviewed it (the original
 *   recorded "api_user"); the pending count covers only the caller's projects (the original counted all).
 */
import {
  TICKET_STATUS_ALIASES,
  type PendingReviewCount,
  type Ticket,
  type TicketApprovalResponse,
  type TicketContextResponse,
  type TicketStatus,
} from '@specline/protocol';
import { and, count, eq } from 'drizzle-orm';
import { AppError, notFound } from '../http/errors';
import type { Db, Queryable, Tx } from '../store/db';
import { projectMembers, tickets } from '../store/schema';
import { requireProjectMember, requireTicketAccess, type TicketRow } from './access';
import { isoOrNull } from './dto';
import { ticketDto } from './tickets';

const ALLOWED: Record<TicketStatus, readonly TicketStatus[]> = {
  backlog: ['todo', 'in_progress', 'cancelled'],
  todo: ['in_progress', 'backlog', 'cancelled'],
  in_progress: ['done', 'todo', 'cancelled'],
  done: [],
  cancelled: ['backlog'],
};

/** `phase_id` of each status name (the original's mapping; Specline's names map to their alias's phase). */
const PHASE_OF: Record<string, string | null> = {
  backlog: 'PHASE_BACKLOG',
  todo: 'PHASE_REQUIREMENTS',
  analyzing: 'PHASE_REQUIREMENTS',
  in_progress: 'PHASE_IMPLEMENTATION',
  building: 'PHASE_IMPLEMENTATION',
  'building-done': 'PHASE_DEPLOYMENT',
  testing: 'PHASE_TESTING',
  done: 'PHASE_DONE',
  cancelled: null,
};

export function statusOf(name: string): TicketStatus {
  return (TICKET_STATUS_ALIASES as Record<string, TicketStatus>)[name] ?? (name as TicketStatus);
}

/** The ticket the user may see, locked for the change (404 for a stranger). */
async function lockTicket(tx: Tx, ticketId: string, userId: string): Promise<TicketRow> {
  await requireTicketAccess(tx, ticketId, userId);
  const [row] = await tx.select().from(tickets).where(eq(tickets.id, ticketId)).for('update');
  if (!row) throw notFound('ticket');
  return row;
}

function requireReviewed(row: TicketRow, what: string): void {
  if (row.approvalStatus === 'pending_review') throw new AppError('conflict', `ticket ${row.id} is pending review: approve it (POST /api/v1/tickets/approve) before you ${what}`);
  if (row.approvalStatus === 'rejected') throw new AppError('conflict', `ticket ${row.id} was rejected${row.rejectionReason ? ` (${row.rejectionReason})` : ''}: it cannot ${what}`);
}

async function save(tx: Tx, id: string, set: Partial<typeof tickets.$inferInsert>): Promise<Ticket> {
  const [row] = await tx.update(tickets).set({ ...set, updatedAt: new Date() }).where(eq(tickets.id, id)).returning();
  if (!row) throw notFound('ticket');
  return ticketDto(row);
}

export function transitionTicket(db: Db, ticketId: string, userId: string, body: { to_status: string; reason?: string | null | undefined; force: boolean }): Promise<Ticket> {
  return db.transaction(async (tx) => {
    const row = await lockTicket(tx, ticketId, userId);
    const to = statusOf(body.to_status);
    const from = ALLOWED[row.status as TicketStatus] ? (row.status as TicketStatus) : 'backlog';
    if (row.blockedAt) throw new AppError('conflict', `ticket ${ticketId} is blocked (${row.blockedReason ?? 'no reason given'}): unblock it (POST /api/v1/tickets/${ticketId}/unblock) before moving it`);
    requireReviewed(row, 'move');
    if (body.force) await requireProjectMember(tx, row.projectId, userId, 'owner');
    if (to !== from && !body.force && !ALLOWED[from].includes(to)) {
      const next = ALLOWED[from];
      throw new AppError('conflict', `a ${from} ticket cannot move to ${body.to_status}${to !== body.to_status ? ` (${to})` : ''}; from ${from} it can move to ${next.length ? next.join(', ') : 'nothing (it is final)'}`, {
        errors: [{ path: 'body.to_status', message: `not allowed from ${from}` }],
      });
    }
    const phase = PHASE_OF[body.to_status];
    return save(tx, ticketId, { status: to, ...(phase ? { phaseId: phase } : {}) });
  });
}

export function blockTicket(db: Db, ticketId: string, userId: string, query: { blocker_type: string; suggested_remediation?: string | undefined }): Promise<Ticket> {
  return db.transaction(async (tx) => {
    const row = await lockTicket(tx, ticketId, userId);
    if (row.status === 'done' || row.status === 'cancelled') throw new AppError('conflict', `ticket ${ticketId} is ${row.status}: there is nothing left to block`);
    if (row.blockedAt) return ticketDto(row); // blocked already: the first block stands
    return save(tx, ticketId, { blockedReason: query.blocker_type, blockedAt: new Date(), suggestedRemediation: query.suggested_remediation ?? null });
  });
}

export function unblockTicket(db: Db, ticketId: string, userId: string): Promise<Ticket> {
  return db.transaction(async (tx) => {
    const row = await lockTicket(tx, ticketId, userId);
    if (!row.blockedAt) return ticketDto(row);
    return save(tx, ticketId, { blockedReason: null, blockedAt: null, suggestedRemediation: null });
  });
}

function review(db: Db, ticketId: string, userId: string, outcome: 'approved' | 'rejected', reason?: string): Promise<TicketApprovalResponse> {
  return db.transaction(async (tx) => {
    const row = await lockTicket(tx, ticketId, userId);
    if (row.approvalStatus !== 'pending_review') {
      throw new AppError('conflict', `ticket ${ticketId} is not pending review (its approval status is ${row.approvalStatus}); nothing to ${outcome === 'approved' ? 'approve' : 'reject'}`);
    }
    await save(tx, ticketId, { approvalStatus: outcome, reviewedBy: userId, reviewedAt: new Date(), rejectionReason: reason ?? null });
    return { ticket_id: ticketId, status: outcome };
  });
}

export const approveTicket = (db: Db, ticketId: string, userId: string) => review(db, ticketId, userId, 'approved');
export const rejectTicket = (db: Db, ticketId: string, userId: string, reason: string) => review(db, ticketId, userId, 'rejected', reason);

export async function pendingReviewCount(db: Queryable, userId: string): Promise<PendingReviewCount> {
  const [row] = await db
    .select({ n: count() })
    .from(tickets)
    .innerJoin(projectMembers, and(eq(projectMembers.projectId, tickets.projectId), eq(projectMembers.userId, userId)))
    .where(eq(tickets.approvalStatus, 'pending_review'));
  return { pending_count: row?.n ?? 0 };
}

export async function ticketContext(db: Queryable, ticketId: string, userId: string): Promise<TicketContextResponse> {
  const row = await requireTicketAccess(db, ticketId, userId);
  return {
    ticket_id: row.id,
    full_context: {
      workflow_mode: row.workflowMode,
      spec_id: row.specId,
      local_id: row.localId,
      status: row.status,
      phase_id: row.phaseId,
      approval_status: row.approvalStatus,
      blocked: row.blockedAt ? { blocker_type: row.blockedReason, suggested_remediation: row.suggestedRemediation, blocked_at: isoOrNull(row.blockedAt) } : null,
      review: row.reviewedAt ? { reviewed_by: row.reviewedBy, reviewed_at: isoOrNull(row.reviewedAt), rejection_reason: row.rejectionReason } : null,
    },
    summary: null,
  };
}
