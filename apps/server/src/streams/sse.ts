/**
 * One SSE connection: `id: <spec_seq>\nevent: spec_event\ndata: <StoredEvent JSON>\n\n` frames (built
 * once per feed in frames.ts; this connection writes the shared bytes),
 * `: keepalive` comments, and `event: stream_closed` before the server closes the stream. Writes go
 * to `reply.raw` after `reply.hijack()`; the connection's own backlog is what the hub bounds.
 */
import { SSE_CLOSED_EVENT_NAME, type StreamCloseReason, type StreamClosed } from '@specline/protocol';
import type { FastifyReply } from 'fastify';
import type { FeedSlice, StreamHub, Subscription } from './hub';

export const SSE_KEEPALIVE_MS = 15_000;

export interface SseStreamOptions {
  specId: string;
  after: number;
  /** The spec's `last_spec_seq` when access was checked. */
  startAt: number;
  keepaliveMs?: number;
  /** Close the stream (reason `max_duration`) after this long; the client resumes from its last id. 0 = never. */
  maxDurationMs?: number;
  onError?: (error: unknown) => void;
}

/** Writes the slice's shared frame bytes: one write, or several under one cork. */
function writeSlice(res: FastifyReply['raw'], slice: FeedSlice, written: () => void): void {
  const { chunks } = slice;
  if (chunks.length === 1) {
    res.write(chunks[0], written);
    return;
  }
  res.cork();
  chunks.forEach((chunk, i) => (i === chunks.length - 1 ? res.write(chunk, written) : res.write(chunk)));
  res.uncork();
}

/** Hijacks the reply and streams the spec's events from `after` until the client leaves or the server closes it. */
export function openSseStream(reply: FastifyReply, hub: StreamHub, options: SseStreamOptions): void {
  reply.hijack();
  const res = reply.raw;
  res.writeHead(200, {
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache, no-transform',
    connection: 'keep-alive',
    'x-accel-buffering': 'no',
  });
  res.write(`retry: 2000\n: stream of ${options.specId} after ${options.after}\n\n`);
  let pendingFrames = 0;
  let closed = false;
  // Set below; the closures that read it only run on later events.
  const live: { subscription?: Subscription } = {};
  const written = () => {
    pendingFrames--;
  };

  const cleanup = () => {
    closed = true;
    clearInterval(keepalive);
    if (lifetime) clearTimeout(lifetime);
    untrack();
    live.subscription?.close();
  };

  const close = (reason: StreamCloseReason, detail: string, resumeAfter: number) => {
    if (closed) return;
    cleanup();
    const body: StreamClosed = { reason, detail, resume_after: resumeAfter };
    res.end(`event: ${SSE_CLOSED_EVENT_NAME}\ndata: ${JSON.stringify(body)}\n\n`);
    if (!res.writableFinished) {
      const timer = setTimeout(() => res.destroy(), hub.limits.closeGraceMs);
      timer.unref();
      res.once('close', () => clearTimeout(timer));
    }
  };

  const keepalive = setInterval(() => {
    if (!closed) res.write(': keepalive\n\n');
  }, options.keepaliveMs ?? SSE_KEEPALIVE_MS);
  keepalive.unref();
  const maxDurationMs = options.maxDurationMs ?? 0;
  const lifetime =
    maxDurationMs > 0
      ? setTimeout(() => {
          const resumeAfter = live.subscription?.delivered ?? options.after;
          close('max_duration', `the stream reached its maximum lifetime (${maxDurationMs} ms); reconnect with Last-Event-ID: ${resumeAfter}`, resumeAfter);
        }, maxDurationMs)
      : undefined;
  lifetime?.unref();
  const untrack = hub.track((reason) => close(reason, 'the server is shutting down; reconnect with Last-Event-ID', live.subscription?.delivered ?? options.after));
  res.on('close', cleanup);
  res.on('error', cleanup);

  live.subscription = hub.subscribe(
    {
      specId: options.specId,
      after: options.after,
      sink: {
        send(slice) {
          if (closed) return;
          pendingFrames++;
          writeSlice(res, slice, written);
        },
        backlog: () => ({ bytes: res.writableLength, frames: pendingFrames }),
        drained: () =>
          new Promise<void>((resolve) => {
            if (closed || res.writableLength === 0) return resolve();
            const done = () => {
              res.off('drain', done);
              res.off('close', done);
              resolve();
            };
            res.on('drain', done);
            res.on('close', done);
          }),
        onSlow(resumeAfter) {
          close('slow_consumer', `the client fell too far behind; reconnect with Last-Event-ID: ${resumeAfter}`, resumeAfter);
        },
        onError(error) {
          options.onError?.(error);
          close('shutting_down', 'the stream failed to read events; reconnect to resume', live.subscription?.delivered ?? options.after);
        },
      },
    },
    options.startAt,
  );
}
