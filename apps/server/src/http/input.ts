/**
 * The input boundary. Every request's path parameters, query and JSON body pass `checkInput` before
 * the route schema runs (one `preValidation` hook for all routes, installed by `installInputBoundary`):
 * text the store cannot hold — a NUL character (PostgreSQL text and JSONB refuse it) or an unpaired
 * UTF-16 surrogate (JSONB refuses it, text would silently turn it into U+FFFD) — anywhere, in a value or
 * an object key, and JSON nested deeper than {@link MAX_DEPTH} levels, are refused with
 * `422 validation_failed` naming each path. Ingestion checks its own body (`services/ingest.ts`) so
 * that its errors carry the index of each bad event; the WebSocket checks each message.
 *
 * Path parameters that name a resource use {@link IdParam}: an id that cannot exist is a 422 from the
 * route schema, never a database error.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { AppError, type ErrorItem } from './errors';

/** Deeper JSON is refused: the store (and JSON.stringify) recurse, and no legitimate body nests this far. */
export const MAX_DEPTH = 100;
/** At most this many problems are reported for one request. */
const MAX_ISSUES = 20;

/** Server ids are a prefix and a UUID (`spec-…`, `sbx-…`, or a bare UUID); anything else cannot exist. */
export const ID_PATTERN = /^[A-Za-z0-9][A-Za-z0-9._:-]*$/;
export const IdParam = z.string().min(1).max(200).regex(ID_PATTERN, 'not an id (letters, digits and . _ : - only)');

declare module 'fastify' {
  interface FastifyContextConfig {
    /** The route checks the text of its own body (ingestion: errors carry the event index). */
    checksOwnBody?: boolean;
  }
}

const isWellFormed = (text: string): boolean => (text as unknown as { isWellFormed(): boolean }).isWellFormed();

/** Why a string cannot be stored, or undefined when it can. */
export function textProblem(text: string): string | undefined {
  if (text.includes('\u0000')) return 'contains a NUL character (\\u0000), which text cannot hold';
  if (!isWellFormed(text)) return 'contains an unpaired UTF-16 surrogate (not valid Unicode)';
  return undefined;
}

export type PathStyle = 'dots' | 'brackets';

function childPath(parent: string, key: string | number, style: PathStyle): string {
  if (style === 'brackets' && typeof key === 'number') return `${parent}[${key}]`;
  return parent ? `${parent}.${key}` : String(key);
}

/**
 * Every string (and object key) under `value` that cannot be stored, with its path from `root`:
 * `dots` → `body.tickets.0.local_id` (as the route schemas name paths), `brackets` → `events[3].data.x`.
 * Iterative, so a deeply nested body cannot overflow the stack.
 */
export function findUnsafeText(value: unknown, root: string, style: PathStyle = 'dots'): ErrorItem[] {
  const issues: ErrorItem[] = [];
  const stack: { value: unknown; path: string; depth: number }[] = [{ value, path: root, depth: 0 }];
  while (stack.length > 0 && issues.length < MAX_ISSUES) {
    const item = stack.pop()!;
    const v = item.value;
    if (typeof v === 'string') {
      const problem = textProblem(v);
      if (problem) issues.push({ path: item.path || '(root)', message: problem });
      continue;
    }
    if (typeof v !== 'object' || v === null) continue;
    if (item.depth >= MAX_DEPTH) {
      issues.push({ path: item.path || '(root)', message: `nested deeper than ${MAX_DEPTH} levels` });
      continue;
    }
    if (Array.isArray(v)) {
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: v[i], path: childPath(item.path, i, style), depth: item.depth + 1 });
      continue;
    }
    const entries = Object.entries(v as Record<string, unknown>);
    for (let i = entries.length - 1; i >= 0; i--) {
      const [key, child] = entries[i]!;
      const problem = textProblem(key);
      // A bad key is reported with a printable path: its NUL / surrogate shown escaped.
      if (problem) issues.push({ path: childPath(item.path, JSON.stringify(key).slice(1, -1), style), message: `key ${problem}` });
      else stack.push({ value: child, path: childPath(item.path, key, style), depth: item.depth + 1 });
    }
  }
  return issues;
}

export function unsafeTextError(issues: ErrorItem[], what = 'request'): AppError {
  const shown = issues.slice(0, 5).map((i) => `${i.path}: ${i.message}`).join('; ');
  return new AppError('validation_failed', `invalid ${what}: ${shown}${issues.length > 5 ? `; and ${issues.length - 5} more` : ''}`, { errors: issues });
}

/** Installs the boundary for every route registered after it. */
export function installInputBoundary(app: FastifyInstance): void {
  app.addHook('preValidation', (request, _reply, done) => {
    const issues = [
      ...findUnsafeText(request.params, 'params'),
      ...findUnsafeText(request.query, 'query'),
      ...(request.routeOptions.config.checksOwnBody ? [] : findUnsafeText(request.body, 'body')),
    ];
    done(issues.length > 0 ? unsafeTextError(issues) : undefined);
  });
}
