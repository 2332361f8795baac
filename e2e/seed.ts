/**
 * Seeds a spec with many stored events directly in the e2e database (the browser tests and the
 * timeline benchmark need a 100,000-event spec; posting that through a sandbox would only test the
 * ingest path again, which has its own tests and benchmark).
 */
import type { APIRequestContext } from '@playwright/test';
import pg from 'pg';

export const E2E_DATABASE_URL = process.env['E2E_DATABASE_URL'] ?? `postgres://postgres@127.0.0.1:5432/${process.env['E2E_DB'] ?? 'specline_e2e'}`;

export interface SeededSpec {
  specId: string;
  projectId: string;
  total: number;
  /** spec_seq of every failure (phase_failed, phase_retry, unsuccessful agent.completed), newest first. */
  failures: number[];
}

/**
 * Creates a spec through the API (as the signed-in user of `request`) and stores `total` events for
 * it: progress lines, a heartbeat every 10th, a phase retry at every …500 and a phase failure at every
 * …000, and a final unsuccessful `agent.completed`. The spec ends `failed`.
 */
export async function seedSpecWithEvents(request: APIRequestContext, total: number): Promise<SeededSpec> {
  const projects = (await (await request.get('/api/v1/projects')).json()) as { projects: { id: string; name: string }[] };
  const project = projects.projects.find((p) => p.name === 'Demo project') ?? projects.projects[0]!;
  const res = await request.post('/api/v1/specs', { data: { title: `Spec with ${total} events`, description: 'Seeded for the timeline tests', project_id: project.id } });
  if (res.status() !== 201) throw new Error(`create spec: ${res.status()} ${await res.text()}`);
  const { id: specId } = (await res.json()) as { id: string };

  const client = new pg.Client({ connectionString: E2E_DATABASE_URL });
  await client.connect();
  try {
    await client.query('begin');
    await client.query(
      `insert into sandbox_events (spec_id, spec_seq, sandbox_id, event_id, seq, event_type, phase, data, source, emitted_at, received_at)
       select $1, g, 'sbx-seed', md5($1 || g::text)::uuid::text, g,
         case when g = $2 then 'agent.completed'
              when g % 1000 = 0 then 'spec.phase_failed'
              when g % 1000 = 500 then 'spec.phase_retry'
              when g % 10 = 0 then 'spec.heartbeat'
              else 'spec.progress' end,
         (array['explore','requirements','design','tasks','sync'])[1 + (g / 20000) % 5],
         case when g = $2 then jsonb_build_object('spec_id', $1::text, 'success', false, 'phase_data', '{}'::jsonb, 'failed_phase', 'design', 'error', 'seeded failure')
              when g % 1000 = 0 then jsonb_build_object('phase', 'design', 'reason', 'evaluation_failed', 'retry_count', 2, 'eval_score', 0.41, 'eval_feedback', 'tasks[TSK-004].depends_on: TSK-009 does not exist (event ' || g || ')')
              when g % 1000 = 500 then jsonb_build_object('phase', 'design', 'retry_count', 1, 'max_retries', 3, 'reason', 'evaluation_failed', 'eval_score', 0.55, 'eval_feedback', 'REQ-003 has 1 acceptance criterion (event ' || g || ')')
              when g % 10 = 0 then jsonb_build_object('phases_completed', jsonb_build_array('explore'), 'current_phase', 'design')
              else jsonb_build_object('message', 'Seeded progress line number ' || g) end,
         'agent', now() - (($2 - g) || ' milliseconds')::interval, now()
       from generate_series(1, $2) as g`,
      [specId, total],
    );
    await client.query(
      `update specs set status = 'failed', last_spec_seq = $2, current_phase = 'design', last_error = 'seeded failure',
         phases = '["explore","requirements","design","tasks","sync"]'::jsonb where id = $1`,
      [specId, total],
    );
    await client.query('commit');
  } catch (error) {
    await client.query('rollback');
    throw error;
  } finally {
    await client.end();
  }
  const failures: number[] = [];
  for (let g = total; g >= 1; g--) if (g === total || g % 1000 === 0 || g % 1000 === 500) failures.push(g);
  return { specId, projectId: project.id, total, failures };
}
