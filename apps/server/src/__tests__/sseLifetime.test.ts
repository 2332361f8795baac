import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../config';
import { BACKENDS, createTestServer, type TestServer } from './harness';
import { eventFactory, postEvents, range, seedSpec } from './ingestHarness';
import { openSse } from './streamHarness';

/** `SSE_MAX_STREAM_SECONDS`: the server closes a stream at its lifetime and the client resumes without a gap. */
describe.each(BACKENDS)('SSE stream lifetime on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer(backend, { listen: true, config: { streams: { ...loadConfig({}).streams, maxStreamSeconds: 0.3 } } });
  });
  afterAll(async () => {
    await server.close();
  });

  it('closes the stream with max_duration and its resume point; resuming from it loses and repeats nothing', async () => {
    const s = await seedSpec(server);
    const event = eventFactory(s.specId);
    const post = async (from: number, to: number) => {
      const res = await postEvents(server, s.sandbox, { events: range(from, to).map((i) => event('spec.progress', { message: `m${i}` })) });
      expect(res.statusCode, res.body).toBe(200);
    };
    const url = `${server.baseUrl}/api/v1/specs/${s.specId}/events/stream`;
    await post(1, 4);
    const first = await openSse(url, s.owner.headers);
    await first.until(() => first.events.length === 4);
    await first.until(() => first.ended);
    expect(first.closed).toMatchObject({ reason: 'max_duration', resume_after: 4 });

    await post(5, 9);
    const second = await openSse(url, { ...s.owner.headers, 'last-event-id': String(first.closed!.resume_after) });
    await second.until(() => second.events.length === 5);
    expect([...first.ids, ...second.ids]).toEqual(range(1, 9));
    second.close();
  });
});
