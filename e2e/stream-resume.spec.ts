/**
 * Issue 5, acceptance 4: the server cuts the live stream mid-run (here: the e2e server closes every SSE
 * connection after 3 s, `SSE_MAX_STREAM_SECONDS`, with `event: stream_closed`), and the timeline
 * resumes from its last spec_seq with no gap and no duplicate.
 */
import { expect, test } from '@playwright/test';
import { collectTimelineSeqs, fetchAllEvents, signIn, watchForErrors } from './helpers';

test('the timeline resumes after the server closes the stream mid-run, with no gap and no duplicate', async ({ page }) => {
  const watcher = watchForErrors(page);
  const streams: { url: string; lastEventId: string | null }[] = [];
  page.on('request', (request) => {
    if (request.url().includes('/events/stream')) streams.push({ url: request.url(), lastEventId: request.headers()['last-event-id'] ?? null });
  });
  await signIn(page);
  const projects = (await (await page.request.get('/api/v1/projects')).json()) as { projects: { id: string; name: string }[] };
  const project = projects.projects.find((p) => p.name === 'Demo project')!;
  const res = await page.request.post('/api/v1/tickets', {
    data: { title: 'Export audit logs as CSV', description: 'Let an admin download the audit log of a date range as a CSV file', project_id: project.id, workflow_mode: 'spec_driven' },
  });
  expect(res.status()).toBe(201);
  const { spec_id: specId } = (await res.json()) as { spec_id: string };

  await page.goto(`/projects/${project.id}/specs/${specId}?tab=execution`);
  const timeline = page.getByTestId('event-timeline');
  await expect(page.getByTestId('stream-status')).toHaveAttribute('data-connection', 'live');

  // Wait for the run to end, then for the timeline to show its last event.
  const stepper = page.getByRole('list', { name: 'Phase progress' });
  await expect(stepper.locator('[data-testid="phase-step"][data-phase="sync"]')).toHaveAttribute('data-state', 'passed', { timeout: 90_000 });
  const stored = await fetchAllEvents(page, specId);
  expect(stored.at(-1)?.event_type).toBe('agent.completed');
  await expect(timeline.locator('[data-testid="timeline-row"]').first()).toHaveAttribute('data-spec-seq', String(stored.at(-1)!.spec_seq));

  // The stream was cut by the server while the run went on, and every reconnect resumed from the
  // latest id the page had seen (never the original one).
  expect(streams.length).toBeGreaterThanOrEqual(2);
  const resumedFrom = streams.slice(1).map((s) => Number(s.lastEventId ?? new URL(s.url).searchParams.get('after')));
  for (let i = 1; i < resumedFrom.length; i++) expect(resumedFrom[i]!).toBeGreaterThanOrEqual(resumedFrom[i - 1]!);
  // (A stream opened before the run's first event — the page follows a queued or just-started run — resumes from 0.)
  expect(resumedFrom.at(-1)).toBeGreaterThan(0);

  // No gap, no duplicate: the rows are exactly the stored events (heartbeats are one counter).
  const expected = stored.filter((e) => e.event_type !== 'spec.heartbeat').map((e) => e.spec_seq).reverse();
  expect(await collectTimelineSeqs(timeline)).toEqual(expected);
  expect(watcher.errors).toEqual([]);
});
