import { StoredEvent } from '@specline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getStreamHub } from '../streams/hubFor';
import { BACKENDS, createTestServer, type TestServer } from './harness';
import { eventFactory, postEvents, progress, range, seedSpec, seedUser, type SeededSpec } from './ingestHarness';
import { openSse } from './streamHarness';

describe.each(BACKENDS)('SSE event stream on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer(backend, { listen: true });
  });
  afterAll(async () => {
    await server.close();
  });

  const url = (s: SeededSpec, query = '') => `${server.baseUrl}/api/v1/specs/${s.specId}/events/stream${query}`;
  const poster = (s: SeededSpec) => {
    const event = eventFactory(s.specId);
    return async (n: number, size = 0) => {
      const pad = 'p'.repeat(size);
      const res = await postEvents(server, s.sandbox, { events: range(1, n).map((i) => event('spec.progress', { message: `m${i}`, ...(size ? { pad } : {}) })) });
      expect(res.statusCode, res.body).toBe(200);
    };
  };

  it('refuses strangers (404) and anonymous callers (401) before streaming, and a bad Last-Event-ID (422)', async () => {
    const s = await seedSpec(server);
    const stranger = await seedUser(server, 'stranger');
    const path = `/api/v1/specs/${s.specId}/events/stream`;
    const asStranger = await server.app.inject({ method: 'GET', url: path, headers: stranger.headers });
    expect([asStranger.statusCode, asStranger.json<{ code: string }>().code]).toEqual([404, 'not_found']);
    const anonymous = await server.app.inject({ method: 'GET', url: path });
    expect([anonymous.statusCode, anonymous.json<{ code: string }>().code]).toEqual([401, 'unauthorized']);
    const bad = await server.app.inject({ method: 'GET', url: path, headers: { ...s.owner.headers, 'last-event-id': 'abc' } });
    expect([bad.statusCode, bad.json<{ code: string }>().code]).toEqual([422, 'validation_failed']);
  });

  it('replays stored events, then tails live ones: frames carry id = spec_seq and a StoredEvent', async () => {
    const s = await seedSpec(server);
    const post = poster(s);
    await post(5);
    const client = await openSse(url(s, '?after=2'), s.owner.headers);
    expect(client.status).toBe(200);
    await client.until(() => client.events.length === 3);
    await post(4);
    await client.until(() => client.events.length === 7);
    expect(client.ids).toEqual(range(3, 9));
    expect(client.events.map((e) => e.spec_seq)).toEqual(range(3, 9));
    for (const e of client.events) expect(StoredEvent.safeParse(e).success).toBe(true);
    expect(client.events[0]).toMatchObject({ spec_id: s.specId, sandbox_id: s.sandbox.sandboxId, event_type: 'spec.progress', event_data: { message: 'm3' } });
    client.close();
  });

  it('a client that drops mid-run and reconnects with Last-Event-ID gets exactly what it missed', async () => {
    const s = await seedSpec(server);
    const post = poster(s);
    await post(10);
    const first = await openSse(url(s), s.owner.headers);
    await first.until(() => first.events.length === 10);
    await post(5);
    await first.until(() => first.events.length === 15);
    first.close();
    await post(7);
    // Reconnect while more events are being committed: the replay/live seam must hold.
    const [second] = await Promise.all([openSse(url(s, '?after=3'), { ...s.owner.headers, 'last-event-id': '15' }), post(6), post(6)]);
    await second.until(() => second.events.length >= 19);
    await post(2);
    await second.until(() => second.ids.includes(36));
    expect(first.ids).toEqual(range(1, 15));
    expect(second.ids).toEqual(range(16, 36));
    second.close();
  });

  it('closes a slow consumer with slow_consumer and its resume point, while a fast one keeps receiving', async () => {
    const hub = getStreamHub(server.context)!;
    const saved = { ...hub.limits };
    Object.assign(hub.limits, { maxBufferedBytes: 64 * 1024, closeGraceMs: 120_000 });
    try {
      const s = await seedSpec(server);
      const post = poster(s);
      const fast = await openSse(url(s), s.owner.headers);
      const slow = await openSse(url(s), s.owner.headers);
      slow.pause();
      // ~9 MB: more than the kernel buffers of one loopback connection plus the 64 KiB limit.
      for (let i = 0; i < 12; i++) await post(5, 150 * 1024);
      await fast.until(() => fast.events.length === 60);
      expect(fast.ids).toEqual(range(1, 60));
      expect(fast.closed).toBeUndefined();
      slow.resume();
      await slow.until(() => slow.ended);
      expect(slow.closed?.reason).toBe('slow_consumer');
      const resumeAfter = slow.closed!.resume_after;
      expect(resumeAfter).toBeLessThan(60);
      expect(slow.ids).toEqual(range(1, resumeAfter));
      Object.assign(hub.limits, saved);
      const again = await openSse(url(s), { ...s.owner.headers, 'last-event-id': String(resumeAfter) });
      await again.until(() => again.ids.includes(60));
      expect(again.ids).toEqual(range(resumeAfter + 1, 60));
      again.close();
      fast.close();
    } finally {
      Object.assign(hub.limits, saved);
    }
  });
});

describe.each(BACKENDS)('SSE shutdown on %s', (backend) => {
  it('closes open streams with stream_closed (shutting_down) when the app closes', async () => {
    const server = await createTestServer(backend, { listen: true });
    let closed = false;
    try {
      const s = await seedSpec(server);
      await postEvents(server, s.sandbox, { events: [eventFactory(s.specId)('spec.progress', progress('one'))] });
      const client = await openSse(`${server.baseUrl}/api/v1/specs/${s.specId}/events/stream`, s.owner.headers);
      await client.until(() => client.events.length === 1);
      await server.close();
      closed = true;
      await client.until(() => client.ended);
      expect(client.closed).toEqual({ reason: 'shutting_down', detail: expect.any(String) as string, resume_after: 1 });
      expect(getStreamHub(server.context)?.feedCount).toBe(0);
    } finally {
      if (!closed) await server.close();
    }
  });
});
