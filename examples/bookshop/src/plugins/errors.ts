import type { FastifyInstance } from 'fastify';
import fp from 'fastify-plugin';
import { ZodError } from 'zod';
import { AppError } from '../lib/errors.js';

/** Maps domain and validation errors to `{code, message}` answers. */
export default fp(async (app: FastifyInstance) => {
  app.setErrorHandler(async (error, _request, reply) => {
    if (error instanceof AppError) return reply.code(error.statusCode).send({ code: error.code, message: error.message });
    if (error instanceof ZodError) return reply.code(400).send({ code: 'invalid_request', message: error.issues[0]?.message ?? 'Invalid request' });
    app.log.error(error);
    return reply.code(500).send({ code: 'internal', message: 'Something went wrong' });
  });
});
