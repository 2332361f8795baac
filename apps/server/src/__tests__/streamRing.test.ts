/**
 * Resume correctness (issue 14): a `Last-Event-ID` (SSE) or `after` (WebSocket) inside the feed's ring
 * is served from memory with no store read; one just outside it, or far older, reads the store in pages
 * (under the connection's backpressure) and then joins the ring and the live tail. Every case delivers
 * every later event exactly once and in order, live events committed during the resume included. The
 * frames built by the database (streams/rows.ts) carry exactly the `StoredEvent` of services/events.ts.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { readEventsAfter } from '../services/events';
import { getStreamHub } from '../streams/hubFor';
import type { StreamHub } from '../streams/hub';
import { BACKENDS, createTestServer, type TestServer } from './harness';
import { eventFactory, postEvents, range, seedSpec, type SeededSpec } from './ingestHarness';
import { openSse, openWs, type SseClient, type WsClient } from './streamHarness';

/** Polls a condition that no stream event announces (hub counters); generous, never a timed assertion. */
async function waitFor(check: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

function streamTools(server: () => TestServer) {
  const url = (s: SeededSpec) => `${server().baseUrl}/api/v1/specs/${s.specId}/events/stream`;
  const wsUrl = () => `${server().baseUrl.replace(/^http/, 'ws')}/api/v1/ws/events`;
  const posters = new Map<string, ReturnType<typeof eventFactory>>();
  const post = async (s: SeededSpec, n: number, size = 0) => {
    let event = posters.get(s.specId);
    if (!event) posters.set(s.specId, (event = eventFactory(s.specId)));
    const make = event;
    const pad = 'p'.repeat(size);
    const res = await postEvents(server(), s.sandbox, {
      events: range(1, n).map((i) => (i % 3 === 0 ? make('phase.started', { phase: 'design', i }, 'design') : make('spec.progress', { message: `m${i}`, ...(size ? { pad } : {}) }))),
    });
    expect(res.statusCode, res.body).toBe(200);
  };
  /** A spec with a live reader (the keeper) and `posts` batches of `n` events, each read by the feed on its own (one ring batch per POST). */
  const seeded = async (posts: number, n: number, size = 0) => {
    const s = await seedSpec(server());
    const keeper = await openSse(url(s), s.owner.headers);
    for (let p = 1; p <= posts; p++) {
      await post(s, n, size);
      await keeper.until(() => keeper.ids.length === p * n);
    }
    return { s, keeper };
  };
  const resumeSse = (s: SeededSpec, lastEventId: number) => openSse(url(s), { ...s.owner.headers, 'last-event-id': String(lastEventId) });
  const resumeWs = async (s: SeededSpec, after: number) => {
    const ws = await openWs(wsUrl(), s.owner.headers);
    ws.send({ v: 1, type: 'subscribe', spec_ids: [s.specId], after });
    return ws;
  };
  const wsSeqs = (ws: WsClient) => ws.ofType('event').map((m) => m.spec_seq);
  return { url, post, seeded, resumeSse, resumeWs, wsSeqs };
}

describe.each(BACKENDS)('stream resume: ring hits, misses and old resumes on %s', (backend) => {
  let server: TestServer;
  let hub: StreamHub;
  let saved: StreamHub['limits'];
  const open: (SseClient | WsClient)[] = [];
  const t = streamTools(() => server);
  const keep = <T extends SseClient | WsClient>(c: T): T => (open.push(c), c);

  beforeAll(async () => {
    server = await createTestServer(backend, { listen: true });
    hub = getStreamHub(server.context)!;
    saved = { ...hub.limits };
  }, 180_000);
  afterEach(() => {
    for (const c of open.splice(0)) if ('socket' in c) c.socket.close();
    else c.close();
    Object.assign(hub.limits, saved);
  });
  afterAll(async () => {
    await server?.close();
  });

  it('a Last-Event-ID inside the ring resumes from memory (no store read), live events included, frames equal to the stored events', async () => {
    const { s, keeper } = await t.seeded(6, 5);
    keep(keeper);
    expect(hub.ringRange(s.specId)).toEqual([1, 30]);
    const before = { ...hub.stats };
    const [client] = await Promise.all([t.resumeSse(s, 12).then(keep), t.post(s, 5), t.post(s, 5)]);
    await client.until(() => client.ids.includes(40));
    await t.post(s, 3);
    await client.until(() => client.ids.includes(43));
    expect(client.ids).toEqual(range(13, 43));
    expect(hub.stats.storePages - before.storePages).toBe(0);
    expect(hub.stats.ringReplays - before.ringReplays).toBeGreaterThan(0);
    expect(client.events).toEqual(await readEventsAfter(server.context.db, s.specId, 12, 100));
  });

  it('a Last-Event-ID at the ring’s first event is a hit; one just outside is a miss read from the store; both exactly once, in order', async () => {
    hub.limits.ringBytes = 1; // the ring keeps only its newest batch
    const { s, keeper } = await t.seeded(6, 5);
    keep(keeper);
    expect(hub.ringRange(s.specId)).toEqual([26, 30]);
    const before = { ...hub.stats };
    // Opened before the next commit (its ring replay runs before the response starts), then live events.
    const hit = keep(await t.resumeSse(s, 25));
    await t.post(s, 4);
    await hit.until(() => hit.ids.includes(34));
    expect(hub.stats.storePages - before.storePages).toBe(0);
    const [miss] = await Promise.all([t.resumeSse(s, 24).then(keep), t.post(s, 4), t.post(s, 4)]);
    await miss.until(() => miss.ids.includes(42));
    expect(hub.stats.storePages - before.storePages).toBeGreaterThan(0);
    await t.post(s, 2);
    await Promise.all([hit.until(() => hit.ids.includes(44)), miss.until(() => miss.ids.includes(44))]);
    expect(hit.ids).toEqual(range(26, 44));
    expect(miss.ids).toEqual(range(25, 44));
    expect(miss.events).toEqual(await readEventsAfter(server.context.db, s.specId, 24, 100));
  });

  it('a resume far older than the ring pages the store under the connection’s backpressure, then joins the live tail', async () => {
    Object.assign(hub.limits, { ringBytes: 256 * 1024, pageSize: 5, maxBufferedBytes: 256 * 1024, drainTimeoutMs: 120_000, closeGraceMs: 120_000 });
    // 80 events of ~150 KB: far more than one paused loopback connection's kernel buffers hold.
    const { s, keeper } = await t.seeded(16, 5, 150 * 1024);
    keep(keeper);
    const [first] = hub.ringRange(s.specId)!;
    expect(first).toBeGreaterThan(10);
    const before = { ...hub.stats };
    const client = keep(await t.resumeSse(s, 3));
    client.pause();
    await waitFor(() => hub.stats.drainWaits > before.drainWaits, 'the catch-up to wait for the paused connection');
    await t.post(s, 5, 150 * 1024);
    await keeper.until(() => keeper.ids.includes(85));
    // Paused, it cannot have been handed every page: the reads wait for the connection.
    expect(client.ids.length).toBeLessThan(82);
    client.resume();
    await client.until(() => client.ids.includes(85));
    await t.post(s, 2);
    await client.until(() => client.ids.includes(87));
    expect(client.ids).toEqual(range(4, 87));
    expect(client.closed).toBeUndefined();
    expect(hub.stats.storePages - before.storePages).toBeGreaterThanOrEqual(2);
    const stored = await readEventsAfter(server.context.db, s.specId, 3, 10);
    expect(client.events.slice(0, 10)).toEqual(stored);
  });

  it('the WebSocket `after` path: a ring hit, a miss just outside, and a far older resume each get every later event once, in order', async () => {
    hub.limits.ringBytes = 1;
    const { s, keeper } = await t.seeded(8, 5);
    keep(keeper);
    hub.limits.pageSize = 4;
    expect(hub.ringRange(s.specId)).toEqual([36, 40]);
    const before = { ...hub.stats };
    const hit = keep(await t.resumeWs(s, 35));
    await hit.until(() => hit.ofType('subscribed').length === 1);
    await Promise.all([t.post(s, 3), hit.until(() => t.wsSeqs(hit).includes(43))]);
    expect(hub.stats.storePages - before.storePages).toBe(0);
    const [miss, old] = await Promise.all([t.resumeWs(s, 34).then(keep), t.resumeWs(s, 2).then(keep), t.post(s, 3), t.post(s, 3)]);
    await Promise.all([miss.until(() => t.wsSeqs(miss).includes(49)), old.until(() => t.wsSeqs(old).includes(49))]);
    await t.post(s, 1);
    await Promise.all([hit, miss, old].map((c) => c.until(() => t.wsSeqs(c).includes(50))));
    expect(hub.stats.storePages - before.storePages).toBeGreaterThan(2);
    expect(t.wsSeqs(hit)).toEqual(range(36, 50));
    expect(t.wsSeqs(miss)).toEqual(range(35, 50));
    expect(t.wsSeqs(old)).toEqual(range(3, 50));
    expect(old.events).toEqual(await readEventsAfter(server.context.db, s.specId, 2, 100));
  });
});

describe.each(BACKENDS)('stream resume admission on %s', (backend) => {
  let server: TestServer;
  const t = streamTools(() => server);
  beforeAll(async () => {
    server = await createTestServer(backend, { listen: true, config: { streams: { ...loadConfig({}).streams, ringBytes: 1, resumeConcurrency: 2 } } });
  }, 180_000);
  afterAll(async () => {
    await server?.close();
  });

  it('more resumes than the limit all complete, none lost or repeated, with at most the limit reading at once', async () => {
    const hub = getStreamHub(server.context)!;
    hub.limits.pageSize = 4;
    expect(hub.limits.resumeConcurrency).toBe(2);
    const { s, keeper } = await t.seeded(10, 4);
    const before = { ...hub.stats };
    const clients = await Promise.all([...range(1, 12).map((i) => t.resumeSse(s, i % 3)), t.post(s, 4), t.post(s, 4)]);
    const resumed = clients.filter((c): c is SseClient => typeof c === 'object' && c !== null && 'ids' in c);
    expect(resumed).toHaveLength(12);
    await Promise.all(resumed.map((c) => c.until(() => c.ids.includes(48))));
    await t.post(s, 1);
    await Promise.all(resumed.map((c) => c.until(() => c.ids.includes(49))));
    resumed.forEach((c, i) => expect(c.ids).toEqual(range(((i + 1) % 3) + 1, 49)));
    expect(hub.admission.stats().maxActive).toBeLessThanOrEqual(2);
    expect(hub.admission.stats().waiting).toBe(0);
    expect(hub.stats.storePages - before.storePages).toBeGreaterThanOrEqual(12);
    for (const c of [...resumed, keeper]) c.close();
  });
});
