/**
 * `WS /api/v1/ws/events`: live spec events over a WebSocket (see streams/ws.ts and protocol stream.ts).
 * The upgrade is refused with 403 `forbidden` when the request carries an `Origin` other than the public
 * URL's (or one of `ALLOWED_ORIGINS`): a page on another site cannot ride the user's cookie. Clients
 * that send no `Origin` (not browsers: sandboxes, scripts) are not affected. A plain GET (no upgrade)
 * answers 404 saying so. The route is listed in the OpenAPI document (tag `websocket`).
 */
import { z } from 'zod';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { App, AppContext } from '../app';
import { sessionToken, userFromToken, type AuthUser } from '../http/auth';
import { AppError } from '../http/errors';
import { IdParam } from '../http/input';
import { streamHubFor } from '../streams/hubFor';
import { serveWsConnection } from '../streams/ws';

const WsQuery = z.looseObject({ token: z.string().max(4096).optional() });

/** The origins allowed to open a WebSocket: the public URL's (read per request: it may be set at listen) and `ALLOWED_ORIGINS`. */
export function allowedOrigins(ctx: Pick<AppContext, 'config'>): Set<string> {
  const origins = new Set(ctx.config.allowedOrigins);
  if (ctx.config.publicUrl && URL.canParse(ctx.config.publicUrl)) origins.add(new URL(ctx.config.publicUrl).origin);
  return origins;
}

export function registerWsRoutes(app: App, ctx: AppContext): void {
  const hub = streamHubFor(app, ctx);

  function checkOrigin(request: FastifyRequest, _reply: FastifyReply, done: (error?: Error) => void): void {
    const origin = request.headers.origin;
    if (origin === undefined || allowedOrigins(ctx).has(origin)) return done();
    done(new AppError('forbidden', `WebSocket connections from origin ${JSON.stringify(origin)} are not allowed; open the stream from the Specline web app (${ctx.config.publicUrl ?? 'its public URL'})`));
  }

  app.route({
    method: 'GET',
    url: '/api/v1/ws/events',
    schema: {
      tags: ['websocket'],
      summary: 'Live spec events over a WebSocket (upgrade only)',
      description:
        'Open with `Upgrade: websocket`; auth by session cookie, `Authorization: Bearer` or `?token=` (an access token). Messages are `ClientToServer` / `ServerToClient` of `packages/protocol/src/stream.ts`. ' +
        'A browser `Origin` other than the public URL is refused with 403. A plain GET answers 404.',
      querystring: WsQuery,
    },
    onRequest: checkOrigin,
    handler: () => {
      throw new AppError('not_found', 'GET /api/v1/ws/events is a WebSocket endpoint: open it with Connection: Upgrade and Upgrade: websocket');
    },
    wsHandler: (socket, request) => {
      if (hub.closing) {
        socket.close(1001, 'shutting_down');
        return;
      }
      const query = request.query;
      serveWsConnection<AuthUser>(socket, {
        hub,
        authenticate: () => userFromToken(ctx.db, ctx.tokens, query.token ?? sessionToken(request)),
        resolveSpec: (user, specId) => {
          if (!IdParam.safeParse(specId).success) throw new AppError('not_found', 'spec not found');
          return hub.checkAccess(specId, user.id);
        },
        onError: (error) => request.log.warn({ err: error }, 'websocket stream error'),
      });
    },
  });
}
