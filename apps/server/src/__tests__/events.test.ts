import { EventsPage, type StoredEvent } from '@specline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BACKENDS, createTestServer, type TestServer } from './harness';
import { eventFactory, postEvents, range, seedSpec, seedUser, type SeededSpec } from './ingestHarness';

describe.each(BACKENDS)('reading events on %s', (backend) => {
  let server: TestServer;
  let s: SeededSpec;
  beforeAll(async () => {
    server = await createTestServer(backend);
    s = await seedSpec(server);
    const e = eventFactory(s.specId);
    const events = [
      e('spec.execution_started', { title: 't', description: 'd', phases: ['explore', 'requirements'] }),
      e('spec.phase_started', { phase: 'explore', attempt: 1 }, 'explore'),
      ...range(1, 20).map((i) => e('spec.progress', { message: `step ${i}` }, 'explore')),
      e('spec.phase_retry', { phase: 'explore', retry_count: 1, max_retries: 3, reason: 'evaluation_failed' }, 'explore'),
      e('spec.phase_completed', { phase: 'explore', eval_score: 0.9, duration_seconds: 1, retry_count: 1, phase_output: {} }, 'explore'),
      e('spec.phase_started', { phase: 'requirements', attempt: 1 }, 'requirements'),
      e('spec.phase_failed', { phase: 'requirements', reason: 'timeout', retry_count: 0 }, 'requirements'),
      e('spec.execution_failed', { failed_phase: 'requirements', error: 'timeout' }),
      e('agent.completed', { spec_id: s.specId, success: false, phase_data: {} }),
    ];
    const res = await postEvents(server, s.sandbox, { events });
    expect(res.statusCode, res.body).toBe(200);
  });
  afterAll(async () => {
    await server.close();
  });

  const get = async (query = '', headers: Record<string, string> = s.owner.headers) => {
    const res = await server.app.inject({ method: 'GET', url: `/api/v1/specs/${s.specId}/events${query}`, headers });
    return res;
  };
  const page = async (query = '') => {
    const res = await get(query);
    expect(res.statusCode, res.body).toBe(200);
    return EventsPage.parse(res.json());
  };
  const seqs = (events: StoredEvent[]) => events.map((e) => e.spec_seq);

  it('answers the newest first by default, with totals and a cursor', async () => {
    const p = await page('?limit=5');
    expect(seqs(p.events)).toEqual([28, 27, 26, 25, 24]);
    expect(p).toMatchObject({ spec_id: s.specId, total_count: 28, has_more: true, next_cursor: 24, last_spec_seq: 28 });
    const next = await page(`?limit=5&before=${p.next_cursor}`);
    expect(seqs(next.events)).toEqual([23, 22, 21, 20, 19]);
  });

  it('pages forward with `after` until has_more is false, with every event exactly once', async () => {
    const all: number[] = [];
    let after = 0;
    for (;;) {
      const p = await page(`?order=asc&limit=10&after=${after}`);
      all.push(...seqs(p.events));
      if (!p.has_more) {
        expect(p.next_cursor).toBeNull();
        break;
      }
      after = p.next_cursor!;
    }
    expect(all).toEqual(range(1, 28));
  });

  it('serves the stored event DTO: event_data, emitted and received times, producer seq', async () => {
    const p = await page('?order=asc&limit=1');
    expect(p.events[0]).toMatchObject({ spec_seq: 1, seq: 1, event_type: 'spec.execution_started', sandbox_id: s.sandbox.sandboxId, source: 'agent', event_data: { title: 't' } });
    expect(Date.parse(p.events[0]!.created_at)).toBeGreaterThanOrEqual(Date.parse(p.events[0]!.emitted_at));
  });

  it('filters by repeatable event_types, by phase and by failures_only, counting the filtered set', async () => {
    const types = await page('?event_types=spec.phase_started&event_types=spec.phase_completed&order=asc');
    expect(types.events.map((e) => e.event_type)).toEqual(['spec.phase_started', 'spec.phase_completed', 'spec.phase_started']);
    expect(types.total_count).toBe(3);
    const phase = await page('?phase=requirements&order=asc');
    expect(phase.events.map((e) => e.event_type)).toEqual(['spec.phase_started', 'spec.phase_failed']);
    const failures = await page('?failures_only=true&order=asc');
    expect(failures.events.map((e) => e.event_type)).toEqual(['spec.phase_retry', 'spec.phase_failed', 'spec.execution_failed', 'agent.completed']);
    expect(failures).toMatchObject({ total_count: 4, has_more: false, last_spec_seq: 28 });
    const windowed = await page('?failures_only=true&order=asc&after=24&limit=1');
    expect(seqs(windowed.events)).toEqual([26]);
    expect(windowed).toMatchObject({ total_count: 4, has_more: true, next_cursor: 26 });
  });

  it('refuses strangers (404), anonymous callers (401) and bad queries (422)', async () => {
    const stranger = await seedUser(server, 'stranger');
    const asStranger = await get('', stranger.headers);
    expect([asStranger.statusCode, asStranger.json<{ code: string }>().code]).toEqual([404, 'not_found']);
    const anonymous = await get('', {});
    expect([anonymous.statusCode, anonymous.json<{ code: string }>().code]).toEqual([401, 'unauthorized']);
    for (const query of ['?limit=0', '?order=sideways', '?after=-1', '?phase=lunch', '?failures_only=yes']) {
      const res = await get(query);
      expect([query, res.statusCode, res.json<{ code: string }>().code]).toEqual([query, 422, 'validation_failed']);
    }
    const unknown = await server.app.inject({ method: 'GET', url: '/api/v1/specs/spec-nope/events', headers: s.owner.headers });
    expect(unknown.statusCode).toBe(404);
  });
});
