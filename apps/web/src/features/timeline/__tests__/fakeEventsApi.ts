import { isFailureEvent, type EventsPage, type Phase, type StoredEvent } from '@specline/protocol';

/**
 * A fake of the two event routes (`GET /specs/{id}/events` with its query, and the SSE stream), behind a
 * `fetch` function: the seam the client takes. Pages follow the server's rules (order, cursors, filters).
 */
export class FakeEventsApi {
  events: StoredEvent[] = [];
  streamMode: 'open' | 'fail' = 'open';
  readonly requests: { path: string; query: URLSearchParams; lastEventId: string | null }[] = [];
  private readonly streams = new Set<ReadableStreamDefaultController<Uint8Array>>();
  private readonly encoder = new TextEncoder();

  constructor(readonly specId: string) {}

  fetch: typeof fetch = (input, init) => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url, 'http://app.test');
    const headers = new Headers(init?.headers);
    this.requests.push({ path: url.pathname, query: url.searchParams, lastEventId: headers.get('last-event-id') });
    const base = `/api/v1/specs/${this.specId}/events`;
    if (url.pathname === `${base}/stream`) return Promise.resolve(this.stream(Number(url.searchParams.get('after') ?? 0), init?.signal ?? undefined));
    if (url.pathname === base) return Promise.resolve(Response.json(this.page(url.searchParams)));
    return Promise.resolve(Response.json({ detail: `no route ${url.pathname}`, code: 'not_found' }, { status: 404 }));
  };

  page(query: URLSearchParams): EventsPage {
    const types = query.getAll('event_types');
    const phase = query.get('phase') as Phase | null;
    const failures = query.get('failures_only') === 'true';
    const after = query.has('after') ? Number(query.get('after')) : undefined;
    const before = query.has('before') ? Number(query.get('before')) : undefined;
    const limit = Number(query.get('limit') ?? 100);
    const order = query.get('order') ?? 'desc';
    let matching = this.events.filter(
      (e) => (types.length === 0 || types.includes(e.event_type)) && (!phase || e.phase === phase) && (!failures || isFailureEvent(e)),
    );
    const total = matching.length;
    if (after !== undefined) matching = matching.filter((e) => e.spec_seq > after);
    if (before !== undefined) matching = matching.filter((e) => e.spec_seq < before);
    matching.sort((a, b) => (order === 'asc' ? a.spec_seq - b.spec_seq : b.spec_seq - a.spec_seq));
    const events = matching.slice(0, limit);
    return {
      spec_id: this.specId,
      events,
      total_count: total,
      has_more: matching.length > limit,
      next_cursor: events.at(-1)?.spec_seq ?? null,
      last_spec_seq: this.events.reduce((max, e) => Math.max(max, e.spec_seq), 0),
    };
  }

  private stream(after: number, signal: AbortSignal | undefined): Response {
    if (this.streamMode === 'fail') return Response.json({ detail: 'stream unavailable', code: 'unavailable' }, { status: 503 });
    let self: ReadableStreamDefaultController<Uint8Array> | undefined;
    const body = new ReadableStream<Uint8Array>({
      start: (controller) => {
        self = controller;
        this.streams.add(controller);
        for (const event of this.events.filter((e) => e.spec_seq > after)) controller.enqueue(this.encoder.encode(frame(event)));
      },
      cancel: () => {
        if (self) this.streams.delete(self);
      },
    });
    signal?.addEventListener('abort', () => {
      if (!self) return;
      this.streams.delete(self);
      try {
        self.error(new DOMException('aborted', 'AbortError'));
      } catch {
        // already closed
      }
    });
    return new Response(body, { status: 200, headers: { 'content-type': 'text/event-stream' } });
  }

  /** Stores events and pushes them to every open stream (as the server would after commit). */
  emit(...events: StoredEvent[]): void {
    this.events.push(...events);
    for (const controller of this.streams) for (const event of events) controller.enqueue(this.encoder.encode(frame(event)));
  }

  get openStreams(): number {
    return this.streams.size;
  }
}

function frame(event: StoredEvent): string {
  return `id: ${event.spec_seq}\nevent: spec_event\ndata: ${JSON.stringify(event)}\n\n`;
}

let counter = 0;
export function makeEvent(specId: string, seq: number, type: string, data: Record<string, unknown> = {}, phase: Phase | null = null): StoredEvent {
  counter++;
  const time = new Date(Date.UTC(2026, 0, 2, 10, 0, seq % 60)).toISOString();
  return {
    id: `ev-${specId}-${seq}`,
    spec_id: specId,
    spec_seq: seq,
    sandbox_id: 'sb-1',
    event_id: `00000000-0000-4000-8000-${String(counter).padStart(12, '0')}`,
    seq,
    event_type: type,
    phase,
    event_data: data,
    source: 'agent',
    emitted_at: time,
    created_at: time,
  };
}
