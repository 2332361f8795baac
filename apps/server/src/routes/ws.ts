/** `WS /api/v1/ws/events`: live spec events over a WebSocket (see streams/ws.ts and protocol stream.ts). */
import { z } from 'zod';
import type { App, AppContext } from '../app';
import { sessionToken, userFromToken, type AuthUser } from '../http/auth';
import { requireSpecCursor } from '../services/events';
import { streamHubFor } from '../streams/hubFor';
import { serveWsConnection } from '../streams/ws';

export function registerWsRoutes(app: App, ctx: AppContext): void {
  const hub = streamHubFor(app, ctx);
  app.get(
    '/api/v1/ws/events',
    {
      websocket: true,
      schema: { querystring: z.looseObject({ token: z.string().optional() }) },
    },
    (socket, request) => {
      if (hub.closing) {
        socket.close(1001, 'shutting_down');
        return;
      }
      serveWsConnection<AuthUser>(socket, {
        hub,
        authenticate: () => userFromToken(ctx.db, ctx.tokens, request.query.token ?? sessionToken(request)),
        resolveSpec: (user, specId) => requireSpecCursor(ctx.db, specId, user.id),
        onError: (error) => request.log.warn({ err: error }, 'websocket stream error'),
      });
    },
  );
}
