/**
 * Tenancy: every project-scoped read or write goes through these. A stranger gets `not_found`, so the
 * existence of another tenant's resource is never revealed.
 */
import { and, eq } from 'drizzle-orm';
import type { Queryable } from '../store/db';
import { projectMembers, specs, tickets } from '../store/schema';
import { AppError, notFound } from '../http/errors';

export type Role = 'owner' | 'member';

export async function requireProjectMember(db: Queryable, projectId: string, userId: string, needed: Role = 'member'): Promise<Role> {
  const [row] = await db
    .select({ role: projectMembers.role })
    .from(projectMembers)
    .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, userId)))
    .limit(1);
  if (!row) throw notFound('project');
  if (needed === 'owner' && row.role !== 'owner') throw new AppError('forbidden', 'only the project owner can do this');
  return row.role;
}

export type SpecRow = typeof specs.$inferSelect;

/** Loads a spec the user may see (member of its project), or throws `not_found`. */
export async function requireSpecAccess(db: Queryable, specId: string, userId: string): Promise<SpecRow> {
  const [row] = await db
    .select({ spec: specs })
    .from(specs)
    .innerJoin(projectMembers, and(eq(projectMembers.projectId, specs.projectId), eq(projectMembers.userId, userId)))
    .where(eq(specs.id, specId))
    .limit(1);
  if (!row) throw notFound('spec');
  return row.spec;
}

export type TicketRow = typeof tickets.$inferSelect;

export async function requireTicketAccess(db: Queryable, ticketId: string, userId: string): Promise<TicketRow> {
  const [row] = await db
    .select({ ticket: tickets })
    .from(tickets)
    .innerJoin(projectMembers, and(eq(projectMembers.projectId, tickets.projectId), eq(projectMembers.userId, userId)))
    .where(eq(tickets.id, ticketId))
    .limit(1);
  if (!row) throw notFound('ticket');
  return row.ticket;
}
