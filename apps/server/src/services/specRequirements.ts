/**
 * Person edits of requirements, acceptance criteria and the design. Each runs under the spec's row lock,
 * records a version, and stamps `edited_at` so a rerun leaves the edited rows alone. A content edit
 * withdraws the approvals that covered the old content (`withdrawApprovals`); progress (a criterion's
 * `completed`, a requirement's `status`) does not.
 */
import type { Criterion, Design, Requirement } from '@specline/protocol';
import { and, asc, eq, sql } from 'drizzle-orm';
import { isDeepStrictEqual } from 'node:util';
import { AppError, notFound } from '../http/errors';
import type { Db, Tx } from '../store/db';
import { specAcceptanceCriteria, specRequirements, specs } from '../store/schema';
import { newId } from './ids';
import { changeSpec, withdrawApprovals, withWithdrawal } from './specs';
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

/** How a version names a requirement: its run id (`REQ-002`), else its title. */
const requirementLabel = (row: { localId: string | null; title: string }): string => row.localId ?? `requirement "${row.title}"`;

const criterionLabel = (row: { localId: string | null }, requirement: RequirementRow): string =>
  row.localId ?? `a criterion of ${requirementLabel(requirement)}`;

/** Requirement fields that are content (an approval covers them); `status` is progress. */
const REQUIREMENT_CONTENT = { title: 'title', condition: 'condition', action: 'action', priority: 'priority', linked_design: 'linkedDesign' } as const;

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
  return changeSpec(db, specId, userId, async (tx, spec) => {
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
    const withdrawal = await withdrawApprovals(tx, spec, 'requirements', `${requirementLabel(row)} added`);
    return {
      result: requirementDto(row, await criteriaOf(tx, row.id)),
      changeType: 'requirement_added',
      ...withWithdrawal(`Added requirement "${row.title}"`, { requirement_id: row.id }, withdrawal),
    };
  });
}

export function updateRequirement(db: Db, specId: string, userId: string, reqId: string, patch: RequirementPatch): Promise<Requirement> {
  return changeSpec(db, specId, userId, async (tx, spec) => {
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
    const contentChanged = Object.entries(REQUIREMENT_CONTENT).some(([field, column]) => {
      const value = patch[field as keyof typeof REQUIREMENT_CONTENT];
      return value !== undefined && value !== before[column];
    });
    const withdrawal = contentChanged ? await withdrawApprovals(tx, spec, 'requirements', `${requirementLabel(before)} edited`) : undefined;
    return {
      result: requirementDto(row, await criteriaOf(tx, reqId)),
      changeType: 'requirement_updated',
      ...withWithdrawal(`Edited requirement "${row.title}" (${Object.keys(patch).join(', ') || 'no fields'})`, { requirement_id: reqId, fields: Object.keys(patch) }, withdrawal),
    };
  });
}

export function deleteRequirement(db: Db, specId: string, userId: string, reqId: string): Promise<void> {
  return changeSpec(db, specId, userId, async (tx, spec) => {
    const row = await requireRequirement(tx, specId, reqId);
    await tx.delete(specRequirements).where(eq(specRequirements.id, reqId));
    const withdrawal = await withdrawApprovals(tx, spec, 'requirements', `${requirementLabel(row)} deleted`);
    return {
      result: undefined,
      changeType: 'requirement_deleted',
      ...withWithdrawal(`Deleted requirement "${row.title}"`, { requirement_id: reqId, local_id: row.localId }, withdrawal),
    };
  });
}

async function touchRequirement(tx: Tx, reqId: string): Promise<void> {
  await tx.update(specRequirements).set({ editedAt: sql`now()`, updatedAt: sql`now()` }).where(eq(specRequirements.id, reqId));
}

export function createCriterion(db: Db, specId: string, userId: string, reqId: string, text: string): Promise<Criterion> {
  return changeSpec(db, specId, userId, async (tx, spec) => {
    const requirement = await requireRequirement(tx, specId, reqId);
    const position = await nextPosition(tx, specAcceptanceCriteria, eq(specAcceptanceCriteria.requirementId, reqId));
    const [row] = await tx.insert(specAcceptanceCriteria).values({ id: newId.criterion(), requirementId: reqId, text, position, editedAt: sql`now()` }).returning();
    if (!row) throw new Error('insert returned no row');
    await touchRequirement(tx, reqId);
    const withdrawal = await withdrawApprovals(tx, spec, 'requirements', `a criterion added to ${requirementLabel(requirement)}`);
    return {
      result: criterionDto(row),
      changeType: 'criterion_added',
      ...withWithdrawal('Added an acceptance criterion', { requirement_id: reqId, criterion_id: row.id }, withdrawal),
    };
  });
}

async function requireCriterion(tx: Tx, specId: string, reqId: string, criterionId: string) {
  const requirement = await requireRequirement(tx, specId, reqId);
  const [row] = await tx.select().from(specAcceptanceCriteria).where(and(eq(specAcceptanceCriteria.id, criterionId), eq(specAcceptanceCriteria.requirementId, reqId)));
  if (!row) throw notFound('criterion');
  return { requirement, criterion: row };
}

export function updateCriterion(db: Db, specId: string, userId: string, reqId: string, criterionId: string, patch: { text?: string | undefined; completed?: boolean | undefined }): Promise<Criterion> {
  return changeSpec(db, specId, userId, async (tx, spec) => {
    const { requirement, criterion: before } = await requireCriterion(tx, specId, reqId, criterionId);
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
    // Ticking `completed` is progress, not content: only a new text withdraws the approvals.
    const textChanged = patch.text !== undefined && patch.text !== before.text;
    const withdrawal = textChanged ? await withdrawApprovals(tx, spec, 'requirements', `${criterionLabel(before, requirement)} edited`) : undefined;
    return {
      result: criterionDto(row),
      changeType: 'criterion_updated',
      ...withWithdrawal('Edited an acceptance criterion', { requirement_id: reqId, criterion_id: criterionId, ...patch }, withdrawal),
    };
  });
}

export function deleteCriterion(db: Db, specId: string, userId: string, reqId: string, criterionId: string): Promise<void> {
  return changeSpec(db, specId, userId, async (tx, spec) => {
    const { requirement, criterion } = await requireCriterion(tx, specId, reqId, criterionId);
    await tx.delete(specAcceptanceCriteria).where(eq(specAcceptanceCriteria.id, criterionId));
    await touchRequirement(tx, reqId);
    const withdrawal = await withdrawApprovals(tx, spec, 'requirements', `${criterionLabel(criterion, requirement)} deleted`);
    return {
      result: undefined,
      changeType: 'criterion_deleted',
      ...withWithdrawal('Deleted an acceptance criterion', { requirement_id: reqId, criterion_id: criterionId }, withdrawal),
    };
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

/** Replaces the design (validated: component ids unique). Stamps `design_edited_at`; withdraws the design approval. */
export function putDesign(db: Db, specId: string, userId: string, input: DesignInput): Promise<Design> {
  const seen = new Map<string, number>();
  const errors: { path: string; message: string }[] = [];
  input.components.forEach((c, i) => {
    const first = seen.get(c.id);
    if (first !== undefined) errors.push({ path: `body.components.${i}.id`, message: `duplicate component id "${c.id}" (also at components.${first})` });
    else seen.set(c.id, i);
  });
  if (errors.length) return Promise.reject(new AppError('validation_failed', `invalid design: ${errors.map((e) => e.message).join('; ')}`, { errors }));
  return changeSpec(db, specId, userId, async (tx, spec) => {
    const stored: Record<string, unknown> = {
      ...input,
      api_spec: input.api_spec.map((e) => ({ method: e.method.toUpperCase(), path: e.path, description: e.description })),
    };
    const [row] = await tx.update(specs).set({ design: stored, designEditedAt: sql`now()` }).where(eq(specs.id, specId)).returning({ design: specs.design, editedAt: specs.designEditedAt });
    const design = designDto(row?.design ?? stored, row?.editedAt ?? new Date());
    if (!design) throw new Error('design missing after update');
    // Saving the same design again changes nothing an approval covered.
    const changed = !isDeepStrictEqual(JSON.parse(JSON.stringify(stored)), spec.design);
    const withdrawal = changed ? await withdrawApprovals(tx, spec, 'design', 'design edited') : undefined;
    return {
      result: design,
      changeType: 'design_updated',
      ...withWithdrawal(`Design edited (${input.components.length} component(s), ${input.api_spec.length} endpoint(s))`, undefined, withdrawal),
    };
  });
}
