/** `POST /api/v1/sandboxes/{sandbox_id}/events`: a sandbox reports its events (see services/ingest.ts). */
import { IngestResponse } from '@specline/protocol';
import { z } from 'zod';
import type { App, AppContext } from '../app';
import { currentSandbox } from '../http/auth';
import { AppError } from '../http/errors';
import { ingestEvents, type IngestDeps } from '../services/ingest';
import { registerSyncRoutes } from './sync';

/** Per sandbox. Generous: a reporter flushes at most 4 times a second plus heartbeats. */
export const INGEST_RATE_LIMIT = { max: 1200, timeWindow: 60_000 } as const;

export function ingestDeps(ctx: AppContext): IngestDeps {
  return { db: ctx.db, bus: ctx.bus, runs: ctx.runs, logger: ctx.logger };
}

export function registerIngestRoutes(app: App, ctx: AppContext): void {
  const deps = ingestDeps(ctx);
  app.post(
    '/api/v1/sandboxes/:sandbox_id/events',
    {
      schema: {
        tags: ['ingest'],
        summary: 'Report sandbox events',
        description:
          'Body: one event or `{events: [...]}` (at most 500, 4 MiB, 256 KiB per event), as the protocol envelope, the plain `Event` or the legacy wire shape. ' +
          'The whole batch is validated first (422 names each bad index and path; nothing is stored). Events already stored for this sandbox (same `event_id`) are acknowledged as duplicates. ' +
          'Legacy shapes without `event_id` get a server id and cannot be deduplicated. Auth: the sandbox token of this sandbox.',
        params: z.object({ sandbox_id: z.string().min(1).max(200) }),
        response: { 200: IngestResponse },
        security: [{ bearer: [] }],
      },
      preHandler: ctx.requireSandbox,
      config: {
        rateLimit: {
          ...INGEST_RATE_LIMIT,
          keyGenerator: (request) => `ingest:${(request.params as { sandbox_id?: string }).sandbox_id ?? ''}`,
        },
      },
    },
    async (request) => {
      const principal = currentSandbox(request);
      if (!/^application\/json\b/i.test(request.headers['content-type'] ?? '')) {
        throw new AppError('unsupported_media_type', `send events as application/json, not ${request.headers['content-type'] ?? 'no content-type'}`);
      }
      if (principal.sandboxId !== request.params.sandbox_id) {
        throw new AppError('forbidden', `this sandbox token is for sandbox ${principal.sandboxId}, not ${request.params.sandbox_id}`);
      }
      const length = Number(request.headers['content-length']);
      return ingestEvents(deps, principal, request.body, { bodyBytes: Number.isFinite(length) && length > 0 ? length : undefined });
    },
  );
  registerSyncRoutes(app, ctx);
}
