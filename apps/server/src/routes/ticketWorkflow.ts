/**
 * The ticket workflow routes the original client calls (docs/api.md, Compatibility): transition, block,
 * unblock, context, approve, reject, pending-review-count. Rules in services/ticketWorkflow.ts.
 */
import {
  ApproveTicketBody,
  BlockTicketQuery,
  PendingReviewCount,
  RejectTicketBody,
  Ticket,
  TicketApprovalResponse,
  TicketContextResponse,
  TicketTransitionBody,
} from '@specline/protocol';
import { z } from 'zod';
import type { App, AppContext } from '../app';
import { currentUser } from '../http/auth';
import { IdParam } from '../http/input';
import { approveTicket, blockTicket, pendingReviewCount, rejectTicket, ticketContext, transitionTicket, unblockTicket } from '../services/ticketWorkflow';

const tags = ['tickets'];
const TicketParams = z.object({ id: IdParam });

export function registerTicketWorkflowRoutes(app: App, ctx: AppContext): void {
  const onRequest = ctx.requireUser;

  app.get(
    '/api/v1/tickets/pending-review-count',
    { schema: { tags, summary: 'Tickets pending review in the projects I belong to', response: { 200: PendingReviewCount } }, onRequest },
    (request) => pendingReviewCount(ctx.db, currentUser(request).id),
  );

  app.post(
    '/api/v1/tickets/approve',
    {
      schema: {
        tags,
        summary: 'Approve a ticket pending review',
        description: '409 `conflict` unless its approval status is `pending_review`.',
        body: ApproveTicketBody,
        response: { 200: TicketApprovalResponse },
      },
      onRequest,
    },
    (request) => approveTicket(ctx.db, request.body.ticket_id, currentUser(request).id),
  );

  app.post(
    '/api/v1/tickets/reject',
    {
      schema: {
        tags,
        summary: 'Reject a ticket pending review, with a reason',
        description: '409 `conflict` unless its approval status is `pending_review`.',
        body: RejectTicketBody,
        response: { 200: TicketApprovalResponse },
      },
      onRequest,
    },
    (request) => rejectTicket(ctx.db, request.body.ticket_id, currentUser(request).id, request.body.rejection_reason),
  );

  app.post(
    '/api/v1/tickets/:id/transition',
    {
      schema: {
        tags,
        summary: 'Move a ticket to another status (Specline’s, or an original Kanban name as an alias)',
        description:
          'backlog → todo | in_progress | cancelled; todo → in_progress | backlog | cancelled; in_progress → done | todo | cancelled; cancelled → backlog; done is final; the same status is a no-op. ' +
          'Aliases: analyzing → todo; building, building-done, testing → in_progress (`phase_id` keeps the stage). 409 `conflict` for a move the rules refuse, a blocked ticket, or one pending review; `force` (owners only, 403 otherwise) skips the rules.',
        params: TicketParams,
        body: TicketTransitionBody,
        response: { 200: Ticket },
      },
      onRequest,
    },
    (request) => transitionTicket(ctx.db, request.params.id, currentUser(request).id, request.body),
  );

  app.post(
    '/api/v1/tickets/:id/block',
    {
      schema: {
        tags,
        summary: 'Block a ticket (query: blocker_type, suggested_remediation)',
        description: 'The status stays; the ticket cannot move until unblocked. Blocking a blocked ticket keeps the first block; 409 `conflict` for a done or cancelled ticket.',
        params: TicketParams,
        querystring: BlockTicketQuery,
        response: { 200: Ticket },
      },
      onRequest,
    },
    (request) => blockTicket(ctx.db, request.params.id, currentUser(request).id, request.query),
  );

  app.post(
    '/api/v1/tickets/:id/unblock',
    { schema: { tags, summary: 'Unblock a ticket (idempotent)', params: TicketParams, response: { 200: Ticket } }, onRequest },
    (request) => unblockTicket(ctx.db, request.params.id, currentUser(request).id),
  );

  app.get(
    '/api/v1/tickets/:id/context',
    { schema: { tags, summary: 'What is known of a ticket’s context (spec, workflow, phase, block, review); summary is null', params: TicketParams, response: { 200: TicketContextResponse } }, onRequest },
    (request) => ticketContext(ctx.db, request.params.id, currentUser(request).id),
  );
}
