import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createManualClock } from '../clock';
import { FakeApi, startFakeServer } from '../reporters/http/fakeServer';
import type { FakeServer } from '../reporters/http/fakeServer';
import type { SinkTask, SinkTicket } from '../types';
import { SyncRequestError, createHttpSink } from './httpSink';

const tickets: SinkTicket[] = [{ local_id: 'TKT-001', title: 'Rate limiter', description: 'd', priority: 'high', requirements: ['REQ-001'] }];
const tasks: SinkTask[] = [
  { local_id: 'TSK-001', ticket_local_id: 'TKT-001', title: 'Token bucket', description: 'd', priority: 'high', estimated_hours: 2, depends_on: [] },
  { local_id: 'TSK-002', ticket_local_id: 'TKT-001', title: 'Retry-After header', description: 'd', priority: 'medium', estimated_hours: 1, depends_on: ['TSK-001'] },
];

let api: FakeApi;
let server: FakeServer;
beforeEach(async () => {
  api = new FakeApi('spec-token');
  server = await startFakeServer(api.handle);
});
afterEach(async () => {
  await server.close();
});

describe('createHttpSink', () => {
  it('POSTs the SyncBody to /api/v1/specs/{id}/sync with the bearer token and maps the answer', async () => {
    const sink = createHttpSink({ callbackUrl: `${server.url}/`, specId: 'spec-9', token: 'spec-token' });
    const result = await sink.createTickets({ tickets, tasks });
    expect(server.requests[0]).toMatchObject({ method: 'POST', path: '/api/v1/specs/spec-9/sync', headers: { authorization: 'Bearer spec-token' } });
    expect(server.requests[0]?.body).toEqual({ tickets, tasks });
    expect(result.tickets).toEqual([{ local_id: 'TKT-001', id: expect.any(String) as unknown, title: 'Rate limiter', created: true }]);
    expect(result.tasks.map((t) => [t.local_id, t.ticket_id === result.tickets[0]?.id, t.created])).toEqual([
      ['TSK-001', true, true],
      ['TSK-002', true, true],
    ]);
    const again = await sink.createTickets({ tickets, tasks });
    expect(again.tickets.map((t) => t.created)).toEqual([false]);
    expect(again.tasks.map((t) => t.id)).toEqual(result.tasks.map((t) => t.id));
  });

  it('retries network errors and 5xx with backoff, then succeeds without duplicates', async () => {
    api.script = [{ destroy: true }, { status: 503 }];
    const clock = createManualClock(0);
    const sink = createHttpSink({ callbackUrl: server.url, specId: 'spec-9', token: 'spec-token', clock, random: () => 1, retry: { baseDelayMs: 100 } });
    const result = await clock.settle(sink.createTickets({ tickets, tasks }));
    expect(server.requests).toHaveLength(3);
    expect(clock.now()).toBe(300);
    expect(result.tasks.every((t) => t.created)).toBe(true);
  });

  it('does not retry a refusal: throws naming the status, code and detail', async () => {
    api.script = [{ status: 403, body: { detail: 'token belongs to another spec', code: 'spec_mismatch' } }];
    const sink = createHttpSink({ callbackUrl: server.url, specId: 'spec-9', token: 'spec-token' });
    const error = await sink.createTickets({ tickets, tasks }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SyncRequestError);
    expect(error).toMatchObject({ status: 403, code: 'spec_mismatch', message: expect.stringContaining('HTTP 403 spec_mismatch: token belongs to another spec') as unknown });
    expect(server.requests).toHaveLength(1);
  });

  it('gives up when the server stays down past the retry limit', async () => {
    api.down = { status: 500 };
    const clock = createManualClock(0);
    const sink = createHttpSink({ callbackUrl: server.url, specId: 'spec-9', token: 'spec-token', clock, random: () => 1, retry: { baseDelayMs: 100, maxRetryDurationMs: 1000 } });
    await expect(clock.settle(sink.createTickets({ tickets, tasks }))).rejects.toThrow(/failed after 4 tries: HTTP 500/);
  });
});
