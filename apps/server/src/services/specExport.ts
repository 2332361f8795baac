/** `GET /specs/{id}/export`: the spec as a JSON document or a Markdown file. */
import { ExploreOutput, type Phase, type Spec } from '@specline/protocol';
import type { Queryable } from '../store/db';
import { requireSpecAccess } from './access';
import { specDto } from './specView';

export type ExportFormat = 'json' | 'markdown';

export interface ExportedDocument {
  contentType: string;
  filename: string;
  body: string;
}

/** `spec-<slug of the title>-<first 8 of the id>.md`: only `[a-z0-9-]`, never empty, at most ~70 characters. */
export function exportFilename(spec: Pick<Spec, 'id' | 'title'>, format: ExportFormat): string {
  const slug = spec.title
    .normalize('NFKD')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '')
    .slice(0, 50)
    .replace(/-+$/, '');
  const shortId = spec.id.replace(/^spec-/, '').replace(/[^a-zA-Z0-9]/g, '').slice(0, 8);
  return `spec-${slug ? `${slug}-` : ''}${shortId}.${format === 'json' ? 'json' : 'md'}`;
}

/** Progress is stored 0–100; print it as such (the original printed it ×100). */
export const formatPercent = (value: number): string => `${Math.round(Math.min(100, Math.max(0, value)))}%`;

/** Keeps one-line fields from breaking the Markdown structure (headings, tables). */
const inline = (text: string): string => text.replace(/\s*\n\s*/g, ' ').replace(/\|/g, '\\|').trim();

/** The phase and status names the web shows (`apps/web`: PHASE_INFO, SpecStatusBadge), never the legacy stage. */
const PHASE_LABELS: Record<Phase, string> = { explore: 'Explore', prd: 'PRD', requirements: 'Requirements', design: 'Design', tasks: 'Tasks', sync: 'Sync' };
const STATUS_LABELS: Record<string, string> = {
  draft: 'Draft',
  queued: 'Queued',
  executing: 'Running',
  awaiting_approval: 'Awaiting approval',
  completed: 'Completed',
  failed: 'Failed',
  cancelled: 'Cancelled',
};

/** "Not started" before any run, else the label of the phase running now or reached last. */
export function phaseText(spec: Pick<Spec, 'current_phase'>): string {
  return spec.current_phase ? PHASE_LABELS[spec.current_phase] : 'Not started';
}

export function statusText(spec: Pick<Spec, 'status' | 'queue_position' | 'archived'>): string {
  const label = STATUS_LABELS[spec.status] ?? spec.status.replace(/_/g, ' ');
  const queued = spec.status === 'queued' && spec.queue_position ? ` · position ${spec.queue_position}` : '';
  return `${label}${queued}${spec.archived ? ' (archived)' : ''}`;
}

/**
 * Embedded Markdown under a heading of level `parent`: its own headings are moved down so the shallowest
 * is `parent + 1` (a data model's `### Order` under `### Data model` becomes `#### Order`). Code fences are left alone.
 */
export function nestHeadings(markdown: string, parent: number): string {
  const lines = markdown.split('\n');
  let fence = false;
  let shallowest = 7;
  const isHeading: boolean[] = lines.map((line) => {
    if (/^\s*(```|~~~)/.test(line)) fence = !fence;
    const m = !fence && /^(#{1,6})\s/.exec(line);
    if (m) shallowest = Math.min(shallowest, m[1]!.length);
    return Boolean(m);
  });
  const shift = shallowest <= parent ? parent + 1 - shallowest : 0;
  if (shift === 0) return markdown;
  return lines.map((line, i) => (isHeading[i] ? `${'#'.repeat(Math.min(6, /^#+/.exec(line)![0].length + shift))}${line.replace(/^#+/, '')}` : line)).join('\n');
}

const strings = (value: unknown): string[] => (Array.isArray(value) ? value.filter((v): v is string => typeof v === 'string') : []);

/** The EXPLORE output as a section: summary, stack, languages, entry points, tests, routes, data models, key files. */
export function exploreMarkdown(raw: unknown): string[] {
  const parsed = ExploreOutput.partial().safeParse(raw);
  if (!parsed.success || Object.keys(parsed.data).length === 0) return ['## Explore', '', '_Not run yet._', ''];
  const e = parsed.data;
  const lines: string[] = ['## Explore', ''];
  if (e.codebase_summary) lines.push(e.codebase_summary, '');
  if (e.has_codebase === false) lines.push('_No repository was connected: the plan was written from the request alone._', '');
  const facts: string[] = [];
  if (e.project_type) facts.push(`- **Project type:** ${inline(e.project_type)}`);
  const stack = [...new Set([...strings(e.tech_stack), ...strings(e.frameworks)])];
  if (stack.length) facts.push(`- **Stack and frameworks:** ${stack.map(inline).join(', ')}`);
  if (e.languages?.length) facts.push(`- **Languages:** ${e.languages.map((l) => `${inline(l.name)} (${l.files} file${l.files === 1 ? '' : 's'})`).join(', ')}`);
  if (e.repo_commit) facts.push(`- **Commit:** \`${e.repo_commit}\``);
  if (e.files_scanned !== undefined) facts.push(`- **Files scanned:** ${e.files_scanned}`);
  if (facts.length) lines.push(...facts, '');
  const entries = e.entry_point_details?.length ? e.entry_point_details.map((p) => `- \`${p.path}\` (${inline(p.kind)})`) : strings(e.entry_points).map((p) => `- \`${p}\``);
  if (entries.length) lines.push('### Entry points', '', ...entries, '');
  if (e.test_layout || e.test_structure) {
    lines.push('### Tests', '');
    const t = e.test_layout;
    if (t) {
      if (t.runner) lines.push(`- **Runner:** ${inline(t.runner)}${t.command ? ` (\`${t.command}\`)` : ''}`);
      lines.push(`- **Layout:** ${inline(t.layout)}${t.dirs.length ? ` in ${t.dirs.map((d) => `\`${d}\``).join(', ')}` : ''}${t.pattern ? `, files like \`${t.pattern}\`` : ''} (${t.files} file${t.files === 1 ? '' : 's'})`);
    } else if (e.test_structure) lines.push(inline(e.test_structure));
    lines.push('');
  }
  if (e.routes?.length) {
    lines.push('### Routes', '', '| Method | Path | File |', '|---|---|---|');
    for (const r of e.routes) lines.push(`| ${inline(r.method)} | ${inline(r.path)} | \`${inline(r.file)}${r.line ? `:${r.line}` : ''}\` |`);
    lines.push('');
  }
  if (e.data_models?.length) {
    lines.push('### Data models', '');
    for (const m of e.data_models) lines.push(`- **${inline(m.name)}** (\`${inline(m.file)}${m.line ? `:${m.line}` : ''}\`)${m.fields?.length ? `: ${m.fields.map(inline).join(', ')}` : ''}`);
    lines.push('');
  }
  if (e.key_files?.length) {
    lines.push('### Key files', '');
    for (const f of e.key_files) lines.push(`- \`${inline(f.path)}\`${f.purpose ? `: ${inline(f.purpose)}` : ''}`);
    lines.push('');
  }
  return lines;
}

export function specMarkdown(spec: Spec, explore?: unknown): string {
  const lines: string[] = [`# ${inline(spec.title)}`, ''];
  if (spec.description) lines.push(nestHeadings(spec.description, 1), '');
  lines.push(
    `- **Status:** ${statusText(spec)}`,
    `- **Phase:** ${phaseText(spec)}`,
    `- **Progress:** ${formatPercent(spec.progress)}`,
    `- **Requirements approved:** ${spec.requirements_approved ? 'yes' : 'no'}`,
    `- **Design approved:** ${spec.design_approved ? 'yes' : 'no'}`,
    '',
    ...exploreMarkdown(explore),
    '## Requirements',
    '',
  );
  if (spec.requirements.length === 0) lines.push('_None yet._', '');
  for (const r of spec.requirements) {
    lines.push(`### ${r.local_id ? `${r.local_id}: ` : ''}${inline(r.title)}`, '', `${r.text || [r.condition, r.action].filter(Boolean).join(' ')}`, '');
    lines.push(`Type: ${r.type} · Priority: ${r.priority} · Status: ${r.status}`, '');
    if (r.criteria.length) {
      lines.push('Acceptance criteria:', '');
      for (const c of r.criteria) lines.push(`- [${c.completed ? 'x' : ' '}] ${c.local_id ? `${c.local_id}: ` : ''}${inline(c.text)}`);
      lines.push('');
    }
  }
  lines.push('## Design', '');
  const d = spec.design;
  if (!d) lines.push('_None yet._', '');
  else {
    if (d.architecture) lines.push('### Architecture', '', nestHeadings(d.architecture, 3), '');
    if (d.architecture_diagram) lines.push('```mermaid', d.architecture_diagram, '```', '');
    if (d.components.length) {
      lines.push('### Components', '');
      for (const c of d.components) lines.push(`- **${c.id} ${inline(c.name)}**: ${inline(c.responsibility)}${c.file_path ? ` (\`${c.file_path}\`)` : ''}`);
      lines.push('');
    }
    if (d.data_model) lines.push('### Data model', '', nestHeadings(d.data_model, 3), '');
    if (d.api_spec.length) {
      lines.push('### API', '', '| Method | Path | Description |', '|---|---|---|');
      for (const e of d.api_spec) lines.push(`| ${inline(e.method)} | ${inline(e.path)} | ${inline(e.description)} |`);
      lines.push('');
    }
    if (d.error_handling) lines.push('### Error handling', '', nestHeadings(d.error_handling, 3), '');
    if (d.testing_strategy) lines.push('### Testing strategy', '', nestHeadings(d.testing_strategy, 3), '');
  }
  lines.push('## Tasks', '');
  if (spec.tasks.length === 0) lines.push('_None yet._', '');
  else {
    const byId = new Map(spec.tasks.map((t) => [t.id, t.local_id ?? t.title]));
    for (const t of spec.tasks) {
      const deps = t.dependencies.map((id) => byId.get(id) ?? id);
      lines.push(
        `- [${t.status === 'completed' ? 'x' : ' '}] ${t.local_id ? `${t.local_id}: ` : ''}${inline(t.title)} (${t.priority}${t.estimated_hours !== null ? `, ${t.estimated_hours} h` : ''})${deps.length ? ` — depends on ${deps.join(', ')}` : ''}`,
      );
    }
    lines.push('');
  }
  return `${lines.join('\n').trimEnd()}\n`;
}

export async function exportSpec(db: Queryable, specId: string, userId: string, format: ExportFormat): Promise<ExportedDocument> {
  const row = await requireSpecAccess(db, specId, userId);
  const spec = await specDto(db, row);
  const filename = exportFilename(spec, format);
  switch (format) {
    case 'json':
      return { contentType: 'application/json; charset=utf-8', filename, body: JSON.stringify({ format_version: 1, exported_at: new Date().toISOString(), spec }, null, 2) };
    case 'markdown':
      return { contentType: 'text/markdown; charset=utf-8', filename, body: specMarkdown(spec, row.phaseData['explore']) };
  }
}
