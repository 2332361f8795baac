/**
 * Markdown documents for the requirements, design and tasks outputs. Pure renderers (string in,
 * string out) plus {@link writePhaseArtifact}, which writes the phase's document under the output
 * directory. Unknown-shaped input is tolerated: missing fields render as "—", never crash.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Phase } from '@specline/protocol';
import { asArray, asRecord, idList, refsAt, type Json } from '../analysis/shape';
import { TASK_COMPONENT_FIELDS, normalizeDependencies, taskRequirementIds, topologicalOrder } from '../analysis/traceability';

const str = (value: unknown): string => (typeof value === 'string' && value.trim() !== '' ? value.trim() : typeof value === 'number' ? String(value) : '—');
/** Text safe inside a table cell. */
const cell = (value: unknown): string => str(value).replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const records = (value: unknown): Json[] => asArray(value).map((item) => asRecord(item) ?? {});
const list = (ids: string[]): string => (ids.length === 0 ? '—' : ids.join(', '));

export function renderRequirements(output: unknown, title: string): string {
  const o = asRecord(output) ?? {};
  const requirements = records(o['requirements']);
  const lines = [`# Requirements: ${title}`, '', `${requirements.length} requirement(s), written in EARS form.`, ''];
  const existing = asRecord(o['existing_implementation']);
  if (existing) lines.push(`> **Already implemented:** ${str(existing['summary'])}`, '');
  const notes = asArray(o['notes']).filter((n): n is string => typeof n === 'string' && n.trim() !== '' && !(existing && n.startsWith('Already implemented')));
  if (notes.length > 0) lines.push(...notes.map((n) => `- ${n}`), '');
  lines.push('| ID | Title | Type | Priority | Criteria |', '|---|---|---|---|---|');
  for (const r of requirements) lines.push(`| ${cell(r['id'])} | ${cell(r['title'])} | ${cell(r['type'])} | ${cell(r['priority'])} | ${asArray(r['acceptance_criteria']).length} |`);
  for (const r of requirements) {
    lines.push('', `## ${str(r['id'])}: ${str(r['title'])}`, '', `- **Type:** ${str(r['type'])}`, `- **Priority:** ${str(r['priority'])}`);
    if (typeof r['existing_implementation'] === 'string') lines.push(`- **Already there:** ${r['existing_implementation']}`);
    lines.push('', `> ${str(r['text'])}`, '', '**Acceptance criteria**', '');
    const criteria = records(r['acceptance_criteria']);
    if (criteria.length === 0) lines.push('- —');
    for (const c of criteria) lines.push(`- [ ] **${str(c['id'])}** ${str(c['text'])}`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderDesign(output: unknown, title: string): string {
  const o = asRecord(output) ?? {};
  const lines = [`# Design: ${title}`, '', '## Architecture', '', str(o['architecture_overview']), ''];
  const designNotes = asArray(o['notes']).filter((n): n is string => typeof n === 'string' && n.trim() !== '' && !str(o['architecture_overview']).includes(n));
  if (designNotes.length > 0) lines.push(...designNotes.map((n) => `- ${n}`), '');
  const diagram = o['architecture_diagram'];
  if (typeof diagram === 'string' && diagram.trim() !== '') lines.push('```mermaid', diagram.trim(), '```', '');
  const components = records(o['components']);
  lines.push('## Components', '', '| ID | Name | Responsibility | File | Requirements |', '|---|---|---|---|---|');
  for (const c of components) lines.push(`| ${cell(c['id'])} | ${cell(c['name'])} | ${cell(c['responsibility'])} | ${cell(c['file_path'])} | ${cell(list(idList(c['requirements'])))} |`);
  // Which files change and which are new, with the existing symbols touched and why (planner's grounding).
  const placed = components.filter((c) => typeof c['file_path'] === 'string' && (c['change'] !== undefined || c['reason'] !== undefined));
  if (placed.length > 0) {
    lines.push('', '### Files', '');
    for (const c of placed) {
      const symbols = asArray(c['existing_symbols']).filter((x): x is string => typeof x === 'string');
      const change = c['change'] === 'modify' ? 'changes' : c['change'] === 'create' ? 'creates' : 'touches';
      lines.push(`- ${str(c['id'])} ${change} \`${str(c['file_path'])}\`${symbols.length > 0 ? ` (${symbols.map((x) => `\`${x}\``).join(', ')})` : ''}${typeof c['reason'] === 'string' && c['reason'] !== '' ? `: ${c['reason']}` : ''}`);
    }
  }
  const models = records(o['data_models']);
  lines.push('', '## Data models', '');
  if (models.length === 0) lines.push('None.');
  for (const m of models) {
    lines.push(`### ${str(m['name'])}`, '');
    if (str(m['description']) !== '—') lines.push(str(m['description']), '');
    lines.push('| Field | Type | Description |', '|---|---|---|');
    for (const f of records(m['fields'])) lines.push(`| ${cell(f['name'])} | ${cell(f['type'])} | ${cell(f['description'])} |`);
    lines.push('');
  }
  const endpoints = records(o['api_endpoints']);
  lines.push('## API endpoints', '');
  if (endpoints.length === 0) lines.push('None.');
  else lines.push('| Method | Path | Description |', '|---|---|---|', ...endpoints.map((e) => `| ${cell(e['method'])} | \`${cell(e['path'])}\` | ${cell(e['description'])} |`));
  lines.push('', '## Error handling', '', str(o['error_handling']), '', '## Testing strategy', '', str(o['testing_strategy']));
  return `${lines.join('\n')}\n`;
}

/** Mermaid node ids must be plain words: `TSK-001` → `TSK_001`. */
const node = (id: string) => id.replace(/[^A-Za-z0-9_]/g, '_');

export function renderTasks(output: unknown, title: string): string {
  const o = asRecord(output) ?? {};
  const tickets = records(o['tickets']);
  const tasks = records(o['tasks']);
  const hours = tasks.reduce((sum, t) => sum + (typeof t['estimated_hours'] === 'number' ? t['estimated_hours'] : 0), 0);
  const lines = [`# Tasks: ${title}`, '', `${tickets.length} ticket(s), ${tasks.length} task(s), ${Math.round(hours * 10) / 10} estimated hour(s).`, ''];
  const order = topologicalOrder(tasks);
  lines.push('## Execution order', '', order ? order.map((id, i) => `${i + 1}. ${id}`).join('\n') : 'No valid order: the dependencies contain a cycle.', '');
  lines.push('## Dependency graph', '', '```mermaid', 'graph TD');
  for (const t of tasks) lines.push(`  ${node(str(t['id']))}["${str(t['id'])}: ${str(t['title']).replace(/"/g, "'")}"]`);
  for (const t of tasks) for (const dep of normalizeDependencies(t)) lines.push(`  ${node(dep)} --> ${node(str(t['id']))}`);
  lines.push('```', '');
  for (const ticket of tickets) {
    const id = str(ticket['id']);
    lines.push(`## ${id}: ${str(ticket['title'])}`, '', `- **Priority:** ${str(ticket['priority'])}`, `- **Requirements:** ${list(idList(ticket['requirements']))}`, '', str(ticket['description']), '');
    const own = tasks.filter((t) => str(t['ticket_id'] ?? t['parent_ticket']) === id);
    lines.push('| Task | Title | Hours | Depends on | Requirements | Components |', '|---|---|---|---|---|---|');
    for (const t of own) {
      lines.push(
        `| ${cell(t['id'])} | ${cell(t['title'])} | ${cell(t['estimated_hours'])} | ${cell(list(normalizeDependencies(t)))} | ${cell(list(taskRequirementIds(t)))} | ${cell(list(refsAt(t, TASK_COMPONENT_FIELDS).map((r) => r.id)))} |`,
      );
    }
    for (const t of own) {
      lines.push('', `### ${str(t['id'])}: ${str(t['title'])}`, '', str(t['description']));
      const files = asArray(t['files']).filter((f): f is string => typeof f === 'string');
      if (files.length > 0) lines.push('', `Files: ${files.map((f) => `\`${f}\``).join(', ')}`);
    }
    lines.push('');
  }
  const orphans = tasks.filter((t) => !tickets.some((k) => str(k['id']) === str(t['ticket_id'] ?? t['parent_ticket'])));
  if (orphans.length > 0) lines.push('## Tasks without a ticket', '', ...orphans.map((t) => `- ${str(t['id'])}: ${str(t['title'])}`), '');
  return `${lines.join('\n')}\n`;
}

export interface WrittenArtifact {
  artifact_type: 'requirements' | 'design' | 'tasks';
  path: string;
  /** Requirements, components or tasks in the document. */
  count: number;
}

/** Writes the markdown document of `phase` (requirements, design or tasks) under `outputDir`; other phases have none. */
export async function writePhaseArtifact(phase: Phase, output: unknown, outputDir: string, title: string): Promise<WrittenArtifact | null> {
  const o = asRecord(output) ?? {};
  let artifact: WrittenArtifact;
  let body: string;
  switch (phase) {
    case 'requirements':
      artifact = { artifact_type: 'requirements', path: join(outputDir, 'requirements.md'), count: asArray(o['requirements']).length };
      body = renderRequirements(o, title);
      break;
    case 'design':
      artifact = { artifact_type: 'design', path: join(outputDir, 'design.md'), count: asArray(o['components']).length };
      body = renderDesign(o, title);
      break;
    case 'tasks':
      artifact = { artifact_type: 'tasks', path: join(outputDir, 'tasks.md'), count: asArray(o['tasks']).length };
      body = renderTasks(o, title);
      break;
    case 'explore':
    case 'prd':
    case 'sync':
      return null;
  }
  await mkdir(outputDir, { recursive: true });
  await writeFile(artifact.path, body, 'utf8');
  return artifact;
}
