/** `POST /api/v1/specs/{id}/sync`: the HTTP ticket sink of a run's SYNC phase (see services/sync.ts). */
import { SyncBody, SyncResponse } from '@specline/protocol';
import { z } from 'zod';
import type { App, AppContext } from '../app';
import { currentSandbox } from '../http/auth';
import { AppError } from '../http/errors';
import { syncTickets } from '../services/sync';
import { specs } from '../store/schema';
import { eq } from 'drizzle-orm';
import { IdParam } from '../http/input';

export function registerSyncRoutes(app: App, ctx: AppContext): void {
  app.post(
    '/api/v1/specs/:id/sync',
    {
      schema: {
        tags: ['ingest'],
        summary: 'Create the tickets and tasks of a spec run (idempotent by local id)',
        params: z.object({ id: IdParam }),
        body: SyncBody,
        response: { 200: SyncResponse },
        security: [{ bearer: [] }],
      },
      preHandler: ctx.requireSandbox,
    },
    async (request) => {
      const principal = currentSandbox(request);
      if (principal.specId !== request.params.id) {
        throw new AppError('forbidden', `this sandbox token is for spec ${principal.specId}, not ${request.params.id}`);
      }
      // Review mode: SYNC (tickets and tasks) never runs before a person approved the design.
      const [spec] = await ctx.db.select({ approvalMode: specs.approvalMode, designApproved: specs.designApproved }).from(specs).where(eq(specs.id, principal.specId));
      if (spec?.approvalMode === 'review' && !spec.designApproved) {
        throw new AppError('precondition_failed', 'this spec runs in review mode and its design is not approved: no tickets are made before POST /approve-design');
      }
      return syncTickets(ctx.db, principal.specId, request.body);
    },
  );
}
