/**
 * Child process of the streams benchmark: a fleet of cheap SSE clients on one spec. Each is a raw
 * `node:http` GET (one connection, no agent) whose bytes are scanned as Buffers for `\nid: <n>\n`
 * (the JSON of a frame never holds a raw newline, so that pattern starts a frame), with no string
 * decoding and no JSON parsing. Every client checks `spec_seq` n+1, n+2, … and counts duplicates
 * and gaps; it keeps the arrival time (monotonic ms) of every event for the delivery figures.
 *
 * Parent → child: `start`, `drop` (destroy every connection), `resume` (reconnect each with
 * `Last-Event-ID: <its last id>`), `reach` (answer when every client has `target`), `finish`.
 * Child → parent: `connected`, `dropped`, `resumed`, `reached`, `results`, `failed`.
 */
import http from 'node:http';
import { nowMs } from './http';
import { summarize, type Summary } from './stats';

export type ToFleet =
  | { type: 'start'; baseUrl: string; specId: string; /** Client i uses tokens[i % tokens.length] (several users, as a team). */ tokens: string[]; clients: number; index: number }
  | { type: 'drop' }
  | { type: 'resume' }
  | { type: 'reach'; target: number; timeoutMs: number }
  | { type: 'finish'; lastSeq: number; from: number; acceptedAt: Float64Array; timeoutMs: number };

export interface FleetResults {
  clients: number;
  /** Events skipped over (a later spec_seq came first and this one never did). */
  lost: number;
  /** (client, event) pairs not received by the end of the finish timeout: late, not skipped. */
  undelivered: number;
  duplicated: number;
  /** Receipt − POST accepted over every (event > `from`, client) pair, ms. */
  delivery: Summary;
  closedByServer: string[];
  /** Streams the server closed that the client resumed on its own. */
  reconnects: number;
  errors: string[];
  cpuSeconds: number;
}

export type FromFleet =
  | { type: 'connected'; ms: number; failed: number }
  | { type: 'dropped' }
  | { type: 'resumed'; ms: number; failed: number }
  | { type: 'reached'; at: number; min: number; done: boolean }
  | ({ type: 'results' } & FleetResults)
  | { type: 'failed'; message: string };

const ID = Buffer.from('\nid: ');
const CLOSED = Buffer.from('event: stream_closed');
const send = (message: FromFleet) => process.send!(message);

class Client {
  last = 0;
  lost = 0;
  duplicated = 0;
  recv = new Float64Array(16_384);
  closedByServer: string | null = null;
  error: string | null = null;
  reconnects = 0;
  private dropped = false;
  private carry: Buffer | null = null;
  /** The last chunk read (where a `stream_closed` frame would be). */
  private tail: Buffer | null = null;
  private req: http.ClientRequest | undefined;

  private record(seq: number, at: number): void {
    if (seq <= this.last) {
      this.duplicated++;
      return;
    }
    if (seq !== this.last + 1) this.lost += seq - this.last - 1;
    this.last = seq;
    if (seq >= this.recv.length) {
      const grown = new Float64Array(Math.max(seq + 1, this.recv.length * 2));
      grown.set(this.recv);
      this.recv = grown;
    }
    this.recv[seq] = at;
  }

  /**
   * Finds every `\nid: <n>\n` of a chunk with native `indexOf`, without copying the chunk: only a frame
   * start split across two chunks is joined, from a carry of at most a few dozen bytes (the tail of the
   * previous chunk) and the head of this one.
   */
  private scan(chunk: Buffer): void {
    const at = nowMs();
    this.tail = chunk;
    let pos = 0;
    const carry = this.carry;
    if (carry) {
      this.carry = null;
      const head = Buffer.concat([carry, chunk.subarray(0, 32)]);
      const i = head.indexOf(ID);
      if (i !== -1 && i < carry.length) {
        const end = head.indexOf(10, i + ID.length);
        if (end === -1) {
          // Still no end of the id line (a chunk of a few bytes): keep joining.
          this.carry = chunk.length < 32 ? head.subarray(i) : null;
          if (this.carry) return;
        } else {
          this.record(this.seqAt(head, i + ID.length, end), at);
          pos = end - carry.length;
        }
      }
    }
    for (;;) {
      const i = chunk.indexOf(ID, pos);
      if (i === -1) break;
      const start = i + ID.length;
      const end = chunk.indexOf(10, start);
      if (end === -1) {
        this.carry = Buffer.from(chunk.subarray(i));
        return;
      }
      this.record(this.seqAt(chunk, start, end), at);
      pos = end;
    }
    // A frame start split across chunks: keep the last few bytes (a copy: the chunk's memory is reused).
    if (chunk.length - pos > 0) this.carry = Buffer.from(chunk.subarray(Math.max(pos, chunk.length - ID.length + 1)));
  }

  private seqAt(buf: Buffer, start: number, end: number): number {
    let seq = 0;
    for (let k = start; k < end; k++) seq = seq * 10 + (buf[k]! - 48);
    return seq;
  }

  /** The server's `stream_closed` frame is the last thing it writes: looked for once, when the stream ends. */
  private ended(): void {
    const last = this.tail;
    this.tail = null;
    if (!last) return;
    const i = last.indexOf(CLOSED);
    if (i !== -1) this.closedByServer ??= last.subarray(i, i + 200).toString('utf8');
  }

  connect(url: URL, token: string, lastEventId: number | null, done: (ok: boolean) => void): void {
    this.carry = Buffer.from('\n'); // the stream starts a frame
    const headers: Record<string, string> = { accept: 'text/event-stream', authorization: `Bearer ${token}` };
    if (lastEventId !== null) headers['last-event-id'] = String(lastEventId);
    let answered = false;
    const answer = (ok: boolean) => {
      if (answered) return;
      answered = true;
      done(ok);
    };
    this.dropped = false;
    const req = http.get(url, { agent: false, headers }, (res) => {
      if (res.statusCode !== 200) {
        this.error = `HTTP ${res.statusCode}`;
        res.resume();
        answer(false);
        return;
      }
      answer(true);
      res.on('data', (chunk: Buffer) => this.scan(chunk));
      res.on('error', () => undefined);
      // The server closed the stream (slow_consumer, max_duration): resume from the last id, as a real client does.
      const again = () => {
        this.ended();
        if (this.req !== req || this.dropped) return;
        this.req = undefined;
        this.reconnects++;
        this.connect(url, token, this.last, () => undefined);
      };
      res.on('end', again);
      res.on('close', again);
    });
    this.req = req;
    req.on('error', (error) => {
      if (!answered) this.error = error.message;
      answer(false);
    });
  }

  drop(): void {
    this.dropped = true;
    this.req?.destroy();
    this.req = undefined;
  }
}

let clients: Client[] = [];
let start: Extract<ToFleet, { type: 'start' }> | undefined;

function connectAll(resume: boolean, reply: (ms: number, failed: number) => void): void {
  const t0 = nowMs();
  const url = new URL(`/api/v1/specs/${encodeURIComponent(start!.specId)}/events/stream`, start!.baseUrl);
  let pending = clients.length;
  let failed = 0;
  const tokens = start!.tokens;
  clients.forEach((c, i) => {
    c.connect(url, tokens[i % tokens.length]!, resume ? c.last : 0, (ok) => {
      if (!ok) failed++;
      if (--pending === 0) reply(nowMs() - t0, failed);
    });
  });
}

function reach(target: number, timeoutMs: number, answer: (done: boolean) => void): void {
  const deadline = nowMs() + timeoutMs;
  const check = () => {
    const min = clients.reduce((m, c) => Math.min(m, c.last), Number.POSITIVE_INFINITY);
    if (min >= target) return answer(true);
    if (nowMs() > deadline) return answer(false);
    setTimeout(check, 2);
  };
  check();
}

process.on('message', (message: ToFleet) => {
  switch (message.type) {
    case 'start':
      start = message;
      clients = Array.from({ length: message.clients }, () => new Client());
      connectAll(false, (ms, failed) => send({ type: 'connected', ms, failed }));
      return;
    case 'drop':
      for (const c of clients) c.drop();
      send({ type: 'dropped' });
      return;
    case 'resume':
      connectAll(true, (ms, failed) => send({ type: 'resumed', ms, failed }));
      return;
    case 'reach':
      reach(message.target, message.timeoutMs, (done) => {
        // The time the last client got there: the newest arrival time of `target` over the fleet.
        const at = clients.reduce((m, c) => Math.max(m, c.recv[message.target] ?? 0), 0);
        send({ type: 'reached', at, min: clients.reduce((m, c) => Math.min(m, c.last), Number.POSITIVE_INFINITY), done });
      });
      return;
    case 'finish':
      reach(message.lastSeq, message.timeoutMs, () => {
        const latencies = new Float64Array(clients.length * Math.max(0, message.lastSeq - message.from));
        let n = 0;
        for (const c of clients) {
          for (let seq = message.from + 1; seq <= message.lastSeq; seq++) {
            const at = c.recv[seq] ?? 0;
            if (at > 0 && message.acceptedAt[seq]! > 0) latencies[n++] = at - message.acceptedAt[seq]!;
          }
        }
        const usage = process.cpuUsage();
        for (const c of clients) c.drop();
        send({
          type: 'results',
          clients: clients.length,
          lost: clients.reduce((sum, c) => sum + c.lost, 0),
          undelivered: clients.reduce((sum, c) => sum + Math.max(0, message.lastSeq - c.last), 0),
          duplicated: clients.reduce((sum, c) => sum + c.duplicated, 0),
          delivery: summarize(latencies.subarray(0, n)),
          closedByServer: clients.flatMap((c) => (c.closedByServer ? [c.closedByServer.split('\n')[1] ?? c.closedByServer] : [])).slice(0, 3),
          reconnects: clients.reduce((n, c) => n + c.reconnects, 0),
          errors: clients.flatMap((c) => (c.error ? [c.error] : [])).slice(0, 5),
          cpuSeconds: Math.round(((usage.user + usage.system) / 1e6) * 100) / 100,
        });
        setTimeout(() => process.exit(0), 100).unref();
      });
      return;
  }
});

process.on('uncaughtException', (error) => {
  send({ type: 'failed', message: error.stack ?? error.message });
  process.exit(1);
});
