/**
 * The demo account created on first start (`DEMO_USER=true`), so a fresh install can be tried at once.
 * Its "Demo project" points at the shipped sample application (`launcher/exampleRepo.ts`), so the first
 * run plans against a real code base; an existing demo project without a repository gets it on start.
 */
import { and, eq, isNull, sql } from 'drizzle-orm';
import type { Db } from '../store/db';
import { projectMembers, projects } from '../store/schema';
import { newId } from './ids';
import { createUser, findUserByEmail, type UserRow } from './users';
import { AppError } from '../http/errors';

export const DEMO_EMAIL = 'demo@specline.local';
export const DEMO_PASSWORD = 'specline-demo';
export const DEMO_PROJECT_NAME = 'Demo project';

export interface DemoAccount {
  user: UserRow;
  project: typeof projects.$inferSelect;
  /** True when this call created the user (first start). */
  created: boolean;
}

export interface DemoOptions {
  /** The example repository the demo project explores (null: none could be made). */
  repoUrl?: string | null;
}

/** Creates the demo user and its "Demo project" when absent; returns them either way. Safe to call on every start. */
export async function ensureDemoUser(db: Db, options: DemoOptions = {}): Promise<DemoAccount> {
  const repoUrl = options.repoUrl ?? null;
  let user = await findUserByEmail(db, DEMO_EMAIL);
  let created = false;
  if (!user) {
    try {
      user = await createUser(db, { email: DEMO_EMAIL, password: DEMO_PASSWORD, name: 'Demo' });
      created = true;
    } catch (error) {
      // Another process created it between the lookup and the insert.
      if (!(error instanceof AppError && error.code === 'email_taken')) throw error;
      user = await findUserByEmail(db, DEMO_EMAIL);
      if (!user) throw error;
    }
  }
  const owner = user;
  const project = await db.transaction(async (tx) => {
    const [existing] = await tx
      .select({ project: projects })
      .from(projects)
      .innerJoin(projectMembers, and(eq(projectMembers.projectId, projects.id), eq(projectMembers.userId, owner.id)))
      .where(eq(projects.name, DEMO_PROJECT_NAME))
      .limit(1);
    if (existing) {
      if (!repoUrl || existing.project.repoUrl !== null) return existing.project;
      // A demo project made before it had a repository (or whose repository was removed): connect it.
      const [updated] = await tx
        .update(projects)
        .set({ repoUrl, repoRef: null, updatedAt: sql`now()` })
        .where(and(eq(projects.id, existing.project.id), isNull(projects.repoUrl)))
        .returning();
      return updated ?? existing.project;
    }
    const [row] = await tx.insert(projects).values({ id: newId.project(), name: DEMO_PROJECT_NAME, createdBy: owner.id, repoUrl }).returning();
    if (!row) throw new Error('insert returned no row');
    await tx.insert(projectMembers).values({ projectId: row.id, userId: owner.id, role: 'owner' });
    return row;
  });
  return { user: owner, project, created };
}
