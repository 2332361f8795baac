/**
 * Each phase's output contract, as the model is asked for it: the protocol's zod schema converted to
 * JSON Schema (the `submit_<phase>` tool's input schema, or the `<phase>_output` json_schema), and
 * validation of the answer against the same zod schema, with errors a repair turn can quote.
 */
import { PhaseOutputSchemas, type Phase } from '@specline/protocol';
import { z } from 'zod';

export type ModelPhase = Exclude<Phase, 'sync'>;

export const submitToolName = (phase: Phase): string => `submit_${phase}`;
export const responseFormatName = (phase: Phase): string => `${phase}_output`;

/** Replaces `additionalProperties: {}` (zod's "anything") by `true`, which every server understands, and drops `$schema`. */
function tidy(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(tidy);
  if (node === null || typeof node !== 'object') return node;
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(node as Record<string, unknown>)) {
    if (key === '$schema') continue;
    if (key === 'additionalProperties' && value !== null && typeof value === 'object' && Object.keys(value).length === 0) out[key] = true;
    else out[key] = tidy(value);
  }
  return out;
}

const cache = new Map<Phase, Record<string, unknown>>();

/** The JSON Schema of a phase's output (an object schema). */
export function phaseJsonSchema(phase: Phase): Record<string, unknown> {
  let schema = cache.get(phase);
  if (!schema) {
    schema = tidy(z.toJSONSchema(PhaseOutputSchemas[phase], { io: 'input', unrepresentable: 'any' })) as Record<string, unknown>;
    cache.set(phase, schema);
  }
  return schema;
}

export type Validation = { ok: true; output: Record<string, unknown> } | { ok: false; errors: string[] };

function pathText(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) out += typeof part === 'number' ? `[${part}]` : out === '' ? String(part) : `.${String(part)}`;
  return out === '' ? '(the answer)' : out;
}

/** Parses (when a string) and validates an answer; the errors name where (`requirements[2].acceptance_criteria`). */
export function validateAnswer(phase: Phase, answer: unknown): Validation {
  let value = answer;
  if (typeof answer === 'string') {
    const text = stripFence(answer);
    try {
      value = JSON.parse(text) as unknown;
    } catch (error) {
      return { ok: false, errors: [`the answer is not valid JSON: ${error instanceof Error ? error.message : String(error)}`] };
    }
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return { ok: false, errors: [`the answer must be a JSON object, not ${Array.isArray(value) ? 'an array' : value === null ? 'null' : typeof value}`] };
  const parsed = PhaseOutputSchemas[phase].safeParse(value);
  if (parsed.success) return { ok: true, output: value as Record<string, unknown> };
  const errors = parsed.error.issues.slice(0, 40).map((issue) => `${pathText(issue.path)}: ${issue.message}`);
  if (parsed.error.issues.length > 40) errors.push(`… and ${parsed.error.issues.length - 40} more problem(s)`);
  return { ok: false, errors };
}

/** A JSON answer wrapped in a Markdown code fence (some servers do that even under json_schema). */
export function stripFence(text: string): string {
  const trimmed = text.trim();
  const fenced = /^```(?:json)?\s*\n([\s\S]*?)\n?```$/i.exec(trimmed);
  return fenced ? fenced[1]! : trimmed;
}
