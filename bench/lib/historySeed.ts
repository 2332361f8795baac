/**
 * Seeding one spec with a large history for `bench/history.ts`: SQL `INSERT … SELECT generate_series`
 * straight into `sandbox_events` (the harness-only shortcut: ingestion has its own benchmark), in
 * chunks, then `specs.last_spec_seq` and `VACUUM ANALYZE` (the state autovacuum leaves a table in).
 * The same SQL runs on PostgreSQL (`pg`) and PGlite.
 *
 * Event types and shares (`spec_seq` = g):
 *   - `spec.artifact_created` 0.1% (g % 1000 = 500): `{artifact_type, path}`
 *   - `spec.heartbeat` 10% (g % 10 = 3): `{phases_completed, current_phase}`
 *   - `spec.progress` 89.9% (the rest): `{message, tool, args_summary}` (~200 bytes)
 * Phases advance explore → sync over the run; emitted 10 ms apart, received 3 ms later.
 */
import { randomBytes } from 'node:crypto';
import { newId } from '../../apps/server/src/services/ids';
import { hashSandboxToken } from '../../apps/server/src/services/tokens';

/** `pg.Client` and `PGlite` both answer `query(text, params) → {rows}`. */
export interface SqlRunner {
  query<T = Record<string, unknown>>(text: string, params?: unknown[]): Promise<{ rows: T[] }>;
}

export const HISTORY_TYPES = {
  rare: { type: 'spec.artifact_created', share: '0.1%' },
  tenth: { type: 'spec.heartbeat', share: '10%' },
  most: { type: 'spec.progress', share: '89.9%' },
} as const;

export interface SeedResult {
  sandboxId: string;
  events: number;
  insertMs: number;
  vacuumMs: number;
  counts: Record<string, number>;
}

const PHASES = `(ARRAY['explore','requirements','design','tasks','sync'])`;

export async function seedHistory(db: SqlRunner, specId: string, events: number, log: (line: string) => void, chunk = 100_000): Promise<SeedResult> {
  const sandboxId = newId.sandbox();
  const token = `sbx_${randomBytes(32).toString('base64url')}`;
  await db.query(`insert into sandboxes (id, spec_id, token_hash, status, provider) values ($1, $2, $3, 'completed', 'bench')`, [sandboxId, specId, hashSandboxToken(token)]);
  const started = performance.now();
  for (let from = 1; from <= events; from += chunk) {
    const to = Math.min(events, from + chunk - 1);
    await db.query(
      `insert into sandbox_events (spec_id, spec_seq, sandbox_id, event_id, seq, event_type, phase, data, source, emitted_at, received_at)
       select $1, g, $2, 'evt-' || lpad(g::text, 8, '0'), g, t.type, p.phase,
              case t.type
                when 'spec.artifact_created' then jsonb_build_object('artifact_type', p.phase, 'path', '.specline/specs/bench/' || p.phase || '-' || g || '.md')
                when 'spec.heartbeat' then jsonb_build_object('phases_completed', to_jsonb((${PHASES})[1:p.i - 1]), 'current_phase', p.phase)
                else jsonb_build_object(
                  'message', 'Read src/modules/module_' || (g % 997) || '/service.ts (' || (40 + g % 400) || ' lines) while grounding the request in routes, models and tests',
                  'tool', 'read_file',
                  'args_summary', 'src/modules/module_' || (g % 997) || '/service.ts:1-' || (40 + g % 400))
              end,
              'agent',
              timestamptz '2026-11-30 08:00:00+00' + g * interval '10 milliseconds',
              timestamptz '2026-11-30 08:00:00+00' + g * interval '10 milliseconds' + interval '3 milliseconds'
         from generate_series($3::int, $4::int) g
         cross join lateral (select case when g % 1000 = 500 then 'spec.artifact_created' when g % 10 = 3 then 'spec.heartbeat' else 'spec.progress' end as type) t
         cross join lateral (select 1 + ((g - 1) * 5) / $5::int as i, (${PHASES})[1 + ((g - 1) * 5) / $5::int] as phase) p`,
      [specId, sandboxId, from, to, events],
    );
    log(`seeded ${to.toLocaleString('en-US')} / ${events.toLocaleString('en-US')} events`);
  }
  await db.query(`update specs set last_spec_seq = $2, status = 'completed' where id = $1`, [specId, events]);
  const insertMs = performance.now() - started;
  const v = performance.now();
  await db.query('vacuum analyze sandbox_events');
  const vacuumMs = performance.now() - v;
  const { rows } = await db.query<{ event_type: string; n: string | number | bigint }>(
    `select event_type, count(*) as n from sandbox_events where spec_id = $1 group by event_type order by 1`,
    [specId],
  );
  const counts = Object.fromEntries(rows.map((r) => [r.event_type, Number(r.n)]));
  return { sandboxId, events, insertMs, vacuumMs, counts };
}
