/**
 * Projects and their members. The creator is the owner; only owners manage members and change the
 * project (name, repository, model settings). The repository URL is checked against the server's
 * policy (`repoUrls.ts`) and shown without credentials; the model API key is sealed at rest and
 * write-only: reads say only whether one is set and its last four characters.
 */
import type { CreateProjectBody, Project, ProjectMember, ProjectRole, UpdateProjectBody } from '@specline/protocol';
import { and, count, desc, eq, sql } from 'drizzle-orm';
import { AppError, notFound } from '../http/errors';
import type { Db, Queryable } from '../store/db';
import { projectMembers, projects, users } from '../store/schema';
import { requireProjectMember } from './access';
import { iso, isUniqueViolation, pageAnswer, type Page } from './dto';
import { newId } from './ids';
import { modelColumnsFrom, modelSettingsDto } from './modelSettings';
import { checkRepoRef, checkRepoUrl, redactUrl, type RepoPolicy } from './repoUrls';
import type { SecretBox } from './secretBox';
import { findUserByEmail } from './users';

type ProjectRow = typeof projects.$inferSelect;

export interface ProjectDeps {
  db: Db;
  secrets: SecretBox;
  repoPolicy: RepoPolicy;
}

export function projectDto(row: ProjectRow, role: ProjectRole): Project {
  const settings = modelSettingsDto(row);
  return {
    id: row.id,
    name: row.name,
    created_by: row.createdBy,
    role,
    repo_url: row.repoUrl === null ? null : redactUrl(row.repoUrl),
    repo_ref: row.repoRef,
    model_settings: { ...settings, base_url: settings.base_url === null ? null : redactUrl(settings.base_url) },
    approval_mode: row.approvalMode === 'review' ? 'review' : 'auto',
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

/** The repository columns of a write, checked (nothing is stored when one is refused). */
function repoColumns(input: { repo_url?: string | null | undefined; repo_ref?: string | null | undefined }, current: { repoUrl: string | null; repoRef: string | null }, policy: RepoPolicy): Partial<Pick<ProjectRow, 'repoUrl' | 'repoRef'>> {
  const out: Partial<Pick<ProjectRow, 'repoUrl' | 'repoRef'>> = {};
  if (input.repo_url !== undefined) {
    if (input.repo_url !== null) checkRepoUrl(input.repo_url, policy);
    out.repoUrl = input.repo_url === null ? null : input.repo_url.trim();
    // Disconnecting the repository forgets its ref too, unless the same write sets one (refused below).
    if (input.repo_url === null && input.repo_ref === undefined) out.repoRef = null;
  }
  if (input.repo_ref !== undefined) out.repoRef = input.repo_ref === null ? null : checkRepoRef(input.repo_ref);
  const url = out.repoUrl !== undefined ? out.repoUrl : current.repoUrl;
  const ref = out.repoRef !== undefined ? out.repoRef : current.repoRef;
  if (url === null && ref !== null) {
    throw new AppError('validation_failed', 'invalid repo_ref: a ref needs a repository (repo_url)', { errors: [{ path: 'body.repo_ref', message: 'set repo_url too, or leave repo_ref out' }] });
  }
  return out;
}

export async function createProject(deps: ProjectDeps, userId: string, body: CreateProjectBody): Promise<Project> {
  const id = newId.project();
  const repo = repoColumns(body, { repoUrl: null, repoRef: null }, deps.repoPolicy);
  const model = modelColumnsFrom(body.model_settings, id, deps.secrets);
  return deps.db.transaction(async (tx) => {
    const [row] = await tx
      .insert(projects)
      .values({ id, name: body.name.trim(), createdBy: userId, ...repo, ...model, ...(body.approval_mode ? { approvalMode: body.approval_mode } : {}) })
      .returning();
    if (!row) throw new Error('insert returned no row');
    await tx.insert(projectMembers).values({ projectId: row.id, userId, role: 'owner' });
    return projectDto(row, 'owner');
  });
}

/** `PATCH /projects/{id}` (owner only): any subset of name, repository and model settings; `null` clears. */
export async function updateProject(deps: ProjectDeps, projectId: string, userId: string, body: UpdateProjectBody): Promise<Project> {
  return deps.db.transaction(async (tx) => {
    const role = await requireProjectMember(tx, projectId, userId, 'owner');
    const [current] = await tx.select().from(projects).where(eq(projects.id, projectId)).for('update');
    if (!current) throw notFound('project');
    const changes = {
      ...(body.name !== undefined ? { name: body.name.trim() } : {}),
      ...repoColumns(body, current, deps.repoPolicy),
      ...modelColumnsFrom(body.model_settings, projectId, deps.secrets),
      ...(body.approval_mode !== undefined ? { approvalMode: body.approval_mode } : {}),
    };
    if (Object.keys(changes).length === 0) return projectDto(current, role);
    const [row] = await tx.update(projects).set({ ...changes, updatedAt: sql`now()` }).where(eq(projects.id, projectId)).returning();
    if (!row) throw notFound('project');
    return projectDto(row, role);
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

/** The member's row, locked for the change (404 when they are not a member). */
async function lockMember(tx: Queryable, projectId: string, memberId: string): Promise<{ role: ProjectRole }> {
  const [target] = await tx
    .select({ role: projectMembers.role })
    .from(projectMembers)
    .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, memberId)))
    .for('update');
  if (!target) throw notFound('member');
  return target;
}

/** 409 `conflict` with `message` when the project has only one owner (the owners' rows locked meanwhile). */
async function refuseLastOwner(tx: Queryable, projectId: string, message: string): Promise<void> {
  const owners = await tx
    .select({ userId: projectMembers.userId })
    .from(projectMembers)
    .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.role, 'owner')))
    .for('update');
  if (owners.length <= 1) throw new AppError('conflict', message);
}

/** Removes a member (owner only). The last owner cannot be removed: the project would be unmanageable. */
export async function removeMember(db: Db, projectId: string, ownerId: string, memberId: string): Promise<void> {
  await db.transaction(async (tx) => {
    await requireProjectMember(tx, projectId, ownerId, 'owner');
    const target = await lockMember(tx, projectId, memberId);
    if (target.role === 'owner') {
      await refuseLastOwner(tx, projectId, 'the last owner of a project cannot be removed');
    }
    await tx.delete(projectMembers).where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, memberId)));
  });
}

/**
 * Changes a member's role (owner only). The last owner cannot become a plain member (409 `conflict`):
 * the project would be unmanageable, the same rule as removal.
 */
export async function updateMemberRole(db: Db, projectId: string, ownerId: string, memberId: string, role: ProjectRole): Promise<ProjectMember> {
  return db.transaction(async (tx) => {
    await requireProjectMember(tx, projectId, ownerId, 'owner');
    const target = await lockMember(tx, projectId, memberId);
    if (target.role === 'owner' && role !== 'owner') {
      await refuseLastOwner(tx, projectId, 'the last owner of a project cannot become a member; make someone else an owner first');
    }
    await tx.update(projectMembers).set({ role }).where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, memberId)));
    const [row] = await tx
      .select({ userId: users.id, email: users.email, name: users.name, role: projectMembers.role, addedAt: projectMembers.addedAt })
      .from(projectMembers)
      .innerJoin(users, eq(users.id, projectMembers.userId))
      .where(and(eq(projectMembers.projectId, projectId), eq(projectMembers.userId, memberId)));
    if (!row) throw notFound('member');
    return { user_id: row.userId, email: row.email, name: row.name, role: row.role, added_at: iso(row.addedAt) };
  });
}
