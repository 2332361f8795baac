/**
 * Test support: a real node:http server standing in for the Specline API (events ingestion and
 * the SYNC endpoint), which a test can tell to fail, refuse, hang or drop connections. Not
 * exported from the package.
 */
import { randomUUID } from 'node:crypto';
import { createServer } from 'node:http';
import type { IncomingHttpHeaders, ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { SyncBody, parseIngestBody } from '@specline/protocol';
import type { SyncResponse } from '@specline/protocol';

export interface RecordedRequest {
  method: string;
  path: string;
  headers: IncomingHttpHeaders;
  body: unknown;
}

/** What to do with one request. */
export type FakeReply =
  | { status: number; body?: unknown; headers?: Record<string, string> }
  /** Drop the connection without an answer (a network error for the client). */
  | { destroy: true }
  /** Never answer (the client's timeout fires). */
  | { hang: true };

export interface FakeServer {
  url: string;
  requests: RecordedRequest[];
  /** Most requests seen in flight at once. */
  maxInFlight: number;
  /** Resolves when `predicate` holds, checked as each request arrives and as it is answered. */
  waitFor(predicate: () => boolean): Promise<void>;
  close(): Promise<void>;
}

export async function startFakeServer(handle: (request: RecordedRequest) => FakeReply | Promise<FakeReply>): Promise<FakeServer> {
  const sockets = new Set<Socket>();
  const watchers: { predicate: () => boolean; resolve: () => void }[] = [];
  let inFlight = 0;
  const check = () => {
    for (const watcher of [...watchers]) {
      if (watcher.predicate()) {
        watchers.splice(watchers.indexOf(watcher), 1);
        watcher.resolve();
      }
    }
  };
  const state: FakeServer = {
    url: '',
    requests: [],
    maxInFlight: 0,
    waitFor: (predicate) =>
      new Promise<void>((resolve) => {
        if (predicate()) resolve();
        else watchers.push({ predicate, resolve });
      }),
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
  const send = (res: ServerResponse, reply: Extract<FakeReply, { status: number }>) => {
    const body = reply.body === undefined ? '' : JSON.stringify(reply.body);
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(body);
  };
  const server = createServer((req, res) => {
    inFlight++;
    state.maxInFlight = Math.max(state.maxInFlight, inFlight);
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const text = Buffer.concat(chunks).toString('utf8');
      let body: unknown = text;
      try {
        body = text === '' ? undefined : JSON.parse(text);
      } catch {
        // keep the raw text
      }
      const request: RecordedRequest = { method: req.method ?? 'GET', path: req.url ?? '/', headers: req.headers, body };
      state.requests.push(request);
      check();
      void Promise.resolve(handle(request)).then((reply) => {
        if ('hang' in reply) {
          inFlight--;
          check();
          return;
        }
        if ('destroy' in reply) req.socket.destroy();
        else send(res, reply);
        inFlight--;
        check();
      });
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return state;
}

/** A stored event, as the fake keeps it. */
export interface ReceivedEvent {
  event_id: string | null;
  seq: number | null;
  event_type: string;
  data: Record<string, unknown>;
}

/**
 * The ingestion and SYNC endpoints with the server's semantics: bearer token check, whole-batch
 * validation (422 naming each bad event), dedupe by `event_id`, idempotent SYNC by local id.
 * `script` replies are used first, one per request; `down` answers every request with it.
 */
export class FakeApi {
  readonly token: string;
  /** Stored events, first receipt order, deduplicated by `event_id`. */
  readonly events: ReceivedEvent[] = [];
  /** Every event of every accepted request, duplicates included. */
  readonly accepted: ReceivedEvent[] = [];
  /** Replies to use before the normal behaviour, one per request (events and sync alike). */
  script: FakeReply[] = [];
  /** When set, every request gets this reply. */
  down: FakeReply | undefined;
  readonly #ids = new Map<string, string>();

  constructor(token = 'sandbox-token') {
    this.token = token;
  }

  get eventIds(): (string | null)[] {
    return this.events.map((event) => event.event_id);
  }

  readonly handle = (request: RecordedRequest): FakeReply => {
    const scripted = this.script.shift();
    if (scripted) return scripted;
    if (this.down) return this.down;
    if (request.headers.authorization !== `Bearer ${this.token}`) {
      return { status: 401, body: { detail: 'missing or wrong sandbox token', code: 'unauthorized' } };
    }
    if (request.method === 'POST' && /^\/api\/v1\/sandboxes\/[^/]+\/events$/.test(request.path)) return this.#ingest(request);
    const sync = /^\/api\/v1\/specs\/([^/]+)\/sync$/.exec(request.path);
    if (request.method === 'POST' && sync) return this.#sync(request.body);
    return { status: 404, body: { detail: `no route ${request.method} ${request.path}`, code: 'not_found' } };
  };

  #ingest(request: RecordedRequest): FakeReply {
    const parsed = parseIngestBody(request.body);
    if (!parsed.ok) {
      return { status: 422, body: { detail: 'invalid events', code: 'validation_failed', errors: parsed.issues } };
    }
    const seen = new Set(this.events.map((event) => event.event_id));
    let stored = 0;
    for (const event of parsed.events) {
      const received = { event_id: event.event_id, seq: event.seq, event_type: event.event_type, data: event.data };
      this.accepted.push(received);
      if (event.event_id !== null && seen.has(event.event_id)) continue;
      seen.add(event.event_id);
      this.events.push(received);
      stored++;
    }
    const sandboxId = request.path.split('/')[4] ?? '';
    return {
      status: 200,
      body: {
        status: 'received',
        sandbox_id: sandboxId,
        spec_id: parsed.events[0]?.spec_id ?? '',
        stored,
        duplicates: parsed.events.length - stored,
        first_spec_seq: null,
        last_spec_seq: null,
        event_ids: parsed.events.map(() => randomUUID()),
      },
    };
  }

  #sync(body: unknown): FakeReply {
    const parsed = SyncBody.safeParse(body);
    if (!parsed.success) {
      return { status: 422, body: { detail: 'invalid sync body', code: 'validation_failed', errors: parsed.error.issues.map((i) => ({ path: i.path.join('.'), message: i.message })) } };
    }
    const idFor = (key: string) => {
      const existing = this.#ids.get(key);
      if (existing) return { id: existing, created: false };
      const id = randomUUID();
      this.#ids.set(key, id);
      return { id, created: true };
    };
    const answer: SyncResponse = { tickets: [], tasks: [], errors: [] };
    for (const ticket of parsed.data.tickets) {
      answer.tickets.push({ local_id: ticket.local_id, title: ticket.title, ...idFor(`ticket:${ticket.local_id}`) });
    }
    for (const task of parsed.data.tasks) {
      const ticket = this.#ids.get(`ticket:${task.ticket_local_id}`);
      if (!ticket) {
        answer.errors.push(`task ${task.local_id}: unknown ticket ${task.ticket_local_id}`);
        continue;
      }
      answer.tasks.push({ local_id: task.local_id, title: task.title, ticket_id: ticket, ...idFor(`task:${task.local_id}`) });
    }
    return { status: 200, body: answer };
  }
}
