/**
 * Who is asking. `requireUser` accepts the session cookie or a Bearer JWT; `requireSandbox` accepts a
 * sandbox token, bound to one (sandbox_id, spec_id) and refused once revoked.
 */
import { and, eq } from 'drizzle-orm';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { Db } from '../store/db';
import { sandboxes, users } from '../store/schema';
import { SESSION_COOKIE, hashSandboxToken, type TokenService } from '../services/tokens';
import { AppError } from './errors';

export interface AuthUser {
  id: string;
  email: string;
  name: string;
  createdAt: Date;
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

/** Resolves a session token (cookie, Bearer or `?token=` for WebSockets) to a user, or undefined. */
export async function userFromToken(db: Db, tokens: TokenService, token: string | undefined): Promise<AuthUser | undefined> {
  if (!token) return undefined;
  const claims = await tokens.verifySession(token);
  if (!claims) return undefined;
  const [row] = await db.select().from(users).where(eq(users.id, claims.userId)).limit(1);
  return row ? { id: row.id, email: row.email, name: row.name, createdAt: row.createdAt } : undefined;
}

export function sessionToken(request: FastifyRequest): string | undefined {
  const bearer = bearerToken(request);
  if (bearer && !bearer.startsWith('sbx_')) return bearer;
  return request.cookies[SESSION_COOKIE];
}

export function createAuthHooks(db: Db, tokens: TokenService) {
  async function requireUser(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const user = await userFromToken(db, tokens, sessionToken(request));
    if (!user) throw new AppError('unauthorized', 'log in first: send the session cookie or an Authorization: Bearer token');
    request.authUser = user;
  }

  async function requireSandbox(request: FastifyRequest, _reply: FastifyReply): Promise<void> {
    const token = bearerToken(request);
    if (!token) throw new AppError('unauthorized', 'send the sandbox token as Authorization: Bearer <token>');
    const [row] = await db
      .select({ id: sandboxes.id, specId: sandboxes.specId, revokedAt: sandboxes.revokedAt })
      .from(sandboxes)
      .where(and(eq(sandboxes.tokenHash, hashSandboxToken(token))))
      .limit(1);
    if (!row) throw new AppError('unauthorized', 'unknown sandbox token');
    if (row.revokedAt) throw new AppError('token_revoked', 'this sandbox token was revoked when its run ended');
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
