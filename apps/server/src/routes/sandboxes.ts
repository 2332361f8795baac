/** `/specs/{id}/sandboxes`: register an external sandbox (a producer Specline did not launch) and revoke it. */
import { RegisterSandboxBody, RegisterSandboxResponse } from '@specline/protocol';
import { z } from 'zod';
import type { App, AppContext } from '../app';
import { currentUser } from '../http/auth';
import { IdParam } from '../http/input';
import { registerExternalSandbox, revokeExternalSandbox } from '../services/externalSandboxes';
import { SpecParams, specTags as tags } from './specParams';

const SandboxParams = z.object({ id: IdParam, sandbox_id: IdParam });

export function registerSandboxRoutes(app: App, ctx: AppContext): void {
  const onRequest = ctx.requireUser;

  app.post(
    '/api/v1/specs/:id/sandboxes',
    {
      schema: {
        tags,
        summary: 'Register an external sandbox: a token for a producer this server did not launch',
        description:
          'Answers the token once (only its hash is kept). The producer posts to `events_url` with `Authorization: Bearer <token>`, in any accepted shape (envelope, plain `Event`, the original wire body). ' +
          'Nothing changes until its first event: then the spec goes `executing` (run state and approvals reset, as for a launched run), and the reaper fails the run when no batch arrives for `heartbeat_timeout_seconds`. ' +
          'The run\'s `agent.completed` revokes the token; so does `DELETE`. A new registration revokes an earlier one that never reported. 409 `already_running` while a run is executing; 409 `conflict` for an archived spec.',
        params: SpecParams,
        body: RegisterSandboxBody,
        response: { 201: RegisterSandboxResponse },
      },
      onRequest,
    },
    async (request, reply) => {
      const answer = await registerExternalSandbox(ctx, request.params.id, currentUser(request).id, request.body);
      return reply.status(201).header('cache-control', 'no-store').send(answer);
    },
  );

  app.delete(
    '/api/v1/specs/:id/sandboxes/:sandbox_id',
    {
      schema: {
        tags,
        summary: 'Revoke an external sandbox (its live run is cancelled); idempotent',
        description: '204. 404 when the spec has no such sandbox; 409 `conflict` for a sandbox the server launched (cancel its run instead).',
        params: SandboxParams,
      },
      onRequest,
    },
    async (request, reply) => {
      await revokeExternalSandbox(ctx, request.params.id, request.params.sandbox_id, currentUser(request).id);
      return reply.status(204).send();
    },
  );
}
