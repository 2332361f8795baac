/**
 * Lenient readers of earlier phase outputs for the planner's later phases. The requirements and
 * design a phase builds on may come from this planner, from a model or from a person's edits, so
 * nothing is assumed beyond an id and some text.
 */
import { Priority } from '@specline/protocol';
import { asArray, asRecord, idOf, listAt } from '../analysis/shape';
import type { RequirementCategory } from './requirements';

export interface ReqView {
  id: string;
  title: string;
  text: string;
  type: string;
  priority: Priority;
  category: RequirementCategory;
  criteria: string[];
}

export interface ComponentView {
  id: string;
  name: string;
  kind: string;
  file_path: string | undefined;
  requirements: string[];
}

const CATEGORIES: readonly RequirementCategory[] = ['rule', 'response', 'behaviour', 'ui', 'config', 'errors', 'observability', 'testing'];

function str(value: unknown): string {
  return typeof value === 'string' ? value : '';
}

/** The category of a requirement: its own `category` when the planner wrote it, else guessed from its words. */
export function classify(req: { title: string; text: string; type: string; category?: unknown }): RequirementCategory {
  const own = CATEGORIES.find((c) => c === req.category);
  if (own) return own;
  const words = `${req.title} ${req.text}`.toLowerCase();
  if (/\b(tests?|test suite|coverage)\b/.test(words) && /\b(automated|suite|unit|integration)\b/.test(words)) return 'testing';
  if (/\b(log|logs|logging|metric|metrics|trace|tracing|observab\w*|audit)\b/.test(words)) return 'observability';
  if (/\b(configur\w*|setting|settings|environment variable|feature flag)\b/.test(words)) return 'config';
  if (/\b(invalid|validat\w*|error|errors|fails?)\b/.test(words) && !/\b[1-5]\d\d\b/.test(words)) return 'errors';
  if (/\b[1-5]\d\d\b|\b(respond|response|header|status code)\b/.test(words)) return 'response';
  if (/\b(limit|quota|at most|maximum|per (second|minute|hour|day))\b/.test(words)) return 'rule';
  if (/\b(page|screen|button|view|display|show|dialog|form)\b/.test(words) || req.type === 'usability') return 'ui';
  return 'behaviour';
}

export function readRequirements(output: unknown): ReqView[] {
  const out: ReqView[] = [];
  for (const item of listAt(output, 'requirements') ?? []) {
    const record = asRecord(item);
    const id = idOf(record?.['id']);
    if (!record || id === undefined || out.some((r) => r.id === id)) continue;
    const title = str(record['title']) || str(record['text']).slice(0, 60) || id;
    const text = str(record['text']) || str(record['description']) || title;
    const type = str(record['type']) || 'functional';
    const priority = Priority.safeParse(str(record['priority']).toLowerCase());
    out.push({
      id,
      title,
      text,
      type,
      priority: priority.success ? priority.data : 'medium',
      category: classify({ title, text, type, category: record['category'] }),
      criteria: asArray(record['acceptance_criteria']).map((c) => idOf(c) ?? '').filter((c) => c !== ''),
    });
  }
  return out;
}

export function readComponents(output: unknown): ComponentView[] {
  const out: ComponentView[] = [];
  for (const item of listAt(output, 'components') ?? []) {
    const record = asRecord(item);
    const id = idOf(record?.['id']);
    if (!record || id === undefined || out.some((c) => c.id === id)) continue;
    out.push({
      id,
      name: str(record['name']) || id,
      kind: str(record['kind']) || str(record['type']) || 'module',
      file_path: str(record['file_path']) || undefined,
      requirements: asArray(record['requirements']).map((r) => idOf(r) ?? '').filter((r) => r !== ''),
    });
  }
  return out;
}
