/**
 * The streams benchmark's moving parts: a paced producer (25 events every 50 ms = 500 events/s,
 * alternating between 2 sandboxes of the spec to stay under the per-sandbox ingest rate limit, one
 * POST in flight per sandbox as the HTTP reporter does; a late schedule slips), fleets of
 * SSE clients in child processes (sseFleet.ts), and the server's metrics route.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { IngestResponse } from '@specline/protocol';
import type pg from 'pg';
import { newId } from '../../apps/server/src/services/ids';
import { createTokenService } from '../../apps/server/src/services/tokens';
import { nowMs, type HttpClient } from './http';
import { progressEvent } from './ingest';
import type { BenchSandbox } from './setup';
import type { FleetResults, FromFleet, ToFleet } from './sseFleet';
import { summarize, type Summary } from './stats';

export class Producer {
  acceptedAt = new Float64Array(1 << 16);
  lastSeq = 0;
  readonly posts: { sent: number; ms: number }[] = [];
  readonly errors: string[] = [];
  /** POSTs sent again after a network error. */
  retries = 0;
  private running = false;
  private loop: Promise<void> | undefined;
  private readonly seqs = new Map<string, number>();
  private count = 0;

  constructor(
    private readonly http: HttpClient,
    private readonly sandboxes: readonly BenchSandbox[],
    readonly batchSize = 25,
    readonly intervalMs = 50,
    /** One POST in flight per sandbox, as the sandbox's HTTP reporter does. */
    readonly maxInFlight = 2,
    readonly padBytes = 120,
  ) {}

  private async post(): Promise<void> {
    const sandbox = this.sandboxes[this.count++ % this.sandboxes.length]!;
    const sent = nowMs();
    const pad = 'x'.repeat(this.padBytes);
    const events = Array.from({ length: this.batchSize }, (_, j) => {
      const seq = (this.seqs.get(sandbox.sandboxId) ?? 0) + 1;
      this.seqs.set(sandbox.sandboxId, seq);
      return progressEvent(sandbox.specId, seq, { message: `tick ${this.count}.${j}`, pad });
    });
    const body = JSON.stringify({ events });
    // A network error (a keep-alive socket the server closed) is retried with the same body: the same
    // event_ids, so a batch that was stored after all is acknowledged as duplicates, never stored twice.
    let res: Awaited<ReturnType<HttpClient['request']>> | undefined;
    for (let attempt = 1; !res; attempt++) {
      try {
        res = await this.http.request('POST', `/api/v1/sandboxes/${sandbox.sandboxId}/events`, { body, headers: sandbox.headers });
      } catch (error) {
        this.retries++;
        if (attempt >= 5) {
          this.errors.push(error instanceof Error ? error.message : String(error));
          return;
        }
      }
    }
    const accepted = nowMs();
    if (res.status !== 200) {
      if (this.errors.length < 10) this.errors.push(`HTTP ${res.status} ${res.text.slice(0, 200)}`);
      return;
    }
    const answer = IngestResponse.parse(res.body);
    // A retry whose first attempt was stored: all duplicates, no range (its events are not timed).
    if (answer.stored === 0 && answer.duplicates === this.batchSize) return;
    if (answer.first_spec_seq === null || answer.last_spec_seq === null || answer.stored + answer.duplicates !== this.batchSize) {
      this.errors.push(`stored ${answer.stored} of ${this.batchSize}`);
      return;
    }
    this.posts.push({ sent, ms: accepted - sent });
    if (answer.last_spec_seq >= this.acceptedAt.length) {
      const grown = new Float64Array(Math.max(answer.last_spec_seq + 1, this.acceptedAt.length * 2));
      grown.set(this.acceptedAt);
      this.acceptedAt = grown;
    }
    for (let seq = answer.first_spec_seq; seq <= answer.last_spec_seq; seq++) this.acceptedAt[seq] = accepted;
    this.lastSeq = Math.max(this.lastSeq, answer.last_spec_seq);
  }

  start(): void {
    this.running = true;
    this.loop = (async () => {
      const inFlight = new Set<Promise<void>>();
      // A fixed schedule that slips when the server answers late: missed ticks are skipped, never
      // sent in a burst, so the rate stays at most batchSize / intervalMs.
      let next = nowMs();
      while (this.running) {
        const wait = next - nowMs();
        if (wait > 0.5) await sleep(wait);
        while (inFlight.size >= this.maxInFlight) await Promise.race(inFlight);
        next = Math.max(next + this.intervalMs, nowMs());
        const p: Promise<void> = this.post().finally(() => inFlight.delete(p));
        inFlight.add(p);
      }
      await Promise.all(inFlight);
    })();
  }

  async stop(): Promise<void> {
    this.running = false;
    await this.loop;
  }

  /** POST latencies of the POSTs sent within [from, to] (monotonic ms). */
  postLatency(from: number, to: number): Summary {
    return summarize(this.posts.filter((p) => p.sent >= from && p.sent <= to).map((p) => p.ms));
  }
}

export class Fleet {
  private readonly child: ChildProcess;
  private readonly waiters = new Map<string, (message: FromFleet) => void>();
  failure: string | undefined;

  constructor() {
    this.child = fork(new URL('./sseFleet.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'], serialization: 'advanced' });
    this.child.on('message', (message: FromFleet) => {
      if (message.type === 'failed') this.failure = message.message;
      const waiter = this.waiters.get(message.type);
      if (waiter) {
        this.waiters.delete(message.type);
        waiter(message);
      }
    });
    this.child.on('exit', (code) => {
      if (code !== 0 && code !== null) this.failure ??= `a fleet process exited with code ${code}`;
    });
  }

  ask<T extends FromFleet['type']>(message: ToFleet, reply: T, timeoutMs: number): Promise<Extract<FromFleet, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(reply);
        reject(new Error(`a fleet did not answer ${message.type} with ${reply} within ${timeoutMs} ms${this.failure ? `: ${this.failure}` : ''}`));
      }, timeoutMs);
      this.waiters.set(reply, (m) => {
        clearTimeout(timer);
        resolve(m as Extract<FromFleet, { type: T }>);
      });
      this.child.send(message);
    });
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill();
  }
}

/**
 * A team: `count` users, each a member of the project, each with a live session and its access token
 * (signed with the server's `JWT_SECRET`, as a login would). Inserted straight into the tables: the
 * register route's per-IP limit (20 an hour) would refuse a second run.
 */
export async function teamTokens(db: pg.Client, projectId: string, count: number, jwtSecret: string): Promise<string[]> {
  const tokens = createTokenService(jwtSecret);
  const out: string[] = [];
  for (let i = 0; i < count; i++) {
    const userId = newId.user();
    const sessionId = `sess-${randomUUID()}`;
    await db.query(`insert into users (id, email, name, password_hash) values ($1, $2, $3, 'x')`, [userId, `bench-${i}-${randomUUID().slice(0, 8)}@example.test`, `bench user ${i}`]);
    await db.query(`insert into project_members (project_id, user_id, role) values ($1, $2, 'member')`, [projectId, userId]);
    await db.query(`insert into sessions (id, user_id, refresh_hash, expires_at) values ($1, $2, $3, now() + interval '1 day')`, [sessionId, userId, `bench-${randomUUID()}`]);
    out.push(await tokens.issueAccess({ userId, sessionId }, 86_400));
  }
  return out;
}

/** Clients spread over `processes` fleets, the i-th fleet on `baseUrls[i % baseUrls.length]` (one per server process). */
export async function startFleets(baseUrls: readonly string[], specId: string, tokens: readonly string[], clients: number, processes: number): Promise<{ fleets: Fleet[]; connectMs: number; failed: number }> {
  const fleets = Array.from({ length: processes }, () => new Fleet());
  const per = Math.ceil(clients / processes);
  const answers = await Promise.all(
    fleets.map((f, index) =>
      f.ask({ type: 'start', baseUrl: baseUrls[index % baseUrls.length]!, specId, tokens: [...tokens], clients: Math.min(per, clients - index * per), index }, 'connected', 180_000),
    ),
  );
  return { fleets, connectMs: Math.round(Math.max(...answers.map((a) => a.ms))), failed: answers.reduce((n, a) => n + a.failed, 0) };
}

/** Waits until every client of every fleet has `target`; the time the last one got it, or undefined when not within the timeout. */
export async function reachAll(fleets: readonly Fleet[], target: number, timeoutMs: number): Promise<{ at: number | undefined; min: number }> {
  const answers = await Promise.all(fleets.map((f) => f.ask({ type: 'reach', target, timeoutMs }, 'reached', timeoutMs + 30_000)));
  return { at: answers.every((a) => a.done) ? Math.max(...answers.map((a) => a.at)) : undefined, min: Math.min(...answers.map((a) => a.min)) };
}

export async function finishFleets(fleets: readonly Fleet[], producer: Producer, from: number): Promise<FleetResults> {
  const acceptedAt = producer.acceptedAt.slice(0, producer.lastSeq + 1);
  const all = await Promise.all(fleets.map((f) => f.ask({ type: 'finish', lastSeq: producer.lastSeq, from, acceptedAt, timeoutMs: 60_000 }, 'results', 240_000)));
  for (const f of fleets) f.kill();
  // Delivery over all fleets: the worst fleet's percentiles (each fleet summarises its own clients).
  const worst = (key: keyof Summary) => Math.max(...all.map((r) => r.delivery[key]));
  return {
    clients: all.reduce((n, r) => n + r.clients, 0),
    lost: all.reduce((n, r) => n + r.lost, 0),
    undelivered: all.reduce((n, r) => n + r.undelivered, 0),
    duplicated: all.reduce((n, r) => n + r.duplicated, 0),
    delivery: { count: all.reduce((n, r) => n + r.delivery.count, 0), min: Math.min(...all.map((r) => r.delivery.min)), mean: worst('mean'), p50: worst('p50'), p95: worst('p95'), p99: worst('p99'), max: worst('max') },
    closedByServer: all.flatMap((r) => r.closedByServer).slice(0, 3),
    reconnects: all.reduce((n, r) => n + r.reconnects, 0),
    errors: all.flatMap((r) => r.errors).slice(0, 5),
    cpuSeconds: Math.round(all.reduce((n, r) => n + r.cpuSeconds, 0) * 100) / 100,
  };
}

export interface ServerMetrics {
  event_loop_delay_ms: { p50: number; p99: number; max: number; mean: number; samples: number };
  memory: { rss_bytes: number; rss_peak_bytes: number; heap_used_bytes: number };
  hub: { feeds: number; subscribers: number; ringBytes: number; stats: Record<string, number>; admission: Record<string, number> };
  sessions?: Record<string, number>;
}

/** The server's `/api/v1/metrics/streams` (undefined when the server has none: a commit before issue 14). */
export async function readMetrics(http: HttpClient, headers: Record<string, string>, reset: boolean): Promise<ServerMetrics | undefined> {
  const res = await http.request('GET', `/api/v1/metrics/streams${reset ? '?reset=true' : ''}`, { headers });
  return res.status === 200 ? (res.body as ServerMetrics) : undefined;
}

export interface LoopDelay {
  p50: number;
  p99: number;
  max: number;
  mean: number;
  samples: number;
}

/** The event-loop probe (loopProbe.mjs) preloaded into a server: works on any commit. */
export class LoopProbe {
  constructor(readonly file: string) {}

  /** NODE_OPTIONS and BENCH_LOOP_FILE for the server's environment. */
  env(): Record<string, string> {
    const probe = new URL('./loopProbe.mjs', import.meta.url).href;
    return { NODE_OPTIONS: `${process.env['NODE_OPTIONS'] ?? ''} --import=${probe}`.trim(), BENCH_LOOP_FILE: this.file };
  }

  /** Starts a new window; resolves once the server has reset its histogram. */
  async reset(): Promise<void> {
    writeFileSync(`${this.file}.reset`, '');
    const deadline = nowMs() + 10_000;
    while (existsSync(`${this.file}.reset`) && nowMs() < deadline) await sleep(20);
  }

  /** The window so far (the probe writes every 200 ms). */
  async read(): Promise<LoopDelay | undefined> {
    await sleep(250);
    try {
      return JSON.parse(readFileSync(this.file, 'utf8')) as LoopDelay;
    } catch {
      return undefined;
    }
  }
}
