/**
 * `/api/v1/workers/*` (issue 11): the routes `specline-worker` processes call. Every one needs
 * `Authorization: Bearer <SPECLINE_WORKER_TOKEN>` (compared in constant time, never logged); a server
 * without that setting accepts no workers. Answers carry a sandbox token and model keys: `no-store`.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { FastifyRequest } from 'fastify';
import { z } from 'zod';
import type { App, AppContext } from '../app';
import { bearerToken } from '../http/auth';
import { AppError, notFound } from '../http/errors';
import { IdParam } from '../http/input';
import { createBundleStore } from '../launcher/bundles';
import { createWorkspaceManager } from '../launcher/workspace';
import { repoPolicyOf } from '../services/repoUrls';
import { attemptExited, attemptStatus, claimQueueRun } from '../services/workerClaims';

const tags = ['workers'];
const Worker = z.string().min(1).max(300).regex(/^worker:[\x21-\x7e]+$/, 'a worker name: worker:<host>:<pid>:<random>');
const ClaimBody = z.object({ spec_id: IdParam, run_id: IdParam, worker: Worker });
const SandboxParams = z.object({ sandbox_id: IdParam });
const StatusBody = z.object({ state: z.enum(['preparing', 'running']), pid: z.number().int().positive().optional(), log_path: z.string().max(1000).optional() });
const ExitBody = z.object({ exit_code: z.number().int().nullable(), signal: z.string().max(40).nullable(), worker: Worker, log_path: z.string().max(1000).optional() });

const digest = (value: string) => createHash('sha256').update(value).digest();

export function registerWorkerRoutes(app: App, ctx: AppContext): void {
  const expected = ctx.config.runner.workerToken ? digest(ctx.config.runner.workerToken) : undefined;
  const bundles = createBundleStore({
    dataDir: ctx.config.dataDir,
    workspaces: createWorkspaceManager({ dataDir: ctx.config.dataDir, settings: repoPolicyOf(ctx.config), env: ctx.config.sandbox.env }),
    env: ctx.config.sandbox.env,
    gitTimeoutSeconds: ctx.config.repos.gitTimeoutSeconds,
  });

  async function requireWorker(request: FastifyRequest): Promise<void> {
    if (!expected) throw new AppError('unauthorized', 'this server accepts no workers: SPECLINE_WORKER_TOKEN is not set (and SPECLINE_RUNNER is not queue)');
    const token = bearerToken(request);
    if (token && timingSafeEqual(digest(token), expected)) return;
    await ctx.rateLimits.unauthenticatedSandbox(request.ip);
    throw new AppError('unauthorized', token ? 'wrong worker token' : 'send the worker token as Authorization: Bearer <SPECLINE_WORKER_TOKEN>');
  }

  app.post(
    '/api/v1/workers/claims',
    {
      schema: {
        tags,
        summary: 'A worker claims a queued run (its BullMQ job): the attempt it should run',
        description:
          '`outcome: run` with a fresh sandbox token, the phases still to do, the stored outputs as context, the model environment and the repository commit (fetch it from `bundle`); ' +
          'a claim of a run another worker held supersedes that attempt (its token is revoked). `outcome: ended` when the run has ended (or failed now: no attempt left, unreadable key, repository gone): the worker acks the job.',
        body: ClaimBody,
      },
      onRequest: requireWorker,
    },
    async (request, reply) => {
      const answer = await claimQueueRun(ctx, bundles, request.body);
      return reply.header('cache-control', 'no-store').send(answer);
    },
  );

  app.post(
    '/api/v1/workers/runs/:sandbox_id/status',
    {
      schema: {
        tags,
        summary: "Is the worker's attempt still live? (cancel, superseded, ended → stop the child)",
        description: '`preparing` renews the lease while the worker checks the code out; `running` notes the child pid and log path.',
        params: SandboxParams,
        body: StatusBody,
      },
      onRequest: requireWorker,
    },
    async (request) => attemptStatus(ctx, request.params.sandbox_id, request.body),
  );

  app.post(
    '/api/v1/workers/runs/:sandbox_id/exit',
    {
      schema: {
        tags,
        summary: "The attempt's sandbox exited: a run it did not finish fails with the exit status",
        params: SandboxParams,
        body: ExitBody,
      },
      onRequest: requireWorker,
    },
    async (request) => attemptExited(ctx, bundles, request.params.sandbox_id, request.body),
  );

  app.get(
    '/api/v1/workers/runs/:sandbox_id/bundle',
    {
      schema: { tags, summary: "The attempt's code: a git bundle of the resolved commit (HEAD)", params: SandboxParams },
      onRequest: requireWorker,
    },
    async (request, reply) => {
      const file = bundles.fileOf(request.params.sandbox_id);
      if (!file) throw notFound('bundle');
      return reply.header('cache-control', 'no-store').type('application/octet-stream').send(createReadStream(file));
    },
  );
}
