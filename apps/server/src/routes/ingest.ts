/** `POST /api/v1/sandboxes/{sandbox_id}/events`: a sandbox reports its events (see services/ingest.ts). */
import { IngestResponse } from '@specline/protocol';
import { z } from 'zod';
import type { App, AppContext } from '../app';
import { currentSandbox } from '../http/auth';
import { AppError } from '../http/errors';
import { IdParam } from '../http/input';
import { ingestEvents, type IngestDeps } from '../services/ingest';
import { registerSyncRoutes } from './sync';

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
          'Legacy shapes without `event_id` get a deterministic id (type, timestamp, phase, payload, index in the body), so a retried body is deduplicated too; heartbeats always get a fresh one. ' +
          'Parts of phase outputs that cannot become rows are appended after the batch as `spec.ingest_warning` events (`warnings` counts them). ' +
          'The first batch of an external sandbox (POST /specs/{id}/sandboxes) starts its run; while another run holds the spec it is 409 `already_running` and nothing is stored. Auth: the sandbox token of this sandbox. ' +
          'Rate limited per authenticated sandbox (1,200 requests a minute), checked after the token; requests without a valid token are limited per client address.',
        params: z.object({ sandbox_id: IdParam }),
        response: { 200: IngestResponse },
        security: [{ bearer: [] }],
      },
      // The token before the body is read: a request without a valid one is refused (and counted per IP) unparsed.
      onRequest: ctx.requireSandbox,
      // The batch's text is checked by parseIngestRequest, whose errors name the index of each bad event.
      config: { checksOwnBody: true },
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
