import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { CartService } from '../services/cartService.js';

/** The logged-in customer's cart. */
export const cartRoutes: FastifyPluginAsync<{ carts: CartService }> = async (app, { carts }) => {
  app.addHook('preHandler', app.authenticate);

  app.get('/', async (request) => carts.items(request.user.sub));

  app.post('/items', async (request, reply) => {
    const { bookId, quantity } = z.object({ bookId: z.number().int(), quantity: z.number().int().positive().max(20) }).parse(request.body);
    return reply.code(201).send(await carts.add(request.user.sub, bookId, quantity));
  });
};
