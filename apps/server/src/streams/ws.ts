/**
 * One WebSocket connection of `/api/v1/ws/events`: protocol `ClientToServer` messages in,
 * `ServerToClient` messages out (every one with `v: 1`). A connection may follow many specs; each
 * `subscribe` is access-checked per spec. The socket's backlog is bounded: a connection that falls too
 * far behind gets `closing` (slow_consumer, with the resume point per spec) and close code 4408.
 */
import { ClientToServer, WS_CLOSE, type ServerToClient, type StreamCloseReason } from '@specline/protocol';
import type { WebSocket } from 'ws';
import { toAppError } from '../http/errors';
import { findUnsafeText } from '../http/input';
import type { SpecCursor } from '../services/events';
import type { FeedSlice, StreamHub, Subscription } from './hub';

export const WS_PING_INTERVAL_MS = 30_000;
const MAX_SUBSCRIPTIONS = 200;

export interface WsConnectionOptions<TUser> {
  hub: StreamHub;
  /** Who is connecting; `undefined` → the socket is closed with 4401. Messages sent meanwhile wait. */
  authenticate(): Promise<TUser | undefined>;
  /** The access check: the spec (and where it stands) or a thrown `not_found`. */
  resolveSpec(user: TUser, specId: string): Promise<SpecCursor>;
  onError?: (error: unknown) => void;
  pingIntervalMs?: number;
}

type ServerMessage = ServerToClient;

/** Authenticates the socket, then serves it until it closes. */
export function serveWsConnection<TUser>(socket: WebSocket, options: WsConnectionOptions<TUser>): void {
  const { hub } = options;
  const subscriptions = new Map<string, Subscription>();
  let pendingFrames = 0;
  let closed = false;
  let alive = true;
  let user: TUser | undefined;

  const sent = () => {
    pendingFrames--;
  };
  const send = (message: ServerMessage) => {
    if (closed || socket.readyState !== socket.OPEN) return;
    pendingFrames++;
    socket.send(JSON.stringify(message), sent);
  };
  const sendError = (code: string, detail: string) => send({ v: 1, type: 'error', code, detail });

  const cleanup = () => {
    closed = true;
    clearInterval(ping);
    untrack();
    for (const sub of subscriptions.values()) sub.close();
    subscriptions.clear();
  };

  const close = (reason: StreamCloseReason, detail: string) => {
    if (closed) return;
    const resumeAfter = Object.fromEntries([...subscriptions].map(([specId, sub]) => [specId, sub.delivered]));
    send({ v: 1, type: 'closing', reason, detail, resume_after: resumeAfter });
    cleanup();
    socket.close(reason === 'slow_consumer' ? WS_CLOSE.slowConsumer : WS_CLOSE.shuttingDown, reason);
    const timer = setTimeout(() => socket.terminate(), hub.limits.closeGraceMs);
    timer.unref();
    socket.once('close', () => clearTimeout(timer));
  };

  const ping = setInterval(() => {
    if (!alive) {
      socket.terminate();
      return;
    }
    alive = false;
    socket.ping();
  }, options.pingIntervalMs ?? WS_PING_INTERVAL_MS);
  ping.unref();
  socket.on('pong', () => {
    alive = true;
  });
  const untrack = hub.track((reason) => close(reason, 'the server is shutting down; reconnect with `after` set to resume'));
  socket.on('close', cleanup);

  const sink = (specId: string) => ({
    send(slice: FeedSlice) {
      if (closed) return;
      // One message per event, built once per feed (FeedEvent.wsMessage) and shared by every socket.
      for (const event of slice.events) {
        pendingFrames++;
        socket.send(event.wsMessage(specId), { binary: false }, sent);
      }
    },
    backlog: () => ({ bytes: socket.bufferedAmount, frames: pendingFrames }),
    drained: () =>
      new Promise<void>((resolve) => {
        if (closed || socket.bufferedAmount === 0) return resolve();
        // `ws` has no drain event of its own: wait on the underlying socket.
        const raw = (socket as unknown as { _socket?: NodeJS.WritableStream })._socket;
        if (!raw) return resolve();
        const done = () => {
          raw.removeListener('drain', done);
          socket.off('close', done);
          resolve();
        };
        raw.on('drain', done);
        socket.on('close', done);
      }),
    onSlow: () => close('slow_consumer', 'the client fell too far behind; reconnect and subscribe with `after` from resume_after'),
    onError: (error: unknown) => {
      options.onError?.(error);
      close('shutting_down', 'the stream failed to read events; reconnect to resume');
    },
  });

  async function subscribe(message: Extract<ClientToServer, { type: 'subscribe' }>): Promise<void> {
    const accepted: { spec: SpecCursor; after: number }[] = [];
    for (const specId of new Set(message.spec_ids)) {
      try {
        const spec = await options.resolveSpec(user!, specId);
        const after = typeof message.after === 'number' ? message.after : (message.after?.[specId] ?? spec.lastSpecSeq);
        accepted.push({ spec, after });
      } catch (error) {
        // The same mapping as HTTP answers: not found, invalid input, database unavailable; anything else is a bug.
        const appError = toAppError(error);
        if (!appError) throw error;
        sendError(appError.code, `${appError.message}: ${JSON.stringify(specId)} was not subscribed`);
      }
    }
    if (closed || accepted.length === 0) return;
    const total = new Set([...subscriptions.keys(), ...accepted.map((a) => a.spec.id)]).size;
    if (total > MAX_SUBSCRIPTIONS) {
      sendError('validation_failed', `a connection follows at most ${MAX_SUBSCRIPTIONS} specs`);
      return;
    }
    send({ v: 1, type: 'subscribed', spec_ids: accepted.map((a) => a.spec.id), after: Object.fromEntries(accepted.map((a) => [a.spec.id, a.after])) });
    const types = message.event_types?.length ? new Set(message.event_types) : undefined;
    for (const { spec, after } of accepted) {
      subscriptions.get(spec.id)?.close();
      subscriptions.set(
        spec.id,
        hub.subscribe({ specId: spec.id, after, sink: sink(spec.id), ...(types ? { filter: (e) => types.has(e.event_type) } : {}) }, spec.lastSpecSeq),
      );
    }
  }

  async function handle(raw: string): Promise<void> {
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      sendError('invalid_json', 'messages are JSON: {"v":1,"type":"subscribe"|"unsubscribe"|"ping",…}');
      return;
    }
    const unsafe = findUnsafeText(json, '');
    if (unsafe.length > 0) {
      sendError('validation_failed', `invalid message at ${unsafe[0]!.path}: ${unsafe[0]!.message}`);
      return;
    }
    const parsed = ClientToServer.safeParse(json);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      sendError('validation_failed', `invalid message at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
      return;
    }
    const message = parsed.data;
    switch (message.type) {
      case 'subscribe':
        await subscribe(message);
        return;
      case 'unsubscribe':
        for (const specId of message.spec_ids) {
          subscriptions.get(specId)?.close();
          subscriptions.delete(specId);
        }
        send({ v: 1, type: 'unsubscribed', spec_ids: message.spec_ids });
        return;
      case 'ping':
        send({ v: 1, type: 'pong' });
        return;
    }
  }

  // Messages are handled one at a time, in order, and only once the socket is authenticated.
  let chain: Promise<void> = options.authenticate().then(
    (who) => {
      if (who !== undefined) {
        user = who;
        return;
      }
      sendError('unauthorized', 'log in first: session cookie, Authorization: Bearer, or ?token=');
      cleanup();
      socket.close(WS_CLOSE.unauthorized, 'unauthorized');
    },
    (error: unknown) => {
      options.onError?.(error);
      cleanup();
      socket.close(WS_CLOSE.unauthorized, 'unauthorized');
    },
  );

  socket.on('message', (data, isBinary) => {
    const text = isBinary ? '' : Buffer.isBuffer(data) ? data.toString('utf8') : Array.isArray(data) ? Buffer.concat(data).toString('utf8') : Buffer.from(data).toString('utf8');
    chain = chain
      .then(() => (closed ? undefined : handle(text)))
      .catch((error: unknown) => {
        options.onError?.(error);
        sendError('internal', 'the message could not be handled');
      });
  });
}
