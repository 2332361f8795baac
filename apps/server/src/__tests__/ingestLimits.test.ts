/**
 * Issue 12, finding 1: anyone without a token could stall a run, because the ingest limit was keyed on
 * the sandbox id in the path and checked before the token. Now the token is checked first: the limit
 * counts per authenticated sandbox, and requests without a valid token count per client address.
 */
import { RATE_LIMITS } from '../http/rateLimits';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, createTestServer, type TestServer } from './harness';
import { eventFactory, postEvents, progress, seedSpec } from './ingestHarness';

describe.each(BACKENDS)('ingest rate limits on %s', (backend) => {
  let server: TestServer;
  beforeAll(async () => {
    server = await createTestServer(backend);
  });
  afterAll(async () => {
    await server.close();
  });

  it('1,250 unauthenticated POSTs to a sandbox’s path (from its own address) do not touch its budget: its next POST is accepted', async () => {
    const s = await seedSpec(server);
    const event = eventFactory(s.specId);
    const url = `/api/v1/sandboxes/${s.sandbox.sandboxId}/events`;
    const codes = new Map<number, number>();
    let retryAfter = 0;
    for (let i = 0; i < 1250; i++) {
      // No token, a made-up one, the sandbox's own path: the attack of the issue.
      const headers = i % 2 ? { authorization: `Bearer sbx_forged${i}` } : {};
      const res = await server.app.inject({ method: 'POST', url, headers, payload: event('spec.progress', progress('flood')) });
      codes.set(res.statusCode, (codes.get(res.statusCode) ?? 0) + 1);
      if (res.statusCode === 429) retryAfter = Number(res.headers['retry-after']);
    }
    console.log(`ingest flood on ${backend}: ${[...codes].map(([code, n]) => `${n} × ${code}`).join(', ')}`);
    expect(codes.get(401)).toBe(RATE_LIMITS.unauthenticatedSandboxPerIp.max);
    expect(codes.get(429)).toBe(1250 - RATE_LIMITS.unauthenticatedSandboxPerIp.max);
    expect(retryAfter).toBeGreaterThan(0);
    const real = await postEvents(server, s.sandbox, { events: [event('spec.progress', progress('still here'))] });
    expect(real.statusCode).toBe(200);
    expect(real.json()).toMatchObject({ stored: 1 });
  });

  it('an authenticated sandbox over its own budget gets 429 with Retry-After; another sandbox is not affected', async () => {
    const busy = await seedSpec(server);
    const quiet = await seedSpec(server);
    // Its budget for this minute, already used up (the counters are the app's own store).
    for (let i = 0; i < RATE_LIMITS.ingestPerSandbox.max; i++) await server.context.rateLimits.store.hit(`sbx:${busy.sandbox.sandboxId}`, RATE_LIMITS.ingestPerSandbox.windowMs);
    const over = await postEvents(server, busy.sandbox, eventFactory(busy.specId)('spec.progress', progress('one too many')));
    expect(over.statusCode).toBe(429);
    expect(over.json()).toMatchObject({ code: 'rate_limited' });
    expect(Number(over.headers['retry-after'])).toBeGreaterThan(0);
    expect((await postEvents(server, quiet.sandbox, eventFactory(quiet.specId)('spec.progress', progress('fine')))).statusCode).toBe(200);
  });
});
