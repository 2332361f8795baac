/**
 * The context of a run that continues a spec (an approval, a rejection, a re-run): the outputs of the
 * phases before it, rebuilt from the rows **as a person left them** and merged over the stored phase
 * outputs (`phase_data`), which keep what rows do not hold (a requirement's category, a component's files).
 *
 * - REQUIREMENTS: `spec_requirements` + `spec_acceptance_criteria` in order: titles, texts, types,
 *   priorities and criteria as edited; rows a person added are included.
 * - DESIGN: `specs.design` (a person's PUT) over the stored DESIGN output: overview, components, endpoints,
 *   data models (the Markdown read back into models), error handling, testing strategy, diagram.
 * - TASKS: `spec_tasks` in order, dependencies as local ids.
 * - other phases: their stored output.
 *
 * Rows a person added have no local id; a continued run needs one to refer to them (a task's
 * `requirements`, a component's), so they get one here, for good, from ranges a run never assigns
 * (`REQ-9001`, `REQ-001.AC-901`, `TSK-9001`). The rows stay the person's (`edited_at` is kept).
 */
import { designDto } from './specView';
import { designFromOutput } from './phaseRows';
import type { DesignOutput, Phase } from '@specline/protocol';
import { asc, eq, inArray } from 'drizzle-orm';
import type { Tx } from '../store/db';
import { specAcceptanceCriteria, specRequirements, specTasks } from '../store/schema';
import type { SpecRow } from './access';

type Json = Record<string, unknown>;
export type PhaseContext = Record<string, Json>;

const isRecord = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const listOf = (value: unknown): Json[] => (Array.isArray(value) ? value.filter(isRecord) : []);

/** Person-assigned ids start here: a run numbers its items from 1 and never gets this far. */
const PERSON_BASE = 9000;
const PERSON_CRITERION_BASE = 900;

function numberOf(id: string | null | undefined, pattern: RegExp): number {
  const m = id ? pattern.exec(id) : null;
  return m ? Number(m[1]) : 0;
}

function byId(list: Json[], key = 'id'): Map<string, Json> {
  const out = new Map<string, Json>();
  for (const item of list) if (typeof item[key] === 'string' && !out.has(item[key])) out.set(item[key], item);
  return out;
}

/** The REQUIREMENTS output as the rows say (edits included), over the stored output. Undefined when there are no rows. */
export async function requirementsContext(tx: Tx, spec: SpecRow): Promise<Json | undefined> {
  const reqs = await tx.select().from(specRequirements).where(eq(specRequirements.specId, spec.id)).orderBy(asc(specRequirements.position), asc(specRequirements.createdAt), asc(specRequirements.id));
  if (reqs.length === 0) return undefined;
  const crits = await tx
    .select()
    .from(specAcceptanceCriteria)
    .where(inArray(specAcceptanceCriteria.requirementId, reqs.map((r) => r.id)))
    .orderBy(asc(specAcceptanceCriteria.position), asc(specAcceptanceCriteria.createdAt), asc(specAcceptanceCriteria.id));
  const stored = isRecord(spec.phaseData['requirements']) ? spec.phaseData['requirements'] : {};
  const original = byId(listOf(stored['requirements']));
  let nextReq = Math.max(PERSON_BASE, ...reqs.map((r) => numberOf(r.localId, /^REQ-(\d+)$/))) + 1;
  const items: Json[] = [];
  for (const r of reqs) {
    let localId = r.localId;
    if (!localId) {
      localId = `REQ-${nextReq++}`;
      await tx.update(specRequirements).set({ localId }).where(eq(specRequirements.id, r.id));
    }
    const mine = crits.filter((c) => c.requirementId === r.id);
    let nextCrit = Math.max(PERSON_CRITERION_BASE, ...mine.map((c) => numberOf(c.localId, /\.AC-(\d+)$/))) + 1;
    const origCriteria = byId(listOf(original.get(localId)?.['acceptance_criteria']));
    const criteria: Json[] = [];
    for (const c of mine) {
      let cid = c.localId;
      if (!cid) {
        cid = `${localId}.AC-${nextCrit++}`;
        await tx.update(specAcceptanceCriteria).set({ localId: cid }).where(eq(specAcceptanceCriteria.id, c.id));
      }
      criteria.push({ ...origCriteria.get(cid), id: cid, text: c.text });
    }
    items.push({ ...original.get(localId), id: localId, title: r.title, type: r.type || 'functional', priority: r.priority, text: r.text || [r.condition, r.action].filter(Boolean).join(' '), acceptance_criteria: criteria });
  }
  return { ...stored, requirements: items };
}

/** `### Model` sections with `- \`field\`: type — description` lines (what `designFromOutput` writes) back into data models. */
export function parseDataModelMarkdown(markdown: string): DesignOutput['data_models'] {
  const models: DesignOutput['data_models'] = [];
  let current: DesignOutput['data_models'][number] | undefined;
  for (const raw of markdown.split('\n')) {
    const line = raw.trim();
    const heading = /^#{2,4}\s+(.+)$/.exec(line);
    if (heading) {
      current = { name: heading[1]!.trim(), fields: [] };
      models.push(current);
      continue;
    }
    if (!current || line === '') continue;
    const field = /^[-*]\s+`?([^`:]+?)`?\s*:\s*([^—]+?)(?:\s+—\s+(.*))?$/.exec(line);
    if (field) current.fields.push({ name: field[1]!.trim(), type: field[2]!.trim(), ...(field[3] ? { description: field[3].trim() } : {}) });
    else current.description = current.description ? `${current.description} ${line}` : line;
  }
  return models;
}

/** The DESIGN output as the person left it: `specs.design` over the stored output. Undefined without a design. */
export function designContext(spec: SpecRow): Json | undefined {
  const stored = isRecord(spec.phaseData['design']) ? spec.phaseData['design'] : undefined;
  if (!spec.design) return stored;
  if (stored && spec.designEditedAt === null) return stored;
  const design = designDto(spec.design, spec.designEditedAt);
  if (!design) return stored;
  const base: Json = stored ?? {};
  const components = byId(listOf(base['components']));
  const endpoints = new Map(listOf(base['api_endpoints']).map((e) => [`${String(e['method']).toUpperCase()} ${String(e['path'])}`, e]));
  const storedModels = listOf(base['data_models']) as DesignOutput['data_models'];
  const storedMarkdown = designFromOutput({ architecture_overview: '', components: [], api_endpoints: [], error_handling: '', testing_strategy: '', data_models: storedModels }).data_model;
  let dataModels: unknown = storedModels;
  const extra: Json = {};
  if (design.data_model.trim() !== String(storedMarkdown).trim()) {
    const parsed = parseDataModelMarkdown(design.data_model);
    const byName = byId(storedModels, 'name');
    if (parsed.length > 0) dataModels = parsed.map((m) => ({ ...byName.get(m.name), ...m }));
    else if (design.data_model.trim() !== '') extra['data_model_notes'] = design.data_model;
    else dataModels = [];
  }
  const out: Json = {
    ...base,
    architecture_overview: design.architecture,
    components: design.components.map((c) => ({ ...components.get(c.id), id: c.id, name: c.name, responsibility: c.responsibility, ...(c.file_path ? { file_path: c.file_path } : {}) })),
    data_models: dataModels,
    api_endpoints: design.api_spec.map((e) => ({ ...endpoints.get(`${e.method.toUpperCase()} ${e.path}`), method: e.method, path: e.path, description: e.description })),
    error_handling: design.error_handling,
    testing_strategy: design.testing_strategy,
    ...extra,
  };
  if (design.architecture_diagram) out['architecture_diagram'] = design.architecture_diagram;
  else delete out['architecture_diagram'];
  return out;
}

/** The TASKS output as the rows say (edits included), over the stored output. Undefined when there are no rows. */
export async function tasksContext(tx: Tx, spec: SpecRow): Promise<Json | undefined> {
  const rows = await tx.select().from(specTasks).where(eq(specTasks.specId, spec.id)).orderBy(asc(specTasks.position), asc(specTasks.createdAt), asc(specTasks.id));
  if (rows.length === 0) return undefined;
  const stored = isRecord(spec.phaseData['tasks']) ? spec.phaseData['tasks'] : {};
  const original = byId(listOf(stored['tasks']));
  const tickets = listOf(stored['tickets']);
  let next = Math.max(PERSON_BASE, ...rows.map((r) => numberOf(r.localId, /^TSK-(\d+)$/))) + 1;
  const localOf = new Map<string, string>();
  for (const r of rows) {
    let localId = r.localId;
    if (!localId) {
      localId = `TSK-${next++}`;
      await tx.update(specTasks).set({ localId }).where(eq(specTasks.id, r.id));
    }
    localOf.set(r.id, localId);
  }
  const ticketIds = new Set(tickets.map((t) => t['id']));
  const PERSON_TICKET = `TKT-${PERSON_BASE + 1}`;
  const tasks = rows.map((r) => {
    const localId = localOf.get(r.id)!;
    const orig = original.get(localId);
    const ticket = r.ticketLocalId && ticketIds.has(r.ticketLocalId) ? r.ticketLocalId : PERSON_TICKET;
    const hours = r.estimatedHours ?? (typeof orig?.['estimated_hours'] === 'number' ? orig['estimated_hours'] : 1);
    return {
      ...orig,
      id: localId,
      ticket_id: ticket,
      title: r.title,
      description: r.description,
      priority: r.priority,
      estimated_hours: hours,
      depends_on: r.dependencies.flatMap((d) => localOf.get(d) ?? []),
      requirements: r.requirements,
    };
  });
  if (tasks.some((t) => t.ticket_id === PERSON_TICKET) && !ticketIds.has(PERSON_TICKET)) {
    tickets.push({ id: PERSON_TICKET, title: spec.title, description: 'Tasks a person added to the spec', priority: 'medium', requirements: [] });
  }
  return { ...stored, tickets, tasks };
}

/**
 * The outputs of `phases`, as a person left them: what a continued run gets as its context (and what the
 * spec's `phase_data` holds while it runs). Phases without an output are left out.
 */
export async function buildRunContext(tx: Tx, spec: SpecRow, phases: readonly Phase[]): Promise<PhaseContext> {
  const out: PhaseContext = {};
  for (const phase of phases) {
    let output: Json | undefined;
    if (phase === 'requirements') output = await requirementsContext(tx, spec);
    else if (phase === 'design') output = designContext(spec);
    else if (phase === 'tasks') output = await tasksContext(tx, spec);
    else {
      const stored = spec.phaseData[phase];
      output = isRecord(stored) && Object.keys(stored).length > 0 ? stored : undefined;
    }
    if (output) out[phase] = output;
  }
  return out;
}
