/**
 * Child process of the latency phase: N SSE subscribers on one spec
 * (`GET /api/v1/specs/{id}/events/stream`, raw node:http readers, one connection each). It runs apart
 * from the producer so parsing 100 streams does not delay the producer's clock, and records for every
 * frame the monotonic time its chunk arrived. Every subscriber checks that it gets `spec_seq`
 * 1, 2, 3, … — exactly once and in order; anything else is recorded as an error.
 *
 * Parent → child: `start`, `min` (lowest `spec_seq` every subscriber has), `finish`.
 * Child → parent: `connected`, `min`, `results`, `failed`.
 */
import http from 'node:http';
import { nowMs } from './http';
import { deliveryCheck, pairLatencies, sentAtMatches } from './latencyMath';
import type { Summary } from './stats';

export interface StartMessage {
  type: 'start';
  baseUrl: string;
  specId: string;
  token: string;
  subscribers: number;
}
export interface FinishMessage {
  type: 'finish';
  lastSeq: number;
  /** Events up to this `spec_seq` were the warm-up: not measured. */
  warmupLast: number;
  /** Per `spec_seq`: when the producer had the POST's answer, and when it sent it (monotonic ms). */
  acceptedAt: Float64Array;
  sentAt: Float64Array;
  timeoutMs: number;
}
export type ToChild = StartMessage | FinishMessage | { type: 'min' };

/** The figures, computed here so only summaries cross the IPC channel (not 100 × N arrival times). */
export interface LatencyFigures {
  fromAccepted: Summary;
  fromSend: Summary;
  beforeAccepted: number;
  sentAtCarried: boolean;
  delivery: ReturnType<typeof deliveryCheck>;
  cpuSeconds: number;
}
export type FromChild =
  | { type: 'connected'; ms: number }
  | { type: 'min'; seq: number }
  | { type: 'failed'; message: string }
  | ({ type: 'results' } & LatencyFigures);

const send = (message: FromChild) => process.send!(message);

class Subscriber {
  recv: Float64Array = new Float64Array(32_768);
  last = 0;
  received = 0;
  errors: string[] = [];
  closed: string | null = null;
  private buffer = '';
  req: http.ClientRequest | undefined;

  constructor(
    readonly index: number,
    /** Where subscriber 0 keeps each event's `data.sent_at` (the producer's send time). */
    readonly sentAt: { values: Float64Array } | null,
  ) {}

  private store(seq: number, at: number): void {
    if (seq >= this.recv.length) this.recv = grow(this.recv, seq);
    this.recv[seq] = at;
  }

  private error(message: string): void {
    if (this.errors.length < 20) this.errors.push(`subscriber ${this.index}: ${message}`);
  }

  /** One complete frame (without its blank line). */
  private frame(frame: string, at: number): void {
    let pos = 0;
    let id = -1;
    let event = '';
    let dataStart = -1;
    while (pos < frame.length) {
      const nl = frame.indexOf('\n', pos);
      const end = nl === -1 ? frame.length : nl;
      if (frame.startsWith('id: ', pos)) id = Number(frame.slice(pos + 4, end));
      else if (frame.startsWith('event: ', pos)) event = frame.slice(pos + 7, end);
      else if (frame.startsWith('data: ', pos)) dataStart = pos + 6;
      pos = end + 1;
    }
    if (dataStart === -1) return; // comments (`: keepalive`) and `retry:`
    if (event === 'stream_closed') {
      this.closed = `stream_closed: ${frame.slice(dataStart, dataStart + 300)}`;
      return;
    }
    if (event !== 'spec_event') return this.error(`unexpected SSE event ${JSON.stringify(event)}`);
    if (id !== this.last + 1) {
      this.error(id <= this.last ? `spec_seq ${id} again or out of order after ${this.last}` : `gap: spec_seq ${id} after ${this.last}`);
      if (id <= this.last) return;
    }
    this.last = id;
    this.received++;
    this.store(id, at);
    if (this.sentAt) {
      const key = frame.indexOf('"sent_at":', dataStart);
      if (key !== -1) {
        if (id >= this.sentAt.values.length) this.sentAt.values = grow(this.sentAt.values, id);
        this.sentAt.values[id] = Number.parseFloat(frame.slice(key + 10, key + 40));
      }
    }
  }

  push(chunk: string): void {
    const at = nowMs();
    this.buffer += chunk;
    let start = 0;
    for (;;) {
      const end = this.buffer.indexOf('\n\n', start);
      if (end === -1) break;
      this.frame(this.buffer.slice(start, end), at);
      start = end + 2;
    }
    if (start > 0) this.buffer = this.buffer.slice(start);
  }

  connect(options: StartMessage, onOpen: () => void): void {
    const url = new URL(`/api/v1/specs/${encodeURIComponent(options.specId)}/events/stream?after=0`, options.baseUrl);
    this.req = http.get(url, { agent: false, headers: { accept: 'text/event-stream', authorization: `Bearer ${options.token}` } }, (res) => {
      if (res.statusCode !== 200) {
        this.closed = `HTTP ${res.statusCode}`;
        this.error(`stream answered HTTP ${res.statusCode}`);
        res.resume();
        onOpen();
        return;
      }
      res.setEncoding('utf8');
      let opened = false;
      res.on('data', (chunk: string) => {
        this.push(chunk);
        if (!opened) {
          opened = true;
          onOpen();
        }
      });
      res.on('end', () => {
        this.closed ??= 'connection ended by the server';
      });
      res.on('error', (error) => {
        if (this.closed === null) this.closed = `connection error: ${error.message}`;
      });
    });
    this.req.on('error', (error) => {
      if (this.closed === null) this.closed = `connection error: ${error.message}`;
      onOpen();
    });
  }
}

function grow(values: Float64Array, index: number): Float64Array {
  const grown = new Float64Array(Math.max(index + 1, values.length * 2));
  grown.set(values);
  return grown;
}

let subscribers: Subscriber[] = [];
const sentAt: { values: Float64Array } = { values: new Float64Array(32_768) };

process.on('message', (message: ToChild) => {
  switch (message.type) {
    case 'start': {
      const t0 = nowMs();
      let open = 0;
      subscribers = Array.from({ length: message.subscribers }, (_, i) => new Subscriber(i, i === 0 ? sentAt : null));
      for (const s of subscribers) {
        s.connect(message, () => {
          if (++open === subscribers.length) send({ type: 'connected', ms: nowMs() - t0 });
        });
      }
      return;
    }
    case 'min':
      send({ type: 'min', seq: Math.min(...subscribers.map((s) => s.last)) });
      return;
    case 'finish': {
      const deadline = nowMs() + message.timeoutMs;
      const check = () => {
        const done = subscribers.every((s) => s.last >= message.lastSeq || s.closed !== null);
        if (!done && nowMs() < deadline) return void setTimeout(check, 20);
        const usage = process.cpuUsage();
        for (const s of subscribers) s.req?.destroy();
        send({
          type: 'results',
          ...pairLatencies(subscribers, message.acceptedAt, message.sentAt, message.warmupLast, message.lastSeq),
          sentAtCarried: sentAtMatches(sentAt.values, message.sentAt, message.lastSeq),
          delivery: deliveryCheck(subscribers, message.lastSeq),
          cpuSeconds: (usage.user + usage.system) / 1e6,
        });
        setTimeout(() => process.exit(0), 100).unref();
      };
      check();
      return;
    }
  }
});

process.on('uncaughtException', (error) => {
  send({ type: 'failed', message: error.stack ?? error.message });
  process.exit(1);
});
