/** JWT authentication: `app.authenticate` for customers, `app.requireAdmin` for staff routes. */
import fastifyJwt from '@fastify/jwt';
import type { FastifyReply, FastifyRequest } from 'fastify';
import fp from 'fastify-plugin';

export interface TokenClaims {
  sub: number;
  admin: boolean;
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    payload: TokenClaims;
    user: TokenClaims;
  }
}

declare module 'fastify' {
  interface FastifyInstance {
    authenticate(request: FastifyRequest, reply: FastifyReply): Promise<void>;
    requireAdmin(request: FastifyRequest, reply: FastifyReply): Promise<void>;
  }
}

export default fp<{ secret: string }>(async (app, options) => {
  await app.register(fastifyJwt, { secret: options.secret, sign: { expiresIn: '2h' } });

  app.decorate('authenticate', async (request: FastifyRequest, reply: FastifyReply) => {
    try {
      await request.jwtVerify();
    } catch {
      await reply.code(401).send({ code: 'unauthorized', message: 'Log in first' });
    }
  });

  app.decorate('requireAdmin', async (request: FastifyRequest, reply: FastifyReply) => {
    await app.authenticate(request, reply);
    if (!reply.sent && !request.user.admin) await reply.code(403).send({ code: 'forbidden', message: 'Staff only' });
  });
});
