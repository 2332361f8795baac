import { buildApp } from './app.js';
import { loadConfig } from './config.js';
import { createDb } from './db/client.js';
import { createDrizzleRepositories } from './db/repositories.js';
import { createPaymentGateway } from './lib/paymentGateway.js';

const config = loadConfig();
const app = await buildApp({
  config,
  repos: createDrizzleRepositories(createDb(config.DATABASE_URL)),
  gateway: createPaymentGateway(config.PAYMENT_PROVIDER_URL, config.PAYMENT_PROVIDER_KEY),
});

await app.listen({ port: config.PORT, host: '0.0.0.0' });
