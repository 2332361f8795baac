/**
 * `Idempotency-Key` for POSTs that create things. The stored answer is written in the SAME transaction
 * as the rows it describes, keyed by (user, route, key): a retry gets the first answer and creates nothing;
 * of two concurrent requests with one key, the loser hits the primary key, rolls back everything it did,
 * and answers with the winner's stored answer.
 */
import { createHash } from 'node:crypto';
import { and, eq } from 'drizzle-orm';
import { AppError } from '../http/errors';
import type { Db, Tx } from '../store/db';
import { idempotencyKeys } from '../store/schema';
import { isUniqueViolation } from './dto';

export interface IdempotencyScope {
  userId: string;
  route: string;
  /** The header value; `undefined` → no idempotency, the work just runs. */
  key: string | undefined;
  /** The (validated) request body; a different body under the same key is refused. */
  body: unknown;
}

export interface StoredAnswer<T> {
  status: number;
  body: T;
  /** True when this answer was replayed from an earlier request (nothing was done now). */
  replayed: boolean;
}

/** JSON with object keys sorted, so `{a,b}` and `{b,a}` hash the same. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`;
  }
  return JSON.stringify(value) ?? 'null';
}

export const requestHash = (body: unknown): string => createHash('sha256').update(canonical(body)).digest('hex');

export const MAX_KEY_LENGTH = 200;

async function lookup<T>(db: Db, scope: IdempotencyScope & { key: string }, hash: string): Promise<StoredAnswer<T> | undefined> {
  const [row] = await db
    .select()
    .from(idempotencyKeys)
    .where(and(eq(idempotencyKeys.userId, scope.userId), eq(idempotencyKeys.route, scope.route), eq(idempotencyKeys.key, scope.key)))
    .limit(1);
  if (!row) return undefined;
  if (row.requestHash !== hash) {
    throw new AppError('idempotency_conflict', `Idempotency-Key "${scope.key}" was already used with a different request body`);
  }
  return { status: row.statusCode, body: row.response as T, replayed: true };
}

/**
 * Runs `work` in a transaction and stores its answer under the key (when there is one), or replays
 * the stored answer of an earlier request with the same key.
 */
export async function idempotent<T>(db: Db, scope: IdempotencyScope, work: (tx: Tx) => Promise<{ status: number; body: T }>): Promise<StoredAnswer<T>> {
  const key = scope.key;
  if (key === undefined) {
    const answer = await db.transaction(work);
    return { ...answer, replayed: false };
  }
  if (key.length === 0 || key.length > MAX_KEY_LENGTH) {
    throw new AppError('validation_failed', `Idempotency-Key must be 1–${MAX_KEY_LENGTH} characters`, {
      errors: [{ path: 'headers.idempotency-key', message: `must be 1–${MAX_KEY_LENGTH} characters` }],
    });
  }
  const keyed = { ...scope, key };
  const hash = requestHash(scope.body);
  const earlier = await lookup<T>(db, keyed, hash);
  if (earlier) return earlier;
  try {
    const answer = await db.transaction(async (tx) => {
      const result = await work(tx);
      await tx.insert(idempotencyKeys).values({ userId: scope.userId, route: scope.route, key, requestHash: hash, statusCode: result.status, response: result.body });
      return result;
    });
    return { ...answer, replayed: false };
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    // A concurrent request with the same key won; everything this one did was rolled back.
    const winner = await lookup<T>(db, keyed, hash);
    if (!winner) throw error;
    return winner;
  }
}

/** Replaces the stored answer of a key (for routes whose final answer is known only after the commit). */
export async function updateStoredAnswer(db: Db, scope: IdempotencyScope, body: unknown): Promise<void> {
  if (scope.key === undefined) return;
  await db
    .update(idempotencyKeys)
    .set({ response: body })
    .where(and(eq(idempotencyKeys.userId, scope.userId), eq(idempotencyKeys.route, scope.route), eq(idempotencyKeys.key, scope.key)));
}
