import { StoredEvent } from '@specline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { getStreamHub } from '../streams/hubFor';
import { BACKENDS, createTestServer, type TestServer } from './harness';
import { eventFactory, postEvents, range, seedSpec, seedUser, type SeededSpec } from './ingestHarness';
import { openWs, type WsClient } from './streamHarness';

describe.each(BACKENDS)('WebSocket event stream on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer(backend, { listen: true });
  });
  afterAll(async () => {
    await server.close();
  });

  const wsUrl = (query = '') => `${server.baseUrl.replace(/^http/, 'ws')}/api/v1/ws/events${query}`;
  const poster = (s: SeededSpec) => {
    const event = eventFactory(s.specId);
    return async (n: number, options: { size?: number; type?: string } = {}) => {
      const pad = 'p'.repeat(options.size ?? 0);
      const res = await postEvents(server, s.sandbox, {
        events: range(1, n).map((i) => (options.type ? event(options.type, { anything: i }) : event('spec.progress', { message: `m${i}`, ...(options.size ? { pad } : {}) }))),
      });
      expect(res.statusCode, res.body).toBe(200);
    };
  };
  const seqsOf = (client: WsClient, specId: string) => client.ofType('event').filter((m) => m.spec_id === specId).map((m) => m.spec_seq);

  it('closes an unauthenticated socket with 4401 after an error message', async () => {
    const anonymous = await openWs(wsUrl());
    await anonymous.until(() => anonymous.closeCode !== undefined);
    expect(anonymous.closeCode).toBe(4401);
    expect(anonymous.ofType('error')).toEqual([expect.objectContaining({ v: 1, code: 'unauthorized' })]);
    const badToken = await openWs(wsUrl('?token=not-a-jwt'));
    await badToken.until(() => badToken.closeCode !== undefined);
    expect(badToken.closeCode).toBe(4401);
  });

  it('authenticates by Bearer header or ?token=, answers ping, and survives bad JSON and bad messages', async () => {
    const s = await seedSpec(server);
    const client = await openWs(wsUrl(`?token=${s.owner.token}`));
    client.sendRaw('{not json');
    client.send({ v: 1, type: 'subscribe', spec_ids: [] });
    client.send({ v: 1, type: 'ping' });
    await client.until(() => client.ofType('pong').length === 1);
    expect(client.ofType('error').map((e) => e.code)).toEqual(['invalid_json', 'validation_failed']);
    const byHeader = await openWs(wsUrl(), s.owner.headers);
    byHeader.send({ v: 1, type: 'ping' });
    await byHeader.until(() => byHeader.ofType('pong').length === 1);
    client.socket.close();
    byHeader.socket.close();
  });

  it('subscribes only to specs the user can see: a stranger’s spec gets an error and no events', async () => {
    const mine = await seedSpec(server);
    const theirs = await seedSpec(server);
    await poster(theirs)(3);
    await poster(mine)(2);
    const client = await openWs(wsUrl(), mine.owner.headers);
    client.send({ v: 1, type: 'subscribe', spec_ids: [theirs.specId, mine.specId], after: 0 });
    await client.until(() => client.events.length === 2);
    expect(client.ofType('error')).toEqual([expect.objectContaining({ code: 'not_found', detail: expect.stringContaining(theirs.specId) as string })]);
    expect(client.ofType('subscribed')).toEqual([{ v: 1, type: 'subscribed', spec_ids: [mine.specId], after: { [mine.specId]: 0 } }]);
    await poster(theirs)(2);
    await poster(mine)(1);
    await client.until(() => client.events.length === 3);
    expect(client.events.every((e) => e.spec_id === mine.specId)).toBe(true);
    const stranger = await seedUser(server, 'stranger');
    const other = await openWs(wsUrl(), stranger.headers);
    other.send({ v: 1, type: 'subscribe', spec_ids: [mine.specId], after: 0 });
    await other.until(() => other.ofType('error').length === 1);
    other.send({ v: 1, type: 'ping' });
    await other.until(() => other.ofType('pong').length === 1);
    expect(other.ofType('subscribed')).toEqual([]);
    expect(other.events).toEqual([]);
    client.socket.close();
    other.socket.close();
  });

  it('replays from `after`, tails live events with spec_seq on each, filters by type, and unsubscribes', async () => {
    const a = await seedSpec(server);
    const b = await seedSpec(server, a.owner);
    await poster(a)(4);
    await poster(b)(2, { type: 'custom.kind' });
    await poster(b)(1);
    const client = await openWs(wsUrl(), a.owner.headers);
    client.send({ v: 1, type: 'subscribe', spec_ids: [a.specId], after: 1 });
    client.send({ v: 1, type: 'subscribe', spec_ids: [b.specId], after: { [b.specId]: 0 }, event_types: ['custom.kind'] });
    await client.until(() => seqsOf(client, a.specId).length === 3 && seqsOf(client, b.specId).length === 2);
    await poster(a)(2);
    await poster(b)(1, { type: 'custom.kind' });
    await poster(b)(1);
    await client.until(() => seqsOf(client, a.specId).length === 5 && seqsOf(client, b.specId).length === 3);
    expect(seqsOf(client, a.specId)).toEqual([2, 3, 4, 5, 6]);
    expect(seqsOf(client, b.specId)).toEqual([1, 2, 4]);
    for (const m of client.ofType('event')) {
      expect(m.event.spec_seq).toBe(m.spec_seq);
      expect(StoredEvent.safeParse(m.event).success).toBe(true);
    }
    client.send({ v: 1, type: 'unsubscribe', spec_ids: [a.specId] });
    await client.until(() => client.ofType('unsubscribed').length === 1);
    await poster(a)(1);
    await poster(b)(1, { type: 'custom.kind' });
    await client.until(() => seqsOf(client, b.specId).length === 4);
    expect(seqsOf(client, a.specId)).toEqual([2, 3, 4, 5, 6]);
    // Without `after` a subscription gets only new events.
    const fresh = await openWs(wsUrl(), a.owner.headers);
    fresh.send({ v: 1, type: 'subscribe', spec_ids: [a.specId] });
    await fresh.until(() => fresh.ofType('subscribed').length === 1);
    expect(fresh.ofType('subscribed')[0]?.after).toEqual({ [a.specId]: 7 });
    await poster(a)(1);
    await fresh.until(() => fresh.events.length === 1);
    expect(seqsOf(fresh, a.specId)).toEqual([8]);
    client.socket.close();
    fresh.socket.close();
  });

  it('a client that drops mid-run and resubscribes with `after` gets exactly what it missed', async () => {
    const s = await seedSpec(server);
    const post = poster(s);
    await post(6);
    const first = await openWs(wsUrl(), s.owner.headers);
    first.send({ v: 1, type: 'subscribe', spec_ids: [s.specId], after: 0 });
    await first.until(() => first.events.length === 6);
    await post(4);
    await first.until(() => first.events.length === 10);
    first.socket.terminate();
    await post(5);
    const second = await openWs(wsUrl(), s.owner.headers);
    const last = seqsOf(first, s.specId).at(-1)!;
    second.send({ v: 1, type: 'subscribe', spec_ids: [s.specId], after: last });
    await Promise.all([post(3), post(3)]);
    await second.until(() => second.events.length >= 11);
    await post(1);
    await second.until(() => seqsOf(second, s.specId).includes(22));
    expect(seqsOf(first, s.specId)).toEqual(range(1, 10));
    expect(seqsOf(second, s.specId)).toEqual(range(11, 22));
    second.socket.close();
  });

  it('closes a slow consumer with `closing` (slow_consumer, resume_after) and 4408, while a fast one keeps receiving', async () => {
    const hub = getStreamHub(server.context)!;
    const saved = { ...hub.limits };
    Object.assign(hub.limits, { maxBufferedBytes: 64 * 1024, closeGraceMs: 120_000 });
    try {
      const s = await seedSpec(server);
      const post = poster(s);
      const fast = await openWs(wsUrl(), s.owner.headers);
      const slow = await openWs(wsUrl(), s.owner.headers);
      for (const c of [fast, slow]) c.send({ v: 1, type: 'subscribe', spec_ids: [s.specId], after: 0 });
      await Promise.all([fast, slow].map((c) => c.until(() => c.ofType('subscribed').length === 1)));
      slow.socket.pause();
      for (let i = 0; i < 12; i++) await post(5, { size: 150 * 1024 });
      await fast.until(() => fast.events.length === 60);
      expect(seqsOf(fast, s.specId)).toEqual(range(1, 60));
      slow.socket.resume();
      await slow.until(() => slow.closeCode !== undefined);
      expect(slow.closeCode).toBe(4408);
      const closing = slow.ofType('closing');
      expect(closing).toEqual([expect.objectContaining({ reason: 'slow_consumer' })]);
      const resumeAfter = closing[0]!.resume_after[s.specId]!;
      expect(resumeAfter).toBeLessThan(60);
      expect(seqsOf(slow, s.specId)).toEqual(range(1, resumeAfter));
      expect(fast.closeCode).toBeUndefined();
      fast.socket.close();
    } finally {
      Object.assign(hub.limits, saved);
    }
  });
});

describe.each(BACKENDS)('WebSocket shutdown on %s', (backend) => {
  it('sends `closing` (shutting_down) and closes with 1001 when the app closes', async () => {
    const server = await createTestServer(backend, { listen: true });
    let closed = false;
    try {
      const s = await seedSpec(server);
      await postEvents(server, s.sandbox, { events: [eventFactory(s.specId)('spec.progress', { message: 'one' })] });
      const client = await openWs(`${server.baseUrl.replace(/^http/, 'ws')}/api/v1/ws/events`, s.owner.headers);
      client.send({ v: 1, type: 'subscribe', spec_ids: [s.specId], after: 0 });
      await client.until(() => client.events.length === 1);
      await server.close();
      closed = true;
      await client.until(() => client.closeCode !== undefined);
      expect(client.closeCode).toBe(1001);
      expect(client.ofType('closing')).toEqual([{ v: 1, type: 'closing', reason: 'shutting_down', detail: expect.any(String) as string, resume_after: { [s.specId]: 1 } }]);
    } finally {
      if (!closed) await server.close();
    }
  });
});
