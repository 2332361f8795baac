import { buildApp } from '../../src/app.js';
import type { PaymentGateway } from '../../src/lib/paymentGateway.js';
import { createMemoryRepositories } from './memoryRepositories.js';

/** The app over in-memory repositories and a fake gateway that accepts every card but `tok_declined`. */
export async function testApp() {
  const memory = createMemoryRepositories();
  const gateway: PaymentGateway = {
    charge: async ({ cardToken }) => (cardToken === 'tok_declined' ? { chargeId: '', status: 'failed' } : { chargeId: `ch_${Math.random().toString(36).slice(2)}`, status: 'captured' }),
  };
  const app = await buildApp({ config: { JWT_SECRET: 'test-secret-test-secret', LOG_LEVEL: 'fatal' }, repos: memory.repos, gateway });
  return { app, ...memory };
}

export async function signUpAndLogIn(app: Awaited<ReturnType<typeof testApp>>['app'], email = 'reader@example.com') {
  await app.inject({ method: 'POST', url: '/api/customers', payload: { email, name: 'Reader', password: 'correct horse battery' } });
  const res = await app.inject({ method: 'POST', url: '/api/customers/login', payload: { email, password: 'correct horse battery' } });
  return { authorization: `Bearer ${res.json<{ token: string }>().token}` };
}
