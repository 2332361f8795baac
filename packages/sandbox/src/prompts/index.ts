/**
 * The prompts of the model executors: one Markdown file per phase plus the system prompt and the
 * turn templates (repair, retry, forced final answer), loaded from this directory at run time and
 * filled with `{{name}}` placeholders. The texts live in the files, never in code.
 */
import { readFileSync } from 'node:fs';

export const PROMPT_NAMES = [
  'system',
  'answer-tool',
  'answer-json',
  'overview',
  'no-codebase',
  'explore',
  'prd',
  'requirements',
  'design',
  'tasks',
  'retry',
  'retry-error',
  'repair',
  'final',
] as const;
export type PromptName = (typeof PROMPT_NAMES)[number];

const loaded = new Map<PromptName, string>();

/** The raw template (read once). */
export function loadPrompt(name: PromptName): string {
  let text = loaded.get(name);
  if (text === undefined) {
    text = readFileSync(new URL(`./${name}.md`, import.meta.url), 'utf8').trimEnd();
    loaded.set(name, text);
  }
  return text;
}

/** The placeholders a template uses. */
export function placeholders(template: string): string[] {
  return [...new Set([...template.matchAll(/\{\{([a-z_]+)\}\}/g)].map((m) => m[1]!))];
}

/**
 * A template with every placeholder filled. A placeholder without a value, or a value the template
 * does not use, is a programming error and throws (so a prompt never goes out half-filled).
 */
export function renderPrompt(name: PromptName, values: Readonly<Record<string, string | number>>): string {
  const template = loadPrompt(name);
  const used = placeholders(template);
  const missing = used.filter((key) => !(key in values));
  const unused = Object.keys(values).filter((key) => !used.includes(key));
  if (missing.length > 0 || unused.length > 0) {
    throw new Error(`prompt ${name}.md: ${missing.length > 0 ? `no value for ${missing.join(', ')}` : ''}${missing.length > 0 && unused.length > 0 ? '; ' : ''}${unused.length > 0 ? `unused value(s) ${unused.join(', ')}` : ''}`);
  }
  return template.replace(/\{\{([a-z_]+)\}\}/g, (_, key: string) => String(values[key]));
}
