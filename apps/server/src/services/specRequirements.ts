/**
 * Person edits of requirements, acceptance criteria and the design. Each runs under the spec's row lock,
 * records a version, and stamps `edited_at` so a rerun leaves the edited rows alone.
 */
import type { Criterion, Design, Requirement } from '@specline/protocol';
import { and, asc, eq, sql } from 'drizzle-orm';
import { AppError, notFound } from '../http/errors';
import type { Db, Tx } from '../store/db';
import { specAcceptanceCriteria, specRequirements, specs } from '../store/schema';
import { newId } from './ids';
import { changeSpec } from './specs';
import { criterionDto, designDto, requirementDto, type RequirementRow } from './specView';

export interface RequirementInput {
  title: string;
  condition: string;
  action: string;
  priority: string;
  type: string;
  linked_design?: string | null | undefined;
  acceptance_criteria?: string[] | undefined;
}

export type RequirementPatch = Partial<{
  title: string;
  condition: string;
  action: string;
  priority: string;
  status: string;
  linked_design: string | null;
}>;

/** The EARS sentence from its parts: `WHEN x THE SYSTEM SHALL y`, or just the response when unconditional. */
export const earsText = (condition: string, action: string): string => [condition.trim(), action.trim()].filter(Boolean).join(' ');

async function requireRequirement(tx: Tx, specId: string, reqId: string): Promise<RequirementRow> {
  const [row] = await tx.select().from(specRequirements).where(and(eq(specRequirements.id, reqId), eq(specRequirements.specId, specId)));
  if (!row) throw notFound('requirement');
  return row;
}

async function criteriaOf(tx: Tx, reqId: string) {
  return tx.select().from(specAcceptanceCriteria).where(eq(specAcceptanceCriteria.requirementId, reqId)).orderBy(asc(specAcceptanceCriteria.position), asc(specAcceptanceCriteria.createdAt));
}

async function nextPosition(tx: Tx, table: typeof specRequirements | typeof specAcceptanceCriteria, where: ReturnType<typeof eq>): Promise<number> {
  const [row] = await tx.select({ max: sql<number | null>`max(${table.position})` }).from(table).where(where);
  return row?.max === null || row?.max === undefined ? 0 : Number(row.max) + 1;
}

export function createRequirement(db: Db, specId: string, userId: string, input: RequirementInput): Promise<Requirement> {
  return changeSpec(db, specId, userId, async (tx) => {
    const position = await nextPosition(tx, specRequirements, eq(specRequirements.specId, specId));
    const [row] = await tx
      .insert(specRequirements)
      .values({
        id: newId.requirement(),
        specId,
        title: input.title,
        condition: input.condition,
        action: input.action,
        text: earsText(input.condition, input.action),
        type: input.type,
        priority: input.priority,
        linkedDesign: input.linked_design ?? null,
        position,
        editedAt: sql`now()`,
      })
      .returning();
    if (!row) throw new Error('insert returned no row');
    const texts = input.acceptance_criteria ?? [];
    if (texts.length > 0) {
      await tx.insert(specAcceptanceCriteria).values(texts.map((text, i) => ({ id: newId.criterion(), requirementId: row.id, text, position: i, editedAt: sql`now()` })));
    }
    return {
      result: requirementDto(row, await criteriaOf(tx, row.id)),
      changeType: 'requirement_added',
      summary: `Added requirement "${row.title}"`,
      details: { requirement_id: row.id },
    };
  });
}

export function updateRequirement(db: Db, specId: string, userId: string, reqId: string, patch: RequirementPatch): Promise<Requirement> {
  return changeSpec(db, specId, userId, async (tx) => {
    const before = await requireRequirement(tx, specId, reqId);
    const condition = patch.condition ?? before.condition;
    const action = patch.action ?? before.action;
    const [row] = await tx
      .update(specRequirements)
      .set({
        ...(patch.title !== undefined ? { title: patch.title } : {}),
        ...(patch.priority !== undefined ? { priority: patch.priority } : {}),
        ...(patch.status !== undefined ? { status: patch.status } : {}),
        ...(patch.linked_design !== undefined ? { linkedDesign: patch.linked_design } : {}),
        condition,
        action,
        text: patch.condition !== undefined || patch.action !== undefined ? earsText(condition, action) : before.text,
        editedAt: sql`now()`,
        updatedAt: sql`now()`,
      })
      .where(eq(specRequirements.id, reqId))
      .returning();
    if (!row) throw notFound('requirement');
    return {
      result: requirementDto(row, await criteriaOf(tx, reqId)),
      changeType: 'requirement_updated',
      summary: `Edited requirement "${row.title}" (${Object.keys(patch).join(', ') || 'no fields'})`,
      details: { requirement_id: reqId, fields: Object.keys(patch) },
    };
  });
}

export function deleteRequirement(db: Db, specId: string, userId: string, reqId: string): Promise<void> {
  return changeSpec(db, specId, userId, async (tx) => {
    const row = await requireRequirement(tx, specId, reqId);
    await tx.delete(specRequirements).where(eq(specRequirements.id, reqId));
    return { result: undefined, changeType: 'requirement_deleted', summary: `Deleted requirement "${row.title}"`, details: { requirement_id: reqId, local_id: row.localId } };
  });
}

async function touchRequirement(tx: Tx, reqId: string): Promise<void> {
  await tx.update(specRequirements).set({ editedAt: sql`now()`, updatedAt: sql`now()` }).where(eq(specRequirements.id, reqId));
}

export function createCriterion(db: Db, specId: string, userId: string, reqId: string, text: string): Promise<Criterion> {
  return changeSpec(db, specId, userId, async (tx) => {
    await requireRequirement(tx, specId, reqId);
    const position = await nextPosition(tx, specAcceptanceCriteria, eq(specAcceptanceCriteria.requirementId, reqId));
    const [row] = await tx.insert(specAcceptanceCriteria).values({ id: newId.criterion(), requirementId: reqId, text, position, editedAt: sql`now()` }).returning();
    if (!row) throw new Error('insert returned no row');
    await touchRequirement(tx, reqId);
    return { result: criterionDto(row), changeType: 'criterion_added', summary: 'Added an acceptance criterion', details: { requirement_id: reqId, criterion_id: row.id } };
  });
}

async function requireCriterion(tx: Tx, specId: string, reqId: string, criterionId: string) {
  await requireRequirement(tx, specId, reqId);
  const [row] = await tx.select().from(specAcceptanceCriteria).where(and(eq(specAcceptanceCriteria.id, criterionId), eq(specAcceptanceCriteria.requirementId, reqId)));
  if (!row) throw notFound('criterion');
  return row;
}

export function updateCriterion(db: Db, specId: string, userId: string, reqId: string, criterionId: string, patch: { text?: string | undefined; completed?: boolean | undefined }): Promise<Criterion> {
  return changeSpec(db, specId, userId, async (tx) => {
    await requireCriterion(tx, specId, reqId, criterionId);
    const [row] = await tx
      .update(specAcceptanceCriteria)
      .set({
        ...(patch.text !== undefined ? { text: patch.text } : {}),
        ...(patch.completed !== undefined ? { completed: patch.completed } : {}),
        editedAt: sql`now()`,
        updatedAt: sql`now()`,
      })
      .where(eq(specAcceptanceCriteria.id, criterionId))
      .returning();
    if (!row) throw notFound('criterion');
    if (patch.text !== undefined) await touchRequirement(tx, reqId);
    return { result: criterionDto(row), changeType: 'criterion_updated', summary: 'Edited an acceptance criterion', details: { requirement_id: reqId, criterion_id: criterionId, ...patch } };
  });
}

export function deleteCriterion(db: Db, specId: string, userId: string, reqId: string, criterionId: string): Promise<void> {
  return changeSpec(db, specId, userId, async (tx) => {
    await requireCriterion(tx, specId, reqId, criterionId);
    await tx.delete(specAcceptanceCriteria).where(eq(specAcceptanceCriteria.id, criterionId));
    await touchRequirement(tx, reqId);
    return { result: undefined, changeType: 'criterion_deleted', summary: 'Deleted an acceptance criterion', details: { requirement_id: reqId, criterion_id: criterionId } };
  });
}

export interface DesignInput {
  architecture: string;
  data_model: string;
  api_spec: { method: string; path: string; description: string }[];
  components: { id: string; name: string; responsibility: string; file_path?: string | undefined }[];
  error_handling: string;
  testing_strategy: string;
  architecture_diagram: string | null;
}

/** Replaces the design (validated: component ids unique). Stamps `design_edited_at`. */
export function putDesign(db: Db, specId: string, userId: string, input: DesignInput): Promise<Design> {
  const seen = new Map<string, number>();
  const errors: { path: string; message: string }[] = [];
  input.components.forEach((c, i) => {
    const first = seen.get(c.id);
    if (first !== undefined) errors.push({ path: `body.components.${i}.id`, message: `duplicate component id "${c.id}" (also at components.${first})` });
    else seen.set(c.id, i);
  });
  if (errors.length) return Promise.reject(new AppError('validation_failed', `invalid design: ${errors.map((e) => e.message).join('; ')}`, { errors }));
  return changeSpec(db, specId, userId, async (tx) => {
    const stored: Record<string, unknown> = {
      ...input,
      api_spec: input.api_spec.map((e) => ({ method: e.method.toUpperCase(), path: e.path, description: e.description })),
    };
    const [row] = await tx.update(specs).set({ design: stored, designEditedAt: sql`now()` }).where(eq(specs.id, specId)).returning({ design: specs.design, editedAt: specs.designEditedAt });
    const design = designDto(row?.design ?? stored, row?.editedAt ?? new Date());
    if (!design) throw new Error('design missing after update');
    return { result: design, changeType: 'design_updated', summary: `Design edited (${input.components.length} component(s), ${input.api_spec.length} endpoint(s))` };
  });
}
