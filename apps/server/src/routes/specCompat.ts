/**
 * Spec routes the original client calls that Specline did not have (docs/api.md, Compatibility):
 * link/unlink tickets, execute-tasks, create-branch, create-pr.
 */
import {
  CreateBranchResponse,
  CreatePrBody,
  CreatePrResponse,
  ExecuteTasksBody,
  ExecuteTasksResponse,
  LinkTicketsResponse,
  TicketIdsBody,
  UnlinkTicketsResponse,
} from '@specline/protocol';
import type { App, AppContext } from '../app';
import { currentUser } from '../http/auth';
import { createSpecBranch, createSpecPullRequest } from '../services/specGit';
import { executeTasks, linkTickets, unlinkTickets } from '../services/specTickets';
import { SpecParams, specTags as tags } from './specParams';

export function registerSpecCompatRoutes(app: App, ctx: AppContext): void {
  const onRequest = ctx.requireUser;

  app.post(
    '/api/v1/specs/:id/link-tickets',
    {
      schema: {
        tags,
        summary: 'Link tickets of the spec’s project to the spec',
        description: '422 naming each id that is no ticket of the project (nothing is changed); 409 `conflict` for a ticket linked to another spec. `linked_tickets` is counted, never overwritten.',
        params: SpecParams,
        body: TicketIdsBody,
        response: { 200: LinkTicketsResponse },
      },
      onRequest,
    },
    (request) => linkTickets(ctx.db, request.params.id, currentUser(request).id, request.body.ticket_ids),
  );

  app.post(
    '/api/v1/specs/:id/unlink-tickets',
    {
      schema: {
        tags,
        summary: 'Unlink tickets from the spec',
        description: 'Tickets not linked to this spec are left alone (not counted). 409 `conflict` for a ticket made from the spec’s own tasks.',
        params: SpecParams,
        body: TicketIdsBody,
        response: { 200: UnlinkTicketsResponse },
      },
      onRequest,
    },
    (request) => unlinkTickets(ctx.db, request.params.id, currentUser(request).id, request.body.ticket_ids),
  );

  app.post(
    '/api/v1/specs/:id/execute-tasks',
    {
      schema: {
        tags,
        summary: 'Make tickets and ticket tasks of the spec’s tasks (the path a run’s SYNC uses; idempotent)',
        description:
          'Body `{task_ids?}` (server ids; default all, an empty body is all). Tasks of the TASKS output go to their ticket, tasks a person added to one ticket named after the spec. ' +
          '409 `precondition_failed` before the design is approved, while a run is executing, or without tasks.',
        params: SpecParams,
        body: ExecuteTasksBody,
        response: { 200: ExecuteTasksResponse },
      },
      onRequest,
    },
    (request) => executeTasks(ctx.db, request.params.id, currentUser(request).id, request.body.task_ids),
  );

  app.post(
    '/api/v1/specs/:id/create-branch',
    {
      schema: {
        tags,
        summary: 'Create the spec’s branch at its explored commit and push it to the project’s repository',
        description:
          'The branch is `spec/<title slug>-<id8>`, made in the project’s mirror at `repo_commit` and pushed (a `file://` repository under the allowed roots counts as a remote). ' +
          '409 `no_remote` with the reason when the project has no repository or the push fails (nothing is changed); 409 `precondition_failed` when the spec has no explored commit. Idempotent.',
        params: SpecParams,
        response: { 200: CreateBranchResponse },
      },
      onRequest,
    },
    (request) => createSpecBranch(ctx, request.params.id, currentUser(request).id),
  );

  app.post(
    '/api/v1/specs/:id/create-pr',
    {
      schema: {
        tags,
        summary: 'Open a pull request: pushes the branch; without a forge API answers 409 no_pull_request_api',
        description:
          'Opening a pull request needs a forge API (GitHub, GitLab, …), which this server does not have: the branch is pushed again and the answer is 409 `no_pull_request_api` naming the pushed ref. ' +
          '409 `precondition_failed` without a branch, or with tasks not completed unless `force: true`; 409 `no_remote` when the push fails.',
        params: SpecParams,
        body: CreatePrBody,
        response: { 200: CreatePrResponse },
      },
      onRequest,
    },
    (request) => createSpecPullRequest(ctx, request.params.id, currentUser(request).id, request.body.force),
  );
}
