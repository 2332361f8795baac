/** `/tickets`: create (optionally `spec_driven`, idempotent under `Idempotency-Key`), list, get, tasks. */
import { CreateTicketBody, ModelSettingsInput, PageQuery, Ticket, TicketHistory, TicketList, TicketStatus, TicketTaskList, TicketType } from '@specline/protocol';
import { z } from 'zod';
import type { App, AppContext } from '../app';
import { currentUser } from '../http/auth';
import { IdempotencyHeaders } from './specParams';
import { createTicket, getTicket, listTicketTasks, listTickets, ticketHistory } from '../services/tickets';
import { IdParam } from '../http/input';

const tags = ['tickets'];
const TicketParams = z.object({ id: IdParam });
/** A `spec_driven` ticket starts a run: it takes the same launch override as `POST /specs/{id}/execute`. */
const CreateTicketWithModel = CreateTicketBody.extend({ model_settings: ModelSettingsInput.optional() });
const TicketListQuery = PageQuery.extend({
  project_id: IdParam.optional(),
  status: TicketStatus.optional(),
  spec_id: IdParam.optional(),
  /** `quick`, `spec_driven` or `generated` (made by a spec's SYNC). */
  type: TicketType.optional(),
});

export function registerTicketRoutes(app: App, ctx: AppContext): void {
  const onRequest = ctx.requireUser;

  app.post(
    '/api/v1/tickets',
    {
      schema: {
        tags,
        summary: 'Create a ticket; `spec_driven` also creates its spec and starts the run',
        description:
          'With an `Idempotency-Key` header, a retried POST (same user, same key, same body) answers the first result and creates nothing; the same key with another body is 422 `idempotency_conflict`. A failed sandbox launch still answers 201 with `spec_id`; the spec is then `failed` with `last_error`.',
        headers: IdempotencyHeaders,
        body: CreateTicketWithModel,
        response: { 201: Ticket },
      },
      onRequest,
    },
    async (request, reply) => {
      const answer = await createTicket(ctx, currentUser(request).id, request.body, request.headers['idempotency-key']);
      if (answer.replayed) void reply.header('idempotent-replayed', 'true');
      return reply.status(201).send(answer.body);
    },
  );

  app.get(
    '/api/v1/tickets',
    { schema: { tags, summary: 'Tickets of the projects I belong to, newest first (one SYNC’s tickets by local id)', querystring: TicketListQuery, response: { 200: TicketList } }, onRequest },
    (request) => listTickets(ctx.db, currentUser(request).id, request.query),
  );

  app.get(
    '/api/v1/tickets/:id',
    { schema: { tags, summary: 'One ticket', params: TicketParams, response: { 200: Ticket } }, onRequest },
    (request) => getTicket(ctx.db, request.params.id, currentUser(request).id),
  );

  app.get(
    '/api/v1/tickets/:id/tasks',
    { schema: { tags, summary: 'Tasks of a ticket', params: TicketParams, response: { 200: TicketTaskList } }, onRequest },
    async (request) => ({ tasks: await listTicketTasks(ctx.db, request.params.id, currentUser(request).id) }),
  );

  app.get(
    '/api/v1/tickets/:id/history',
    { schema: { tags, summary: 'What happened to a ticket, oldest first (creation, review, block, last change)', params: TicketParams, response: { 200: TicketHistory } }, onRequest },
    (request) => ticketHistory(ctx.db, request.params.id, currentUser(request).id),
  );
}
