import { existsSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SpecEvent } from '@specline/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock, flushMicrotasks, systemClock } from '../../clock';
import type { ManualClock } from '../../clock';
import type { Logger } from '../../types';
import { readEvents } from '../jsonlReporter';
import { eventFactory } from '../testEvents';
import { FakeApi, startFakeServer } from './fakeServer';
import type { FakeReply, FakeServer } from './fakeServer';
import { HttpReporter } from './httpReporter';
import type { HttpReporterOptions } from './httpReporter';

const START = Date.UTC(2025, 0, 1, 12, 0, 0);
const FLUSH_MS = 250;

interface LogLine {
  level: string;
  msg: string;
  fields: Record<string, unknown> | undefined;
}

let api: FakeApi;
let server: FakeServer;
let dir: string;
let clock: ManualClock;
/** Every wait the reporter asked the clock for, except the flush timer. */
let waits: number[];
let logs: LogLine[];
let reporters: HttpReporter[];

const logger: Logger = {
  debug: (msg, fields) => logs.push({ level: 'debug', msg, fields }),
  info: (msg, fields) => logs.push({ level: 'info', msg, fields }),
  warn: (msg, fields) => logs.push({ level: 'warn', msg, fields }),
  error: (msg, fields) => logs.push({ level: 'error', msg, fields }),
};

function makeReporter(options: Partial<HttpReporterOptions> = {}): HttpReporter {
  const recording = {
    ...clock,
    sleep: (ms: number, signal?: AbortSignal) => {
      if (ms !== FLUSH_MS) waits.push(ms);
      return clock.sleep(ms, signal);
    },
  };
  const reporter = new HttpReporter({
    callbackUrl: server.url,
    sandboxId: 'sbx-42',
    token: api.token,
    stateDir: dir,
    clock: recording,
    logger,
    random: () => 1,
    retry: { baseDelayMs: 100, maxDelayMs: 10_000, maxRetryDurationMs: 60_000 },
    flushIntervalMs: FLUSH_MS,
    ...options,
  });
  reporters.push(reporter);
  return reporter;
}

const idsOf = (events: readonly SpecEvent[]) => events.map((event) => event.event_id);
const eventRequests = () => server.requests.filter((request) => request.path.endsWith('/events'));
const batchIds = (index: number) => ((eventRequests()[index]?.body as { events: SpecEvent[] }).events ?? []).map((event) => event.event_id);
async function reportAll(reporter: HttpReporter, events: readonly SpecEvent[]) {
  for (const event of events) await reporter.report(event);
}
async function idle(turns = 20) {
  for (let i = 0; i < turns; i++) await flushMicrotasks();
}
/** Lets I/O and promise callbacks run until `predicate` holds (no timers involved). */
async function until(predicate: () => boolean, what: string) {
  for (let turn = 0; turn < 100_000; turn++) {
    if (predicate()) return;
    await flushMicrotasks();
  }
  throw new Error(`never happened: ${what}`);
}

beforeEach(async () => {
  api = new FakeApi();
  server = await startFakeServer(api.handle);
  dir = await mkdtemp(join(tmpdir(), 'http-reporter-'));
  clock = createManualClock(START);
  waits = [];
  logs = [];
  reporters = [];
});

afterEach(async () => {
  api.down = undefined;
  api.script = [];
  for (const reporter of reporters) await clock.settle(reporter.close());
  await server.close();
  await rm(dir, { recursive: true, force: true });
});

describe('HttpReporter batching', () => {
  it('sends one POST per full batch, to the sandbox events URL with the bearer token', async () => {
    const reporter = makeReporter({ batchSize: 3 });
    const events = eventFactory().many(8).filter((event) => event.event_type !== 'spec.heartbeat');
    await reportAll(reporter, events);
    await server.waitFor(() => eventRequests().length === 2);
    await idle();
    expect(eventRequests()).toHaveLength(2);
    expect(eventRequests()[0]).toMatchObject({ method: 'POST', path: '/api/v1/sandboxes/sbx-42/events', headers: { authorization: `Bearer ${api.token}` } });
    expect([batchIds(0), batchIds(1)]).toEqual([idsOf(events.slice(0, 3)), idsOf(events.slice(3, 6))]);

    await clock.advance(FLUSH_MS);
    await server.waitFor(() => eventRequests().length === 3);
    expect(batchIds(2)).toEqual(idsOf(events.slice(6)));
    expect(api.eventIds).toEqual(idsOf(events));
  });

  it('sends a partial batch when the flush interval has passed since the first buffered event', async () => {
    const reporter = makeReporter({ batchSize: 100 });
    const factory = eventFactory();
    const events = [factory.make('spec.progress', { message: 'a' }), factory.make('spec.progress', { message: 'b' })];
    await reportAll(reporter, events);
    await clock.advance(FLUSH_MS - 1);
    await idle();
    expect(eventRequests()).toHaveLength(0);
    await clock.advance(1);
    await server.waitFor(() => eventRequests().length === 1);
    expect(batchIds(0)).toEqual(idsOf(events));
  });

  it('never holds a heartbeat: it goes at once, with everything reported before it', async () => {
    const reporter = makeReporter({ batchSize: 100 });
    const factory = eventFactory();
    const events = [
      factory.make('spec.progress', { message: 'a' }),
      factory.make('spec.progress', { message: 'b' }),
      factory.make('spec.heartbeat', { phases_completed: [], current_phase: 'explore' }),
    ];
    await reportAll(reporter, events);
    await server.waitFor(() => eventRequests().length === 1);
    expect(batchIds(0)).toEqual(idsOf(events));
    expect(clock.now()).toBe(START);
  });

  it('keeps one request in flight at a time and the order of events', async () => {
    const reporter = makeReporter({ batchSize: 10, clock: systemClock });
    const events = eventFactory().many(250);
    await Promise.all(events.map((event) => reporter.report(event)));
    await reporter.flush();
    expect(server.maxInFlight).toBe(1);
    expect(api.eventIds).toEqual(idsOf(events));
    expect(api.accepted).toHaveLength(events.length);
  });
});

describe('HttpReporter retries', () => {
  it('retries 5xx with exponential backoff, re-sending the same event_ids', async () => {
    api.script = [{ status: 503, body: { detail: 'busy', code: 'shutting_down' } }, { status: 500 }];
    const reporter = makeReporter();
    const events = eventFactory().many(4);
    await reportAll(reporter, events);
    await clock.settle(reporter.flush());
    expect(eventRequests()).toHaveLength(3);
    expect([batchIds(0), batchIds(1), batchIds(2)]).toEqual([idsOf(events), idsOf(events), idsOf(events)]);
    expect(waits).toEqual([100, 200]);
    expect(api.eventIds).toEqual(idsOf(events));
  });

  it('retries network errors and 408', async () => {
    api.script = [{ destroy: true }, { status: 408 }];
    const reporter = makeReporter();
    const events = eventFactory().many(2);
    await reportAll(reporter, events);
    await clock.settle(reporter.flush());
    expect(eventRequests()).toHaveLength(3);
    expect(api.eventIds).toEqual(idsOf(events));
  });

  it('retries a request that gets no answer within the timeout', async () => {
    api.script = [{ hang: true }];
    const reporter = makeReporter({ clock: systemClock, requestTimeoutMs: 50, retry: { baseDelayMs: 1 } });
    const events = eventFactory().many(2);
    await reportAll(reporter, events);
    await reporter.flush();
    expect(eventRequests()).toHaveLength(2);
    expect(api.eventIds).toEqual(idsOf(events));
  });

  it('honours Retry-After in seconds', async () => {
    api.script = [{ status: 429, headers: { 'retry-after': '7' }, body: { detail: 'slow down', code: 'rate_limited' } }];
    const reporter = makeReporter();
    await reportAll(reporter, eventFactory().many(1));
    await clock.settle(reporter.flush());
    expect(waits).toEqual([7000]);
    expect(api.events).toHaveLength(1);
  });

  it('honours Retry-After as an HTTP date', async () => {
    api.script = [{ status: 503, headers: { 'retry-after': new Date(START + 3000).toUTCString() } }];
    const reporter = makeReporter();
    await reportAll(reporter, eventFactory().many(1));
    await clock.settle(reporter.flush());
    expect(waits).toEqual([3000]);
    expect(api.events).toHaveLength(1);
  });

  it.each([
    [400, 'invalid_json'],
    [401, 'unauthorized'],
    [403, 'forbidden'],
    [422, 'validation_failed'],
  ])('does not retry a %i: logs the server detail and keeps the batch in the dead-letter file', async (status, code) => {
    const reply: FakeReply = { status, body: { detail: `refused with ${status}`, code } };
    api.script = [reply];
    const reporter = makeReporter();
    const events = eventFactory().many(3);
    await reportAll(reporter, events);
    await clock.settle(reporter.flush());
    expect(eventRequests()).toHaveLength(1);
    expect(waits).toEqual([]);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', fields: expect.objectContaining({ status, code, detail: `refused with ${status}` }) as unknown }));
    const deadLetter = (await readFile(reporter.stats().deadLetterPath, 'utf8')).trim().split('\n');
    expect(deadLetter).toHaveLength(1);
    const line = JSON.parse(deadLetter[0]!) as { status: number; events: SpecEvent[] };
    expect(line.status).toBe(status);
    expect(idsOf(line.events)).toEqual(idsOf(events));
    expect(reporter.stats()).toMatchObject({ deadLettered: 3, delivered: 0 });
  });

  it('on a 422 naming bad events, sets aside only those and sends the rest', async () => {
    const reporter = makeReporter();
    const factory = eventFactory();
    const good1 = factory.make('spec.progress', { message: 'ok' });
    // Valid envelope for the reporter, refused by the server's payload check (attempt must be ≥ 1).
    const bad = factory.make('spec.phase_started', { phase: 'explore', attempt: 0 }, 'explore');
    const good2 = factory.make('spec.progress', { message: 'ok too' });
    await reportAll(reporter, [good1, bad, good2]);
    await clock.settle(reporter.flush());
    expect(eventRequests()).toHaveLength(2);
    expect(batchIds(1)).toEqual(idsOf([good1, good2]));
    expect(api.eventIds).toEqual(idsOf([good1, good2]));
    const deadLetter = JSON.parse(await readFile(reporter.stats().deadLetterPath, 'utf8')) as { events: SpecEvent[] };
    expect(idsOf(deadLetter.events)).toEqual([bad.event_id]);
  });
});

describe('HttpReporter limits', () => {
  it('sets aside an event whose payload is over the server limit instead of sending a batch the server would refuse', async () => {
    const reporter = makeReporter();
    const factory = eventFactory();
    const before = factory.make('spec.progress', { message: 'small' });
    const huge = factory.make('spec.progress', { message: 'x'.repeat(300 * 1024) });
    const after = factory.make('spec.progress', { message: 'small again' });
    await reportAll(reporter, [before, huge, after]);
    await clock.settle(reporter.flush());
    expect(api.eventIds).toEqual(idsOf([before, after]));
    const deadLetter = JSON.parse(await readFile(reporter.stats().deadLetterPath, 'utf8')) as { status: null; events: SpecEvent[] };
    expect(deadLetter.status).toBeNull();
    expect(idsOf(deadLetter.events)).toEqual([huge.event_id]);
    expect(logs).toContainEqual(expect.objectContaining({ level: 'error', msg: expect.stringContaining('over the server limit') as unknown }));
  });
});

describe('HttpReporter when the server stays away', () => {
  const spoolOptions = { retry: { baseDelayMs: 100, maxDelayMs: 10_000, maxRetryDurationMs: 1000 }, probeIntervalMs: 5000 };

  it('spools to disk, keeps accepting, replays in order when the server is back: nothing lost, nothing duplicated', async () => {
    api.down = { destroy: true };
    const reporter = makeReporter(spoolOptions);
    const factory = eventFactory();
    const first = factory.many(5);
    await reportAll(reporter, first);
    await clock.settle(reporter.flush());
    // 100 + 200 + 400 waited; the next 800 would pass the 1000 ms limit: spool, then probe every 5 s.
    expect(waits).toEqual([100, 200, 400, 5000]);
    expect(reporter.stats()).toMatchObject({ unreachable: true, spooled: 5 });
    expect(idsOf(await readEvents(reporter.stats().spoolPath))).toEqual(idsOf(first));

    const second = factory.many(3);
    await reportAll(reporter, second);
    await reporter.flush();
    expect(idsOf(await readEvents(reporter.stats().spoolPath))).toEqual(idsOf([...first, ...second]));

    // Still down at the first probe, up at the second.
    await clock.advance(5000);
    await server.waitFor(() => eventRequests().length === 5);
    await until(() => waits.length === 5, 'the reporter waits for its next probe');
    expect(waits).toEqual([100, 200, 400, 5000, 5000]);
    expect(api.events).toHaveLength(0);
    api.down = undefined;
    await clock.advance(5000);
    await server.waitFor(() => api.events.length === 8);

    const third = factory.many(2);
    await reportAll(reporter, third);
    await clock.settle(reporter.flush());
    const all = [...first, ...second, ...third];
    expect(api.eventIds).toEqual(idsOf(all));
    expect(api.accepted.map((event) => event.event_id)).toEqual(idsOf(all));
    expect(reporter.stats()).toMatchObject({ unreachable: false, spooled: 0, delivered: 10 });
    expect(existsSync(reporter.stats().spoolPath)).toBe(false);
  });

  it('gives up at close after the close timeout, leaving the spool on disk for the next process to replay', async () => {
    api.down = { status: 502 };
    const reporter = makeReporter({ ...spoolOptions, closeTimeoutMs: 3000 });
    const events = eventFactory().many(6);
    await reportAll(reporter, events);
    await clock.settle(reporter.close());
    const { spoolPath, spooled } = reporter.stats();
    expect(spooled).toBe(6);
    expect(idsOf(await readEvents(spoolPath))).toEqual(idsOf(events));
    expect(logs).toContainEqual(expect.objectContaining({ level: 'warn', fields: { events: 6, path: spoolPath } }));

    api.down = undefined;
    const next = makeReporter(spoolOptions);
    await clock.settle(next.flush());
    expect(api.eventIds).toEqual(idsOf(events));
    expect(existsSync(spoolPath)).toBe(false);
  });

  it('bounds memory: past maxBufferedEvents, events queue in the spool file and still arrive in order', async () => {
    let release: () => void = () => undefined;
    const gate = new Promise<void>((resolve) => (release = resolve));
    let first = true;
    const gated = await startFakeServer(async (request) => {
      if (first) {
        first = false;
        await gate;
      }
      return api.handle(request);
    });
    const reporter = makeReporter({ callbackUrl: gated.url, batchSize: 2, maxBufferedEvents: 4 });
    const events = eventFactory().many(9).filter((event) => event.event_type !== 'spec.heartbeat');
    await reportAll(reporter, events.slice(0, 2));
    await gated.waitFor(() => gated.requests.length === 1);
    await reportAll(reporter, events.slice(2));
    expect(reporter.stats().spooled).toBe(events.length - 2);
    release();
    await clock.settle(reporter.flush());
    expect(api.eventIds).toEqual(idsOf(events));
    expect(api.accepted).toHaveLength(events.length);
    expect(gated.maxInFlight).toBe(1);
    await gated.close();
  });
});
