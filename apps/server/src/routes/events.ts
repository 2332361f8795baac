/** `GET /api/v1/specs/{id}/events`: a page of a spec's events (members only). */
import { EventsPage, EventsQuery } from '@specline/protocol';
import { z } from 'zod';
import type { App, AppContext } from '../app';
import { currentUser } from '../http/auth';
import { readSpecEventsPageJson } from '../services/events';
import { IdParam } from '../http/input';

export function registerEventRoutes(app: App, ctx: AppContext): void {
  app.get(
    '/api/v1/specs/:id/events',
    {
      schema: {
        tags: ['events'],
        summary: 'List a spec’s events',
        description:
          'Newest first by default. `after`/`before` are `spec_seq` keyset cursors; `event_types` is repeatable (or comma-separated), `event_type` (one type: the parameter of the original API) is added to it; `failures_only=true` keeps phase failures, retries, execution failures and unsuccessful `agent.completed`. ' +
          '`offset` without filters is a seek on `spec_seq` (as fast as a cursor); with filters it skips over the matching keys (cost grows with the offset). A filtered `total_count` is exact up to `EVENTS_TOTAL_COUNT_CAP` (1,000), then that number with `total_count_exact: false`.',
        params: z.object({ id: IdParam }),
        querystring: EventsQuery,
        response: { 200: EventsPage },
      },
      preHandler: ctx.requireUser,
    },
    async (request, reply) => {
      const user = currentUser(request);
      const json = await readSpecEventsPageJson(ctx.db, request.params.id, user.id, request.query);
      // The page is JSON text built by PostgreSQL from rows the server stored: a string with a JSON
      // content type goes out as it is (no serializer, no re-validation). The history tests parse real
      // answers with `EventsPage`; the schema above still documents the answer.
      return reply.type('application/json; charset=utf-8').send(json as unknown as EventsPage);
    },
  );
}
