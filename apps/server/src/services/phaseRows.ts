/**
 * Rows from phase outputs: when REQUIREMENTS, DESIGN or TASKS completes, its output is upserted into
 * `spec_requirements` + `spec_acceptance_criteria`, `specs.design` and `spec_tasks`, keyed by the stable
 * local ids of the run (`REQ-001`, `REQ-001.AC-1`, `TSK-001`). A row a person edited (`edited_at` set,
 * or `design_edited_at` for the design) is never overwritten; run-made rows the new output no longer
 * has are removed, rows a person added (no local id) are kept. Runs inside the ingest transaction.
 *
 * Outputs in the original producer's shapes are first mapped by `adaptPhaseOutput` (protocol
 * `legacyOutputs.ts`; `prepareOutput` below): what it cannot map, and every item of an output that
 * cannot become a row (skipped), is a {@link PhaseRowWarning} naming its path. Ingestion puts each on
 * the spec's timeline as a `spec.ingest_warning` event, besides logging it.
 */
import {
  AcceptanceCriterion,
  ApiEndpoint,
  DataModel,
  DesignComponent,
  RequirementItem,
  TaskItem,
  TicketItem,
  adaptPhaseOutput,
  type DesignOutput,
  type Phase,
  type Priority,
} from '@specline/protocol';
import { and, eq, getTableColumns, getTableName, inArray, isNull, sql, type Column, type SQL } from 'drizzle-orm';
import type { z } from 'zod';
import type { Tx } from '../store/db';
import { specAcceptanceCriteria, specRequirements, specTasks, specs } from '../store/schema';
import { newId } from './ids';
import { proposeDesignChange, proposeRequirementChanges, proposeTaskChanges } from './proposals';

export interface PhaseRowsLogger {
  warn(fields: Record<string, unknown>, message: string): void;
  info?(fields: Record<string, unknown>, message: string): void;
}

/** Something of a phase output that did not become (part of) a row; `path` is inside the output. */
export interface PhaseRowWarning {
  phase: Phase;
  path: string;
  message: string;
}

/** Collects a phase's warnings (and logs each). */
class Warnings {
  readonly list: PhaseRowWarning[] = [];
  constructor(
    readonly phase: Phase,
    private readonly log: PhaseRowsLogger,
  ) {}
  add(path: string, message: string): void {
    this.list.push({ phase: this.phase, path, message });
    this.log.warn({ phase: this.phase, path }, `phase output: ${message}`);
  }
}

/**
 * A phase output as it is stored (`phase_data`) and turned into rows: the original producer's shapes
 * mapped onto Specline's (outputs already in Specline's shape pass unchanged), with what could not be mapped.
 */
export function prepareOutput(phase: Phase, raw: Record<string, unknown>, log: PhaseRowsLogger): { output: Record<string, unknown>; warnings: PhaseRowWarning[] } {
  const adapted = adaptPhaseOutput(phase, raw);
  if (adapted.mapped.length) log.info?.({ phase, mapped: adapted.mapped.slice(0, 50), count: adapted.mapped.length }, 'mapped a phase output of the original shape');
  const w = new Warnings(phase, log);
  for (const warning of adapted.warnings) w.add(warning.path, warning.message);
  return { output: adapted.output, warnings: w.list };
}

/** Splits an EARS sentence into its condition (WHEN/IF/WHILE/WHERE clause, '' when none) and its response. */
export function parseEars(input: string): { condition: string; action: string } {
  const text = input.trim().replace(/\s+/g, ' ');
  const shall = /\bshall\b/i.exec(text);
  if (!shall) return { condition: '', action: text };
  const before = text.slice(0, shall.index);
  // The subject of SHALL: the last "the …" with no comma between it and SHALL, else what follows the last comma.
  const subjects = [...before.matchAll(/\bthe\b/gi)].filter((m) => !before.slice(m.index).includes(','));
  const lastComma = before.lastIndexOf(',');
  // "IF x THEN THE SYSTEM SHALL" → the action starts at THE; THEN belongs to neither part.
  const start = subjects.length ? subjects[subjects.length - 1]!.index : lastComma + 1;
  const condition = text
    .slice(0, start)
    .trim()
    .replace(/,\s*$/, '')
    .replace(/\s*\bthen$/i, '')
    .replace(/,\s*$/, '')
    .trim();
  return { condition, action: text.slice(start).trim() };
}

/** `a.b[2].c` from a zod issue path under `base`. */
function issuePath(base: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>((out, key) => (typeof key === 'number' ? `${out}[${key}]` : `${out}.${String(key)}`), base);
}

/** The valid items of `list` (each with its index), a warning for each invalid one (skipped). */
function items<T extends z.ZodType>(schema: T, list: unknown, what: string, path: string, w: Warnings): (z.output<T> & { _index: number })[] {
  if (list === undefined) return [];
  if (!Array.isArray(list)) {
    w.add(path, `is not a list; no ${what} rows were made from it`);
    return [];
  }
  const out: (z.output<T> & { _index: number })[] = [];
  list.forEach((raw, index) => {
    const parsed = schema.safeParse(raw);
    if (parsed.success) {
      out.push({ ...(parsed.data as object), _index: index } as z.output<T> & { _index: number });
      return;
    }
    const issue = parsed.error.issues[0];
    const missing = issue?.code === 'invalid_type' && /received undefined$/.test(issue.message);
    const field = issue?.path.at(-1);
    const why = missing ? `${field === undefined ? 'a field' : String(field)} is missing` : (issue?.message ?? 'invalid');
    w.add(issue ? issuePath(`${path}[${index}]`, issue.path) : `${path}[${index}]`, `${what} skipped: ${why}`);
  });
  return out;
}

/** Keeps the first item of each local id (an output repeating an id must not upsert one row twice in a statement). */
function uniqueById<T extends { id: string; _index?: number }>(list: T[], path: string, w: Warnings): T[] {
  const seen = new Map<string, number | undefined>();
  return list.filter((item) => {
    if (!seen.has(item.id)) return seen.set(item.id, item._index);
    w.add(`${path}[${item._index ?? '?'}].id`, `duplicate id ${JSON.stringify(item.id)} (also at ${path}[${seen.get(item.id) ?? '?'}]); the first one is kept`);
    return false;
  });
}

/** Run-made rows of a spec, keyed by `(spec_id, local_id)`, that a person may edit (`edited_at`). */
type RunRowTable = typeof specRequirements | typeof specTasks;

/**
 * The rule of this module for one table: upserts `values` by `(spec_id, local_id)`, refreshing the
 * `refresh` columns (and `updated_at`) of rows no person edited; removes run-made rows (local id set)
 * that are not in `values` unless edited; keeps rows a person added (no local id). Answers the stored
 * rows of these local ids, edited or not.
 */
async function upsertByLocalId<T extends RunRowTable>(
  tx: Tx,
  table: T,
  specId: string,
  values: (T['$inferInsert'] & { localId: string })[],
  refresh: (keyof T['$inferInsert'] & keyof T['_']['columns'] & string)[],
): Promise<{ id: string; localId: string | null; editedAt: Date | null }[]> {
  const columns = getTableColumns(table) as Record<string, Column>;
  const set: Record<string, SQL> = { updatedAt: sql`now()` };
  for (const key of refresh) {
    const column = columns[key];
    if (!column) throw new Error(`no column ${key} in ${getTableName(table)}`);
    set[key] = sql`excluded.${sql.identifier(column.name)}`;
  }
  const t: RunRowTable = table;
  await tx
    .insert(t)
    .values(values)
    .onConflictDoUpdate({ target: [t.specId, t.localId], set, setWhere: isNull(t.editedAt) });
  const localIds = values.map((v) => v.localId);
  await tx.execute(sql`
    delete from ${t}
    where ${t.specId} = ${specId} and ${t.localId} is not null
      and ${t.editedAt} is null and not (${t.localId} in ${localIds})`);
  return tx
    .select({ id: t.id, localId: t.localId, editedAt: t.editedAt })
    .from(t)
    .where(and(eq(t.specId, specId), inArray(t.localId, localIds)));
}

export async function upsertRequirements(tx: Tx, specId: string, output: Record<string, unknown>, w: Warnings): Promise<number> {
  const reqs = uniqueById(items(RequirementItem, output['requirements'], 'requirement', 'requirements', w), 'requirements', w);
  if (reqs.length === 0) return 0;
  const values = reqs.map((r, position) => {
    const { condition, action } = parseEars(r.text);
    return { id: newId.requirement(), specId, localId: r.id, title: r.title, condition, action, text: r.text, type: r.type || 'functional', priority: r.priority, position };
  });
  // Rows a person edited are kept; what the output would change in them becomes a proposal (issue 10).
  await proposeRequirementChanges(
    tx,
    specId,
    values.map((v, i) => ({ localId: v.localId, title: v.title, text: v.text, type: v.type, priority: v.priority, criteria: reqs[i]!.acceptance_criteria.map((c) => ({ localId: c.id, text: c.text })) })),
  );
  const stored = await upsertByLocalId(tx, specRequirements, specId, values, ['title', 'condition', 'action', 'text', 'type', 'priority', 'position']);
  // Criteria of a requirement a person edited are theirs too: left alone.
  const serverIds = new Map(stored.filter((r) => r.editedAt === null).map((r) => [r.localId, r.id]));
  const criteria = reqs.flatMap((r) => {
    const requirementId = serverIds.get(r.id);
    if (!requirementId) return [];
    const path = `requirements[${r._index}].acceptance_criteria`;
    return uniqueById(items(AcceptanceCriterion, r.acceptance_criteria, 'acceptance criterion', path, w), path, w).map((c, position) => ({
      id: newId.criterion(),
      requirementId,
      localId: c.id,
      text: c.text,
      position,
    }));
  });
  const touched = [...serverIds.values()];
  if (touched.length === 0) return reqs.length;
  if (criteria.length) {
    await tx
      .insert(specAcceptanceCriteria)
      .values(criteria)
      .onConflictDoUpdate({
        target: [specAcceptanceCriteria.requirementId, specAcceptanceCriteria.localId],
        set: { text: sql`excluded.text`, position: sql`excluded.position`, updatedAt: sql`now()` },
        setWhere: isNull(specAcceptanceCriteria.editedAt),
      });
  }
  const keep = JSON.stringify(criteria.map((c) => ({ requirement_id: c.requirementId, local_id: c.localId })));
  await tx.execute(sql`
    delete from ${specAcceptanceCriteria} c
    where c.requirement_id in ${touched} and c.local_id is not null and c.edited_at is null
      and not exists (
        select 1 from jsonb_to_recordset(${keep}::jsonb) as k(requirement_id text, local_id text)
        where k.requirement_id = c.requirement_id and k.local_id = c.local_id)`);
  return reqs.length;
}

/** `data_models` as the Markdown the design tab shows. */
function dataModelMarkdown(models: DesignOutput['data_models']): string {
  return models
    .map((m) => {
      const fields = m.fields.map((f) => `- \`${f.name}\`: ${f.type}${f.description ? ` — ${f.description}` : ''}`).join('\n');
      return `### ${m.name}\n${m.description ? `${m.description}\n` : ''}${fields}`;
    })
    .join('\n\n');
}

/** The stored `specs.design`: the shape of `PutDesignBody` (the view adds `endpoint` and `edited_at`). */
export function designFromOutput(output: DesignOutput): Record<string, unknown> {
  return {
    architecture: output.architecture_overview,
    data_model: dataModelMarkdown(output.data_models),
    api_spec: output.api_endpoints.map((e) => ({ method: e.method, path: e.path, description: e.description })),
    components: output.components.map((c) => ({ id: c.id, name: c.name, responsibility: c.responsibility, ...(c.file_path ? { file_path: c.file_path } : {}) })),
    error_handling: output.error_handling,
    testing_strategy: output.testing_strategy,
    architecture_diagram: output.architecture_diagram ?? null,
  };
}

/** A text section of the design: a string, else '' (with a warning when something else was there). */
function designText(output: Record<string, unknown>, key: string, w: Warnings): string {
  const value = output[key];
  if (typeof value === 'string') return value;
  if (value !== undefined && value !== null) w.add(key, 'is not text; stored empty');
  return '';
}

/**
 * The design from its output, item by item: a component, data model or endpoint that does not match
 * the schema is left out with a warning, the rest is stored (one bad component no longer loses the design).
 */
export async function upsertDesign(tx: Tx, specId: string, output: Record<string, unknown>, w: Warnings): Promise<boolean> {
  const strip = <T>(list: (T & { _index: number })[]): T[] => list.map(({ _index: _, ...rest }) => rest as unknown as T);
  const diagram = output['architecture_diagram'];
  const design: DesignOutput = {
    architecture_overview: designText(output, 'architecture_overview', w),
    ...(typeof diagram === 'string' ? { architecture_diagram: diagram } : {}),
    components: strip(uniqueById(items(DesignComponent, output['components'], 'component', 'components', w), 'components', w)),
    data_models: strip(items(DataModel, output['data_models'], 'data model', 'data_models', w)),
    api_endpoints: strip(items(ApiEndpoint, output['api_endpoints'], 'endpoint', 'api_endpoints', w)),
    error_handling: designText(output, 'error_handling', w),
    testing_strategy: designText(output, 'testing_strategy', w),
  };
  await proposeDesignChange(tx, specId, designFromOutput(design));
  const updated = await tx
    .update(specs)
    .set({ design: designFromOutput(design) })
    .where(and(eq(specs.id, specId), isNull(specs.designEditedAt)))
    .returning({ id: specs.id });
  return updated.length > 0;
}

/**
 * An estimate as the `real` (float4) column can hold it: a run's output may say anything positive, but
 * below 0.01 h (1e-320 underflows float4 and failed the whole batch) or past 100,000 h it is not an
 * estimate; such a value is stored as no estimate rather than refusing the run's events.
 */
export function storableHours(hours: number): number | null {
  return Number.isFinite(hours) && hours >= 0.01 && hours <= 100_000 ? hours : null;
}

export async function upsertTasks(tx: Tx, specId: string, output: Record<string, unknown>, w: Warnings): Promise<number> {
  const tickets = items(TicketItem, output['tickets'], 'ticket', 'tickets', w);
  const tasks = uniqueById(items(TaskItem, output['tasks'], 'task', 'tasks', w), 'tasks', w);
  if (tasks.length === 0) return 0;
  const priorityOf = new Map<string, Priority>(tickets.map((t) => [t.id, t.priority]));
  const values = tasks.map((t, position) => ({
    id: newId.specTask(),
    specId,
    localId: t.id,
    ticketLocalId: t.ticket_id,
    title: t.title,
    description: t.description,
    priority: priorityOf.get(t.ticket_id) ?? 'medium',
    estimatedHours: storableHours(t.estimated_hours),
    requirements: t.requirements,
    position,
  }));
  await proposeTaskChanges(
    tx,
    specId,
    values.map((v, i) => ({ localId: v.localId, ticketLocalId: v.ticketLocalId, title: v.title, description: v.description, priority: v.priority, estimatedHours: v.estimatedHours, requirements: v.requirements, dependsOn: tasks[i]!.depends_on })),
  );
  const stored = await upsertByLocalId(tx, specTasks, specId, values, ['ticketLocalId', 'title', 'description', 'priority', 'estimatedHours', 'requirements', 'position']);
  const serverId = new Map(stored.map((r) => [r.localId, r.id]));
  const editable = new Set(stored.filter((r) => r.editedAt === null).map((r) => r.id));
  const deps = tasks.flatMap((t) => {
    const id = serverId.get(t.id);
    if (!id || !editable.has(id)) return [];
    const mapped = t.depends_on.flatMap((local, j) => {
      const target = serverId.get(local);
      if (!target) w.add(`tasks[${t._index}].depends_on[${j}]`, `task ${t.id} depends on unknown task ${JSON.stringify(local)}; dependency dropped`);
      return target ? [target] : [];
    });
    return [{ id, deps: mapped }];
  });
  if (deps.length) {
    await tx.execute(sql`
      update ${specTasks} as t set dependencies = d.deps
      from jsonb_to_recordset(${JSON.stringify(deps)}::jsonb) as d(id text, deps jsonb)
      where t.id = d.id and t.edited_at is null`);
  }
  return tasks.length;
}

/**
 * Upserts the rows of one completed phase from its output as {@link prepareOutput} made it; phases
 * without rows (explore, prd, sync) do nothing. Answers what of the output did not become a row.
 */
export async function upsertPhaseRows(tx: Tx, specId: string, phase: Phase, output: Record<string, unknown>, log: PhaseRowsLogger): Promise<PhaseRowWarning[]> {
  const w = new Warnings(phase, log);
  switch (phase) {
    case 'requirements':
      await upsertRequirements(tx, specId, output, w);
      break;
    case 'design':
      await upsertDesign(tx, specId, output, w);
      break;
    case 'tasks':
      await upsertTasks(tx, specId, output, w);
      break;
    case 'explore':
    case 'prd':
    case 'sync':
      break;
  }
  return w.list;
}
