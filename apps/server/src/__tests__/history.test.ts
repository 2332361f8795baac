/**
 * History reads (issue 14): the events page is built in SQL and sent as it is, so these tests are where
 * its answers are validated. Every answer is parsed with the protocol's `EventsPage` (strictly: no
 * field more or less), each DTO is compared with `toStoredEvent` of the drizzle row, deep `offset`s
 * (now a seek on `spec_seq`) are compared with the plain definition of offset paging, and the filtered
 * count is exact up to `EVENTS_TOTAL_COUNT_CAP`, then capped with `total_count_exact: false`.
 */
import type { StoredEvent } from '@specline/protocol';
import { EVENTS_TOTAL_COUNT_CAP, EventsPage } from '@specline/protocol';
import { asc, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listSpecEvents, readEventsAfter, toStoredEvent } from '../services/events';
import { sandboxEvents, specs } from '../store/schema';
import { BACKENDS, createTestServer, type TestServer } from './harness';
import { eventFactory, postEvents, range, seedSpec, seedUser, type SeededSpec } from './ingestHarness';

const StrictPage = EventsPage.extend({ events: EventsPage.shape.events.element.strict().array() }).strict();
const TOTAL = 240;
/** Type of the i-th event (1-based): 10% `agent.tool_use`, 2.5% `agent.rare`, the rest `spec.progress`. */
const typeOf = (i: number) => (i % 40 === 0 ? 'agent.rare' : i % 10 === 0 ? 'agent.tool_use' : 'spec.progress');

describe.each(BACKENDS)('history reads on %s', (backend) => {
  let server: TestServer;
  let s: SeededSpec;
  let all: StoredEvent[];

  beforeAll(async () => {
    server = await createTestServer(backend);
    s = await seedSpec(server);
    const e = eventFactory(s.specId);
    const events = range(1, TOTAL).map((i) =>
      e(typeOf(i), { message: `step ${i} — “quoted” \\ back\u00e9 \n line`, n: i, nested: { list: [1, 2.5, null, true], deep: { i } } }, i % 3 === 0 ? 'explore' : null),
    );
    for (let i = 0; i < events.length; i += 100) {
      const res = await postEvents(server, s.sandbox, { events: events.slice(i, i + 100) });
      expect(res.statusCode, res.body).toBe(200);
    }
    const rows = await server.context.db.select().from(sandboxEvents).where(eq(sandboxEvents.specId, s.specId)).orderBy(asc(sandboxEvents.specSeq));
    all = rows.map(toStoredEvent);
    expect(all.map((x) => x.spec_seq)).toEqual(range(1, TOTAL));
  });
  afterAll(async () => {
    await server.close();
  });

  const get = (specId: string, query: string, headers: Record<string, string> = s.owner.headers) =>
    server.app.inject({ method: 'GET', url: `/api/v1/specs/${specId}/events${query}`, headers });
  const page = async (query: string, specId = s.specId) => {
    const res = await get(specId, query);
    expect(res.statusCode, res.body).toBe(200);
    expect(res.headers['content-type']).toMatch(/^application\/json/);
    return StrictPage.parse(res.json());
  };
  const seqs = (events: readonly StoredEvent[]) => events.map((x) => x.spec_seq);

  it('serves every event exactly as the reference mapping of its row, in a page the protocol schema accepts', async () => {
    const p = await page(`?order=asc&limit=1000`);
    expect(p.events).toEqual(all);
    expect(p).toMatchObject({ total_count: TOTAL, total_count_exact: true, has_more: false, next_cursor: null, last_spec_seq: TOTAL });
    const newest = await page('');
    expect(newest.events).toEqual(all.slice(-100).reverse());
    expect(newest).toMatchObject({ total_count: TOTAL, has_more: true, next_cursor: TOTAL - 99 });
  });

  it('keeps odd stored values as the mapping does: unknown phase → null, unknown source → agent, microseconds truncated', async () => {
    const other = await seedSpec(server, s.owner);
    await server.context.db.execute(sql`
      insert into sandbox_events (spec_id, spec_seq, sandbox_id, event_id, seq, event_type, phase, data, source, emitted_at, received_at)
      values (${other.specId}, 1, ${other.sandbox.sandboxId}, 'odd-1', null, 'legacy.thing', 'lunch', '{"a":{"b":[]},"k":"v"}'::jsonb, 'robot',
              '2026-12-01 12:00:00.123999+00', '1999-12-31 23:59:59.999999+00'),
             (${other.specId}, 2, ${other.sandbox.sandboxId}, 'odd-2', 7, 'legacy.thing', 'design', '{}'::jsonb, 'worker',
              '2026-12-01 12:00:00+00', '2026-12-01 12:00:00.0005+00')`);
    await server.context.db.update(specs).set({ lastSpecSeq: 2 }).where(eq(specs.id, other.specId));
    const rows = await server.context.db.select().from(sandboxEvents).where(eq(sandboxEvents.specId, other.specId)).orderBy(asc(sandboxEvents.specSeq));
    const expected = rows.map(toStoredEvent);
    expect(expected[0]).toMatchObject({ phase: null, source: 'agent', seq: null, emitted_at: '2026-12-01T12:00:00.123Z', created_at: '1999-12-31T23:59:59.999Z' });
    expect((await page('?order=asc', other.specId)).events).toEqual(expected);
    expect(await readEventsAfter(server.context.db, other.specId, 0, 10)).toEqual(expected);
  });

  it('gives the streams the same DTOs (readEventsAfter), from any cursor and with any limit', async () => {
    expect(await readEventsAfter(server.context.db, s.specId, 0, 1000)).toEqual(all);
    expect(await readEventsAfter(server.context.db, s.specId, 17, 5)).toEqual(all.slice(17, 22));
    expect(await readEventsAfter(server.context.db, s.specId, TOTAL, 5)).toEqual([]);
  });

  it('answers any offset, in either order and inside after/before windows, as offset paging over the whole list does', async () => {
    const reference = (order: 'asc' | 'desc', offset: number, limit: number, after?: number, before?: number) => {
      const windowed = all.filter((x) => (after === undefined || x.spec_seq > after) && (before === undefined || x.spec_seq < before));
      const ordered = order === 'asc' ? windowed : [...windowed].reverse();
      const rows = ordered.slice(offset, offset + limit);
      const hasMore = ordered.length > offset + limit;
      return { rows, hasMore, cursor: hasMore ? (rows[rows.length - 1]?.spec_seq ?? null) : null };
    };
    const offsets = [0, 1, 7, 99, 100, 150, 239, 240, 241, 100_000, Number.MAX_SAFE_INTEGER];
    const windows: [number | undefined, number | undefined][] = [
      [undefined, undefined],
      [50, undefined],
      [undefined, 200],
      [50, 200],
      [300, undefined],
      [undefined, 1],
      [undefined, 100_000],
    ];
    for (const order of ['asc', 'desc'] as const) {
      for (const [after, before] of windows) {
        for (const offset of offsets) {
          const limit = offset % 2 ? 10 : 100;
          const q = `?order=${order}&limit=${limit}&offset=${offset}${after === undefined ? '' : `&after=${after}`}${before === undefined ? '' : `&before=${before}`}`;
          const p = await page(q);
          const want = reference(order, offset, limit, after, before);
          expect([q, seqs(p.events), p.has_more, p.next_cursor]).toEqual([q, seqs(want.rows), want.hasMore, want.cursor]);
          expect([q, p.total_count, p.last_spec_seq]).toEqual([q, TOTAL, TOTAL]);
        }
      }
    }
    // The original client: newest first, limit 100, `offset`, one `event_type`.
    const original = await page('?limit=100&offset=100');
    expect(original.events).toEqual(all.slice(-200, -100).reverse());
  });

  it('pages a type filter by offset (the original client) and by cursor, counting the filtered set exactly below the cap', async () => {
    const tools = all.filter((x) => x.event_type === 'agent.tool_use').reverse();
    const byOffset = await page('?event_type=agent.tool_use&limit=5&offset=10');
    expect(seqs(byOffset.events)).toEqual(seqs(tools.slice(10, 15)));
    expect(byOffset).toMatchObject({ total_count: tools.length, total_count_exact: true, has_more: true, next_cursor: tools[14]!.spec_seq });
    const byCursor = await page(`?event_types=agent.tool_use&limit=5&before=${byOffset.next_cursor}`);
    expect(seqs(byCursor.events)).toEqual(seqs(tools.slice(15, 20)));
    const past = await page('?event_type=agent.tool_use&offset=1000');
    expect(past).toMatchObject({ events: [], total_count: tools.length, has_more: false, next_cursor: null });
    const two = await page('?event_types=agent.tool_use,agent.rare&order=asc&offset=3&limit=4');
    const both = all.filter((x) => x.event_type !== 'spec.progress');
    expect(seqs(two.events)).toEqual(seqs(both.slice(3, 7)));
    expect(two.total_count).toBe(both.length);
    const phase = await page('?phase=explore&order=asc&offset=2&limit=3');
    expect(seqs(phase.events)).toEqual([9, 12, 15]);
    expect(phase.total_count).toBe(TOTAL / 3);
  });

  it('caps the filtered count at EVENTS_TOTAL_COUNT_CAP with total_count_exact false (exact at the cap, capped one past it); the unfiltered count stays exact', async () => {
    const big = await seedSpec(server, s.owner);
    const cap = EVENTS_TOTAL_COUNT_CAP;
    expect(cap % 100).toBe(0);
    // g % 100 = 0: `agent.rare`. The others up to `edgeTop`: `agent.edge`, exactly cap + 1 of them, and the first
    // cap of those (up to `edgeTop - 1`) in phase `explore`. The 9 after `edgeTop`: `spec.progress`.
    const edgeTop = cap + cap / 100 + 1;
    const n = edgeTop + 9;
    await server.context.db.execute(sql`
      insert into sandbox_events (spec_id, spec_seq, sandbox_id, event_id, seq, event_type, phase, data, source, emitted_at)
      select ${big.specId}, g, ${big.sandbox.sandboxId}, 'bulk-' || g, g,
             case when g % 100 = 0 then 'agent.rare' when g <= ${edgeTop} then 'agent.edge' else 'spec.progress' end,
             case when g % 100 <> 0 and g < ${edgeTop} then 'explore' end,
             jsonb_build_object('message', 'step ' || g), 'agent', now()
        from generate_series(1, ${n}) g`);
    await server.context.db.update(specs).set({ lastSpecSeq: n }).where(eq(specs.id, big.specId));
    const onePast = await page('?event_type=agent.edge&limit=3', big.specId);
    expect(onePast).toMatchObject({ total_count: cap, total_count_exact: false, has_more: true, last_spec_seq: n });
    expect(seqs(onePast.events)).toEqual([edgeTop, edgeTop - 1, edgeTop - 2]);
    const atCap = await page('?phase=explore&limit=2&order=asc', big.specId);
    expect(atCap).toMatchObject({ total_count: cap, total_count_exact: true, has_more: true });
    expect(seqs(atCap.events)).toEqual([1, 2]);
    const several = await page('?event_types=agent.edge,agent.rare&limit=1', big.specId);
    expect(several).toMatchObject({ total_count: cap, total_count_exact: false, has_more: true });
    const rare = await page('?event_type=agent.rare', big.specId);
    expect(rare).toMatchObject({ total_count: Math.floor(n / 100), total_count_exact: true, has_more: false });
    const rest = await page('?event_type=spec.progress', big.specId);
    expect(rest).toMatchObject({ total_count: n - edgeTop - (Math.floor(n / 100) - Math.floor(edgeTop / 100)), total_count_exact: true, has_more: false });
    const unfiltered = await page(`?limit=1&offset=${cap}`, big.specId);
    expect(unfiltered).toMatchObject({ total_count: n, total_count_exact: true, has_more: true });
    expect(seqs(unfiltered.events)).toEqual([n - cap]);
  });

  it('answers a non-member, whatever the query, 404 not_found and nothing else', async () => {
    const stranger = await seedUser(server, 'stranger');
    for (const query of ['', '?offset=5', '?event_type=spec.progress&offset=3', '?order=asc&after=3']) {
      const res = await get(s.specId, query, stranger.headers);
      expect([query, res.statusCode, res.json<{ code: string }>().code]).toEqual([query, 404, 'not_found']);
    }
    const missing = await get('spec-nope', '?offset=5');
    expect([missing.statusCode, missing.json<{ code: string }>().code]).toEqual([404, 'not_found']);
  });

  it('answers the same inside a transaction (drizzle execute) as on the database (the driver, pg named statements), repeatedly', async () => {
    const user = s.owner.id;
    const queries = [
      { limit: 7, offset: 0, order: 'desc' as const },
      { limit: 5, offset: 3, order: 'asc' as const, event_types: 'spec.progress' },
      { limit: 4, offset: 0, order: 'desc' as const, before: 100, phase: 'explore' as const },
    ];
    for (const q of queries) {
      const direct = [];
      for (let i = 0; i < 12; i++) direct.push(await listSpecEvents(server.context.db, s.specId, user, q)); // past pg's 5 custom plans
      const inTx = await server.context.db.transaction((tx) => listSpecEvents(tx, s.specId, user, q));
      for (const d of direct) expect(d).toEqual(inTx);
      expect(StrictPage.parse(inTx).events.length).toBe(q.limit);
    }
  });
});
