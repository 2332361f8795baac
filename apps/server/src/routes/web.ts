/**
 * Serves the built web UI (`apps/web/dist`, or `WEB_DIST`) when it exists: its files as they are,
 * and `index.html` for any other GET outside `/api` so client-side routes survive a reload.
 * Unknown `/api` paths keep the JSON 404. Without a build the server is API-only.
 */
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App, AppContext } from '../app';
import { AppError } from '../http/errors';

export const DEFAULT_WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

export async function registerWebRoutes(app: App, ctx: AppContext): Promise<void> {
  const root = path.resolve(ctx.config.webDist ?? DEFAULT_WEB_DIST);
  if (!existsSync(path.join(root, 'index.html'))) {
    ctx.logger.info({ root }, 'no built web UI found; serving the API only');
    return;
  }
  await app.register(fastifyStatic, {
    root,
    // One route per built file (the build does not change while we run); the catch-all below does the rest.
    wildcard: false,
    cacheControl: false, // ours below: hashed assets forever, the rest revalidated
    setHeaders: (res, filePath) => {
      const hashed = filePath.includes(`${path.sep}assets${path.sep}`);
      res.setHeader('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.get('/*', { schema: { hide: true } }, (request, reply) => {
    const pathname = request.url.split('?')[0] ?? '/';
    if (pathname === '/api' || pathname.startsWith('/api/')) throw new AppError('not_found', `no route GET ${pathname}`);
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
