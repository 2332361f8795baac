/** Projects and their members. The creator is the owner; only owners manage members. */
import type { Project, ProjectMember, ProjectRole } from '@specline/protocol';
import { and, count, desc, eq } from 'drizzle-orm';
import { AppError, notFound } from '../http/errors';
import type { Db, Queryable } from '../store/db';
import { projectMembers, projects, users } from '../store/schema';
import { requireProjectMember } from './access';
import { iso, isUniqueViolation, pageAnswer, type Page } from './dto';
import { newId } from './ids';
import { findUserByEmail } from './users';

type ProjectRow = typeof projects.$inferSelect;

function projectDto(row: ProjectRow, role: ProjectRole): Project {
  return {
    id: row.id,
    name: row.name,
    created_by: row.createdBy,
    role,
    repo_url: null,
    repo_ref: null,
    model_settings: { executor: null, model: null, base_url: null, api_key_set: false, api_key_last4: null },
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

export async function createProject(db: Db, userId: string, name: string): Promise<Project> {
  return db.transaction(async (tx) => {
    const [row] = await tx.insert(projects).values({ id: newId.project(), name: name.trim(), createdBy: userId }).returning();
    if (!row) throw new Error('insert returned no row');
    await tx.insert(projectMembers).values({ projectId: row.id, userId, role: 'owner' });
    return projectDto(row, 'owner');
  });
}

export async function listProjects(db: Queryable, userId: string, page: Page): Promise<{ projects: Project[]; total: number; has_more: boolean }> {
  const mine = eq(projectMembers.userId, userId);
  const rows = await db
    .select({ project: projects, role: projectMembers.role })
    .from(projectMembers)
    .innerJoin(projects, eq(projects.id, projectMembers.projectId))
    .where(mine)
    .orderBy(desc(projects.createdAt), projects.id)
    .limit(page.limit)
    .offset(page.offset);
  const [total] = await db.select({ n: count() }).from(projectMembers).where(mine);
  const n = total?.n ?? 0;
  return { projects: rows.map((r) => projectDto(r.project, r.role)), ...pageAnswer(n, page, rows.length) };
}

export async function getProject(db: Queryable, projectId: string, userId: string): Promise<Project> {
  const role = await requireProjectMember(db, projectId, userId);
  const [row] = await db.select().from(projects).where(eq(projects.id, projectId)).limit(1);
  if (!row) throw notFound('project');
  return projectDto(row, role);
}

export async function listMembers(db: Queryable, projectId: string, userId: string): Promise<ProjectMember[]> {
  await requireProjectMember(db, projectId, userId);
  const rows = await db
    .select({ userId: users.id, email: users.email, name: users.name, role: projectMembers.role, addedAt: projectMembers.addedAt })
    .from(projectMembers)
    .innerJoin(users, eq(users.id, projectMembers.userId))
    .where(eq(projectMembers.projectId, projectId))
    .orderBy(projectMembers.addedAt, users.email);
  return rows.map((r) => ({ user_id: r.userId, email: r.email, name: r.name, role: r.role, added_at: iso(r.addedAt) }));
}

/**
 * Adds a registered user by email (owner only). An email with no account is a bad input, not a missing
 * resource: `validation_failed` on `body.email` (422), so a 404 keeps meaning "no such project".
 */
export async function addMember(db: Queryable, projectId: string, ownerId: string, email: string, role: ProjectRole): Promise<ProjectMember> {
  await requireProjectMember(db, projectId, ownerId, 'owner');
  const user = await findUserByEmail(db, email);
  if (!user) {
    throw new AppError('validation_failed', `no account uses the email ${email}; they must register first`, {
      errors: [{ path: 'body.email', message: 'no account with this email' }],
    });
  }
  try {
    const [row] = await db.insert(projectMembers).values({ projectId, userId: user.id, role }).returning();
    if (!row) throw new Error('insert returned no row');
    return { user_id: user.id, email: user.email, name: user.name, role: row.role, added_at: iso(row.addedAt) };
  } catch (error) {
    if (isUniqueViolation(error)) throw new AppError('conflict', `${user.email} is already a member of this project`);
    throw error;
  }
}

/** Removes a member (owner only). The last owner cannot be removed: the project would be unmanageable. */
export async function removeMember(db: Db, projectId: string, ownerId: string, memberId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await requireProjectMember(tx, projectId, ownerId, 'owner');
    const [target] = await tx
      .select({ role: projectMembers.role })
      .from(projectMembers)
      .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, memberId)))
      .for('update');
    if (!target) throw notFound('member');
    if (target.role === 'owner') {
      const owners = await tx
        .select({ userId: projectMembers.userId })
        .from(projectMembers)
        .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.role, 'owner')))
        .for('update');
      if (owners.length <= 1) throw new AppError('conflict', 'the last owner of a project cannot be removed');
    }
    await tx.delete(projectMembers).where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, memberId)));
  });
}
