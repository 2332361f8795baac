/**
 * Ingest throughput through `POST /api/v1/sandboxes/{id}/events`: the batched way (K producers, one
 * spec each, batches of 500 envelope events, each producer's POSTs serialised like the HTTP reporter's)
 * and the original way (one POST per event, the same K producers). Bodies are serialised before the
 * clock starts, so the harness spends its CPU on the wire, not on building events.
 */
import { randomUUID } from 'node:crypto';
import { IngestResponse } from '@specline/protocol';
import { nowMs, type HttpClient } from './http';
import type { BenchSandbox } from './setup';
import { summarize, type Summary } from './stats';

const FILLER = 'The agent read the repository layout, matched the acceptance criteria to the modules they touch, and noted the next step. ';

/** A ~`bytes`-long progress message for event `seq`. */
export function progressMessage(seq: number, bytes = 200): string {
  const head = `step ${seq}: `;
  return (head + FILLER.repeat(Math.ceil(bytes / FILLER.length))).slice(0, bytes);
}

export interface EnvelopeEvent {
  event_id: string;
  seq: number;
  event_type: string;
  timestamp: string;
  spec_id: string;
  phase: 'explore';
  data: Record<string, unknown>;
}

export function progressEvent(specId: string, seq: number, data: Record<string, unknown>): EnvelopeEvent {
  return { event_id: randomUUID(), seq, event_type: 'spec.progress', timestamp: new Date().toISOString(), spec_id: specId, phase: 'explore', data };
}

export interface IngestRunResult {
  events: number;
  posts: number;
  wallMs: number;
  eventsPerSecond: number;
  /** Latency of one POST (send → response), ms. */
  postLatency: Summary;
  /** Events stored per spec, for the SQL check. */
  perSpec: Map<string, number>;
  /** Stopped by the time bound before sending everything. */
  truncated: boolean;
}

interface Posted {
  specId: string;
  count: number;
}

/** POSTs one body and checks the answer: all stored, none duplicate, the spec_seq range right after `expectedFirst`. */
async function postEvents(http: HttpClient, sandbox: BenchSandbox, body: string, count: number): Promise<IngestResponse> {
  const res = await http.request('POST', `/api/v1/sandboxes/${sandbox.sandboxId}/events`, { body, headers: sandbox.headers });
  if (res.status !== 200) throw new Error(`ingest into ${sandbox.sandboxId} answered HTTP ${res.status}: ${res.text.slice(0, 400)}`);
  const answer = IngestResponse.parse(res.body);
  if (answer.stored !== count || answer.duplicates !== 0) {
    throw new Error(`ingest into ${sandbox.sandboxId}: sent ${count} new events, the server stored ${answer.stored} and called ${answer.duplicates} duplicates`);
  }
  return answer;
}

/** Checks that a spec's ranges came back contiguous (each POST's first = previous last + 1). */
class RangeTracker {
  private readonly last = new Map<string, number>();
  check(specId: string, answer: IngestResponse): void {
    const previous = this.last.get(specId) ?? 0;
    if (answer.first_spec_seq !== previous + 1) {
      throw new Error(`spec ${specId}: expected the next spec_seq range to start at ${previous + 1}, got ${answer.first_spec_seq}`);
    }
    this.last.set(specId, answer.last_spec_seq!);
  }
}

async function runProducers(
  producers: readonly (() => Promise<Posted[]>)[],
): Promise<{ wallMs: number; posted: Posted[] }> {
  const start = nowMs();
  const results = await Promise.all(producers.map((p) => p()));
  return { wallMs: nowMs() - start, posted: results.flat() };
}

function tally(posted: readonly Posted[]): Map<string, number> {
  const perSpec = new Map<string, number>();
  for (const p of posted) perSpec.set(p.specId, (perSpec.get(p.specId) ?? 0) + p.count);
  return perSpec;
}

/** K producers (one sandbox each), `total` events in batches of `batchSize`; every POST checked. */
export async function runBatchedIngest(http: HttpClient, sandboxes: readonly BenchSandbox[], total: number, batchSize: number): Promise<IngestRunResult> {
  const perProducer = Math.ceil(total / sandboxes.length);
  const bodies = sandboxes.map((sandbox) => {
    const list: { body: string; count: number }[] = [];
    for (let first = 1; first <= perProducer; first += batchSize) {
      const events: EnvelopeEvent[] = [];
      for (let seq = first; seq < first + batchSize && seq <= perProducer; seq++) events.push(progressEvent(sandbox.specId, seq, { message: progressMessage(seq) }));
      list.push({ body: JSON.stringify({ events }), count: events.length });
    }
    return list;
  });
  const latencies: number[] = [];
  const ranges = new RangeTracker();
  const { wallMs, posted } = await runProducers(
    sandboxes.map((sandbox, i) => async () => {
      const out: Posted[] = [];
      for (const { body, count } of bodies[i]!) {
        const t0 = nowMs();
        const answer = await postEvents(http, sandbox, body, count);
        latencies.push(nowMs() - t0);
        ranges.check(sandbox.specId, answer);
        out.push({ specId: sandbox.specId, count });
      }
      return out;
    }),
  );
  const events = posted.reduce((n, p) => n + p.count, 0);
  return { events, posts: posted.length, wallMs, eventsPerSecond: events / (wallMs / 1000), postLatency: summarize(latencies), perSpec: tally(posted), truncated: false };
}

/**
 * The original way: one POST per event. Producer `i` sends `perProducer` events round-robin over its
 * sandboxes (several when the per-sandbox rate limit would otherwise refuse them), one at a time;
 * it stops early when `maxMs` has passed (then `truncated`).
 */
export async function runSingleEventIngest(http: HttpClient, producers: readonly (readonly BenchSandbox[])[], perProducer: number, maxMs: number): Promise<IngestRunResult> {
  const bodies = producers.map((own) => {
    const seqs = new Map<string, number>();
    const list: { sandbox: BenchSandbox; body: string }[] = [];
    for (let i = 0; i < perProducer; i++) {
      const sandbox = own[i % own.length]!;
      const seq = (seqs.get(sandbox.sandboxId) ?? 0) + 1;
      seqs.set(sandbox.sandboxId, seq);
      list.push({ sandbox, body: JSON.stringify(progressEvent(sandbox.specId, seq, { message: progressMessage(seq) })) });
    }
    return list;
  });
  const latencies: number[] = [];
  const ranges = new RangeTracker();
  let truncated = false;
  const deadline = nowMs() + maxMs;
  const { wallMs, posted } = await runProducers(
    bodies.map((list) => async () => {
      const out: Posted[] = [];
      for (const { sandbox, body } of list) {
        if (nowMs() > deadline) {
          truncated = true;
          break;
        }
        const t0 = nowMs();
        const answer = await postEvents(http, sandbox, body, 1);
        latencies.push(nowMs() - t0);
        ranges.check(sandbox.specId, answer);
        out.push({ specId: sandbox.specId, count: 1 });
      }
      return out;
    }),
  );
  const events = posted.length;
  return { events, posts: events, wallMs, eventsPerSecond: events / (wallMs / 1000), postLatency: summarize(latencies), perSpec: tally(posted), truncated };
}

/**
 * A producer registered through the API (`POST /specs/{id}/sandboxes`, an external sandbox): works
 * on any backend, PGlite included (whose database only the server process can open). Its first batch
 * claims the spec for the run, so its events apply their side effects like a live run's.
 */
export async function externalSandbox(http: HttpClient, headers: Record<string, string>, specId: string): Promise<BenchSandbox> {
  const answer = (await http.expect(201, 'POST', `/api/v1/specs/${specId}/sandboxes`, { headers, body: { heartbeat_interval_seconds: 3600 } })) as { sandbox_id: string; token: string };
  return { sandboxId: answer.sandbox_id, specId, token: answer.token, headers: { authorization: `Bearer ${answer.token}` } };
}

/** What the gap-free check needs of a database client: `pg.Client` and `PGlite` both answer `{rows}`. */
export interface SqlQuery {
  query<T>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

export interface SpecSeqCheck {
  specId: string;
  expected: number;
  count: number;
  distinct: number;
  min: number | null;
  max: number | null;
  lastSpecSeq: number;
  ok: boolean;
}

/** Whether the spec holds exactly `expected` events, `spec_seq` 1..expected gap-free, and `last_spec_seq` = expected. */
export async function checkSpecSeq(db: SqlQuery, specId: string, expected: number): Promise<SpecSeqCheck> {
  const { rows } = await db.query<{ count: string; distinct: string; min: string | null; max: string | null; last: string }>(
    `select count(*)::text as count, count(distinct e.spec_seq)::text as distinct, min(e.spec_seq)::text as min, max(e.spec_seq)::text as max,
            (select last_spec_seq::text from specs where id = $1) as last
       from sandbox_events e where e.spec_id = $1`,
    [specId],
  );
  const r = rows[0]!;
  const n = (v: string | null) => (v === null ? null : Number(v));
  const count = Number(r.count);
  const distinct = Number(r.distinct);
  const min = n(r.min);
  const max = n(r.max);
  const lastSpecSeq = Number(r.last);
  const ok = count === expected && distinct === expected && (expected === 0 || (min === 1 && max === expected)) && lastSpecSeq === expected;
  return { specId, expected, count, distinct, min, max, lastSpecSeq, ok };
}
