/**
 * Who is asking. `requireUser` accepts the access token in the session cookie or as a Bearer JWT, and
 * checks its session is live (not logged out, not expired) in the same query that loads the user;
 * `requireSandbox` accepts a sandbox token, bound to one (sandbox_id, spec_id) and refused once revoked.
 */
import { and, eq } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../store/db';
import { sandboxes } from '../store/schema';
import { userOfAccess } from '../services/sessions';
import { SESSION_COOKIE, hashSandboxToken, type TokenService } from '../services/tokens';
import { AppError } from './errors';
import type { RateLimits } from './rateLimits';

export interface AuthUser {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
  /** The login session of the access token. */
  sessionId: string;
}

export interface SandboxPrincipal {
  sandboxId: string;
  specId: string;
}

declare module 'fastify' {
  interface FastifyRequest {
    authUser?: AuthUser;
    sandboxPrincipal?: SandboxPrincipal;
  }
}

export function bearerToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (!header) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(header.trim());
  return match?.[1];
}

/** Resolves an access token (cookie, Bearer or `?token=` for WebSockets) of a live session to its user, or undefined. */
export async function userFromToken(db: Db, tokens: TokenService, token: string | undefined): Promise<AuthUser | undefined> {
  if (!token) return undefined;
  const claims = await tokens.verifyAccess(token);
  if (!claims) return undefined;
  return userOfAccess(db, claims);
}

export function sessionToken(request: FastifyRequest): string | undefined {
  const bearer = bearerToken(request);
  if (bearer && !bearer.startsWith('sbx_')) return bearer;
  return request.cookies[SESSION_COOKIE];
}

export function createAuthHooks(db: Db, tokens: TokenService, limits: RateLimits) {
  async function requireUser(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const user = await userFromToken(db, tokens, sessionToken(request));
    if (!user) throw new AppError('unauthorized', 'not logged in, or the session ended: send a live access token (session cookie or Authorization: Bearer), or POST /api/v1/auth/refresh');
    request.authUser = user;
  }

  /**
   * The token first (one indexed lookup), then the rate limit: per sandbox when the token is live, per
   * client IP when it is missing, unknown or revoked (see http/rateLimits.ts).
   */
  async function requireSandbox(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const token = bearerToken(request);
    const [row] = token
      ? await db
          .select({ id: sandboxes.id, specId: sandboxes.specId, revokedAt: sandboxes.revokedAt })
          .from(sandboxes)
          .where(and(eq(sandboxes.tokenHash, hashSandboxToken(token))))
          .limit(1)
      : [];
    if (!row || row.revokedAt) {
      await limits.unauthenticatedSandbox(request.ip);
      if (!token) throw new AppError('unauthorized', 'send the sandbox token as Authorization: Bearer <token>');
      if (!row) throw new AppError('unauthorized', 'unknown sandbox token');
      throw new AppError('token_revoked', 'this sandbox token was revoked when its run ended');
    }
    await limits.sandbox(row.id);
    request.sandboxPrincipal = { sandboxId: row.id, specId: row.specId };
  }

  return { requireUser, requireSandbox };
}

/** The authenticated user of a route guarded by `requireUser`. */
export function currentUser(request: FastifyRequest): AuthUser {
  if (!request.authUser) throw new AppError('unauthorized', 'log in first');
  return request.authUser;
}

export function currentSandbox(request: FastifyRequest): SandboxPrincipal {
  if (!request.sandboxPrincipal) throw new AppError('unauthorized', 'sandbox token required');
  return request.sandboxPrincipal;
}
