/** Settings from the environment, checked once at start-up. */
import { z } from 'zod';

const Env = z.object({
  DATABASE_URL: z.string().url(),
  JWT_SECRET: z.string().min(16),
  PORT: z.coerce.number().int().positive().default(3000),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace']).default('info'),
  PAYMENT_PROVIDER_URL: z.string().url(),
  PAYMENT_PROVIDER_KEY: z.string().min(1),
  /** Days after delivery during which a customer may return an order. */
  RETURN_WINDOW_DAYS: z.coerce.number().int().nonnegative().default(30),
});

export type Config = z.infer<typeof Env>;

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    throw new Error(`Invalid environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
  }
  return parsed.data;
}
