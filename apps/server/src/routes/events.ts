/** `GET /api/v1/specs/{id}/events`: a page of a spec's events (members only). */
import { EventsPage, EventsQuery } from '@specline/protocol';
import { z } from 'zod';
import type { App, AppContext } from '../app';
import { currentUser } from '../http/auth';
import { listSpecEvents, requireSpecCursor } from '../services/events';
import { IdParam } from '../http/input';

export function registerEventRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/v1/specs/:id/events',
    {
      schema: {
        tags: ['events'],
        summary: 'List a spec’s events',
        description:
          'Newest first by default. `after`/`before` are `spec_seq` keyset cursors; `event_types` is repeatable (or comma-separated), `event_type` (one type: the parameter of the original API) is added to it; `failures_only=true` keeps phase failures, retries, execution failures and unsuccessful `agent.completed`.',
        params: z.object({ id: IdParam }),
        querystring: EventsQuery,
        response: { 200: EventsPage },
      },
      preHandler: ctx.requireUser,
    },
    async (request) => {
      const user = currentUser(request);
      const spec = await requireSpecCursor(ctx.db, request.params.id, user.id);
      return listSpecEvents(ctx.db, spec, request.query);
    },
  );
}
