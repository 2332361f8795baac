/** `/auth/*`: register, login (rate limited), logout, me. The session JWT goes in an httpOnly cookie and the body. */
import { LoginBody, LoginResponse, RegisterBody, User } from '@specline/protocol';
import type { FastifyReply } from 'fastify';
import type { App, AppContext } from '../app';
import { currentUser } from '../http/auth';
import { SESSION_COOKIE, SESSION_TTL_SECONDS } from '../services/tokens';
import { authenticate, createUser, userDto, type UserRow } from '../services/users';

const tags = ['auth'];

export function registerAuthRoutes(app: App, ctx: AppContext): void {
  const cookieOptions = { httpOnly: true, sameSite: 'lax' as const, secure: ctx.config.cookieSecure, path: '/' };

  async function startSession(reply: FastifyReply, user: UserRow): Promise<LoginResponse> {
    const token = await ctx.tokens.issueSession(user.id);
    void reply.setCookie(SESSION_COOKIE, token, { ...cookieOptions, maxAge: SESSION_TTL_SECONDS });
    return { access_token: token, token_type: 'bearer', expires_in: SESSION_TTL_SECONDS, user: userDto(user) };
  }

  app.post(
    '/api/v1/auth/register',
    { schema: { tags, summary: 'Create an account and log in', body: RegisterBody, response: { 201: LoginResponse } } },
    async (request, reply) => {
      const user = await createUser(ctx.db, request.body);
      const answer = await startSession(reply, user);
      return reply.status(201).send(answer);
    },
  );

  app.post(
    '/api/v1/auth/login',
    {
      schema: { tags, summary: 'Log in with email and password (rate limited)', body: LoginBody, response: { 200: LoginResponse } },
      config: { rateLimit: { max: 10, timeWindow: '1 minute' } },
    },
    async (request, reply) => {
      const user = await authenticate(ctx.db, request.body.email, request.body.password);
      return startSession(reply, user);
    },
  );

  app.post(
    '/api/v1/auth/logout',
    { schema: { tags, summary: 'Log out: clears the session cookie' }, onRequest: ctx.requireUser },
    async (_request, reply) => {
      void reply.clearCookie(SESSION_COOKIE, cookieOptions);
      return reply.status(204).send();
    },
  );

  app.get(
    '/api/v1/auth/me',
    { schema: { tags, summary: 'The logged-in user', response: { 200: User } }, onRequest: ctx.requireUser },
    (request) => userDto(currentUser(request)),
  );
}
