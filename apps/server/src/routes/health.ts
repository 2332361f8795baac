import { z } from 'zod';
import type { App, AppContext } from '../app';

export function registerHealthRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/v1/health',
    { schema: { tags: ['health'], response: { 200: z.object({ status: z.enum(['ok', 'degraded']), database: z.boolean(), bus: z.boolean(), driver: z.string(), bus_kind: z.string() }) } } },
    async () => {
      const [database, bus] = await Promise.all([ctx.database.ping(), ctx.bus.ping()]);
      return { status: database && bus ? ('ok' as const) : ('degraded' as const), database, bus, driver: ctx.database.driver, bus_kind: ctx.bus.kind };
    },
  );
}
