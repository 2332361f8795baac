/**
 * `/auth/*`: register, login (limited per IP and per account), refresh, logout, me.
 * A login answers a short-lived access token (body, and the `specline_session` cookie for every path)
 * and sets the refresh cookie (`specline_refresh`, httpOnly, only sent to `/api/v1/auth`). `POST
 * /auth/refresh` trades the refresh cookie for a new access token (rotating the refresh token); logout
 * revokes the session server-side, so the access token stops working at once. Cookies are `Secure`
 * when `COOKIE_SECURE` is set or the public URL is https.
 */
import { LoginBody, LoginResponse, RegisterBody, User } from '@specline/protocol';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App, AppContext } from '../app';
import { currentUser, sessionToken } from '../http/auth';
import { AppError } from '../http/errors';
import { servesHttps } from '../http/securityHeaders';
import { passwordProblems } from '../services/passwordPolicy';
import { createSession, refreshSession, revokeSession, sessionOfRefreshToken, type IssuedTokens } from '../services/sessions';
import { REFRESH_COOKIE, REFRESH_COOKIE_PATH, SESSION_COOKIE } from '../services/tokens';
import { authenticate, createUser, findUserById, normaliseEmail, userDto, type UserRow } from '../services/users';

const tags = ['auth'];

export function registerAuthRoutes(app: App, ctx: AppContext): void {
  const settings = ctx.config.sessions;
  // Read per request: the public URL may only be known once the server listens (PORT=0).
  const secure = () => ctx.config.cookieSecure || servesHttps(ctx.config);
  const accessCookie = () => ({ httpOnly: true, sameSite: 'lax' as const, secure: secure(), path: '/' });
  const refreshCookie = () => ({ httpOnly: true, sameSite: 'strict' as const, secure: secure(), path: REFRESH_COOKIE_PATH });

  function answer(reply: FastifyReply, user: Pick<UserRow, 'id' | 'email' | 'name' | 'createdAt'>, issued: IssuedTokens): LoginResponse {
    void reply.setCookie(SESSION_COOKIE, issued.accessToken, { ...accessCookie(), maxAge: settings.accessTtlSeconds });
    if (issued.refreshToken) void reply.setCookie(REFRESH_COOKIE, issued.refreshToken, { ...refreshCookie(), maxAge: settings.refreshTtlSeconds });
    void reply.header('cache-control', 'no-store');
    return { access_token: issued.accessToken, token_type: 'bearer', expires_in: settings.accessTtlSeconds, user: userDto(user) };
  }

  function clearCookies(reply: FastifyReply): void {
    void reply.clearCookie(SESSION_COOKIE, accessCookie());
    void reply.clearCookie(REFRESH_COOKIE, refreshCookie());
  }

  app.post(
    '/api/v1/auth/register',
    {
      schema: {
        tags,
        summary: 'Create an account and log in',
        description:
          'The password is 8–200 characters and neither one of the most common passwords nor the email address (422 `validation_failed` on `body.password`). Limited per client address (`SPECLINE_REGISTER_PER_IP_PER_HOUR`, default 20 an hour): 429 `rate_limited` with `Retry-After`.',
        body: RegisterBody,
        response: { 201: LoginResponse },
      },
    },
    async (request, reply) => {
      await ctx.rateLimits.registerAttempt(request.ip);
      const problems = await passwordProblems(request.body.password, request.body.email);
      if (problems.length) throw new AppError('validation_failed', `invalid request body: ${problems.map((p) => `${p.path}: ${p.message}`).join('; ')}`, { errors: problems });
      const user = await createUser(ctx.db, request.body);
      const issued = await createSession(ctx.db, ctx.tokens, user.id, settings);
      return reply.status(201).send(answer(reply, user, issued));
    },
  );

  app.post(
    '/api/v1/auth/login',
    {
      schema: {
        tags,
        summary: 'Log in with email and password (rate limited per IP and per account)',
        description:
          'At most 10 attempts a minute per client address; after 5 failed attempts an account is blocked for 1 s, 2 s, 4 s, … (at most 15 min) until a successful login. Both answer 429 `rate_limited` with `Retry-After`.',
        body: LoginBody,
        response: { 200: LoginResponse },
      },
    },
    async (request, reply) => {
      const email = normaliseEmail(request.body.email);
      await ctx.rateLimits.loginAttempt(request.ip);
      await ctx.rateLimits.loginAllowed(email);
      let user: UserRow;
      try {
        user = await authenticate(ctx.db, email, request.body.password);
      } catch (error) {
        if (error instanceof AppError && error.code === 'invalid_credentials') await ctx.rateLimits.loginFailed(email);
        throw error;
      }
      await ctx.rateLimits.loginSucceeded(email);
      return answer(reply, user, await createSession(ctx.db, ctx.tokens, user.id, settings));
    },
  );

  app.post(
    '/api/v1/auth/refresh',
    {
      schema: {
        tags,
        summary: 'A new access token for the refresh cookie (rotates the refresh token)',
        description:
          'Reads the `specline_refresh` cookie set by login. Answers a `LoginResponse` and new cookies; 401 `unauthorized` when the cookie is missing, unknown, expired or its session was logged out. A refresh token used twice (outside a 30 s grace for concurrent tabs) ends its session.',
        response: { 200: LoginResponse },
      },
    },
    async (request, reply) => {
      const issued = await refreshSession(ctx.db, ctx.tokens, request.cookies[REFRESH_COOKIE], settings);
      const user = await findUserById(ctx.db, issued.userId);
      if (!user) throw new AppError('unauthorized', 'the account of this session no longer exists');
      return answer(reply, user, issued);
    },
  );

  async function sessionOf(request: FastifyRequest): Promise<string | undefined> {
    const token = sessionToken(request);
    const claims = token ? await ctx.tokens.verifyAccess(token) : undefined;
    if (claims) return claims.sessionId;
    const refresh = request.cookies[REFRESH_COOKIE];
    return refresh ? sessionOfRefreshToken(ctx.db, refresh) : undefined;
  }

  app.post(
    '/api/v1/auth/logout',
    {
      schema: {
        tags,
        summary: 'Log out: ends the session (its access and refresh tokens stop working) and clears the cookies',
        description: 'Identifies the session by the access token (cookie or Bearer) or, when that has expired, the refresh cookie. 401 when neither names a live session.',
      },
    },
    async (request, reply) => {
      const sessionId = await sessionOf(request);
      clearCookies(reply);
      if (!sessionId || !(await revokeSession(ctx.db, sessionId))) throw new AppError('unauthorized', 'not logged in: no live session to end');
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/auth/me',
    { schema: { tags, summary: 'The logged-in user', response: { 200: User } }, onRequest: ctx.requireUser },
    (request) => userDto(currentUser(request)),
  );
}
