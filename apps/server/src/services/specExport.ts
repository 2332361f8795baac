/** `GET /specs/{id}/export`: the spec as a JSON document or a Markdown file. */
import type { Spec } from '@specline/protocol';
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

export function specMarkdown(spec: Spec): string {
  const lines: string[] = [`# ${inline(spec.title)}`, ''];
  if (spec.description) lines.push(spec.description, '');
  lines.push(
    `- **Status:** ${spec.status}`,
    `- **Phase:** ${spec.phase}${spec.current_phase ? ` (run phase: ${spec.current_phase})` : ''}`,
    `- **Progress:** ${formatPercent(spec.progress)}`,
    `- **Requirements approved:** ${spec.requirements_approved ? 'yes' : 'no'}`,
    `- **Design approved:** ${spec.design_approved ? 'yes' : 'no'}`,
    '',
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
    if (d.architecture) lines.push('### Architecture', '', d.architecture, '');
    if (d.architecture_diagram) lines.push('```mermaid', d.architecture_diagram, '```', '');
    if (d.components.length) {
      lines.push('### Components', '');
      for (const c of d.components) lines.push(`- **${c.id} ${inline(c.name)}**: ${inline(c.responsibility)}${c.file_path ? ` (\`${c.file_path}\`)` : ''}`);
      lines.push('');
    }
    if (d.data_model) lines.push('### Data model', '', d.data_model, '');
    if (d.api_spec.length) {
      lines.push('### API', '', '| Method | Path | Description |', '|---|---|---|');
      for (const e of d.api_spec) lines.push(`| ${inline(e.method)} | ${inline(e.path)} | ${inline(e.description)} |`);
      lines.push('');
    }
    if (d.error_handling) lines.push('### Error handling', '', d.error_handling, '');
    if (d.testing_strategy) lines.push('### Testing strategy', '', d.testing_strategy, '');
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
  const spec = await specDto(db, await requireSpecAccess(db, specId, userId));
  const filename = exportFilename(spec, format);
  switch (format) {
    case 'json':
      return { contentType: 'application/json; charset=utf-8', filename, body: JSON.stringify({ format_version: 1, exported_at: new Date().toISOString(), spec }, null, 2) };
    case 'markdown':
      return { contentType: 'text/markdown; charset=utf-8', filename, body: specMarkdown(spec) };
  }
}
