import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { StoredEvent } from '@specline/protocol';
import { pollSpecEvents } from './eventsPage';
import { backoffDelay, subscribeSpecEvents, type StreamStatus } from './stream';

const SPEC = 'spec-1';

function storedEvent(seq: number, type = 'spec.progress'): StoredEvent {
  return {
    id: `ev-${seq}`,
    spec_id: SPEC,
    spec_seq: seq,
    sandbox_id: 'sb-1',
    event_id: `00000000-0000-4000-8000-${String(seq).padStart(12, '0')}`,
    seq,
    event_type: type,
    phase: 'explore',
    event_data: { message: `step ${seq}` },
    source: 'agent',
    emitted_at: '2025-01-01T10:00:00.000Z',
    created_at: '2025-01-01T10:00:00.000Z',
  };
}

const frame = (event: StoredEvent) => `id: ${event.spec_seq}\nevent: spec_event\ndata: ${JSON.stringify(event)}\n\n`;
const closedFrame = (reason: string, resumeAfter: number) =>
  `event: stream_closed\ndata: ${JSON.stringify({ reason, detail: 'bye', resume_after: resumeAfter })}\n\n`;

interface Seen {
  url: URL;
  lastEventId: string | undefined;
  authorization: string | undefined;
}

/** A real HTTP server: each request is handed to the next scripted handler (the last one repeats). */
async function startServer(handlers: ((req: IncomingMessage, res: ServerResponse, seen: Seen) => void)[]) {
  const requests: Seen[] = [];
  const server: Server = createServer((req, res) => {
    const seen: Seen = {
      url: new URL(req.url ?? '/', 'http://x'),
      lastEventId: req.headers['last-event-id'] as string | undefined,
      authorization: req.headers.authorization,
    };
    requests.push(seen);
    const handler = handlers[Math.min(requests.length - 1, handlers.length - 1)]!;
    handler(req, res, seen);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  servers.push(server);
  return { baseUrl: `http://127.0.0.1:${port}`, requests };
}

const servers: Server[] = [];
afterEach(async () => {
  for (const server of servers.splice(0)) {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  }
});

const sse = (res: ServerResponse) => res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' });
const immediate = () => Promise.resolve();

function collect() {
  const events: StoredEvent[] = [];
  const statuses: StreamStatus[] = [];
  const errors: Error[] = [];
  const waiters: { seq: number; resolve: () => void }[] = [];
  return {
    events,
    statuses,
    errors,
    onEvent: (event: StoredEvent) => {
      events.push(event);
      for (const waiter of waiters) if (event.spec_seq >= waiter.seq) waiter.resolve();
    },
    onStatus: (status: StreamStatus) => statuses.push(status),
    onError: (error: Error) => errors.push(error),
    until: (seq: number) => new Promise<void>((resolve) => waiters.push({ seq, resolve })),
  };
}

describe('backoffDelay', () => {
  it('grows exponentially up to the cap, with half of it jittered', () => {
    expect(backoffDelay(1, { initialMs: 100 }, () => 0)).toBe(50);
    expect(backoffDelay(1, { initialMs: 100 }, () => 1)).toBe(100);
    expect(backoffDelay(4, { initialMs: 100 }, () => 1)).toBe(800);
    expect(backoffDelay(30, { initialMs: 100, maxMs: 1000 }, () => 1)).toBe(1000);
  });
});

describe('subscribeSpecEvents', () => {
  it('resumes after a dropped connection and a stream_closed frame with no gap, no duplicate, and the latest Last-Event-ID', async () => {
    const all = Array.from({ length: 10 }, (_, i) => storedEvent(i + 1));
    const { baseUrl, requests } = await startServer([
      (_req, res) => {
        sse(res);
        // events 1..4, then half a frame of 5, then the connection dies.
        const partial = frame(all[4]!).slice(0, 40);
        res.write(`: keepalive\n\n${all.slice(0, 4).map(frame).join('')}${partial}`, () => res.socket?.destroy());
      },
      (_req, res) => {
        sse(res);
        // The server replays from 3 (overlap): 3 and 4 must not be delivered twice.
        res.end(all.slice(2, 7).map(frame).join('') + closedFrame('slow_consumer', 7));
      },
      (_req, res) => {
        sse(res);
        res.write(all.slice(7).map(frame).join(''));
      },
    ]);
    const c = collect();
    const sub = subscribeSpecEvents({ baseUrl, specId: SPEC, getToken: () => 'tok', sleep: immediate, ...c });
    await c.until(10);
    sub.close();
    expect(await sub.done).toBe('closed');

    expect(c.events.map((e) => e.spec_seq)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(requests.map((r) => r.lastEventId)).toEqual([undefined, '4', '7']);
    expect(requests.map((r) => r.url.searchParams.get('after'))).toEqual(['0', '4', '7']);
    expect(requests.every((r) => r.url.pathname === `/api/v1/specs/${SPEC}/events/stream` && r.authorization === 'Bearer tok')).toBe(true);
    expect(c.statuses).toEqual(['connecting', 'live', 'reconnecting', 'live', 'reconnecting', 'live', 'closed']);
    expect(sub.lastSeq()).toBe(10);
  });

  it('starts from the given cursor and drops replayed events at or below it', async () => {
    const { baseUrl, requests } = await startServer([
      (_req, res) => {
        sse(res);
        res.write([4, 5, 6, 7].map((s) => frame(storedEvent(s))).join(''));
      },
    ]);
    const c = collect();
    const sub = subscribeSpecEvents({ baseUrl, specId: SPEC, after: 5, sleep: immediate, ...c });
    await c.until(7);
    sub.close();
    await sub.done;
    expect(c.events.map((e) => e.spec_seq)).toEqual([6, 7]);
    expect(requests[0]!.lastEventId).toBe('5');
    expect(requests[0]!.url.searchParams.get('after')).toBe('5');
  });

  it('reports a malformed event and keeps going with the valid ones', async () => {
    const { baseUrl } = await startServer([
      (_req, res) => {
        sse(res);
        res.write(`${frame(storedEvent(1))}id: 2\nevent: spec_event\ndata: {"spec_seq":"two"}\n\n${frame(storedEvent(2))}`);
      },
    ]);
    const c = collect();
    const sub = subscribeSpecEvents({ baseUrl, specId: SPEC, sleep: immediate, ...c });
    await c.until(2);
    sub.close();
    await sub.done;
    expect(c.events.map((e) => e.spec_seq)).toEqual([1, 2]);
    expect(c.errors).toHaveLength(1);
    expect(c.errors[0]!.message).toMatch(/malformed stream event \(id 2\)/);
  });

  it('gives up with status failed after N consecutive failures, backing off exponentially', async () => {
    const { baseUrl, requests } = await startServer([
      (_req, res) => {
        res.writeHead(503, { 'content-type': 'application/json' });
        res.end('{"detail":"down","code":"unavailable"}');
      },
    ]);
    const c = collect();
    const delays: number[] = [];
    const sub = subscribeSpecEvents({
      baseUrl,
      specId: SPEC,
      maxConsecutiveFailures: 4,
      backoff: { initialMs: 100 },
      random: () => 1,
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
      ...c,
    });
    expect(await sub.done).toBe('failed');
    expect(requests).toHaveLength(4);
    expect(delays).toEqual([100, 200, 400]);
    expect(c.statuses).toEqual(['connecting', 'reconnecting', 'reconnecting', 'reconnecting', 'failed']);
    expect(c.errors.map((e) => e.message)).toContain(`spec ${SPEC}: event stream answered HTTP 503`);
  });

  it('fails at once on a client error such as 401 (retrying cannot help)', async () => {
    const { baseUrl, requests } = await startServer([
      (_req, res) => {
        res.writeHead(401, { 'content-type': 'application/json' });
        res.end('{"detail":"not logged in","code":"unauthorized"}');
      },
    ]);
    const c = collect();
    const sub = subscribeSpecEvents({ baseUrl, specId: SPEC, sleep: immediate, ...c });
    expect(await sub.done).toBe('failed');
    expect(requests).toHaveLength(1);
    expect(c.statuses).toEqual(['connecting', 'failed']);
  });

  it('stops for good when the server closes with access_revoked', async () => {
    const { baseUrl, requests } = await startServer([
      (_req, res) => {
        sse(res);
        res.end(frame(storedEvent(1)) + closedFrame('access_revoked', 1));
      },
    ]);
    const c = collect();
    const sub = subscribeSpecEvents({ baseUrl, specId: SPEC, sleep: immediate, ...c });
    expect(await sub.done).toBe('failed');
    expect(requests).toHaveLength(1);
    expect(c.events.map((e) => e.spec_seq)).toEqual([1]);
  });

  it('closes when the caller aborts its signal', async () => {
    const { baseUrl } = await startServer([
      (_req, res) => {
        sse(res);
        res.write(frame(storedEvent(1)));
      },
    ]);
    const c = collect();
    const abort = new AbortController();
    const sub = subscribeSpecEvents({ baseUrl, specId: SPEC, signal: abort.signal, sleep: immediate, ...c });
    await c.until(1);
    abort.abort();
    expect(await sub.done).toBe('closed');
    expect(c.statuses.at(-1)).toBe('closed');
  });
});

describe('pollSpecEvents', () => {
  it('pages ascending from the cursor until caught up and returns the next cursor', async () => {
    const stored = Array.from({ length: 7 }, (_, i) => storedEvent(i + 1));
    const { baseUrl, requests } = await startServer([
      (req, res) => {
        const url = new URL(req.url ?? '/', 'http://x');
        const after = Number(url.searchParams.get('after'));
        const limit = Number(url.searchParams.get('limit'));
        const rest = stored.filter((e) => e.spec_seq > after);
        const events = rest.slice(0, limit);
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ spec_id: SPEC, events, total_count: 7, has_more: rest.length > limit, next_cursor: events.at(-1)?.spec_seq ?? null, last_spec_seq: 7 }));
      },
    ]);
    const result = await pollSpecEvents({ baseUrl, specId: SPEC, after: 2, limit: 2 });
    expect(result.events.map((e) => e.spec_seq)).toEqual([3, 4, 5, 6, 7]);
    expect(result.after).toBe(7);
    expect(result.lastSpecSeq).toBe(7);
    expect(requests.map((r) => [r.url.searchParams.get('order'), r.url.searchParams.get('after')])).toEqual([
      ['asc', '2'],
      ['asc', '4'],
      ['asc', '6'],
    ]);
    const again = await pollSpecEvents({ baseUrl, specId: SPEC, after: result.after, limit: 2 });
    expect(again.events).toEqual([]);
    expect(again.after).toBe(7);
  });

  it('names the URL and the server detail when a page fails', async () => {
    const { baseUrl } = await startServer([
      (_req, res) => {
        res.writeHead(404, { 'content-type': 'application/json' });
        res.end('{"detail":"spec not found","code":"not_found"}');
      },
    ]);
    await expect(pollSpecEvents({ baseUrl, specId: SPEC, after: 0 })).rejects.toThrow(/events\?order=asc.* answered HTTP 404: spec not found/);
  });
});
