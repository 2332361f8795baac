/**
 * Login sessions (`sessions` table). Login and register create one; each answer carries a short-lived
 * access token (JWT with the session id) and a refresh token (opaque, stored hashed). `POST
 * /auth/refresh` rotates the refresh token and issues a new access token; logout revokes the session,
 * which every request checks (the access token's `sid` is looked up with the user, in the same query).
 *
 * Refresh-token reuse: the token a rotation replaced is remembered. Presented again within
 * {@link REFRESH_GRACE_SECONDS} of the rotation it is two tabs refreshing at once: the late one gets a
 * new access token and keeps the cookie the first one set. Presented later it is a replay of a stolen
 * token: the session is revoked and both holders must log in again.
 */
import { and, eq, gt, inArray, isNull, lt, sql } from 'drizzle-orm';
import { AppError } from '../http/errors';
import type { Queryable } from '../store/db';
import { sessions, users } from '../store/schema';
import { randomUUID } from 'node:crypto';
import { Batcher, type BatcherStats } from './batcher';
import { hashToken, newRefreshToken, type AccessClaims, type TokenService } from './tokens';

export const REFRESH_GRACE_SECONDS = 30;

export interface SessionSettings {
  /** Lifetime of an access token. */
  accessTtlSeconds: number;
  /** A session ends this long after its last refresh (or its creation). */
  refreshTtlSeconds: number;
}

export interface IssuedTokens {
  sessionId: string;
  userId: string;
  accessToken: string;
  /** `null` when the refresh cookie the client holds stays valid (the grace case above). */
  refreshToken: string | null;
}

export interface SessionUser {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
  sessionId: string;
}

const newSessionId = () => `sess-${randomUUID()}`;

function expiry(settings: SessionSettings): Date {
  return new Date(Date.now() + settings.refreshTtlSeconds * 1000);
}

export async function createSession(db: Queryable, tokens: TokenService, userId: string, settings: SessionSettings): Promise<IssuedTokens> {
  const sessionId = newSessionId();
  const refresh = newRefreshToken();
  // The user's expired sessions go as a new one starts: the table holds live (or recently revoked) sessions only.
  await db.delete(sessions).where(and(eq(sessions.userId, userId), lt(sessions.expiresAt, new Date())));
  await db.insert(sessions).values({ id: sessionId, userId, refreshHash: refresh.hash, expiresAt: expiry(settings) });
  const accessToken = await tokens.issueAccess({ userId, sessionId }, settings.accessTtlSeconds);
  return { sessionId, userId, accessToken, refreshToken: refresh.token };
}

const unauthorized = (detail: string) => new AppError('unauthorized', detail);

/** Rotates the refresh token; see the module comment for reuse. Throws `unauthorized`. */
export async function refreshSession(db: Queryable, tokens: TokenService, refreshToken: string | undefined, settings: SessionSettings): Promise<IssuedTokens> {
  if (!refreshToken) throw unauthorized('no refresh token: log in again');
  const hash = hashToken(refreshToken);
  const next = newRefreshToken();
  const now = new Date();
  const [rotated] = await db
    .update(sessions)
    .set({ refreshHash: next.hash, previousRefreshHash: hash, rotatedAt: now, expiresAt: expiry(settings) })
    .where(and(eq(sessions.refreshHash, hash), isNull(sessions.revokedAt), gt(sessions.expiresAt, now)))
    .returning({ id: sessions.id, userId: sessions.userId });
  if (rotated) {
    const accessToken = await tokens.issueAccess({ userId: rotated.userId, sessionId: rotated.id }, settings.accessTtlSeconds);
    return { sessionId: rotated.id, userId: rotated.userId, accessToken, refreshToken: next.token };
  }
  const [previous] = await db
    .select({ id: sessions.id, userId: sessions.userId, rotatedAt: sessions.rotatedAt, revokedAt: sessions.revokedAt, expiresAt: sessions.expiresAt })
    .from(sessions)
    .where(eq(sessions.previousRefreshHash, hash))
    .limit(1);
  if (!previous || previous.revokedAt || previous.expiresAt <= now) throw unauthorized('the refresh token is unknown, expired or revoked: log in again');
  if (previous.rotatedAt && now.getTime() - previous.rotatedAt.getTime() <= REFRESH_GRACE_SECONDS * 1000) {
    const accessToken = await tokens.issueAccess({ userId: previous.userId, sessionId: previous.id }, settings.accessTtlSeconds);
    return { sessionId: previous.id, userId: previous.userId, accessToken, refreshToken: null };
  }
  await revokeSession(db, previous.id);
  throw unauthorized('this refresh token was already used; the session has been ended for safety: log in again');
}

export async function revokeSession(db: Queryable, sessionId: string): Promise<boolean> {
  const rows = await db
    .update(sessions)
    .set({ revokedAt: new Date() })
    .where(and(eq(sessions.id, sessionId), isNull(sessions.revokedAt)))
    .returning({ id: sessions.id });
  return rows.length > 0;
}

/** The live session a refresh token belongs to (current or just-rotated one), if any. */
export async function sessionOfRefreshToken(db: Queryable, refreshToken: string): Promise<string | undefined> {
  const hash = hashToken(refreshToken);
  const [row] = await db
    .select({ id: sessions.id })
    .from(sessions)
    .where(and(sql`(${sessions.refreshHash} = ${hash} or ${sessions.previousRefreshHash} = ${hash})`, isNull(sessions.revokedAt)))
    .limit(1);
  return row?.id;
}

/** Session lookups of one batch (see batcher.ts): per database, at most this many batches at once on its pool. */
const SESSION_BATCHES_IN_FLIGHT = 2;
const sessionBatchers = new WeakMap<object, Batcher<AccessClaims, SessionUser>>();

/**
 * The users of these live sessions (not revoked, not expired at the time of the query), keyed by
 * session id: one query (session joined with user) for the whole batch.
 */
async function usersOfSessions(db: Queryable, claims: AccessClaims[]): Promise<Map<string, SessionUser>> {
  const ids = [...new Set(claims.map((c) => c.sessionId))];
  const rows = await db
    .select({ sessionId: sessions.id, id: users.id, email: users.email, name: users.name, createdAt: users.createdAt })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(and(inArray(sessions.id, ids), isNull(sessions.revokedAt), gt(sessions.expiresAt, new Date())));
  return new Map(rows.map((r) => [r.sessionId, { id: r.id, email: r.email, name: r.name, createdAt: r.createdAt, sessionId: r.sessionId }]));
}

/**
 * The user of a verified access token whose session is live (the token's user must be the session's).
 * Concurrent lookups are batched into one query per batch (batcher.ts): no cache, every answer comes from
 * a query that started after the lookup was asked, so a logout is seen by every later request.
 */
export async function userOfAccess(db: Queryable, claims: AccessClaims): Promise<SessionUser | undefined> {
  let batcher = sessionBatchers.get(db);
  if (!batcher) {
    batcher = new Batcher<AccessClaims, SessionUser>({ load: (keys) => usersOfSessions(db, keys), id: (c) => c.sessionId, maxInFlight: () => SESSION_BATCHES_IN_FLIGHT });
    sessionBatchers.set(db, batcher);
  }
  const user = await batcher.load(claims);
  return user && user.id === claims.userId ? user : undefined;
}

/** The session batcher's counters for a database (metrics, tests), if it has one. */
export function sessionLookupStats(db: Queryable): BatcherStats | undefined {
  return sessionBatchers.get(db)?.stats();
}
