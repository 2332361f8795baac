/** `GET /api/v1/specs/{id}/events/stream`: a spec's events over SSE, resumable by `Last-Event-ID` or `?after=`. */
import { z } from 'zod';
import type { App, AppContext } from '../app';
import { currentUser } from '../http/auth';
import { AppError } from '../http/errors';
import { streamHubFor } from '../streams/hubFor';
import { registerStreamMetrics } from '../streams/metrics';
import { openSseStream } from '../streams/sse';
import { IdParam } from '../http/input';

const cursor = z.coerce.number().int().min(0);

export function registerStreamRoutes(app: App, ctx: AppContext): void {
  const hub = streamHubFor(app, ctx);
  registerStreamMetrics(app, ctx, hub);
  app.get(
    '/api/v1/specs/:id/events/stream',
    {
      schema: {
        tags: ['events'],
        summary: 'Stream a spec’s events (SSE)',
        description:
          'Replays stored events after the cursor (`Last-Event-ID` header, else `after`, else 0), then tails live ones with no gap and no duplicate. ' +
          'Frames: `id: <spec_seq>`, `event: spec_event`, `data: <StoredEvent>`; `: keepalive` every 15 s; `event: stream_closed` ({reason, detail, resume_after}) before the server closes it.',
        params: z.object({ id: IdParam }),
        querystring: z.object({ after: cursor.optional() }),
        headers: z.looseObject({ 'last-event-id': z.string().optional() }),
      },
      preHandler: ctx.requireUser,
    },
    async (request, reply) => {
      const user = currentUser(request);
      // Batched (one query per batch, a bounded number at once): a reconnect storm's access checks hold a bounded share of the pool.
      const spec = await hub.checkAccess(request.params.id, user.id);
      if (hub.closing) throw new AppError('shutting_down', 'the server is shutting down; reconnect shortly');
      const header = request.headers['last-event-id'];
      let after = request.query.after ?? 0;
      if (header !== undefined && header.trim() !== '') {
        const parsed = cursor.safeParse(header.trim());
        if (!parsed.success) throw new AppError('validation_failed', `Last-Event-ID must be a spec_seq (a non-negative integer), got ${JSON.stringify(header)}`);
        after = parsed.data;
      }
      openSseStream(reply, hub, {
        specId: spec.id,
        after,
        startAt: spec.lastSpecSeq,
        maxDurationMs: ctx.config.streams.maxStreamSeconds * 1000,
        onError: (error) => request.log.warn({ err: error, spec_id: spec.id }, 'SSE stream failed to read events'),
      });
    },
  );
}
