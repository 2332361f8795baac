/**
 * Tokens. User access tokens are short-lived JWTs (HS256) naming their session (`sid`, checked against
 * the `sessions` table on every request, so logout ends them at once); refresh tokens (`rt_…`) and
 * sandbox tokens (`sbx_…`) are opaque random strings stored only as SHA-256 hashes.
 */
import { createHash, createSecretKey, randomBytes } from 'node:crypto';
import { SignJWT, jwtVerify } from 'jose';

/** The access token cookie (every path). */
export const SESSION_COOKIE = 'specline_session';
/** The refresh token cookie: sent only to `/api/v1/auth/*` (refresh, logout). */
export const REFRESH_COOKIE = 'specline_refresh';
export const REFRESH_COOKIE_PATH = '/api/v1/auth';

export interface AccessClaims {
  userId: string;
  sessionId: string;
}

export interface TokenService {
  issueAccess(claims: AccessClaims, ttlSeconds: number): Promise<string>;
  /** `undefined` when the token is invalid, expired, or not an access token. */
  verifyAccess(token: string): Promise<AccessClaims | undefined>;
}

export function createTokenService(secret: string): TokenService {
  // A KeyObject, not the secret's bytes: jose imports a Uint8Array into a CryptoKey on every sign and
  // verify (`hmacImportKey` in the history profile), a KeyObject once (its WeakMap cache). Same bytes (UTF-8).
  const key = createSecretKey(Buffer.from(secret, 'utf8'));
  return {
    issueAccess: (claims, ttlSeconds) =>
      new SignJWT({ typ: 'access', sid: claims.sessionId })
        .setProtectedHeader({ alg: 'HS256' })
        .setSubject(claims.userId)
        .setIssuedAt()
        .setExpirationTime(`${ttlSeconds}s`)
        .sign(key),
    verifyAccess: async (token) => {
      try {
        const { payload } = await jwtVerify(token, key, { algorithms: ['HS256'] });
        const sid = payload['sid'];
        return payload.sub && payload['typ'] === 'access' && typeof sid === 'string' ? { userId: payload.sub, sessionId: sid } : undefined;
      } catch {
        return undefined;
      }
    },
  };
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

/** A fresh refresh token (`rt_…`) and the hash to store. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = `rt_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashToken(token) };
}

/** A fresh sandbox token (`sbx_…`) and the hash to store. */
export function newSandboxToken(): { token: string; hash: string } {
  const token = `sbx_${randomBytes(32).toString('base64url')}`;
  return { token, hash: hashSandboxToken(token) };
}

export function hashSandboxToken(token: string): string {
  return hashToken(token);
}
