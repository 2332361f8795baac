import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { OrderService } from '../services/orderService.js';

const Id = z.object({ id: z.coerce.number().int() });

/** Checkout, payment and the order life cycle. */
export const orderRoutes: FastifyPluginAsync<{ orders: OrderService }> = async (app, { orders }) => {
  app.get('/', { preHandler: app.authenticate }, async (request) => orders.listForCustomer(request.user.sub));

  app.get('/:id', { preHandler: app.authenticate }, async (request) => {
    const { id } = Id.parse(request.params);
    return orders.getForCustomer(id, request.user.sub);
  });

  app.post('/', { preHandler: app.authenticate }, async (request, reply) => {
    const { shippingAddress } = z.object({ shippingAddress: z.string().min(5) }).parse(request.body);
    return reply.code(201).send(await orders.checkout(request.user.sub, shippingAddress));
  });

  app.post('/:id/pay', { preHandler: app.authenticate }, async (request) => {
    const { id } = Id.parse(request.params);
    const { cardToken } = z.object({ cardToken: z.string().min(1) }).parse(request.body);
    return orders.pay(id, request.user.sub, cardToken);
  });

  app.post('/:id/cancel', { preHandler: app.authenticate }, async (request) => {
    const { id } = Id.parse(request.params);
    return orders.cancel(id, request.user.sub);
  });

  app.post('/:id/ship', { preHandler: app.requireAdmin }, async (request) => orders.ship(Id.parse(request.params).id));

  app.post('/:id/deliver', { preHandler: app.requireAdmin }, async (request) => orders.markDelivered(Id.parse(request.params).id));
};
