/** User session JWTs (HS256) and opaque sandbox tokens (stored as SHA-256 hashes). */
import { createHash, randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

export const SESSION_COOKIE = 'specline_session';
export const SESSION_TTL_SECONDS = 12 * 60 * 60;

export interface SessionClaims {
  userId: string;
}

export interface TokenService {
  issueSession(userId: string): Promise<string>;
  /** `undefined` when the token is invalid or expired. */
  verifySession(token: string): Promise<SessionClaims | undefined>;
}

export function createTokenService(secret: string): TokenService {
  const key = new TextEncoder().encode(secret);
  return {
    issueSession: (userId) =>
      new SignJWT({ typ: 'session' })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(userId)
        .setIssuedAt()
        .setExpirationTime(`${SESSION_TTL_SECONDS}s`)
        .sign(key),
    verifySession: async (token) => {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] });
        return payload.sub && payload['typ'] === 'session' ? { userId: payload.sub } : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

/** A fresh sandbox token (`sbx_…`) and the hash to store. */
export function newSandboxToken(): { token: string; hash: string } {
  const token = `sbx_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashSandboxToken(token) };
}

export function hashSandboxToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}
