/**
 * Issue 10, acceptance 5, in Chromium: the demo owner sets the demo project's approval mode to Review in
 * the settings, creates a spec-driven ticket and sees "Awaiting your approval" on Requirements; edits a
 * requirement's title and approves; sees Design awaiting, opens its details, rejects it with a comment and
 * sees the re-run "Re-running design with the reviewer's comment" in the timeline; approves the design and
 * sees the tickets created. Then a re-run from Design through the dialog (Auto for this run, after another
 * edit of the requirement, so the design made from it changes), and the run's diff view shows a modified
 * item. The demo project's approval mode is restored at the end. Screenshots at 1366 and 390 px of the
 * awaiting state, the phase details and the diff view are kept in test-results/screenshots.
 */
import { mkdir } from 'node:fs/promises';
import { expect, test, type Locator, type Page } from '@playwright/test';
import { signIn, watchForErrors } from './helpers';

const SHOTS = 'test-results/screenshots';
const WIDE = { width: 1366, height: 900 };
const NARROW = { width: 390, height: 844 };
/** A phase of the paced planner takes seconds; a whole run on a loaded 2-core machine, minutes. */
const PHASE_WAIT = 240_000;

async function screenshots(page: Page, name: string): Promise<void> {
  await mkdir(SHOTS, { recursive: true });
  await page.setViewportSize(WIDE);
  await page.screenshot({ path: `${SHOTS}/${name}-1366.png`, fullPage: true });
  await page.setViewportSize(NARROW);
  await page.screenshot({ path: `${SHOTS}/${name}-390.png`, fullPage: true });
  await page.screenshot({ path: `${SHOTS}/${name}-390-top.png` });
  await page.setViewportSize(WIDE);
}

/** The same, of an open dialog: the page behind it and the dialog's own scrolled content. */
async function dialogScreenshots(page: Page, dialog: Locator, name: string): Promise<void> {
  await mkdir(SHOTS, { recursive: true });
  for (const [size, viewport] of [['1366', WIDE], ['390', NARROW]] as const) {
    await page.setViewportSize(viewport);
    await expect(dialog).toBeVisible();
    await page.screenshot({ path: `${SHOTS}/${name}-${size}.png` });
  }
  await page.setViewportSize(WIDE);
}

interface ApiProject {
  id: string;
  name: string;
  approval_mode?: 'auto' | 'review';
}

async function demoProject(page: Page): Promise<ApiProject> {
  const res = await page.request.get('/api/v1/projects');
  expect(res.ok()).toBe(true);
  const { projects } = (await res.json()) as { projects: ApiProject[] };
  const demo = projects.find((p) => p.name === 'Demo project');
  expect(demo, 'the demo user has the demo project').toBeDefined();
  return demo!;
}

async function editRequirementTitle(page: Page, localId: string, title: string): Promise<void> {
  await page.getByRole('tab', { name: /Requirements/ }).click();
  const card = page.locator('article').filter({ hasText: localId }).first();
  await card.getByRole('button', { name: `Edit ${localId}`, exact: true }).click();
  const edit = page.getByRole('dialog', { name: `Edit ${localId}` });
  await edit.getByLabel('Title').fill(title);
  await edit.getByRole('button', { name: 'Save requirement' }).click();
  await expect(edit).toBeHidden();
  await expect(card.getByRole('heading', { name: title })).toBeVisible();
}

test('review mode: approve, reject with a comment, approve, re-run from Design, and the run’s diff', async ({ page }) => {
  test.setTimeout(900_000);
  const watcher = watchForErrors(page);
  await signIn(page);
  const before = await demoProject(page);
  expect(before.approval_mode, 'the server sends Project.approval_mode (issue 10)').toBeDefined();

  try {
    // The project's approval mode: Review.
    await page.goto(`/projects/${before.id}/settings`);
    await page.getByLabel('Approval mode', { exact: true }).selectOption('review');
    const saved = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith(`/api/v1/projects/${before.id}`));
    await page.getByRole('button', { name: 'Save settings' }).click();
    expect((await saved).status()).toBe(200);
    await expect(page.getByText('Saved', { exact: true })).toBeVisible();

    // A spec-driven ticket: its run starts and lands on the Execution tab.
    await page.goto(`/projects/${before.id}`);
    await page.getByRole('button', { name: 'New ticket' }).click();
    const dialog = page.getByRole('dialog', { name: 'New ticket' });
    await dialog.getByLabel('Title').fill('Add rate limiting to the public API');
    await dialog.getByLabel('Description').fill('Limit each API key to 100 requests per minute and return 429 with Retry-After');
    await dialog.getByText('Spec-driven').click();
    await dialog.getByRole('button', { name: 'Create ticket' }).click();
    await expect(page).toHaveURL(/\/projects\/[^/]+\/specs\/spec-[^?]+\?tab=execution/);
    const specId = /specs\/(spec-[^?]+)/.exec(page.url())![1]!;

    // 1. The run stops after REQUIREMENTS: the stepper and the badge say so, Approve / Reject right there.
    const stepper = page.getByRole('list', { name: 'Phase progress' });
    const bar = page.getByTestId('awaiting-approval');
    await expect(bar).toHaveAttribute('data-phase', 'requirements', { timeout: PHASE_WAIT });
    await expect(stepper.locator('[data-testid="phase-step"][data-phase="requirements"]')).toHaveAttribute('data-state', 'awaiting');
    await expect(stepper.getByRole('button', { name: 'Requirements: Awaiting your approval' })).toBeVisible();
    await expect(page.locator('h1 + span, h1 ~ span').filter({ hasText: 'Awaiting your approval' }).first()).toBeVisible();
    await expect(bar.getByRole('button', { name: 'Approve requirements' })).toBeEnabled();
    await expect(bar.getByRole('button', { name: 'Reject requirements…' })).toBeEnabled();
    await screenshots(page, 'review-awaiting-requirements');

    // 2. A person edits a requirement, then approves: the run goes on to DESIGN and stops again.
    await editRequirementTitle(page, 'REQ-001', 'Per-key request limit (reviewed)');
    await bar.getByRole('button', { name: 'Approve requirements' }).click();
    await expect(bar).toHaveAttribute('data-phase', 'design', { timeout: PHASE_WAIT });
    await expect(stepper.locator('[data-testid="phase-step"][data-phase="design"]')).toHaveAttribute('data-state', 'awaiting');

    // The design step's details: attempts with score and duration, and the output.
    await stepper.getByRole('button', { name: 'Design details' }).click();
    const details = page.getByRole('dialog', { name: 'Design details' });
    await expect(details.getByTestId('attempt').first()).toBeVisible();
    await expect(details.getByTestId('attempt').first()).toContainText('Score');
    await expect(details.getByTestId('phase-output')).toBeVisible();
    await expect(page).toHaveURL(/details=design/);
    await page.keyboard.press('Escape');
    await expect(details).toBeHidden();

    // 3. Reject the design with a comment: it re-runs with the comment, as the timeline shows.
    await page.getByRole('tab', { name: 'Execution' }).click();
    await bar.getByRole('button', { name: 'Reject design…' }).click();
    const reject = page.getByRole('dialog', { name: 'Reject the design?' });
    await reject.getByRole('button', { name: 'Reject and re-run design' }).click();
    await expect(reject.getByRole('alert')).toHaveText('Write what should change: the comment is required.');
    await reject.getByLabel('Comment (required)').fill('Keep the per-key counters in one place and name the limiter component explicitly.');
    await expect(reject.getByTestId('reject-count')).toContainText('/ 5,000 characters');
    await reject.getByRole('button', { name: 'Reject and re-run design' }).click();
    await expect(reject).toBeHidden();

    const timeline = page.getByTestId('event-timeline');
    await timeline.getByLabel('Search events').fill("Re-running design with the reviewer's comment");
    await expect(timeline.locator('[data-event-type="spec.progress"]').first()).toContainText("Re-running design with the reviewer's comment", { timeout: PHASE_WAIT });
    await timeline.getByLabel('Search events').fill('');

    // The rejection's run stops after DESIGN again; the runs list says what each run was.
    const runs = page.getByTestId('run');
    await expect(runs.first()).toContainText('Re-run after rejection', { timeout: PHASE_WAIT });
    await expect(runs.first()).toHaveAttribute('data-status', 'awaiting_approval', { timeout: PHASE_WAIT });
    await expect(runs.first()).toContainText('Reviewer’s comment: Keep the per-key counters');
    await expect(bar).toHaveAttribute('data-phase', 'design');
    // The timeline separates the runs.
    await expect(timeline.getByTestId('run-separator').first()).toBeVisible();
    await screenshots(page, 'review-runs-and-timeline');

    // The design's details now hold both passes; the latest shows what the reviewer's comment changed.
    await stepper.getByRole('button', { name: 'Design details' }).click();
    await expect(details.getByTestId('phase-pass')).toHaveCount(2);
    await expect(details.getByText('Re-run with the reviewer’s comment:')).toBeVisible();
    await expect(details.getByText(/What changed from the previous output/).last()).toBeVisible();
    await dialogScreenshots(page, details, 'review-phase-details');
    await page.keyboard.press('Escape');
    await expect(details).toBeHidden();

    // 4. Approve the design: TASKS and SYNC run and create the tickets.
    await bar.getByRole('button', { name: 'Approve design' }).click();
    await expect(runs.first()).toContainText('Continued after approval', { timeout: PHASE_WAIT });
    await expect(runs.first()).toHaveAttribute('data-status', 'completed', { timeout: PHASE_WAIT });
    await expect(stepper.locator('[data-testid="phase-step"][data-phase="sync"]')).toHaveAttribute('data-state', 'passed');
    await expect(page.getByRole('heading', { name: /^Linked tickets \([1-9]\d*\)$/ })).toBeVisible();
    await timeline.getByLabel('Search events').fill('tickets_creation_completed');
    await expect(timeline.locator('[data-event-type="spec.tickets_creation_completed"]').first()).toBeVisible();
    await timeline.getByLabel('Search events').fill('');

    // 5. A re-run from Design (Auto for this run), after another edit, so the design made from it changes;
    // a task a person renamed is not overwritten: the run's change waits as a proposal.
    await editRequirementTitle(page, 'REQ-001', 'Per-key request limit (second review)');
    await page.getByRole('tab', { name: /Tasks/ }).click();
    await page.getByRole('button', { name: 'Edit TSK-001', exact: true }).click();
    const taskEdit = page.getByRole('dialog', { name: 'Edit TSK-001' });
    await taskEdit.getByLabel('Title').fill('My own first task');
    await taskEdit.getByRole('button', { name: 'Save task' }).click();
    await expect(taskEdit).toBeHidden();
    await page.getByRole('tab', { name: 'Execution' }).click();
    await page.getByRole('button', { name: 'Model', exact: true }).click();
    await page.getByRole('group', { name: 'Model for this run' }).getByLabel('Approval mode').selectOption('auto');
    await page.getByRole('button', { name: 'Re-run spec' }).click();
    const rerun = page.getByRole('dialog', { name: 'Re-run this spec?' });
    await rerun.getByLabel('Start from').selectOption('design');
    await expect(rerun.getByTestId('rerun-summary')).toContainText('Regenerates: the design');
    await expect(rerun.getByTestId('rerun-summary')).toContainText('Rows a person edited are kept');
    const rerunRequest = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/api/v1/specs/${specId}/rerun`));
    await rerun.getByRole('button', { name: 'Re-run from Design' }).click();
    expect((await rerunRequest).postDataJSON()).toEqual({ from_phase: 'design', approval_mode: 'auto' });
    await expect(rerun).toBeHidden();
    await expect(runs.first()).toContainText('Re-run', { timeout: PHASE_WAIT });
    await expect(runs.first()).toContainText('From phaseDesign');
    await expect(runs.first()).toHaveAttribute('data-status', 'completed', { timeout: PHASE_WAIT });

    // 6. The run's diff view: grouped by phase, a modified design item with before → after.
    const number = (await runs.first().getByRole('heading').textContent())!.replace('Run ', '');
    await runs.first().getByRole('link', { name: `View changes of run ${number}` }).click();
    await expect(page).toHaveURL(new RegExp(`/specs/${specId}/runs/[^/]+/diff$`));
    await expect(page.getByRole('heading', { name: `What run ${number} changed` })).toBeVisible();
    const designDiff = page.locator('[data-testid="phase-diff"][data-phase="design"]');
    await expect(designDiff).toBeVisible();
    const modified = designDiff.locator('[data-testid="diff-entry"][data-change="modified"]').first();
    await expect(modified).toBeVisible();
    await expect(modified.getByText('Modified', { exact: true })).toBeVisible();
    await expect(modified.getByTestId('field-change').first()).toBeVisible();
    await expect(page.getByText('(second review)').first()).toBeVisible();
    await screenshots(page, 'review-run-diff');

    // 7. The renamed task kept its title; the run's title is a proposed change, dismissed here.
    await page.getByRole('link', { name: 'Back to the Execution tab' }).click();
    await page.getByRole('tab', { name: /Tasks/ }).click();
    await expect(page.getByRole('row', { name: /^TSK-001 / })).toContainText('My own first task');
    const proposal = page.getByRole('region', { name: 'Proposed change to TSK-001' });
    await expect(proposal).toBeVisible();
    await expect(proposal.getByLabel('title before')).toContainText('My own first task');
    await screenshots(page, 'review-proposal');
    await proposal.getByRole('button', { name: 'Dismiss the proposed change to TSK-001' }).click();
    await expect(proposal).toBeHidden();
    await expect(page.getByRole('row', { name: /^TSK-001 / })).toContainText('My own first task');

    expect(watcher.errors).toEqual([]);
  } finally {
    // Leave the demo project as it was for the other specs (they run on the same server).
    const restore = await page.request.patch(`/api/v1/projects/${before.id}`, { data: { approval_mode: before.approval_mode ?? 'auto' } });
    expect(restore.status()).toBe(200);
  }
});
