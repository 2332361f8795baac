/**
 * Serves the built web UI (`apps/web/dist`, or `WEB_DIST`) when it exists at start-up: each GET looks at
 * the disk, so a rebuild while the server runs is served at once (new hashed assets included).
 * A file that exists is sent as it is; a missing `/assets/*` file is a plain 404 (never index.html, which
 * a browser would try to run as a script); any other GET outside `/api` gets `index.html` so client-side
 * routes survive a reload. Unknown `/api` paths keep the JSON 404. Without a build the server is API-only.
 */
import fastifyStatic from '@fastify/static';
import { existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import type { App, AppContext } from '../app';
import { AppError } from '../http/errors';

export const DEFAULT_WEB_DIST = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../../web/dist');

/** The file under `root` a URL path names, or undefined when it names none (missing, a directory, outside root, undecodable). */
async function fileOnDisk(root: string, pathname: string): Promise<string | undefined> {
  let decoded: string;
  try {
    decoded = decodeURIComponent(pathname);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const full = path.resolve(root, `.${decoded}`);
  if (!full.startsWith(root + path.sep)) return undefined;
  try {
    return (await stat(full)).isFile() ? path.relative(root, full).split(path.sep).join('/') : undefined;
  } catch {
    return undefined;
  }
}

export async function registerWebRoutes(app: App, ctx: AppContext): Promise<void> {
  const root = path.resolve(ctx.config.webDist ?? DEFAULT_WEB_DIST);
  if (!existsSync(path.join(root, 'index.html'))) {
    ctx.logger.info({ root }, 'no built web UI found; serving the API only');
    return;
  }
  await app.register(fastifyStatic, {
    root,
    // No routes from the plugin (it would list the files once, at start-up): only `reply.sendFile`,
    // which reads the disk per request; the route below decides what to send.
    serve: false,
    cacheControl: false, // ours below: hashed assets forever, the rest revalidated
    setHeaders: (res, filePath) => {
      const hashed = filePath.includes(`${path.sep}assets${path.sep}`);
      res.setHeader('cache-control', hashed ? 'public, max-age=31536000, immutable' : 'no-cache');
    },
  });
  app.get('/*', { schema: { hide: true } }, async (request, reply) => {
    const pathname = request.url.split('?')[0] ?? '/';
    if (pathname === '/api' || pathname.startsWith('/api/')) throw new AppError('not_found', `no route GET ${pathname}`);
    const file = await fileOnDisk(root, pathname);
    if (file !== undefined) return reply.sendFile(file);
    if (pathname.startsWith('/assets/')) throw new AppError('not_found', `no file ${pathname} in the web build`);
    return reply.header('cache-control', 'no-cache').sendFile('index.html');
  });
}
