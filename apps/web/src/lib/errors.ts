import { isApiError, type ApiErrorItem } from '@specline/client';

/**
 * The one mapping from an API error (`code` + each item's `path` and message) to sentences for people.
 * A field's problem reads "Title can be at most 500 characters (you have 501)."; a whole-request problem
 * reads by its code. The raw `detail` of a validation error ("invalid request body: body.title: Too big…")
 * is never shown: it repeats the items in the server's words.
 */

/** What a form knows about one of its fields: its label and current value (for "you have 501"). */
export interface FieldInfo {
  label?: string;
  value?: unknown;
}

/** `body.estimated_hours` → "Estimated hours"; `body.acceptance_criteria.2` → "Acceptance criteria 3". */
export function labelOfPath(path: string): string {
  const parts = path.split('.').filter((p) => p !== '' && !['body', 'query', 'querystring', 'params', 'headers'].includes(p));
  if (parts.length === 0) return 'This request';
  const named: string[] = [];
  for (const part of parts) {
    if (/^\d+$/.test(part)) named.push(String(Number(part) + 1));
    else named.push(part.replace(/_/g, ' '));
  }
  // The last named segment and any index after it: `components.0.id` → "Id (components 1)".
  const lastName = [...parts].reverse().findIndex((p) => !/^\d+$/.test(p));
  const cut = lastName === -1 ? 0 : parts.length - 1 - lastName;
  const head = named.slice(cut).join(' ');
  const context = named.slice(0, cut).join(' ');
  const text = context ? `${head} (${context})` : head;
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const plural = (n: number, one: string, many = `${one}s`) => (n === 1 ? one : many);

function lengthOf(value: unknown): number | undefined {
  if (typeof value === 'string') return value.length;
  if (Array.isArray(value)) return value.length;
  return undefined;
}

function sentence(text: string): string {
  const trimmed = text.trim();
  const capital = trimmed.charAt(0).toUpperCase() + trimmed.slice(1);
  return /[.!?]$/.test(capital) ? capital : `${capital}.`;
}

/** One field problem as a sentence, from the zod message the server passed on. */
export function fieldSentence(item: Pick<ApiErrorItem, 'path' | 'message'>, info: FieldInfo = {}): string {
  const label = info.label ?? labelOfPath(item.path);
  const message = item.message.trim();
  const have = lengthOf(info.value);
  let m: RegExpExecArray | null;
  if ((m = /^Too big: expected string to have <=\s*(\d+) characters?/i.exec(message))) {
    const max = Number(m[1]);
    return `${label} can be at most ${max} ${plural(max, 'character')}${have !== undefined ? ` (you have ${have})` : ''}.`;
  }
  if ((m = /^Too small: expected string to have >=\s*(\d+) characters?/i.exec(message))) {
    const min = Number(m[1]);
    return min <= 1 ? `${label} is required.` : `${label} needs at least ${min} characters${have !== undefined ? ` (you have ${have})` : ''}.`;
  }
  if ((m = /^Too big: expected array to have <=\s*(\d+) items?/i.exec(message))) {
    const max = Number(m[1]);
    return `${label} can have at most ${max} ${plural(max, 'item')}${have !== undefined ? ` (you have ${have})` : ''}.`;
  }
  if ((m = /^Too small: expected array to have >=\s*(\d+) items?/i.exec(message))) return `${label} needs at least ${m[1]} ${plural(Number(m[1]), 'item')}.`;
  if ((m = /^Too big: expected number to be <=?\s*(-?[\d.]+)/i.exec(message))) return `${label} can be at most ${m[1]}.`;
  if ((m = /^Too small: expected number to be >=?\s*(-?[\d.]+)/i.exec(message))) return `${label} must be at least ${m[1]}.`;
  if (/^Invalid email/i.test(message)) return `${label} must be an email address.`;
  if (/^Invalid (url|URL)/.test(message) || /expected an http\(s\) URL/.test(message)) return `${label} must be an http(s) URL.`;
  if ((m = /^Invalid option: expected one of (.+)$/i.exec(message))) return `${label} must be one of ${m[1]!.replace(/"/g, '').split('|').join(', ')}.`;
  if ((m = /^Invalid input: expected (\w+), received (\w+)/i.exec(message))) {
    if (m[2] === 'undefined') return `${label} is required.`;
    const kind = m[1] === 'int' ? 'a whole number' : m[1] === 'number' ? 'a number' : m[1] === 'boolean' ? 'yes or no' : `a ${m[1]}`;
    return `${label} must be ${kind}.`;
  }
  if ((m = /^Unrecognized keys?: (.+)$/i.exec(message))) return `${label} has a field this server does not know: ${m[1]!.replace(/"/g, '')}.`;
  // The server's own words ("at least 0.01 hours", "password must be at least 8 characters", "duplicate component id …").
  const lead = message.split(/\s+/)[0]?.toLowerCase() ?? '';
  if (lead === label.split(/\s+/)[0]?.toLowerCase()) return sentence(message);
  if (/^(at least|at most|either|not|expected)\b/i.test(message)) return `${label} must be ${message.replace(/^expected /i, '')}${/[.!?]$/.test(message) ? '' : '.'}`;
  return sentence(`${label}: ${message}`);
}

/**
 * Codes whose `detail` is not for people: the client's own (a failed `fetch`, an answer that broke the
 * contract). Every other code's `detail` is written for people by the server and shown as it is.
 */
const CODE_SENTENCES: Partial<Record<string, string>> = {
  network_error: 'Could not reach the server. Check your connection and try again.',
  invalid_response: 'The server sent an answer this app does not understand. Reload the page and try again.',
};

/** The field problems of an error, one sentence each (with labels and values the form knows). */
export function fieldErrors(error: unknown, fields: Readonly<Record<string, FieldInfo>> = {}): { path: string; sentence: string }[] {
  if (!isApiError(error)) return [];
  return error.errors.map((item) => ({ path: item.path, sentence: fieldSentence(item, fields[item.path]) }));
}

/** The sentence for one field's path, or undefined when the error says nothing about it. */
export function fieldError(error: unknown, path: string, info: FieldInfo = {}): string | undefined {
  if (!isApiError(error)) return undefined;
  const items = error.errors.filter((e) => e.path === path);
  if (items.length === 0) return undefined;
  return [...new Set(items.map((item) => fieldSentence(item, info)))].join(' ');
}

/**
 * A sentence for people about any thrown value. Field problems of a 400/422 become one sentence each
 * (except the paths in `skip`, shown next to their fields); every other code reads by its code or its detail.
 */
export function errorMessage(error: unknown, skip: ReadonlySet<string> = new Set()): string {
  if (isApiError(error)) {
    if (error.errors.length > 0) {
      const shown = [...new Set(error.errors.filter((e) => !skip.has(e.path)).map((e) => fieldSentence(e)))];
      return shown.join(' ');
    }
    if (error.code === 'validation_failed') return sentence(error.detail.replace(/^invalid request( (body|querystring|query|params))?:\s*/i, ''));
    return CODE_SENTENCES[error.code] ?? error.detail;
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

export function isNotFound(error: unknown): boolean {
  return isApiError(error) && error.status === 404;
}
