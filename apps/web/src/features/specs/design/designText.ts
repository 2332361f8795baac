import type { Design } from '@specline/protocol';

/**
 * The design editor's draft: text sections as Markdown, and components, data models and endpoints as
 * rows. Data models travel as Markdown (`Design.data_model`) in the form the server writes from a run
 * (`### Name`, an optional description line, then one `- \`field\`: type — description` per field); a
 * data model written any other way is kept and edited as Markdown.
 */
export interface ComponentRow {
  key: string;
  id: string;
  name: string;
  responsibility: string;
  file_path: string;
}
export interface EndpointRow {
  key: string;
  method: string;
  path: string;
  description: string;
}
export interface FieldRow {
  key: string;
  name: string;
  type: string;
  description: string;
}
export interface ModelRow {
  key: string;
  name: string;
  description: string;
  fields: FieldRow[];
}

export interface DesignDraft {
  architecture: string;
  diagram: string;
  /** Rows when the stored data model reads as rows; else null and `dataModelText` holds the Markdown. */
  models: ModelRow[] | null;
  dataModelText: string;
  endpoints: EndpointRow[];
  components: ComponentRow[];
  errorHandling: string;
  testing: string;
}

export const HTTP_METHODS = ['GET', 'POST', 'PUT', 'PATCH', 'DELETE', 'HEAD', 'OPTIONS'] as const;

/** Limits of `PUT /specs/{id}/design` (PutDesignBody), shown on the fields before they are hit. */
export const DESIGN_LIMITS = {
  architecture: 200_000,
  dataModel: 200_000,
  diagram: 100_000,
  errorHandling: 50_000,
  testing: 50_000,
  rows: 500,
  componentId: 50,
  componentName: 200,
  responsibility: 5_000,
  filePath: 500,
  method: 10,
  path: 500,
  description: 5_000,
} as const;

let keySeq = 0;
/** A key for a new row (React lists; never sent). */
export const rowKey = (): string => `row-${++keySeq}`;

/** Parses the server's data-model Markdown into rows, or null when it is written some other way. */
export function parseDataModels(markdown: string): ModelRow[] | null {
  const text = markdown.replace(/\r\n/g, '\n').trim();
  if (!text) return [];
  const blocks = text.split(/\n(?=### )/);
  const models: ModelRow[] = [];
  for (const block of blocks) {
    const lines = block.split('\n');
    const heading = /^### (.+)$/.exec(lines[0] ?? '');
    if (!heading?.[1]) return null;
    const model: ModelRow = { key: rowKey(), name: heading[1].trim(), description: '', fields: [] };
    const description: string[] = [];
    for (const raw of lines.slice(1)) {
      const line = raw.trimEnd();
      if (!line.trim()) continue;
      const field = /^- `([^`]+)`: (.*?)(?: — (.*))?$/.exec(line);
      if (field?.[1]) {
        model.fields.push({ key: rowKey(), name: field[1], type: (field[2] ?? '').trim(), description: (field[3] ?? '').trim() });
      } else if (model.fields.length === 0 && !line.startsWith('- ') && !line.startsWith('#')) {
        description.push(line.trim());
      } else {
        return null;
      }
    }
    model.description = description.join(' ');
    models.push(model);
  }
  return models;
}

/** The rows as the data-model Markdown the server writes and the design tab shows. */
export function dataModelsToMarkdown(models: readonly ModelRow[]): string {
  return models
    .filter((m) => m.name.trim())
    .map((m) => {
      const fields = m.fields
        .filter((f) => f.name.trim())
        .map((f) => `- \`${f.name.trim().replaceAll('`', '')}\`: ${f.type.trim() || 'unknown'}${f.description.trim() ? ` — ${f.description.trim()}` : ''}`)
        .join('\n');
      const description = m.description.trim().replace(/\s*\n\s*/g, ' ');
      return [`### ${m.name.trim()}`, description, fields].filter(Boolean).join('\n');
    })
    .join('\n\n');
}

export function draftFromDesign(design: Design | null): DesignDraft {
  const dataModel = design?.data_model ?? '';
  return {
    architecture: design?.architecture ?? '',
    diagram: design?.architecture_diagram ?? '',
    models: parseDataModels(dataModel),
    dataModelText: dataModel,
    endpoints: (design?.api_spec ?? []).map((e) => ({ key: rowKey(), method: e.method.toUpperCase(), path: e.path, description: e.description })),
    components: (design?.components ?? []).map((c) => ({ key: rowKey(), id: c.id, name: c.name, responsibility: c.responsibility, file_path: c.file_path ?? '' })),
    errorHandling: design?.error_handling ?? '',
    testing: design?.testing_strategy ?? '',
  };
}

const blank = (...values: string[]) => values.every((v) => !v.trim());

/** What keeps the draft from being saved, one sentence per problem (rows numbered from 1). Empty rows are dropped, not problems. */
export function draftProblems(draft: DesignDraft): string[] {
  const problems: string[] = [];
  draft.components.forEach((c, i) => {
    if (blank(c.id, c.name, c.responsibility, c.file_path)) return;
    if (!c.id.trim()) problems.push(`Component ${i + 1} needs an id (such as C-1).`);
    if (!c.name.trim()) problems.push(`Component ${i + 1} needs a name.`);
  });
  draft.endpoints.forEach((e, i) => {
    if (blank(e.path, e.description)) return;
    if (!e.path.trim()) problems.push(`Endpoint ${i + 1} needs a path (such as /orders/{id}).`);
    else if (/\s/.test(e.path.trim())) problems.push(`The path of endpoint ${i + 1} cannot contain spaces.`);
  });
  (draft.models ?? []).forEach((m, i) => {
    const anyField = m.fields.some((f) => !blank(f.name, f.type, f.description));
    if (blank(m.name, m.description) && !anyField) return;
    if (!m.name.trim()) problems.push(`Data model ${i + 1} needs a name.`);
    m.fields.forEach((f, j) => {
      if (blank(f.name, f.type, f.description)) return;
      if (!f.name.trim()) problems.push(`Field ${j + 1} of ${m.name.trim() || `data model ${i + 1}`} needs a name.`);
      else if (f.name.includes('`')) problems.push(`Field ${j + 1} of ${m.name.trim() || `data model ${i + 1}`} cannot contain a backtick.`);
    });
  });
  return problems;
}

/** The `PUT /specs/{id}/design` body of a draft (empty rows dropped). */
export function bodyFromDraft(draft: DesignDraft) {
  return {
    architecture: draft.architecture,
    architecture_diagram: draft.diagram.trim() ? draft.diagram : null,
    data_model: draft.models ? dataModelsToMarkdown(draft.models) : draft.dataModelText,
    api_spec: draft.endpoints.filter((e) => e.path.trim()).map((e) => ({ method: e.method, path: e.path.trim(), description: e.description.trim() })),
    components: draft.components
      .filter((c) => c.id.trim() && c.name.trim())
      .map((c) => ({ id: c.id.trim(), name: c.name.trim(), responsibility: c.responsibility.trim(), ...(c.file_path.trim() ? { file_path: c.file_path.trim() } : {}) })),
    error_handling: draft.errorHandling,
    testing_strategy: draft.testing,
  };
}

/** Moves the item at `from` by `by` places (a list of rows or of fields); out of range leaves it. */
export function moveItem<T>(items: readonly T[], from: number, by: number): T[] {
  const to = from + by;
  if (from < 0 || from >= items.length || to < 0 || to >= items.length) return [...items];
  const next = [...items];
  const [item] = next.splice(from, 1);
  next.splice(to, 0, item!);
  return next;
}
