/** `buildApp(deps)`: the Fastify application with its plugins, services and routes. No globals. */
import Fastify from 'fastify';
import type { Config } from './config.js';
import type { Repositories } from './db/repositories.js';
import type { PaymentGateway } from './lib/paymentGateway.js';
import authPlugin from './plugins/auth.js';
import errorsPlugin from './plugins/errors.js';
import { bookRoutes } from './routes/books.js';
import { cartRoutes } from './routes/cart.js';
import { customerRoutes } from './routes/customers.js';
import { orderRoutes } from './routes/orders.js';
import { CartService } from './services/cartService.js';
import { CatalogService } from './services/catalogService.js';
import { CustomerService } from './services/customerService.js';
import { OrderService } from './services/orderService.js';
import { PaymentService } from './services/paymentService.js';

export interface AppDeps {
  config: Pick<Config, 'JWT_SECRET' | 'LOG_LEVEL'>;
  repos: Repositories;
  gateway: PaymentGateway;
  now?: () => Date;
}

export async function buildApp(deps: AppDeps) {
  const app = Fastify({ logger: { level: deps.config.LOG_LEVEL } });
  await app.register(errorsPlugin);
  await app.register(authPlugin, { secret: deps.config.JWT_SECRET });

  const payments = new PaymentService(deps.repos, deps.gateway);
  const orders = new OrderService(deps.repos, payments, deps.now);

  app.get('/health', async () => ({ ok: true }));
  await app.register(bookRoutes, { prefix: '/api/books', catalog: new CatalogService(deps.repos) });
  await app.register(customerRoutes, { prefix: '/api/customers', customers: new CustomerService(deps.repos) });
  await app.register(cartRoutes, { prefix: '/api/cart', carts: new CartService(deps.repos) });
  await app.register(orderRoutes, { prefix: '/api/orders', orders });
  return app;
}
