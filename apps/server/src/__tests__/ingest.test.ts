import { EVENT_LIMITS, type IngestResponse, type SpecEvent } from '@specline/protocol';
import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sandboxEvents, sandboxes } from '../store/schema';
import { BACKENDS, createTestServer, type TestServer } from './harness';
import { eventFactory, postEvents, progress, range, seedSandbox, seedSpec, specSeqs, storeSnapshot, type SeededSpec } from './ingestHarness';

describe.each(BACKENDS)('event ingestion on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer(backend, { listen: true });
  });
  afterAll(async () => {
    await server.close();
  });

  const batchOf = (s: SeededSpec, n: number, event = eventFactory(s.specId)) => ({ events: range(1, n).map((i) => event('spec.progress', progress(`step ${i}`))) });

  it('stores a batch with gap-free spec_seq and answers the range', async () => {
    const s = await seedSpec(server);
    const first = await postEvents(server, s.sandbox, batchOf(s, 3));
    expect(first.statusCode).toBe(200);
    const body = first.json<IngestResponse>();
    expect(body).toMatchObject({ status: 'received', sandbox_id: s.sandbox.sandboxId, spec_id: s.specId, stored: 3, duplicates: 0, first_spec_seq: 1, last_spec_seq: 3 });
    expect(body.event_ids).toHaveLength(3);
    const second = await postEvents(server, s.sandbox, batchOf(s, 2));
    expect(second.json<IngestResponse>()).toMatchObject({ stored: 2, first_spec_seq: 4, last_spec_seq: 5 });
    expect(await specSeqs(server, s.specId)).toEqual([1, 2, 3, 4, 5]);
    expect((await storeSnapshot(server, s.specId)).spec?.lastSpecSeq).toBe(5);
  });

  it('acknowledges a re-POSTed batch as duplicates and stores nothing new', async () => {
    const s = await seedSpec(server);
    const batch = batchOf(s, 4);
    const first = (await postEvents(server, s.sandbox, batch)).json<IngestResponse>();
    const before = await storeSnapshot(server, s.specId);
    const again = await postEvents(server, s.sandbox, batch);
    expect(again.statusCode).toBe(200);
    expect(again.json<IngestResponse>()).toMatchObject({ stored: 0, duplicates: 4, first_spec_seq: null, last_spec_seq: null, event_ids: first.event_ids });
    const after = await storeSnapshot(server, s.specId);
    expect(after.events).toBe(4);
    expect(after.spec?.lastSpecSeq).toBe(before.spec?.lastSpecSeq);
  });

  it('stores the new events of a partly duplicated batch, and a repeat inside one batch once', async () => {
    const s = await seedSpec(server);
    const event = eventFactory(s.specId);
    const a = event('spec.progress', progress('a'));
    const b = event('spec.progress', progress('b'));
    await postEvents(server, s.sandbox, { events: [a] });
    const res = (await postEvents(server, s.sandbox, { events: [a, b, b] })).json<IngestResponse>();
    expect(res).toMatchObject({ stored: 1, duplicates: 2, first_spec_seq: 2, last_spec_seq: 2 });
    expect(res.event_ids[1]).toBe(res.event_ids[2]);
    expect(await specSeqs(server, s.specId)).toEqual([1, 2]);
  });

  it('gives each spec a gap-free sequence under real concurrency (two sandboxes, many parallel batches over HTTP)', async () => {
    const [x, y] = [await seedSpec(server), await seedSpec(server)];
    const post = (s: SeededSpec, body: unknown) =>
      fetch(`${server.baseUrl}/api/v1/sandboxes/${s.sandbox.sandboxId}/events`, {
        method: 'POST',
        headers: { ...s.sandbox.headers, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    const batchesX = range(1, 12).map(() => batchOf(x, 25));
    const batchesY = range(1, 12).map(() => batchOf(y, 25));
    // Each batch is also sent twice at once, as a retry racing its original would be.
    const all = [...batchesX.flatMap((b) => [post(x, b), post(x, b)]), ...batchesY.flatMap((b) => [post(y, b), post(y, b)])];
    const responses = await Promise.all(all);
    expect(responses.map((r) => r.status)).toEqual(all.map(() => 200));
    const bodies = await Promise.all(responses.map((r) => r.json() as Promise<IngestResponse>));
    expect(bodies.reduce((n, b) => n + b.stored, 0)).toBe(600);
    expect(bodies.reduce((n, b) => n + b.duplicates, 0)).toBe(600);
    expect(await specSeqs(server, x.specId)).toEqual(range(1, 300));
    expect(await specSeqs(server, y.specId)).toEqual(range(1, 300));
    // Every stored batch holds a contiguous range, in body order.
    for (const b of bodies.filter((r) => r.stored)) expect(b.last_spec_seq! - b.first_spec_seq! + 1).toBe(25);
  });

  it('refuses a batch with an invalid event in the middle: 422 names index and path, nothing stored', async () => {
    const s = await seedSpec(server);
    const event = eventFactory(s.specId);
    const events: unknown[] = [event('spec.progress', progress('ok')), event('spec.phase_started', { phase: 'nope', attempt: 1 }), event('spec.progress', progress('ok'))];
    (events[2] as Record<string, unknown>)['timestamp'] = 'yesterday';
    const before = await storeSnapshot(server, s.specId);
    const res = await postEvents(server, s.sandbox, { events });
    expect(res.statusCode).toBe(422);
    const body = res.json<{ code: string; detail: string; errors: { index: number; path: string }[] }>();
    expect(body.code).toBe('validation_failed');
    expect(body.detail).toMatch(/nothing was stored/);
    expect(body.errors.map((e) => [e.index, e.path])).toEqual([
      [1, 'events[1].data.phase'],
      [2, 'events[2].timestamp'],
    ]);
    expect(await storeSnapshot(server, s.specId)).toEqual(before);
  });

  it('answers malformed bodies with a code and detail and changes nothing', async () => {
    const s = await seedSpec(server);
    const before = await storeSnapshot(server, s.specId);
    const url = `/api/v1/sandboxes/${s.sandbox.sandboxId}/events`;
    const headers = { ...s.sandbox.headers, 'content-type': 'application/json' };
    const cases: { payload: string; status: number; code: string }[] = [
      { payload: '{"events": [', status: 400, code: 'invalid_json' },
      { payload: '{"events": "many"}', status: 422, code: 'validation_failed' },
      { payload: '{"events": []}', status: 422, code: 'validation_failed' },
      { payload: '[1, 2]', status: 422, code: 'validation_failed' },
      { payload: JSON.stringify({ events: range(1, 501).map(() => eventFactory(s.specId)('spec.progress', progress('x'))) }), status: 422, code: 'validation_failed' },
      { payload: JSON.stringify({ event_type: 'spec.progress', data: { message: 'nul \u0000 here' } }), status: 422, code: 'validation_failed' },
      { payload: JSON.stringify({ ...eventFactory(s.specId)('spec.progress', progress('x')), seq: 'one' }), status: 422, code: 'validation_failed' },
    ];
    for (const c of cases) {
      const res = await server.app.inject({ method: 'POST', url, headers, payload: c.payload });
      expect({ status: res.statusCode, code: res.json<{ code: string }>().code }).toEqual({ status: c.status, code: c.code });
      expect(res.json<{ detail: string }>().detail.length).toBeGreaterThan(5);
    }
    const text = await server.app.inject({ method: 'POST', url, headers: { ...s.sandbox.headers, 'content-type': 'text/plain' }, payload: 'hello' });
    expect([text.statusCode, text.json<{ code: string }>().code]).toEqual([415, 'unsupported_media_type']);
    expect(await storeSnapshot(server, s.specId)).toEqual(before);
  });

  it('refuses oversized payloads with 413 and changes nothing', async () => {
    const s = await seedSpec(server);
    const event = eventFactory(s.specId);
    const before = await storeSnapshot(server, s.specId);
    const big = 'x'.repeat(EVENT_LIMITS.maxEventBytes);
    const single = await postEvents(server, s.sandbox, event('spec.progress', progress(big)));
    expect([single.statusCode, single.json<{ code: string }>().code]).toEqual([413, 'payload_too_large']);
    const inBatch = await postEvents(server, s.sandbox, { events: [event('spec.progress', progress('fine')), event('spec.progress', progress(big))] });
    expect(inBatch.statusCode).toBe(413);
    expect(inBatch.json<{ errors: { index: number; path: string }[] }>().errors).toEqual([expect.objectContaining({ index: 1, path: 'events[1]' })]);
    const chunk = 'y'.repeat(200 * 1024);
    const huge = await postEvents(server, s.sandbox, { events: range(1, 22).map(() => event('spec.progress', progress(chunk))) });
    expect([huge.statusCode, huge.json<{ code: string }>().code]).toEqual([413, 'payload_too_large']);
    expect(await storeSnapshot(server, s.specId)).toEqual(before);
  });

  it('authenticates by sandbox token: missing/unknown → 401, revoked → 401, another sandbox → 403, another spec in the body → 403', async () => {
    const s = await seedSpec(server);
    const other = await seedSpec(server);
    const event = eventFactory(s.specId);
    const before = await storeSnapshot(server, s.specId);
    const url = `/api/v1/sandboxes/${s.sandbox.sandboxId}/events`;
    const payload = { events: [event('spec.progress', progress('x'))] };
    const codeOf = async (headers: Record<string, string>, body: unknown = payload, path = url) => {
      const res = await server.app.inject({ method: 'POST', url: path, headers, payload: body as Record<string, unknown> });
      return [res.statusCode, res.json<{ code: string }>().code];
    };
    expect(await codeOf({})).toEqual([401, 'unauthorized']);
    expect(await codeOf({ authorization: 'Bearer sbx_not-a-token' })).toEqual([401, 'unauthorized']);
    expect(await codeOf(other.sandbox.headers)).toEqual([403, 'forbidden']);
    expect(await codeOf(s.sandbox.headers, payload, `/api/v1/sandboxes/sbx-unknown/events`)).toEqual([403, 'forbidden']);
    const foreign = { events: [event('spec.progress', progress('ok')), eventFactory(other.specId)('spec.progress', progress('x'))] };
    expect(await codeOf(s.sandbox.headers, foreign)).toEqual([403, 'spec_mismatch']);
    const revoked = await seedSandbox(server, s.specId, { current: false });
    await server.context.db.update(sandboxes).set({ revokedAt: new Date() }).where(eq(sandboxes.id, revoked.sandboxId));
    expect(await codeOf(revoked.headers, payload, `/api/v1/sandboxes/${revoked.sandboxId}/events`)).toEqual([401, 'token_revoked']);
    expect(await storeSnapshot(server, s.specId)).toEqual(before);
  });

  it('accepts the plain Event shape and the legacy wire shape, with deterministic ids: a retried body is deduplicated', async () => {
    const s = await seedSpec(server);
    const plain = { event_type: 'spec.phase_started', timestamp: '2026-01-02T03:04:05.000Z', spec_id: s.specId, phase: 'explore', data: { phase: 'explore', attempt: 1 } };
    const legacy = { event_type: 'spec.progress', event_data: { message: 'legacy', spec_id: s.specId, phase: 'explore' }, source: 'worker' };
    const unknownType = { event_type: 'custom.thing_happened', data: { anything: [1, 2] } };
    const heartbeat = { event_type: 'spec.heartbeat', event_data: { phases_completed: 1, current_phase: 'explore', spec_id: s.specId } };
    const res = await postEvents(server, s.sandbox, { events: [plain, legacy, unknownType, heartbeat] });
    expect(res.statusCode).toBe(200);
    expect(res.json<IngestResponse>()).toMatchObject({ stored: 4, duplicates: 0 });
    // The same body again (a retry): duplicates, except the heartbeat and the progress line, which always get fresh ids.
    const retry = await postEvents(server, s.sandbox, { events: [plain, legacy, unknownType, heartbeat] });
    expect(retry.json<IngestResponse>()).toMatchObject({ stored: 2, duplicates: 2, first_spec_seq: 5 });
    // The plain event alone sits at another position in the body: a new event.
    const again = await postEvents(server, s.sandbox, unknownType);
    expect(again.json<IngestResponse>()).toMatchObject({ stored: 1, first_spec_seq: 7 });
    const rows = await server.context.db.select().from(sandboxEvents).where(eq(sandboxEvents.specId, s.specId)).orderBy(sandboxEvents.specSeq);
    expect(rows.map((r) => [r.eventType, r.phase, r.source, r.seq])).toEqual([
      ['spec.phase_started', 'explore', 'agent', null],
      ['spec.progress', 'explore', 'worker', null],
      ['custom.thing_happened', null, 'agent', null],
      ['spec.heartbeat', null, 'agent', null],
      ['spec.progress', 'explore', 'worker', null],
      ['spec.heartbeat', null, 'agent', null],
      ['custom.thing_happened', null, 'agent', null],
    ]);
    expect(rows[0]?.emittedAt.toISOString()).toBe('2026-01-02T03:04:05.000Z');
    expect(rows[1]?.data).toEqual({ message: 'legacy', phase: 'explore' });
    expect(rows[3]?.data).toMatchObject({ phases_completed: ['explore'], phases_completed_count: 1 });
    expect(new Set(rows.map((r) => r.eventId)).size).toBe(7);
  });

  it('publishes {spec_id, last spec_seq} on the bus after commit', async () => {
    const s = await seedSpec(server);
    const got = new Promise<unknown>((resolve) => {
      void server.context.bus.subscribe(s.specId, resolve);
    });
    // Subscribing is asynchronous on Redis: wait for it before publishing.
    await new Promise<void>((resolve) => {
      void server.context.bus.subscribe(s.specId, () => undefined).then(() => resolve());
    });
    await postEvents(server, s.sandbox, batchOf(s, 3));
    expect(await got).toEqual({ spec_id: s.specId, spec_seq: 3 });
  });

  it('stores the exact envelope: producer seq, phase, data, emit and receive times', async () => {
    const s = await seedSpec(server);
    const e: SpecEvent = { ...eventFactory(s.specId)('spec.phase_started', { phase: 'design', attempt: 2 }, 'design'), seq: 41, timestamp: '2026-03-01T10:00:00.000+02:00' };
    const res = (await postEvents(server, s.sandbox, e)).json<IngestResponse>();
    const [row] = await server.context.db.select().from(sandboxEvents).where(eq(sandboxEvents.specId, s.specId));
    expect(row).toMatchObject({ id: Number(res.event_ids[0]), specSeq: 1, eventId: e.event_id, seq: 41, phase: 'design', data: { phase: 'design', attempt: 2 }, sandboxId: s.sandbox.sandboxId });
    expect(row?.emittedAt.toISOString()).toBe('2026-03-01T08:00:00.000Z');
    expect(row!.receivedAt.getTime()).toBeGreaterThan(row!.emittedAt.getTime());
  });
});
