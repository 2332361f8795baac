/**
 * Proposals (issue 10): a run never overwrites a row a person edited (`edited_at`, `design_edited_at`);
 * where its output would change one, the change is recorded here, field by field (before: the row as
 * the person left it, after: the run's), for the person to accept or dismiss. Recorded by `phaseRows.ts`
 * inside the ingest transaction, before it upserts the rows of a completed phase; each new output of a
 * phase supersedes the open proposals of that phase's rows (it is what the run proposes now).
 *
 * Accepting applies exactly the proposed fields (nothing else is cleared; the row stays the person's) and
 * withdraws the approvals that covered the old content, like a person's own edit; dismissing keeps the row.
 */
import type { ProposalAction, ProposalKind, ProposalStatus, SpecProposal, SpecProposalList } from '@specline/protocol';
import { and, asc, count, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { isDeepStrictEqual } from 'node:util';
import { AppError, notFound } from '../http/errors';
import type { Db, Queryable, Tx } from '../store/db';
import { sandboxes, specAcceptanceCriteria, specProposals, specRequirements, specs, specTasks } from '../store/schema';
import { iso, isoOrNull, pageAnswer, type Page } from './dto';
import { newId } from './ids';
import { changeSpec, withdrawApprovals, withWithdrawal } from './specs';
import { designDto } from './specView';

type Change = { field: string; before: unknown; after: unknown };
type ProposalRow = typeof specProposals.$inferSelect;

/** Ids from these numbers on were given to rows a person added (`runContext.ts`): a run never proposes removing them. */
export const PERSON_ID_BASE = 9000;
export const PERSON_CRITERION_BASE = 900;
const personRequirement = (localId: string) => Number(/^REQ-(\d+)$/.exec(localId)?.[1] ?? 0) > PERSON_ID_BASE;
const personCriterion = (localId: string) => Number(/\.AC-(\d+)$/.exec(localId)?.[1] ?? 0) > PERSON_CRITERION_BASE;
const personTask = (localId: string) => Number(/^TSK-(\d+)$/.exec(localId)?.[1] ?? 0) > PERSON_ID_BASE;

const plain = (value: unknown): unknown => JSON.parse(JSON.stringify(value ?? null)) as unknown;

function changesOf(before: Record<string, unknown>, after: Record<string, unknown>, fields: readonly string[]): Change[] {
  return fields.flatMap((field) => (isDeepStrictEqual(plain(before[field]), plain(after[field])) ? [] : [{ field, before: plain(before[field]), after: plain(after[field]) }]));
}

interface NewProposal {
  kind: ProposalKind;
  action: ProposalAction;
  localId: string | null;
  parentLocalId?: string | null;
  targetId: string | null;
  title: string | null;
  changes: Change[];
}

/** The run of the spec's current sandbox: the run whose output is being stored. */
async function currentRunId(tx: Tx, specId: string): Promise<string | null> {
  const [row] = await tx.select({ runId: sandboxes.runId }).from(specs).innerJoin(sandboxes, eq(sandboxes.id, specs.sandboxId)).where(eq(specs.id, specId));
  return row?.runId ?? null;
}

/** Supersedes the open proposals of `kinds` and records `fresh` (the run's proposals now). */
async function replaceProposals(tx: Tx, specId: string, kinds: ProposalKind[], fresh: NewProposal[]): Promise<number> {
  await tx
    .update(specProposals)
    .set({ status: 'superseded', resolvedAt: sql`now()` })
    .where(and(eq(specProposals.specId, specId), eq(specProposals.status, 'open'), inArray(specProposals.kind, kinds)));
  if (fresh.length === 0) return 0;
  const runId = await currentRunId(tx, specId);
  await tx.insert(specProposals).values(
    fresh.map((p) => ({ id: newId.proposal(), specId, runId, kind: p.kind, action: p.action, localId: p.localId, parentLocalId: p.parentLocalId ?? null, targetId: p.targetId, title: p.title, changes: p.changes, status: 'open' as const })),
  );
  return fresh.length;
}

export interface ProposedRequirement {
  localId: string;
  title: string;
  text: string;
  type: string;
  priority: string;
  criteria: { localId: string; text: string }[];
}

const REQUIREMENT_FIELDS = ['title', 'text', 'type', 'priority'] as const;

/** Before REQUIREMENTS rows are upserted: what the output would change in rows a person edited. */
export async function proposeRequirementChanges(tx: Tx, specId: string, proposed: readonly ProposedRequirement[]): Promise<number> {
  const rows = await tx.select().from(specRequirements).where(and(eq(specRequirements.specId, specId), isNotNull(specRequirements.localId)));
  const crits = rows.length
    ? await tx.select().from(specAcceptanceCriteria).where(and(inArray(specAcceptanceCriteria.requirementId, rows.map((r) => r.id)), isNotNull(specAcceptanceCriteria.localId)))
    : [];
  const byLocal = new Map(rows.map((r) => [r.localId!, r]));
  const wanted = new Set(proposed.map((p) => p.localId));
  const out: NewProposal[] = [];
  for (const p of proposed) {
    const row = byLocal.get(p.localId);
    if (!row) continue;
    if (row.editedAt) {
      const changes = changesOf({ title: row.title, text: row.text, type: row.type, priority: row.priority }, { title: p.title, text: p.text, type: p.type, priority: p.priority }, REQUIREMENT_FIELDS);
      if (changes.length) out.push({ kind: 'requirement', action: 'update', localId: p.localId, targetId: row.id, title: row.title, changes });
    }
    // Criteria: all of an edited requirement's are the person's; of another, the edited ones.
    const mine = crits.filter((c) => c.requirementId === row.id);
    const theirs = (c: (typeof mine)[number]) => row.editedAt !== null || c.editedAt !== null;
    const proposedIds = new Set(p.criteria.map((c) => c.localId));
    for (const c of p.criteria) {
      const existing = mine.find((m) => m.localId === c.localId);
      if (existing && theirs(existing) && existing.text !== c.text) {
        out.push({ kind: 'criterion', action: 'update', localId: c.localId, parentLocalId: p.localId, targetId: existing.id, title: existing.text, changes: [{ field: 'text', before: existing.text, after: c.text }] });
      } else if (!existing && row.editedAt) {
        out.push({ kind: 'criterion', action: 'add', localId: c.localId, parentLocalId: p.localId, targetId: null, title: c.text, changes: [{ field: 'text', before: null, after: c.text }] });
      }
    }
    for (const m of mine) {
      if (proposedIds.has(m.localId!) || !theirs(m) || personCriterion(m.localId!)) continue;
      out.push({ kind: 'criterion', action: 'remove', localId: m.localId, parentLocalId: p.localId, targetId: m.id, title: m.text, changes: [{ field: 'text', before: m.text, after: null }] });
    }
  }
  for (const row of rows) {
    if (!row.editedAt || wanted.has(row.localId!) || personRequirement(row.localId!)) continue;
    out.push({ kind: 'requirement', action: 'remove', localId: row.localId, targetId: row.id, title: row.title, changes: REQUIREMENT_FIELDS.map((f) => ({ field: f, before: row[f], after: null })) });
  }
  return replaceProposals(tx, specId, ['requirement', 'criterion'], out);
}

export interface ProposedTask {
  localId: string;
  ticketLocalId: string;
  title: string;
  description: string;
  priority: string;
  estimatedHours: number | null;
  requirements: string[];
  /** Local ids of the tasks it depends on. */
  dependsOn: string[];
}

const TASK_FIELDS = ['title', 'description', 'priority', 'estimated_hours', 'requirements', 'ticket_local_id', 'depends_on'] as const;

/** Before TASKS rows are upserted: what the output would change in tasks a person edited. */
export async function proposeTaskChanges(tx: Tx, specId: string, proposed: readonly ProposedTask[]): Promise<number> {
  const rows = await tx.select().from(specTasks).where(eq(specTasks.specId, specId));
  const localOf = new Map(rows.flatMap((r) => (r.localId ? [[r.id, r.localId] as const] : [])));
  const byLocal = new Map(rows.flatMap((r) => (r.localId ? [[r.localId, r] as const] : [])));
  const wanted = new Set(proposed.map((p) => p.localId));
  const out: NewProposal[] = [];
  for (const p of proposed) {
    const row = byLocal.get(p.localId);
    if (!row?.editedAt) continue;
    const now = {
      title: row.title,
      description: row.description,
      priority: row.priority,
      estimated_hours: row.estimatedHours,
      requirements: row.requirements,
      ticket_local_id: row.ticketLocalId,
      depends_on: row.dependencies.flatMap((d) => localOf.get(d) ?? []),
    };
    const next = { title: p.title, description: p.description, priority: p.priority, estimated_hours: p.estimatedHours, requirements: p.requirements, ticket_local_id: p.ticketLocalId, depends_on: p.dependsOn };
    const changes = changesOf(now, next, TASK_FIELDS);
    if (changes.length) out.push({ kind: 'task', action: 'update', localId: p.localId, targetId: row.id, title: row.title, changes });
  }
  for (const row of rows) {
    if (!row.localId || !row.editedAt || wanted.has(row.localId) || personTask(row.localId)) continue;
    out.push({ kind: 'task', action: 'remove', localId: row.localId, targetId: row.id, title: row.title, changes: [{ field: 'title', before: row.title, after: null }] });
  }
  return replaceProposals(tx, specId, ['task'], out);
}

const DESIGN_FIELDS = ['architecture', 'data_model', 'api_spec', 'components', 'error_handling', 'testing_strategy', 'architecture_diagram'] as const;

/** The design as compared and stored (the `PUT /design` shape: endpoints without the duplicate `endpoint`). */
function designFields(stored: Record<string, unknown> | null): Record<string, unknown> {
  const dto = designDto(stored, null);
  if (!dto) return {};
  const { edited_at: _edited, ...rest } = dto;
  return { ...rest, api_spec: rest.api_spec.map((e) => ({ method: e.method, path: e.path, description: e.description })) };
}

/** Before the DESIGN is stored: when a person edited the design, what the new one would change, field by field. */
export async function proposeDesignChange(tx: Tx, specId: string, next: Record<string, unknown>): Promise<number> {
  const [spec] = await tx.select({ design: specs.design, editedAt: specs.designEditedAt }).from(specs).where(eq(specs.id, specId));
  const out: NewProposal[] = [];
  if (spec?.editedAt && spec.design) {
    const changes = changesOf(designFields(spec.design), designFields(next), DESIGN_FIELDS);
    if (changes.length) out.push({ kind: 'design', action: 'update', localId: null, targetId: specId, title: 'Design', changes });
  }
  return replaceProposals(tx, specId, ['design'], out);
}

// ── reading, accepting, dismissing ───────────────────────────────────────────

const STATUSES: readonly ProposalStatus[] = ['open', 'accepted', 'dismissed', 'superseded'];

export function proposalDto(row: ProposalRow): SpecProposal {
  return {
    id: row.id,
    spec_id: row.specId,
    run_id: row.runId,
    kind: row.kind,
    action: row.action,
    local_id: row.localId,
    parent_local_id: row.parentLocalId,
    target_id: row.targetId,
    title: row.title,
    changes: row.changes.map((c) => ({ field: c.field, before: c.before ?? null, after: c.after ?? null })),
    status: STATUSES.includes(row.status) ? row.status : 'open',
    created_at: iso(row.createdAt),
    resolved_at: isoOrNull(row.resolvedAt),
    resolved_by: row.resolvedBy,
  };
}

/** Proposals of a spec (the caller checked access): open ones first, then newest first. */
export async function listProposals(db: Queryable, specId: string, query: Page & { status?: ProposalStatus | undefined }): Promise<SpecProposalList> {
  const where = and(eq(specProposals.specId, specId), ...(query.status ? [eq(specProposals.status, query.status)] : []));
  const rows = await db
    .select()
    .from(specProposals)
    .where(where)
    .orderBy(sql`case when ${specProposals.status} = 'open' then 0 else 1 end`, desc(specProposals.createdAt), asc(specProposals.id))
    .limit(query.limit)
    .offset(query.offset);
  const [total] = await db.select({ n: count() }).from(specProposals).where(where);
  return { spec_id: specId, proposals: rows.map(proposalDto), ...pageAnswer(total?.n ?? 0, query, rows.length) };
}

async function openProposal(tx: Tx, specId: string, proposalId: string): Promise<ProposalRow> {
  const [row] = await tx.select().from(specProposals).where(and(eq(specProposals.id, proposalId), eq(specProposals.specId, specId))).for('update');
  if (!row) throw notFound('proposal');
  if (row.status !== 'open') throw new AppError('conflict', `proposal ${proposalId} is ${row.status}; only an open proposal can be accepted or dismissed`);
  return row;
}

const gone = (p: ProposalRow) => new AppError('conflict', `the ${p.kind} ${p.localId ?? ''} this proposal is about no longer exists; dismiss it`.replace('  ', ' '));
const after = (p: ProposalRow, field: string): unknown => p.changes.find((c) => c.field === field)?.after;
const has = (p: ProposalRow, field: string) => p.changes.some((c) => c.field === field);
/** A proposed text value, or the fallback when the proposal holds none (or not text). */
const textOf = (p: ProposalRow, field: string, fallback: string): string => {
  const value = after(p, field);
  return typeof value === 'string' ? value : fallback;
};

async function requirementOf(tx: Tx, specId: string, localId: string | null) {
  if (!localId) return undefined;
  const [row] = await tx.select().from(specRequirements).where(and(eq(specRequirements.specId, specId), eq(specRequirements.localId, localId)));
  return row;
}

/** Applies an open proposal to its row; the version names it and what it withdrew. */
export function acceptProposal(db: Db, specId: string, userId: string, proposalId: string, parseEars: (text: string) => { condition: string; action: string }): Promise<SpecProposal> {
  return changeSpec(db, specId, userId, async (tx, spec) => {
    const p = await openProposal(tx, specId, proposalId);
    const label = p.localId ?? p.kind;
    let scope: 'requirements' | 'design' | null = 'requirements';
    if (p.kind === 'requirement') {
      const row = await requirementOf(tx, specId, p.localId);
      if (!row) throw gone(p);
      if (p.action === 'remove') await tx.delete(specRequirements).where(eq(specRequirements.id, row.id));
      else {
        const text = has(p, 'text') ? textOf(p, 'text', '') : undefined;
        const ears = text !== undefined ? parseEars(text) : undefined;
        await tx
          .update(specRequirements)
          .set({
            ...(has(p, 'title') ? { title: textOf(p, 'title', row.title) } : {}),
            ...(has(p, 'type') ? { type: textOf(p, 'type', row.type) } : {}),
            ...(has(p, 'priority') ? { priority: textOf(p, 'priority', row.priority) } : {}),
            ...(text !== undefined && ears ? { text, condition: ears.condition, action: ears.action } : {}),
            editedAt: sql`now()`,
            updatedAt: sql`now()`,
          })
          .where(eq(specRequirements.id, row.id));
      }
    } else if (p.kind === 'criterion') {
      const requirement = await requirementOf(tx, specId, p.parentLocalId);
      if (!requirement) throw gone(p);
      const [crit] = await tx
        .select()
        .from(specAcceptanceCriteria)
        .where(and(eq(specAcceptanceCriteria.requirementId, requirement.id), eq(specAcceptanceCriteria.localId, p.localId ?? '')));
      const text = textOf(p, 'text', '');
      if (p.action === 'remove') {
        if (!crit) throw gone(p);
        await tx.delete(specAcceptanceCriteria).where(eq(specAcceptanceCriteria.id, crit.id));
      } else if (crit) {
        await tx.update(specAcceptanceCriteria).set({ text, editedAt: sql`now()`, updatedAt: sql`now()` }).where(eq(specAcceptanceCriteria.id, crit.id));
      } else if (p.action === 'add') {
        const [max] = await tx.select({ n: sql<number | null>`max(${specAcceptanceCriteria.position})` }).from(specAcceptanceCriteria).where(eq(specAcceptanceCriteria.requirementId, requirement.id));
        await tx.insert(specAcceptanceCriteria).values({ id: newId.criterion(), requirementId: requirement.id, localId: p.localId, text, position: max?.n === null || max?.n === undefined ? 0 : Number(max.n) + 1, editedAt: sql`now()` });
      } else throw gone(p);
      await tx.update(specRequirements).set({ editedAt: sql`now()`, updatedAt: sql`now()` }).where(eq(specRequirements.id, requirement.id));
    } else if (p.kind === 'task') {
      scope = null;
      const [row] = await tx.select().from(specTasks).where(and(eq(specTasks.specId, specId), eq(specTasks.localId, p.localId ?? '')));
      if (!row) throw gone(p);
      if (p.action === 'remove') {
        await tx.delete(specTasks).where(eq(specTasks.id, row.id));
        await tx
          .update(specTasks)
          .set({ dependencies: sql`${specTasks.dependencies} - ${row.id}::text`, updatedAt: sql`now()` })
          .where(and(eq(specTasks.specId, specId), sql`${specTasks.dependencies} @> ${JSON.stringify([row.id])}::jsonb`));
      } else {
        let dependencies: string[] | undefined;
        if (has(p, 'depends_on')) {
          const locals = (after(p, 'depends_on') as unknown[] | null)?.filter((d): d is string => typeof d === 'string') ?? [];
          const targets = locals.length ? await tx.select({ id: specTasks.id, localId: specTasks.localId }).from(specTasks).where(and(eq(specTasks.specId, specId), inArray(specTasks.localId, locals))) : [];
          dependencies = locals.flatMap((l) => targets.find((t) => t.localId === l)?.id ?? []).filter((id) => id !== row.id);
        }
        const hours = after(p, 'estimated_hours');
        await tx
          .update(specTasks)
          .set({
            ...(has(p, 'title') ? { title: textOf(p, 'title', row.title) } : {}),
            ...(has(p, 'description') ? { description: textOf(p, 'description', '') } : {}),
            ...(has(p, 'priority') ? { priority: textOf(p, 'priority', row.priority) } : {}),
            ...(has(p, 'estimated_hours') ? { estimatedHours: typeof hours === 'number' && hours >= 0.01 && hours <= 100_000 ? hours : null } : {}),
            ...(has(p, 'requirements') ? { requirements: ((after(p, 'requirements') as unknown[] | null) ?? []).filter((r): r is string => typeof r === 'string') } : {}),
            ...(has(p, 'ticket_local_id') ? { ticketLocalId: typeof after(p, 'ticket_local_id') === 'string' ? (after(p, 'ticket_local_id') as string) : null } : {}),
            ...(dependencies !== undefined ? { dependencies } : {}),
            editedAt: sql`now()`,
            updatedAt: sql`now()`,
          })
          .where(eq(specTasks.id, row.id));
      }
    } else {
      scope = 'design';
      if (!spec.design) throw gone(p);
      const current = designFields(spec.design);
      const merged: Record<string, unknown> = { ...current };
      for (const c of p.changes) if ((DESIGN_FIELDS as readonly string[]).includes(c.field)) merged[c.field] = c.after ?? (c.field === 'architecture_diagram' ? null : current[c.field]);
      await tx.update(specs).set({ design: merged, designEditedAt: sql`now()` }).where(eq(specs.id, specId));
    }
    await tx.update(specProposals).set({ status: 'accepted', resolvedAt: sql`now()`, resolvedBy: userId }).where(eq(specProposals.id, p.id));
    const withdrawal = scope ? await withdrawApprovals(tx, spec, scope, `${label} changed by an accepted proposal`) : undefined;
    const [row] = await tx.select().from(specProposals).where(eq(specProposals.id, p.id));
    return {
      result: proposalDto(row!),
      changeType: 'proposal_accepted',
      ...withWithdrawal(`Accepted the run's proposed ${p.action} of ${p.kind} ${p.localId ?? ''}`.trim(), { proposal_id: p.id, kind: p.kind, action: p.action, local_id: p.localId, fields: p.changes.map((c) => c.field) }, withdrawal),
    };
  });
}

/** Marks an open proposal dismissed: the row stays as the person left it. */
export function dismissProposal(db: Db, specId: string, userId: string, proposalId: string): Promise<SpecProposal> {
  return changeSpec(db, specId, userId, async (tx) => {
    const p = await openProposal(tx, specId, proposalId);
    const [row] = await tx.update(specProposals).set({ status: 'dismissed', resolvedAt: sql`now()`, resolvedBy: userId }).where(eq(specProposals.id, p.id)).returning();
    return {
      result: proposalDto(row!),
      changeType: 'proposal_dismissed',
      summary: `Dismissed the run's proposed ${p.action} of ${p.kind} ${p.localId ?? ''}`.trim(),
      details: { proposal_id: p.id, kind: p.kind, action: p.action, local_id: p.localId },
    };
  });
}
