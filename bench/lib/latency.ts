/**
 * Latency from ingest to SSE subscribers. `subscribers` streams on one spec run in a child process
 * (sseSubscribers.ts); this process is the producer: every `intervalMs` it POSTs a batch of
 * `batchSize` events whose data carries its send time (`sent_at`, monotonic ms), alternating between
 * the spec's sandboxes (see bench/README.md: the per-sandbox rate limit). For every (event,
 * subscriber) pair: receipt − POST accepted (response received) and receipt − send.
 */
import { fork } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { IngestResponse } from '@specline/protocol';
import { nowMs, type HttpClient } from './http';
import { progressEvent } from './ingest';
import type { BenchSandbox } from './setup';
import type { FromChild, ToChild } from './sseSubscribers';
import { summarize, type Summary } from './stats';

export interface LatencyOptions {
  subscribers: number;
  batchSize: number;
  intervalMs: number;
  durationMs: number;
  /** Events sent (and awaited by every subscriber) before measuring. */
  warmupEvents: number;
  /** POSTs in flight at most; past that the schedule slips (and the lag shows it). */
  maxInFlight: number;
}

export interface LatencyResult {
  subscribers: number;
  connectMs: number;
  measuredEvents: number;
  posts: number;
  sendSeconds: number;
  ratePerSecond: number;
  fromAccepted: Summary;
  fromSend: Summary;
  /** Pairs whose SSE frame arrived before the producer had the POST's answer (negative from-accepted). */
  beforeAccepted: number;
  postLatency: Summary;
  /** How late each POST left against its schedule. */
  scheduleLag: Summary;
  /** `data.sent_at` read back by subscriber 0 equals what the producer sent, for every event. */
  sentAtCarried: boolean;
  delivery: { expectedPerSubscriber: number; exactlyOnceInOrder: boolean; errors: string[]; closed: string[] };
  /** CPU seconds the subscriber process used (connect to finish). */
  subscriberCpuSeconds: number;
}

class SubscriberProcess {
  private readonly child;
  private readonly waiters = new Map<string, (message: FromChild) => void>();
  failure: string | undefined;

  constructor() {
    this.child = fork(new URL('./sseSubscribers.ts', import.meta.url), [], { execArgv: ['--import', 'tsx'], serialization: 'advanced' });
    this.child.on('message', (message: FromChild) => {
      if (message.type === 'failed') this.failure = message.message;
      const waiter = this.waiters.get(message.type);
      if (waiter) {
        this.waiters.delete(message.type);
        waiter(message);
      }
    });
    this.child.on('exit', (code) => {
      if (code !== 0 && code !== null) this.failure ??= `the subscriber process exited with code ${code}`;
    });
  }

  /** Sends a message and waits for the reply of type `reply`. */
  ask<T extends FromChild['type']>(message: ToChild, reply: T, timeoutMs: number): Promise<Extract<FromChild, { type: T }>> {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(reply);
        reject(new Error(`the subscriber process did not answer ${message.type} with ${reply} within ${timeoutMs} ms${this.failure ? `: ${this.failure}` : ''}`));
      }, timeoutMs);
      this.waiters.set(reply, (m) => {
        clearTimeout(timer);
        resolve(m as Extract<FromChild, { type: T }>);
      });
      this.child.send(message);
    });
  }

  kill(): void {
    if (this.child.exitCode === null) this.child.kill();
  }
}

export async function runLatency(http: HttpClient, sandboxes: readonly BenchSandbox[], userToken: string, options: LatencyOptions): Promise<LatencyResult> {
  const specId = sandboxes[0]!.specId;
  const subs = new SubscriberProcess();
  try {
    const connected = await subs.ask({ type: 'start', baseUrl: new URL(http.baseUrl).origin, specId, token: userToken, subscribers: options.subscribers }, 'connected', 60_000);

    const capacity = options.warmupEvents + Math.round(options.durationMs / options.intervalMs) * options.batchSize + 1;
    const acceptedAt = new Float64Array(capacity);
    const sentAt = new Float64Array(capacity);
    const seqs = new Map<string, number>();
    const postLatencies: number[] = [];
    const errors: string[] = [];
    let lastSeq = 0;
    let posts = 0;
    let tick = 0;

    const post = async (count: number) => {
      const sandbox = sandboxes[posts++ % sandboxes.length]!;
      const t = tick++;
      const sent = nowMs();
      const events = Array.from({ length: count }, (_, j) => {
        const seq = (seqs.get(sandbox.sandboxId) ?? 0) + 1;
        seqs.set(sandbox.sandboxId, seq);
        return progressEvent(specId, seq, { message: `tick ${t}.${j}`, sent_at: sent });
      });
      const res = await http.request('POST', `/api/v1/sandboxes/${sandbox.sandboxId}/events`, { body: JSON.stringify({ events }), headers: sandbox.headers });
      const accepted = nowMs();
      if (res.status !== 200) {
        errors.push(`POST ${t}: HTTP ${res.status} ${res.text.slice(0, 300)}`);
        return;
      }
      const answer = IngestResponse.parse(res.body);
      if (answer.stored !== count || answer.first_spec_seq === null || answer.last_spec_seq === null) {
        errors.push(`POST ${t}: stored ${answer.stored} of ${count}`);
        return;
      }
      postLatencies.push(accepted - sent);
      for (let seq = answer.first_spec_seq; seq <= answer.last_spec_seq; seq++) {
        acceptedAt[seq] = accepted;
        sentAt[seq] = sent;
      }
      lastSeq = Math.max(lastSeq, answer.last_spec_seq);
    };

    // Warm-up: every subscriber is live and has the first events before the clock starts.
    for (let sent = 0; sent < options.warmupEvents; sent += options.batchSize) await post(Math.min(options.batchSize, options.warmupEvents - sent));
    const warmupLast = lastSeq;
    const warmDeadline = nowMs() + 30_000;
    while ((await subs.ask({ type: 'min' }, 'min', 10_000)).seq < warmupLast) {
      if (nowMs() > warmDeadline) throw new Error(`subscribers did not receive the ${warmupLast} warm-up events within 30 s`);
      await sleep(50);
    }
    postLatencies.length = 0;

    // Measured: one batch every intervalMs, on a fixed schedule.
    const ticks = Math.round(options.durationMs / options.intervalMs);
    const inFlight = new Set<Promise<void>>();
    const lag: number[] = [];
    const t0 = nowMs() + 5;
    for (let k = 0; k < ticks; k++) {
      const target = t0 + k * options.intervalMs;
      const wait = target - nowMs();
      if (wait > 0.5) await sleep(wait);
      while (inFlight.size >= options.maxInFlight) await Promise.race(inFlight);
      lag.push(Math.max(0, nowMs() - target));
      const p: Promise<void> = post(options.batchSize).finally(() => inFlight.delete(p));
      inFlight.add(p);
    }
    await Promise.all(inFlight);
    const sendSeconds = (nowMs() - t0) / 1000;
    if (errors.length) throw new Error(`latency producer: ${errors.length} POSTs failed: ${errors.slice(0, 3).join('; ')}`);

    const results = await subs.ask(
      { type: 'finish', lastSeq, warmupLast, acceptedAt: acceptedAt.slice(0, lastSeq + 1), sentAt: sentAt.slice(0, lastSeq + 1), timeoutMs: 30_000 },
      'results',
      120_000,
    );
    const measured = lastSeq - warmupLast;
    return {
      subscribers: options.subscribers,
      connectMs: Math.round(connected.ms),
      measuredEvents: measured,
      posts: ticks,
      sendSeconds: Math.round(sendSeconds * 100) / 100,
      ratePerSecond: Math.round(measured / sendSeconds),
      fromAccepted: results.fromAccepted,
      fromSend: results.fromSend,
      beforeAccepted: results.beforeAccepted,
      postLatency: summarize(postLatencies),
      scheduleLag: summarize(lag),
      sentAtCarried: results.sentAtCarried,
      delivery: results.delivery,
      subscriberCpuSeconds: Math.round(results.cpuSeconds * 100) / 100,
    };
  } finally {
    subs.kill();
  }
}
