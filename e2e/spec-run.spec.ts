/**
 * Issue 5, acceptance 2: sign in → create a spec-driven ticket → watch the phases complete live on the
 * Execution tab without reloading → the timeline shows the run's events in order with no duplicates →
 * Requirements tab shows the generated requirements → edit one, tick a criterion → approve requirements
 * → export Markdown. Screenshots of each tab are kept as test artifacts.
 */
import { readFile } from 'node:fs/promises';
import { expect, test } from '@playwright/test';
import { collectTimelineSeqs, fetchAllEvents, keepScreenshot, signIn, watchForErrors } from './helpers';

test('a spec-driven ticket runs live, then its requirements are reviewed, approved and exported', async ({ page }, testInfo) => {
  const watcher = watchForErrors(page);
  await signIn(page);

  await page.getByRole('link', { name: 'Demo project' }).click();
  await page.getByRole('button', { name: 'New ticket' }).click();
  const dialog = page.getByRole('dialog', { name: 'New ticket' });
  await dialog.getByLabel('Title').fill('Add rate limiting to the public API');
  await dialog.getByLabel('Description').fill('Limit each API key to 100 requests per minute and return 429 with Retry-After');
  await dialog.getByText('Spec-driven').click();
  await dialog.getByRole('button', { name: 'Create ticket' }).click();

  // The run is on screen: the Execution tab of the new spec.
  await expect(page).toHaveURL(/\/projects\/[^/]+\/specs\/spec-[^?]+\?tab=execution/);
  const specId = /specs\/(spec-[^?]+)/.exec(page.url())![1]!;
  let navigations = 0;
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations++;
  });

  // Live: a phase is seen running, then every phase passes, with no reload.
  const stepper = page.getByRole('list', { name: 'Phase progress' });
  await expect(stepper.locator('[aria-current="step"]')).toBeVisible();
  await keepScreenshot(page, testInfo, 'execution-running');
  for (const phase of ['explore', 'requirements', 'design', 'tasks', 'sync']) {
    await expect(stepper.locator(`[data-testid="phase-step"][data-phase="${phase}"]`)).toHaveAttribute('data-state', 'passed', { timeout: 60_000 });
  }
  await expect(stepper.getByRole('button', { name: /^Sync: Passed/ })).toBeVisible();
  expect(navigations).toBe(0);

  // The timeline holds the run's events in order, each once (heartbeats are one counter, not rows).
  const timeline = page.getByTestId('event-timeline');
  const stored = await fetchAllEvents(page, specId);
  expect(stored.at(-1)?.event_type).toBe('agent.completed');
  const expected = stored.filter((e) => e.event_type !== 'spec.heartbeat').map((e) => e.spec_seq).reverse();
  await expect(timeline.locator('[data-testid="timeline-row"]').first()).toHaveAttribute('data-spec-seq', String(expected[0]));
  const shown = await collectTimelineSeqs(timeline);
  expect(shown).toEqual(expected);
  await keepScreenshot(page, testInfo, 'execution-completed');

  // Requirements tab: generated requirements with stable ids.
  await page.getByRole('tab', { name: /Requirements/ }).click();
  await expect(page).toHaveURL(/tab=requirements/);
  await expect(page.getByText('REQ-001', { exact: true })).toBeVisible();
  await keepScreenshot(page, testInfo, 'requirements');

  // Edit one.
  const first = page.locator('article').filter({ hasText: 'REQ-001' }).first();
  await first.getByRole('button', { name: /^Edit / }).first().click();
  const edit = page.getByRole('dialog');
  await edit.getByLabel('Title').fill('Per-key request limit (reviewed)');
  await edit.getByRole('button', { name: 'Save requirement' }).click();
  await expect(edit).toBeHidden();
  await expect(first.getByRole('heading', { name: 'Per-key request limit (reviewed)' })).toBeVisible();

  // Tick a criterion.
  const criterion = first.getByRole('checkbox').first();
  await expect(criterion).not.toBeChecked();
  await criterion.check();
  await expect(criterion).toBeChecked();

  // Approve requirements.
  await page.getByRole('button', { name: 'Approve requirements' }).click();
  await expect(page.getByText(/Requirements approved/i).first()).toBeVisible();

  // The edit and the tick were stored, not just shown.
  const spec = (await (await page.request.get(`/api/v1/specs/${specId}`)).json()) as {
    requirements_approved: boolean;
    requirements: { local_id: string; title: string; edited_at: string | null; criteria: { completed: boolean }[] }[];
  };
  const req1 = spec.requirements.find((r) => r.local_id === 'REQ-001')!;
  expect(req1.title).toBe('Per-key request limit (reviewed)');
  expect(req1.edited_at).not.toBeNull();
  expect(req1.criteria[0]?.completed).toBe(true);
  expect(spec.requirements_approved).toBe(true);

  await page.getByRole('tab', { name: 'Design' }).click();
  await expect(page.getByRole('heading', { name: /Architecture/i }).first()).toBeVisible();
  await keepScreenshot(page, testInfo, 'design');
  await page.getByRole('tab', { name: /Tasks/ }).click();
  await expect(page.getByText('TSK-001', { exact: true }).first()).toBeVisible();
  await keepScreenshot(page, testInfo, 'tasks');

  // Export Markdown: a real download holding the spec.
  const download = page.waitForEvent('download');
  await page.getByRole('button', { name: 'Export Markdown' }).click();
  const file = await download;
  expect(file.suggestedFilename()).toMatch(/\.md$/);
  const markdown = await readFile(await file.path(), 'utf8');
  expect(markdown).toContain('Add rate limiting to the public API');
  expect(markdown).toContain('Per-key request limit (reviewed)');
  expect(markdown).toContain('REQ-001');

  expect(watcher.errors).toEqual([]);
});
