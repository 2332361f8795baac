/**
 * Health for people and orchestrators (issue 11):
 * - `GET /health`: the database and the bus; 200 `ok` when both answer, 503 `degraded` (with
 *   `Retry-After`) when either does not — a server that cannot reach its database is not healthy.
 * - `GET /health/live`: the process answers (liveness: restart it only when this fails). Always 200.
 * - `GET /health/ready`: it can serve requests (readiness: route traffic to it): 200 when the database
 *   and the bus answer and it is not shutting down, else 503 with `Retry-After`.
 */
import { z } from 'zod';
import type { App, AppContext } from '../app';
import { UNAVAILABLE_RETRY_AFTER_SECONDS } from '../http/dbErrors';

const PROBE_TIMEOUT_MS = 2000;
const Health = z.object({ status: z.enum(['ok', 'degraded']), database: z.boolean(), bus: z.boolean(), driver: z.string(), bus_kind: z.string() });
const Live = z.object({ status: z.literal('ok') });
const Ready = z.object({ status: z.enum(['ready', 'not_ready']), database: z.boolean(), bus: z.boolean(), shutting_down: z.boolean() });

export function registerHealthRoutes(app: App, ctx: AppContext): void {
  let closing = false;
  app.addHook('preClose', (done) => {
    closing = true;
    done();
  });
  /** A probe that does not answer within 2 s counts as down (a hung database must not hang the health check). */
  const within = (check: Promise<boolean>) => {
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<boolean>((resolve) => {
      timer = setTimeout(() => resolve(false), PROBE_TIMEOUT_MS);
    });
    return Promise.race([check.catch(() => false), late]).finally(() => clearTimeout(timer));
  };
  const probe = async () => {
    const [database, bus] = await Promise.all([within(ctx.database.ping()), within(ctx.bus.ping())]);
    return { database, bus };
  };

  app.get('/api/v1/health', { schema: { tags: ['health'], response: { 200: Health, 503: Health } } }, async (_request, reply) => {
    const { database, bus } = await probe();
    const ok = database && bus;
    if (!ok) reply.code(503).header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    return { status: ok ? ('ok' as const) : ('degraded' as const), database, bus, driver: ctx.database.driver, bus_kind: ctx.bus.kind };
  });

  app.get('/api/v1/health/live', { schema: { tags: ['health'], response: { 200: Live } } }, () => ({ status: 'ok' as const }));

  app.get('/api/v1/health/ready', { schema: { tags: ['health'], response: { 200: Ready, 503: Ready } } }, async (_request, reply) => {
    const { database, bus } = await probe();
    const ready = database && bus && !closing;
    if (!ready) reply.code(503).header('retry-after', String(UNAVAILABLE_RETRY_AFTER_SECONDS));
    return { status: ready ? ('ready' as const) : ('not_ready' as const), database, bus, shutting_down: closing };
  });
}
