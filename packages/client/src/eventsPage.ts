/** Stored spec events read page by page (`GET {baseUrl}/specs/{id}/events`), and polling built on it. */
import { EventsPage } from '@specline/protocol';
import type { StoredEvent } from '@specline/protocol';
import { authHeaders, specEventsUrl } from './eventsConnection';
import type { StreamConnectionOptions } from './eventsConnection';

export interface FetchEventsPageOptions extends StreamConnectionOptions {
  after?: number;
  before?: number;
  order?: 'asc' | 'desc';
  limit?: number;
  eventTypes?: readonly string[];
  phase?: string;
  failuresOnly?: boolean;
  signal?: AbortSignal;
}

/** One page of `GET {baseUrl}/specs/{id}/events`, validated with protocol `EventsPage`. */
export async function fetchSpecEventsPage(options: FetchEventsPageOptions): Promise<EventsPage> {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const params = new URLSearchParams();
  params.set('order', options.order ?? 'desc');
  params.set('limit', String(options.limit ?? 200));
  if (options.after !== undefined) params.set('after', String(options.after));
  if (options.before !== undefined) params.set('before', String(options.before));
  if (options.phase) params.set('phase', options.phase);
  if (options.failuresOnly) params.set('failures_only', 'true');
  for (const type of options.eventTypes ?? []) params.append('event_types', type);
  const url = `${specEventsUrl(options.baseUrl, options.specId)}?${params.toString()}`;
  const response = await doFetch(url, {
    headers: { accept: 'application/json', ...(await authHeaders(options)) },
    credentials: options.credentials ?? 'include',
    signal: options.signal,
  });
  if (!response.ok) {
    let detail = '';
    try {
      const body = (await response.json()) as { detail?: unknown };
      if (typeof body.detail === 'string') detail = `: ${body.detail}`;
    } catch {
      // not JSON: the status says enough
    }
    throw new Error(`GET ${url} answered HTTP ${response.status}${detail}`);
  }
  const parsed = EventsPage.safeParse(await response.json());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new Error(`GET ${url}: unexpected events page at ${issue?.path.join('.') || '(root)'}: ${issue?.message ?? 'invalid'}`);
  }
  return parsed.data;
}

export interface PollSpecEventsOptions extends StreamConnectionOptions {
  /** Cursor: only events with a `spec_seq` above it. */
  after: number;
  /** Page size (default 500). */
  limit?: number;
  /** Stop after this many pages in one poll (default 20); the returned cursor lets the next poll go on. */
  maxPages?: number;
  signal?: AbortSignal;
}

export interface PollResult {
  /** New events in ascending `spec_seq`, none at or below the given cursor. */
  events: StoredEvent[];
  /** Cursor for the next poll: the highest `spec_seq` seen (or the given one). */
  after: number;
  /** Highest `spec_seq` the server had when the last page was read. */
  lastSpecSeq: number;
}

/** Polling fallback: pages `GET …/events?order=asc&after=<cursor>` until caught up (or `maxPages`). */
export async function pollSpecEvents(options: PollSpecEventsOptions): Promise<PollResult> {
  let cursor = options.after;
  let lastSpecSeq = cursor;
  const events: StoredEvent[] = [];
  const maxPages = options.maxPages ?? 20;
  for (let page = 0; page < maxPages; page++) {
    const result = await fetchSpecEventsPage({ ...options, order: 'asc', after: cursor, limit: options.limit ?? 500 });
    lastSpecSeq = Math.max(lastSpecSeq, result.last_spec_seq);
    for (const event of result.events) {
      if (event.spec_seq <= cursor) continue;
      events.push(event);
      cursor = event.spec_seq;
    }
    if (!result.has_more || result.events.length === 0) break;
  }
  return { events, after: cursor, lastSpecSeq };
}
