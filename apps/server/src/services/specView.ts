/** Rows → the `Spec` DTO (and its children). The one place that knows how stored columns look on the wire. */
import {
  Phase,
  PhaseStatus,
  SpecStatus,
  type Criterion,
  type Design,
  type Phase as PhaseT,
  type PhaseStatus as PhaseStatusT,
  type Requirement,
  type Spec,
  type SpecSummary,
  type SpecTask,
} from '@specline/protocol';
import { asc, count, eq, inArray, sql } from 'drizzle-orm';
import { rowsOf, type Queryable } from '../store/db';
import { specAcceptanceCriteria, specRequirements, specs, specTasks, tickets } from '../store/schema';
import { asPhase, asPriority, iso, isoOrNull, oneOf } from './dto';

export type SpecRow = typeof specs.$inferSelect;
export type RequirementRow = typeof specRequirements.$inferSelect;
export type CriterionRow = typeof specAcceptanceCriteria.$inferSelect;
export type SpecTaskRow = typeof specTasks.$inferSelect;

const SPEC_STATUSES = SpecStatus.options;

export function criterionDto(row: CriterionRow): Criterion {
  return { id: row.id, local_id: row.localId, text: row.text, completed: row.completed };
}

export function requirementDto(row: RequirementRow, criteria: CriterionRow[]): Requirement {
  return {
    id: row.id,
    local_id: row.localId,
    title: row.title,
    condition: row.condition,
    action: row.action,
    text: row.text,
    type: row.type,
    priority: asPriority(row.priority),
    status: oneOf(row.status, ['pending', 'in_progress', 'completed'], 'pending'),
    linked_design: row.linkedDesign,
    criteria: criteria.map(criterionDto),
    edited_at: isoOrNull(row.editedAt),
    position: row.position,
  };
}

export function specTaskDto(row: SpecTaskRow): SpecTask {
  return {
    id: row.id,
    local_id: row.localId,
    ticket_local_id: row.ticketLocalId,
    title: row.title,
    description: row.description,
    phase: row.phase,
    priority: asPriority(row.priority),
    status: oneOf(row.status, ['pending', 'in_progress', 'completed', 'blocked'], 'pending'),
    assigned_agent: row.assignedAgent,
    dependencies: row.dependencies,
    requirements: row.requirements,
    estimated_hours: row.estimatedHours,
    actual_hours: row.actualHours,
    edited_at: isoOrNull(row.editedAt),
    position: row.position,
  };
}

const str = (v: unknown): string => (typeof v === 'string' ? v : '');
const rec = (v: unknown): Record<string, unknown> => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {});
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** Data models of a DESIGN output (`[{name, description?, fields[]}]`) as Markdown. */
function dataModelsMarkdown(models: unknown[]): string {
  return models
    .map((m) => {
      const model = rec(m);
      const fields = arr(model['fields']).map((f) => {
        const field = rec(f);
        const note = str(field['description']);
        return `- \`${str(field['name'])}\`: ${str(field['type'])}${note ? ` — ${note}` : ''}`;
      });
      const description = str(model['description']);
      return [`### ${str(model['name'])}`, ...(description ? [description] : []), ...fields].join('\n');
    })
    .join('\n\n');
}

/**
 * The stored `design` column as the `Design` DTO. Accepts both the DTO shape (what PUT stores) and a raw
 * DESIGN phase output (`architecture_overview`, `data_models[]`, `api_endpoints[]`), whichever ingestion wrote.
 */
export function designDto(stored: Record<string, unknown> | null, editedAt: Date | null): Design | null {
  if (!stored) return null;
  const dataModel = stored['data_model'];
  const endpoints = arr(stored['api_spec'] ?? stored['api_endpoints']);
  return {
    architecture: str(stored['architecture'] ?? stored['architecture_overview']),
    data_model: typeof dataModel === 'string' ? dataModel : dataModelsMarkdown(arr(stored['data_models'])),
    api_spec: endpoints.map((e) => {
      const entry = rec(e);
      const path = str(entry['path'] ?? entry['endpoint']);
      return { method: str(entry['method']), path, endpoint: path, description: str(entry['description'] ?? entry['purpose']) };
    }),
    components: arr(stored['components']).map((c) => {
      const component = rec(c);
      const filePath = component['file_path'];
      return {
        id: str(component['id']),
        name: str(component['name']),
        responsibility: str(component['responsibility']),
        ...(typeof filePath === 'string' ? { file_path: filePath } : {}),
      };
    }),
    error_handling: str(stored['error_handling']),
    testing_strategy: str(stored['testing_strategy']),
    architecture_diagram: typeof stored['architecture_diagram'] === 'string' ? stored['architecture_diagram'] : null,
    edited_at: isoOrNull(editedAt),
  };
}

/** `phase_status` as stored, keeping only well-formed entries of known phases. */
export function phaseStatusDto(stored: Record<string, unknown>): Partial<Record<PhaseT, PhaseStatusT>> {
  const out: Partial<Record<PhaseT, PhaseStatusT>> = {};
  for (const [key, value] of Object.entries(stored)) {
    const phase = Phase.safeParse(key);
    const status = PhaseStatus.safeParse(value);
    if (phase.success && status.success) out[phase.data] = status.data;
  }
  return out;
}

export function specSummaryDto(row: SpecRow, linkedTickets: number): SpecSummary {
  return {
    id: row.id,
    project_id: row.projectId,
    title: row.title,
    description: row.description,
    status: oneOf(row.status, SPEC_STATUSES, 'draft'),
    phase: row.phase,
    current_phase: asPhase(row.currentPhase),
    phases: row.phases.flatMap((p) => asPhase(p) ?? []),
    phase_status: phaseStatusDto(row.phaseStatus),
    progress: Math.min(100, Math.max(0, row.progress)),
    requirements_approved: row.requirementsApproved,
    requirements_approved_at: isoOrNull(row.requirementsApprovedAt),
    design_approved: row.designApproved,
    design_approved_at: isoOrNull(row.designApprovedAt),
    last_error: row.lastError,
    archived: row.archived,
    linked_tickets: linkedTickets,
    usage: row.usage ?? null,
    repo_commit: row.repoCommit,
    // The original client's fields, with what Specline knows (docs/api.md, Compatibility): no tests are
    // measured and no coding agents run, so no coverage and no execution metrics; the one agent is the run's sandbox.
    test_coverage: 0,
    active_agents: row.status === 'executing' && row.sandboxId ? 1 : 0,
    execution: null,
    branch_name: row.branchName,
    pull_request_url: row.pullRequestUrl,
    pull_request_number: row.pullRequestNumber,
    sandbox_id: row.sandboxId,
    last_heartbeat_at: isoOrNull(row.lastHeartbeatAt),
    run_id: row.runId,
    approval_mode: row.approvalMode === 'review' || row.approvalMode === 'auto' ? row.approvalMode : null,
    awaiting_approval: row.status === 'awaiting_approval' ? asPhase(row.awaitingPhase) : null,
    created_at: iso(row.createdAt),
    updated_at: iso(row.updatedAt),
  };
}

/** Number of tickets whose `spec_id` is each of these specs. */
export async function linkedTicketCounts(db: Queryable, specIds: string[]): Promise<Map<string, number>> {
  if (specIds.length === 0) return new Map();
  const rows = await db.select({ specId: tickets.specId, n: count() }).from(tickets).where(inArray(tickets.specId, specIds)).groupBy(tickets.specId);
  return new Map(rows.flatMap((r) => (r.specId ? [[r.specId, r.n] as const] : [])));
}

export async function loadRequirements(db: Queryable, specId: string): Promise<Requirement[]> {
  const reqs = await db.select().from(specRequirements).where(eq(specRequirements.specId, specId)).orderBy(asc(specRequirements.position), asc(specRequirements.createdAt), asc(specRequirements.id));
  if (reqs.length === 0) return [];
  const crits = await db
    .select()
    .from(specAcceptanceCriteria)
    .where(inArray(specAcceptanceCriteria.requirementId, reqs.map((r) => r.id)))
    .orderBy(asc(specAcceptanceCriteria.position), asc(specAcceptanceCriteria.createdAt), asc(specAcceptanceCriteria.id));
  const byReq = new Map<string, CriterionRow[]>();
  for (const c of crits) byReq.set(c.requirementId, [...(byReq.get(c.requirementId) ?? []), c]);
  return reqs.map((r) => requirementDto(r, byReq.get(r.id) ?? []));
}

export async function loadTasks(db: Queryable, specId: string): Promise<SpecTask[]> {
  const rows = await db.select().from(specTasks).where(eq(specTasks.specId, specId)).orderBy(asc(specTasks.position), asc(specTasks.createdAt), asc(specTasks.id));
  return rows.map(specTaskDto);
}

/** 1 for the next queued run to start; null when the spec is not queued. */
export async function queuePositionOf(db: Queryable, specId: string): Promise<number | null> {
  const [row] = rowsOf<{ position: string | null }>(
    await db.execute(sql`
      select case when me.status = 'queued' then (
        select count(*) from ${specs} q where q.status = 'queued' and (q.queued_at, q.id) <= (me.queued_at, me.id)
          and coalesce(q.queued_for, 'quota') = coalesce(me.queued_for, 'quota')
      )::text end as position
      from ${specs} me where me.id = ${specId}`),
  );
  return row?.position ? Number(row.position) : null;
}

/** The full `Spec`: summary fields plus requirements (with criteria), design and tasks in order. */
export async function specDto(db: Queryable, row: SpecRow): Promise<Spec> {
  // One after another: `db` may be a transaction, whose single connection runs one query at a time.
  const requirements = await loadRequirements(db, row.id);
  const tasks = await loadTasks(db, row.id);
  const counts = await linkedTicketCounts(db, [row.id]);
  // A queued run's place in line (issue 11): 1 is the next to start (runs over a quota and runs waiting for a worker wait in separate lines).
  const queue_position = row.status === 'queued' ? await queuePositionOf(db, row.id) : null;
  return { ...specSummaryDto(row, counts.get(row.id) ?? 0), requirements, design: designDto(row.design ?? null, row.designEditedAt), tasks, queue_position };
}
