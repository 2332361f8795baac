import { z } from 'zod';
import { StoredEvent } from './api';

/**
 * Live streams. SSE (`GET /api/v1/specs/{id}/events/stream`): each event is
 * `id: <spec_seq>\nevent: spec_event\ndata: <StoredEvent JSON>\n\n`; `: keepalive` comments; before the
 * server closes a stream it sends `event: stream_closed` with {@link StreamClosed}.
 *
 * WebSocket (`/api/v1/ws/events`): JSON messages below, every one with `v: 1`.
 */
export const SSE_EVENT_NAME = 'spec_event';
export const SSE_CLOSED_EVENT_NAME = 'stream_closed';

/** Why the server closed a stream. `max_duration`: the connection reached the server's configured lifetime (`SSE_MAX_STREAM_SECONDS`); reconnect and resume. */
export const StreamCloseReason = z.enum(['slow_consumer', 'shutting_down', 'access_revoked', 'spec_deleted', 'max_duration']);
export type StreamCloseReason = z.infer<typeof StreamCloseReason>;
export const StreamClosed = z.object({ reason: StreamCloseReason, detail: z.string(), resume_after: z.number().int().nonnegative() });
export type StreamClosed = z.infer<typeof StreamClosed>;

const v = z.literal(1);

export const ClientToServer = z.discriminatedUnion('type', [
  z.object({
    v,
    type: z.literal('subscribe'),
    spec_ids: z.array(z.string().min(1).max(200)).min(1).max(100),
    event_types: z.array(z.string().max(100)).max(100).optional(),
    /** Resume point: one `spec_seq` for every spec, or one per spec id. Omit to get only new events. */
    after: z.union([z.number().int().nonnegative(), z.record(z.string(), z.number().int().nonnegative())]).optional(),
  }),
  z.object({ v, type: z.literal('unsubscribe'), spec_ids: z.array(z.string().min(1).max(200)).min(1).max(100) }),
  z.object({ v, type: z.literal('ping') }),
]);
export type ClientToServer = z.infer<typeof ClientToServer>;

export const ServerToClient = z.discriminatedUnion('type', [
  z.object({ v, type: z.literal('event'), spec_id: z.string(), spec_seq: z.number().int().positive(), event: StoredEvent }),
  z.object({ v, type: z.literal('subscribed'), spec_ids: z.array(z.string()), after: z.record(z.string(), z.number().int()) }),
  z.object({ v, type: z.literal('unsubscribed'), spec_ids: z.array(z.string()) }),
  z.object({ v, type: z.literal('error'), code: z.string(), detail: z.string() }),
  z.object({ v, type: z.literal('pong') }),
  z.object({ v, type: z.literal('closing'), reason: StreamCloseReason, detail: z.string(), resume_after: z.record(z.string(), z.number().int()) }),
]);
export type ServerToClient = z.infer<typeof ServerToClient>;

/** WebSocket close codes used by the server. */
export const WS_CLOSE = { unauthorized: 4401, slowConsumer: 4408, shuttingDown: 1001, badMessage: 4400 } as const;
