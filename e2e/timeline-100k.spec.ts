/**
 * Issue 5, acceptance 3: a spec with 100,000 stored events. The timeline keeps fewer than 200 row
 * elements in the DOM while scrolling from newest to oldest, and "failures only" shows exactly the
 * failures. Issue 15: that filter is kept in the URL (reload, Back), and the keyboard shortcuts work on the page.
 */
import { expect, test } from '@playwright/test';
import { collectTimelineSeqs, signIn, watchForErrors } from './helpers';
import { seedSpecWithEvents } from './seed';

test('100,000 events: a bounded DOM from newest to oldest, and failures only shows exactly the failures', async ({ page }) => {
  test.setTimeout(300_000);
  const watcher = watchForErrors(page);
  await signIn(page);
  const seeded = await seedSpecWithEvents(page.request, 100_000);

  await page.goto(`/projects/${seeded.projectId}/specs/${seeded.specId}?tab=execution`);
  const timeline = page.getByTestId('event-timeline');
  const rows = timeline.locator('[data-testid="timeline-row"]');
  await expect(rows.first()).toHaveAttribute('data-spec-seq', '100000');
  await expect(page.getByTestId('timeline-summary')).toContainText('100,000');

  // Scroll to the oldest event, counting the rows in the DOM at every step.
  const scroller = timeline.getByLabel('Events, newest first');
  let maxRows = 0;
  let oldest = Number.POSITIVE_INFINITY;
  for (let step = 0; step < 5000 && oldest > 1; step++) {
    await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
    await page.waitForTimeout(25);
    const seqs = await rows.evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-spec-seq'))));
    maxRows = Math.max(maxRows, await timeline.getByRole('listitem').count(), seqs.length);
    oldest = Math.min(oldest, ...seqs);
  }
  expect(oldest).toBe(1);
  expect(maxRows).toBeGreaterThan(5);
  expect(maxRows).toBeLessThan(200);

  // Failures only: exactly the failures, newest first, nothing else.
  // The filter lives in the URL: the box shows the tick once the navigation has rendered, so click and
  // wait for it (check() reads the state right after the click and, under load, sees the old one).
  await timeline.getByLabel('Failures only').click();
  await expect(timeline.getByLabel('Failures only')).toBeChecked();
  await expect(rows.first()).toHaveAttribute('data-spec-seq', String(seeded.failures[0]));
  const shown = await collectTimelineSeqs(timeline);
  expect(shown).toEqual(seeded.failures);
  const types = await rows.evaluateAll((els) => [...new Set(els.map((e) => e.getAttribute('data-event-type')))].sort());
  expect(types.every((t) => ['agent.completed', 'spec.phase_failed', 'spec.phase_retry'].includes(t ?? ''))).toBe(true);

  // The filter is in the URL (issue 15): a reload keeps the filtered view, Back goes to the unfiltered one.
  await expect(page).toHaveURL(/[?&]failures=1(&|$)/);
  await page.reload();
  await expect(timeline.getByLabel('Failures only')).toBeChecked();
  await expect(rows.first()).toHaveAttribute('data-spec-seq', String(seeded.failures[0]));
  await page.goBack();
  await expect(page).not.toHaveURL(/failures=1/);
  await expect(timeline.getByLabel('Failures only')).not.toBeChecked();
  await expect(rows.first()).toHaveAttribute('data-spec-seq', '100000');

  // Keyboard shortcuts: ? lists them; 2 and g e switch tabs; j moves to the first timeline row.
  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'Keyboard shortcuts' });
  await expect(help.getByText('Execution tab (also g e)')).toBeVisible();
  await page.keyboard.press('Escape');
  await expect(help).toBeHidden();
  await page.keyboard.press('2');
  await expect(page).toHaveURL(/[?&]tab=requirements/);
  await page.keyboard.press('g');
  await page.keyboard.press('e');
  await expect(page).toHaveURL(/[?&]tab=execution/);
  await expect(rows.first()).toHaveAttribute('data-spec-seq', '100000');
  await page.keyboard.press('j');
  await expect(rows.first().getByRole('button', { name: /details of event 100000/ })).toBeFocused();

  expect(watcher.errors).toEqual([]);
});
