import type { FastifyPluginAsync } from 'fastify';
import { z } from 'zod';
import type { CustomerService } from '../services/customerService.js';

const SignUp = z.object({ email: z.string().email(), name: z.string().min(1), password: z.string().min(10) });
const LogIn = z.object({ email: z.string().email(), password: z.string() });

/** Sign-up and log-in. */
export const customerRoutes: FastifyPluginAsync<{ customers: CustomerService }> = async (app, { customers }) => {
  app.post('/', async (request, reply) => {
    const body = SignUp.parse(request.body);
    return reply.code(201).send(await customers.register(body.email, body.name, body.password));
  });

  app.post('/login', async (request) => {
    const body = LogIn.parse(request.body);
    const customer = await customers.authenticate(body.email, body.password);
    return { token: app.jwt.sign({ sub: customer.id, admin: customer.isAdmin }) };
  });
};
