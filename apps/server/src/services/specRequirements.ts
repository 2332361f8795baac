/**
 * Person edits of requirements, acceptance criteria and the design. Each runs under the spec's row lock,
 * records a version, and stamps `edited_at` so a rerun leaves the edited rows alone. A content edit
 * withdraws the approvals that covered the old content (`withdrawApprovals`); progress (a criterion's
 * `completed`, a requirement's `status`) does not.
 */
import type { Criterion, Design, Requirement } from '@specline/protocol';
import { and, asc, eq, like, sql } from 'drizzle-orm';
import { isDeepStrictEqual } from 'node:util';
import { AppError, notFound } from '../http/errors';
import type { Db, Tx } from '../store/db';
import { specAcceptanceCriteria, specRequirements, specs } from '../store/schema';
import { newId } from './ids';
import { PERSON_CRITERION_BASE, PERSON_ID_BASE } from './proposals';
import { changedFields } from './versions';
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

/**
 * Ids for what a person adds, from the ranges a run never assigns (as `runContext` gives the rows added
 * before this): `REQ-9001`, `REQ-002.AC-901`. History and the UI can then name every row.
 */
async function nextPersonRequirementId(tx: Tx, specId: string): Promise<string> {
  const rows = await tx.select({ localId: specRequirements.localId }).from(specRequirements).where(and(eq(specRequirements.specId, specId), like(specRequirements.localId, 'REQ-%')));
  const numbers = rows.map((r) => Number(/^REQ-(\d+)$/.exec(r.localId ?? '')?.[1] ?? 0));
  return `REQ-${Math.max(PERSON_ID_BASE, ...numbers) + 1}`;
}

async function nextPersonCriterionNumber(tx: Tx, reqId: string): Promise<number> {
  const rows = await tx.select({ localId: specAcceptanceCriteria.localId }).from(specAcceptanceCriteria).where(eq(specAcceptanceCriteria.requirementId, reqId));
  const numbers = rows.map((r) => Number(/\.AC-(\d+)$/.exec(r.localId ?? '')?.[1] ?? 0));
  return Math.max(PERSON_CRITERION_BASE, ...numbers) + 1;
}

/** The requirement's local id, given one now if it has none (a row a person added before ids were given). */
async function ensureRequirementId(tx: Tx, row: RequirementRow): Promise<string> {
  if (row.localId) return row.localId;
  const localId = await nextPersonRequirementId(tx, row.specId);
  await tx.update(specRequirements).set({ localId }).where(eq(specRequirements.id, row.id));
  row.localId = localId;
  return localId;
}

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
    const localId = await nextPersonRequirementId(tx, specId);
    const [row] = await tx
      .insert(specRequirements)
      .values({
        id: newId.requirement(),
        specId,
        localId,
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
      await tx
        .insert(specAcceptanceCriteria)
        .values(texts.map((text, i) => ({ id: newId.criterion(), requirementId: row.id, localId: `${localId}.AC-${PERSON_CRITERION_BASE + 1 + i}`, text, position: i, editedAt: sql`now()` })));
    }
    const withdrawal = await withdrawApprovals(tx, spec, 'requirements', `${requirementLabel(row)} added`);
    return {
      result: requirementDto(row, await criteriaOf(tx, row.id)),
      changeType: 'requirement_added',
      ...withWithdrawal(`Added requirement ${localId} "${row.title}"`, { requirement: localId, requirement_id: row.id }, withdrawal),
    };
  });
}

export function updateRequirement(db: Db, specId: string, userId: string, reqId: string, patch: RequirementPatch): Promise<Requirement> {
  return changeSpec(db, specId, userId, async (tx, spec) => {
    const before = await requireRequirement(tx, specId, reqId);
    // Only what really changed: the form sends every field, most of them as they were. Nothing changed:
    // nothing is written (the row does not become person-edited) and no version is recorded.
    const changes = changedFields(patch, { ...before, linked_design: before.linkedDesign });
    const fields = Object.keys(changes);
    if (fields.length === 0) return { result: requirementDto(before, await criteriaOf(tx, reqId)), changeType: null, summary: '' };
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
    const result = requirementDto(row, await criteriaOf(tx, reqId));
    const contentChanged = fields.some((field) => field in REQUIREMENT_CONTENT);
    const withdrawal = contentChanged ? await withdrawApprovals(tx, spec, 'requirements', `${requirementLabel(before)} edited`) : undefined;
    const label = before.localId ?? `requirement "${row.title}"`;
    return {
      result,
      changeType: 'requirement_updated',
      ...withWithdrawal(`Edited ${label} (${fields.map((f) => f.replace(/_/g, ' ')).join(', ')})`, { requirement: before.localId, requirement_id: reqId, fields, ...changes }, withdrawal),
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
      ...withWithdrawal(`Deleted ${row.localId ? `${row.localId} ` : ''}requirement "${row.title}"`, { requirement: row.localId, requirement_id: reqId, local_id: row.localId }, withdrawal),
    };
  });
}

async function touchRequirement(tx: Tx, reqId: string): Promise<void> {
  await tx.update(specRequirements).set({ editedAt: sql`now()`, updatedAt: sql`now()` }).where(eq(specRequirements.id, reqId));
}

export function createCriterion(db: Db, specId: string, userId: string, reqId: string, text: string): Promise<Criterion> {
  return changeSpec(db, specId, userId, async (tx, spec) => {
    const requirement = await requireRequirement(tx, specId, reqId);
    const reqLocalId = await ensureRequirementId(tx, requirement);
    const position = await nextPosition(tx, specAcceptanceCriteria, eq(specAcceptanceCriteria.requirementId, reqId));
    const localId = `${reqLocalId}.AC-${await nextPersonCriterionNumber(tx, reqId)}`;
    const [row] = await tx.insert(specAcceptanceCriteria).values({ id: newId.criterion(), requirementId: reqId, localId, text, position, editedAt: sql`now()` }).returning();
    if (!row) throw new Error('insert returned no row');
    await touchRequirement(tx, reqId);
    const withdrawal = await withdrawApprovals(tx, spec, 'requirements', `a criterion added to ${requirementLabel(requirement)}`);
    return {
      result: criterionDto(row),
      changeType: 'criterion_added',
      ...withWithdrawal(`Added acceptance criterion ${localId}`, { criterion: localId, text, requirement_id: reqId, criterion_id: row.id }, withdrawal),
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
    const changes = changedFields(patch, before);
    if (Object.keys(changes).length === 0) return { result: criterionDto(before), changeType: null, summary: '' };
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
    const textChanged = 'text' in changes;
    const label = criterionLabel(before, requirement);
    const withdrawal = textChanged ? await withdrawApprovals(tx, spec, 'requirements', `${label} edited`) : undefined;
    const what = textChanged ? `Edited ${label}` : changes['completed']?.new === true ? `Ticked ${label}` : `Unticked ${label}`;
    return {
      result: criterionDto(row),
      changeType: 'criterion_updated',
      ...withWithdrawal(what, { criterion: before.localId, requirement_id: reqId, criterion_id: criterionId, ...changes }, withdrawal),
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
      ...withWithdrawal(`Deleted ${criterionLabel(criterion, requirement)}`, { criterion: criterion.localId, text: criterion.text, requirement_id: reqId, criterion_id: criterionId }, withdrawal),
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
