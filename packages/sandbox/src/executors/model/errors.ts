/**
 * Turning SDK and network failures into {@link ModelApiError}s, shared by both adapters: status →
 * kind, `retry-after` parsing, context-length recognition, and scrubbing secrets from messages.
 */
import { ModelApiError, type ModelErrorKind } from './types';

/** `retry-after-ms` (milliseconds), else `retry-after` (seconds or an HTTP date), as milliseconds; null when absent or unreadable. */
export function retryAfterMs(headers: Headers | Record<string, string> | undefined | null, now: number): number | null {
  if (!headers) return null;
  const get = (name: string): string | null => (headers instanceof Headers ? headers.get(name) : (Object.entries(headers).find(([k]) => k.toLowerCase() === name)?.[1] ?? null));
  const ms = get('retry-after-ms');
  if (ms !== null && /^\d+(\.\d+)?$/.test(ms.trim())) return Math.round(Number(ms));
  const value = get('retry-after');
  if (value === null) return null;
  const trimmed = value.trim();
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Math.round(Number(trimmed) * 1000);
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

const CONTEXT_PATTERNS = [
  /context[_ ]length/i,
  /context window/i,
  /prompt is too long/i,
  /maximum context/i,
  /too many tokens/i,
  /exceeds? the (model'?s? )?(maximum|context)/i,
  /input (is )?too long/i,
  /reduce the length of the messages/i,
  /request_too_large/i,
];

/** Whether a refusal says the prompt does not fit the model's context window. */
export function isContextLengthError(status: number | null, code: string | null, message: string): boolean {
  if (code === 'context_length_exceeded' || code === 'string_above_max_length') return true;
  if (status === 413) return true;
  if (status !== null && status !== 400 && status !== 422) return false;
  return CONTEXT_PATTERNS.some((p) => p.test(message));
}

/** Status (and error type) → what the loop does about it. */
export function kindOf(status: number | null, type: string | null, code: string | null, message: string): ModelErrorKind {
  if (isContextLengthError(status, code, message) || type === 'request_too_large') return 'context_length';
  if (status === 401 || status === 403 || type === 'authentication_error' || type === 'permission_error') return 'auth';
  if (status === 404 || type === 'not_found_error') return 'not_found';
  if (status === null) {
    // A mid-stream error event carries no status: its type says what it was.
    if (type === 'invalid_request_error') return 'bad_request';
    return 'retryable';
  }
  if (status === 408 || status === 409 || status === 425 || status === 429 || status >= 500) return 'retryable';
  return 'bad_request';
}

/** Node/undici errors that mean the connection failed or dropped (worth another try). */
export function isNetworkError(error: unknown): boolean {
  const seen = new Set<unknown>();
  let current: unknown = error;
  while (current instanceof Error && !seen.has(current)) {
    seen.add(current);
    const code = (current as { code?: unknown }).code;
    if (typeof code === 'string' && /^(ECONNRESET|ECONNREFUSED|EPIPE|ETIMEDOUT|ENOTFOUND|EAI_AGAIN|ECONNABORTED|EHOSTUNREACH|ENETUNREACH|UND_ERR_\w+)$/.test(code)) return true;
    if (/terminated|socket hang up|other side closed|fetch failed|network|premature close|aborted by the server|ended unexpectedly|connection error|timed out/i.test(current.message)) return true;
    current = (current as { cause?: unknown }).cause;
  }
  return false;
}

/** The base URL for messages: no credentials, no query. */
export function displayUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    parsed.search = '';
    parsed.hash = '';
    return parsed.toString().replace(/\/$/, '');
  } catch {
    return '(unparsable URL)';
  }
}

/** Replaces every secret (and long look-alikes of it) in a text. */
export function redact(text: string, secrets: readonly (string | undefined | null)[]): string {
  let out = text;
  for (const secret of secrets) {
    if (!secret || secret.length < 4) continue;
    out = out.split(secret).join('[redacted]');
  }
  // Bearer tokens and sk-… keys that might come back from a server in an error body.
  return out.replace(/\b(Bearer\s+)[A-Za-z0-9._~+/=-]{8,}/g, '$1[redacted]').replace(/\bsk-[A-Za-z0-9_-]{12,}/g, 'sk-[redacted]');
}

export interface ErrorFacts {
  status: number | null;
  type: string | null;
  code: string | null;
  message: string;
  headers: Headers | Record<string, string> | null;
}

export interface ErrorContext {
  providerLabel: string;
  keySetting: string;
  baseUrlSetting: string;
  baseUrl: string;
  model: string;
  secrets: readonly (string | undefined | null)[];
  now: number;
}

/** The classified error, with a message that names the setting to change and never the key. */
export function toModelError(facts: ErrorFacts, ctx: ErrorContext): ModelApiError {
  const kind = kindOf(facts.status, facts.type, facts.code, facts.message);
  const detail = redact(facts.message, ctx.secrets).slice(0, 500);
  const status = facts.status === null ? (facts.type ?? 'error') : `HTTP ${facts.status}${facts.type ? ` ${facts.type}` : ''}`;
  let message: string;
  switch (kind) {
    case 'auth':
      message = `the ${ctx.providerLabel} API at ${ctx.baseUrl} refused the request (${status}): check ${ctx.keySetting}${facts.status === 403 ? ' (the key is not allowed to use this model or endpoint)' : ''} and ${ctx.baseUrlSetting}${detail ? `. The server said: ${detail}` : ''}`;
      break;
    case 'not_found':
      message = `the ${ctx.providerLabel} API at ${ctx.baseUrl} answered ${status} for model "${ctx.model}": check --model (SPEC_MODEL) and ${ctx.baseUrlSetting}${detail ? `. The server said: ${detail}` : ''}`;
      break;
    case 'context_length':
      message = `the prompt does not fit the context window of ${ctx.model} (${status})${detail ? `: ${detail}` : ''}`;
      break;
    case 'retryable':
      message = `the ${ctx.providerLabel} API at ${ctx.baseUrl} failed (${status})${detail ? `: ${detail}` : ''}`;
      break;
    case 'bad_request':
      message = `the ${ctx.providerLabel} API at ${ctx.baseUrl} refused the request (${status})${detail ? `: ${detail}` : ''}`;
      break;
  }
  return new ModelApiError(message, kind, facts.status, kind === 'retryable' ? retryAfterMs(facts.headers, ctx.now) : null);
}

/** A dropped connection or another transport failure, as a retryable error. */
export function networkError(error: unknown, ctx: ErrorContext): ModelApiError {
  const text = error instanceof Error ? error.message : String(error);
  return new ModelApiError(`could not reach the ${ctx.providerLabel} API at ${ctx.baseUrl}: ${redact(text, ctx.secrets).slice(0, 300)} (check ${ctx.baseUrlSetting})`, 'retryable', null);
}
