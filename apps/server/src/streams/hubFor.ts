/** One stream hub per app, shared by the SSE and WebSocket routes; shut down before the server closes. */
import type { App, AppContext } from '../app';
import { StreamHub } from './hub';

const hubs = new WeakMap<AppContext, StreamHub>();

export function streamHubFor(app: App, ctx: AppContext): StreamHub {
  let hub = hubs.get(ctx);
  if (!hub) {
    const { ringBytes, resumeConcurrency, feedLingerSeconds, feedIntervalMs } = ctx.config.streams;
    const created = new StreamHub({
      db: ctx.db,
      bus: ctx.bus,
      logger: ctx.logger,
      limits: { ringBytes, resumeConcurrency, feedLingerMs: feedLingerSeconds * 1000, readIntervalMs: feedIntervalMs },
    });
    hubs.set(ctx, created);
    // Before the server stops accepting: streams end with `stream_closed`/`closing` (shutting_down),
    // so `server.close()` is not held open by them.
    app.addHook('preClose', (done) => {
      created.shutdown();
      // Sockets the hub does not track (still authenticating): close them too.
      for (const client of app.websocketServer.clients) client.close(1001, 'shutting_down');
      done();
    });
    hub = created;
  }
  return hub;
}

/** The app's hub, if a stream route created one (tests tighten its limits). */
export function getStreamHub(ctx: AppContext): StreamHub | undefined {
  return hubs.get(ctx);
}
