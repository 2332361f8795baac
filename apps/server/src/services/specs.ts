/** Specs: create, list, read, edit title/description, archive, approvals, versions. Every change records a version. */
import type { Spec, SpecList, SpecVersion } from '@specline/protocol';
import { and, count, desc, eq, sql, type SQL } from 'drizzle-orm';
import { AppError } from '../http/errors';
import type { Db, Queryable, Tx } from '../store/db';
import { specRequirements, specVersions, specs } from '../store/schema';
import { requireProjectMember, requireSpecAccess } from './access';
import { iso, pageAnswer, type Page } from './dto';
import { newId } from './ids';
import { linkedTicketCounts, specDto, specSummaryDto, type SpecRow } from './specView';
import { recordVersion } from './versions';

export interface NewSpec {
  projectId: string;
  userId: string;
  title: string;
  description: string;
  /** Defaults: a `draft` with no phase reached. */
  status?: 'draft' | 'executing';
  currentPhase?: 'explore' | null;
  specContext?: Record<string, unknown> | null;
}

/** Inserts a spec and its `created` version; the caller has checked membership and owns the transaction. */
export async function insertSpec(tx: Tx, input: NewSpec): Promise<SpecRow> {
  const [row] = await tx
    .insert(specs)
    .values({
      id: newId.spec(),
      projectId: input.projectId,
      userId: input.userId,
      title: input.title.trim(),
      description: input.description,
      status: input.status ?? 'draft',
      currentPhase: input.currentPhase ?? null,
      specContext: input.specContext ?? null,
    })
    .returning();
  if (!row) throw new Error('insert returned no row');
  await recordVersion(tx, { specId: row.id, changeType: 'created', changeSummary: `Spec "${row.title}" created`, createdBy: input.userId, changeDetails: input.specContext ?? null });
  return row;
}

export async function createSpec(db: Db, userId: string, body: { title: string; description: string; project_id: string }): Promise<Spec> {
  return db.transaction(async (tx) => {
    await requireProjectMember(tx, body.project_id, userId);
    const row = await insertSpec(tx, { projectId: body.project_id, userId, title: body.title, description: body.description });
    return specDto(tx, row);
  });
}

export async function listSpecs(
  db: Queryable,
  userId: string,
  projectId: string,
  query: Page & { status?: string | undefined; include_archived: boolean; archived?: boolean | undefined },
): Promise<SpecList> {
  await requireProjectMember(db, projectId, userId);
  const filters: SQL[] = [eq(specs.projectId, projectId)];
  if (query.archived !== undefined) filters.push(eq(specs.archived, query.archived));
  else if (!query.include_archived) filters.push(eq(specs.archived, false));
  if (query.status) filters.push(eq(specs.status, query.status));
  const where = and(...filters);
  const rows = await db.select().from(specs).where(where).orderBy(desc(specs.updatedAt), desc(specs.id)).limit(query.limit).offset(query.offset);
  const [total] = await db.select({ n: count() }).from(specs).where(where);
  const counts = await linkedTicketCounts(db, rows.map((r) => r.id));
  return { specs: rows.map((r) => specSummaryDto(r, counts.get(r.id) ?? 0)), ...pageAnswer(total?.n ?? 0, query, rows.length) };
}

export async function getSpec(db: Queryable, specId: string, userId: string): Promise<Spec> {
  return specDto(db, await requireSpecAccess(db, specId, userId));
}

/** 409 `conflict` for a write to an archived spec: archived specs are read-only (reads still work). */
export function requireNotArchived(spec: SpecRow): void {
  if (spec.archived) throw new AppError('conflict', `spec ${spec.id} is archived: an archived spec is read-only`);
}

/**
 * Runs a change to one spec in a transaction: checks access, locks the row (changes to one spec are
 * serialised), refuses an archived spec (unless `allowArchived`), runs `change`, and records a version
 * with the summary it returns (none when it answers `changeType: null`: nothing changed).
 */
export async function changeSpec<T>(
  db: Db,
  specId: string,
  userId: string,
  change: (tx: Tx, spec: SpecRow) => Promise<{ result: T; changeType: string | null; summary: string; details?: Record<string, unknown> }>,
  options: { allowArchived?: boolean } = {},
): Promise<T> {
  return db.transaction(async (tx) => {
    await requireSpecAccess(tx, specId, userId);
    const [locked] = await tx.select().from(specs).where(eq(specs.id, specId)).for('update');
    if (!locked) throw new AppError('not_found', 'spec not found');
    if (!options.allowArchived) requireNotArchived(locked);
    const { result, changeType, summary, details } = await change(tx, locked);
    if (changeType === null) return result; // nothing changed: no version
    await tx.update(specs).set({ updatedAt: sql`now()` }).where(eq(specs.id, specId));
    await recordVersion(tx, { specId, changeType, changeSummary: summary, changeDetails: details ?? null, createdBy: userId });
    return result;
  });
}

async function reload(tx: Tx, specId: string): Promise<Spec> {
  const [row] = await tx.select().from(specs).where(eq(specs.id, specId));
  if (!row) throw new AppError('not_found', 'spec not found');
  return specDto(tx, row);
}

export function updateSpec(db: Db, specId: string, userId: string, body: { title?: string | undefined; description?: string | undefined }): Promise<Spec> {
  return changeSpec(db, specId, userId, async (tx, spec) => {
    const set: Partial<typeof specs.$inferInsert> = {};
    if (body.title !== undefined) set.title = body.title;
    if (body.description !== undefined) set.description = body.description;
    if (Object.keys(set).length > 0) await tx.update(specs).set(set).where(eq(specs.id, specId));
    const changed = Object.keys(set);
    return {
      result: await reload(tx, specId),
      changeType: changed.length ? 'updated' : null,
      summary: `Updated ${changed.join(' and ')}`,
      details: { before: { title: spec.title, description: spec.description }, after: body },
    };
  });
}

export function archiveSpec(db: Db, specId: string, userId: string): Promise<{ message: string }> {
  return changeSpec(db, specId, userId, async (tx, spec) => {
    if (spec.archived) return { result: { message: `Spec ${specId} was already archived` }, changeType: null, summary: '' };
    await tx.update(specs).set({ archived: true, archivedAt: sql`now()` }).where(eq(specs.id, specId));
    return { result: { message: `Spec ${specId} archived` }, changeType: 'archived', summary: 'Spec archived' };
  }, { allowArchived: true });
}

/** Approves the requirements: needs at least one, and no run rewriting them. Sets the human phase, not `status`. */
export function approveRequirements(db: Db, specId: string, userId: string): Promise<Spec> {
  return changeSpec(db, specId, userId, async (tx, spec) => {
    if (spec.status === 'executing') throw new AppError('precondition_failed', 'a run is executing; approve the requirements once it has finished');
    const [n] = await tx.select({ n: count() }).from(specRequirements).where(eq(specRequirements.specId, specId));
    if (!n || n.n === 0) throw new AppError('precondition_failed', 'the spec has no requirements to approve');
    await tx.update(specs).set({ requirementsApproved: true, requirementsApprovedAt: sql`now()`, phase: 'Design' }).where(eq(specs.id, specId));
    return { result: await reload(tx, specId), changeType: 'requirements_approved', summary: `Approved ${n.n} requirement(s)` };
  });
}

/** Approves the design: needs approved requirements and a design. Sets the human phase, not `status`. */
export function approveDesign(db: Db, specId: string, userId: string): Promise<Spec> {
  return changeSpec(db, specId, userId, async (tx, spec) => {
    if (!spec.requirementsApproved) throw new AppError('precondition_failed', 'approve the requirements before the design');
    if (!spec.design) throw new AppError('precondition_failed', 'the spec has no design to approve');
    await tx.update(specs).set({ designApproved: true, designApprovedAt: sql`now()`, phase: 'Implementation' }).where(eq(specs.id, specId));
    return { result: await reload(tx, specId), changeType: 'design_approved', summary: 'Design approved' };
  });
}

/** What a person's content edit withdrew: a note for the version (`requirements approval withdrawn: REQ-002 edited`). */
export interface Withdrawal {
  note: string;
  withdrawn: ('requirements' | 'design')[];
}

/**
 * An approval covers what was approved. A person's edit of the requirements or criteria (`scope:
 * 'requirements'`) withdraws the requirements approval and the design approval (the design was approved
 * against them), and the human phase goes back to `Requirements`; an edit of the design withdraws only
 * the design approval (phase back to `Design`). Call inside the change's transaction with the locked
 * row; answers undefined when nothing in scope was approved. Progress (ticking a criterion, a
 * requirement's status) is not content: do not call this for it.
 */
export async function withdrawApprovals(tx: Tx, spec: SpecRow, scope: 'requirements' | 'design', what: string): Promise<Withdrawal | undefined> {
  if (scope === 'requirements') {
    if (!spec.requirementsApproved && !spec.designApproved) return undefined;
    await tx
      .update(specs)
      .set({ requirementsApproved: false, requirementsApprovedAt: null, designApproved: false, designApprovedAt: null, phase: 'Requirements' })
      .where(eq(specs.id, spec.id));
    const withdrawn: Withdrawal['withdrawn'] = [...(spec.requirementsApproved ? (['requirements'] as const) : []), ...(spec.designApproved ? (['design'] as const) : [])];
    return { note: `${withdrawn[0] ?? 'requirements'} approval withdrawn: ${what}`, withdrawn };
  }
  if (!spec.designApproved) return undefined;
  await tx
    .update(specs)
    .set({ designApproved: false, designApprovedAt: null, phase: spec.requirementsApproved ? 'Design' : 'Requirements' })
    .where(eq(specs.id, spec.id));
  return { note: `design approval withdrawn: ${what}`, withdrawn: ['design'] };
}

/** The version summary and details of a change, with the withdrawal (if any) added to both. */
export function withWithdrawal(
  summary: string,
  details: Record<string, unknown> | undefined,
  withdrawal: Withdrawal | undefined,
): { summary: string; details?: Record<string, unknown> } {
  if (!withdrawal) return details ? { summary, details } : { summary };
  const approvals = withdrawal.withdrawn.length > 1 ? `${withdrawal.withdrawn.join(' and ')} approvals` : `${withdrawal.withdrawn.join('')} approval`;
  return { summary: `${summary}; ${approvals} withdrawn`, details: { ...details, approval_withdrawn: withdrawal.note, approvals_withdrawn: withdrawal.withdrawn } };
}

export async function listVersions(db: Queryable, specId: string, userId: string, page: Page): Promise<{ versions: SpecVersion[]; total: number; has_more: boolean }> {
  await requireSpecAccess(db, specId, userId);
  const where = eq(specVersions.specId, specId);
  const rows = await db.select().from(specVersions).where(where).orderBy(desc(specVersions.versionNumber)).limit(page.limit).offset(page.offset);
  const [total] = await db.select({ n: count() }).from(specVersions).where(where);
  return {
    versions: rows.map((r) => ({
      id: r.id,
      spec_id: r.specId,
      version_number: r.versionNumber,
      change_type: r.changeType,
      change_summary: r.changeSummary,
      change_details: r.changeDetails ?? null,
      created_by: r.createdBy,
      created_at: iso(r.createdAt),
    })),
    ...pageAnswer(total?.n ?? 0, page, rows.length),
  };
}
