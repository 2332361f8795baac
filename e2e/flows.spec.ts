/**
 * Issue 15 (W1), acceptance in Chromium: a generated task is edited and saved (its whole-hour estimate no
 * longer blocks Save); a 501-character ticket title answers with one sentence next to the field; the ticket
 * page opens from the list (description, status, linked spec, tasks, history); the Archived filter finds an
 * archived spec (and the filter is in the URL); the browser tab's title names every page.
 */
import { expect, test, type Page } from '@playwright/test';
import { keepScreenshot, signIn, watchForErrors } from './helpers';

const RUN_WAIT = 90_000;

async function demoProjectId(page: Page): Promise<string> {
  const projects = (await (await page.request.get('/api/v1/projects')).json()) as { projects: { id: string; name: string }[] };
  const project = projects.projects.find((p) => p.name === 'Demo project');
  expect(project, 'the demo project').toBeTruthy();
  return project!.id;
}

test.describe('issue 15 flows', () => {
  test('a generated task is edited and saved; the ticket page opens from the list; titles name the pages', async ({ page }, testInfo) => {
    const watcher = watchForErrors(page);
    await signIn(page);
    await expect(page).toHaveTitle('Projects · Specline');
    await page.getByRole('link', { name: 'Demo project' }).click();
    await expect(page).toHaveTitle('Demo project · Specline');

    // A spec-driven ticket runs through SYNC: generated tasks and tickets.
    await page.getByRole('button', { name: 'New ticket' }).click();
    const create = page.getByRole('dialog', { name: 'New ticket' });
    await create.getByLabel('Title').fill('Add order refunds');
    await create.getByLabel('Description').fill('Let a customer ask for a refund of a paid order; staff approve it');
    await create.getByText('Spec-driven').click();
    await create.getByRole('button', { name: 'Create ticket' }).click();
    await expect(page).toHaveURL(/\/specs\/spec-[^?]+\?tab=execution/);
    const specId = /specs\/(spec-[^?]+)/.exec(page.url())![1]!;
    await expect(page).toHaveTitle('Add order refunds · Demo project · Specline');
    const stepper = page.getByRole('list', { name: 'Phase progress' });
    await expect(stepper.locator('[data-testid="phase-step"][data-phase="sync"]')).toHaveAttribute('data-state', 'passed', { timeout: RUN_WAIT });

    // Flow 1: edit a generated task (its estimate as generated) and save it as completed.
    await page.getByRole('tab', { name: /Tasks/ }).click();
    await page.getByRole('button', { name: 'Edit TSK-001', exact: true }).click();
    const edit = page.getByRole('dialog', { name: 'Edit TSK-001' });
    const estimate = edit.getByLabel('Estimate (hours)');
    await expect(estimate).not.toHaveValue('');
    expect(await estimate.evaluate((el) => (el as HTMLInputElement).checkValidity())).toBe(true);
    // Another estimate to two decimals (the generated one is whole or half hours).
    const next = String(Number(await estimate.inputValue()) + 0.25);
    await estimate.fill(next);
    await edit.getByLabel('Status').selectOption('completed');
    const saved = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().includes(`/api/v1/specs/${specId}/tasks/`));
    await edit.getByRole('button', { name: 'Save task' }).click();
    expect((await saved).status()).toBe(200);
    await expect(edit).toBeHidden();
    const row = page.getByRole('row').filter({ hasText: 'TSK-001' }).first();
    await expect(row).toContainText('Completed');
    await expect(row).toContainText(next);

    // History names the task and only what changed.
    const versions = (await (await page.request.get(`/api/v1/specs/${specId}/versions?limit=5`)).json()) as { versions: { change_summary: string }[] };
    expect(versions.versions[0]?.change_summary).toMatch(/^Edited TSK-001 \((status, estimated hours|estimated hours, status)\)$/);

    // Flow 7: the tickets list links each ticket to its page; generated ones say what they are.
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Demo project' }).click();
    const tickets = page.getByRole('region', { name: 'Tickets' });
    // Newest first: this run's SYNC made the top TKT-001 (other specs in the same database may have made one too).
    const first = tickets.getByRole('link', { name: /^TKT-001/ }).first();
    await expect(first).toBeVisible();
    await expect(tickets.getByRole('row').filter({ hasText: 'TKT-001' }).first()).toContainText('From spec tasks');
    await keepScreenshot(page, testInfo, 'project-tickets');
    await first.click();
    await expect(page).toHaveURL(/\/projects\/[^/]+\/tickets\/[^/]+$/);
    await expect(page.getByRole('heading', { level: 1 })).toContainText('TKT-001');
    await expect(page).toHaveTitle(/^TKT-001 .+ · Demo project · Specline$/);
    await expect(page.getByRole('region', { name: 'Description' })).toBeVisible();
    await expect(page.getByRole('region', { name: 'Linked spec' }).getByRole('link', { name: 'Add order refunds' })).toBeVisible();
    await expect(page.getByRole('list', { name: 'Tasks of this ticket' }).getByRole('listitem').first()).toBeVisible();
    await expect(page.getByRole('list', { name: 'History of this ticket' })).toContainText("by the spec's SYNC phase");
    await keepScreenshot(page, testInfo, 'ticket-page');

    // The type filter lives in the URL.
    await page.getByRole('navigation', { name: 'Breadcrumb' }).getByRole('link', { name: 'Demo project' }).click();
    await page.getByLabel('Ticket type').selectOption('generated');
    await expect(page).toHaveURL(/ticket_type=generated/);
    await expect(tickets.getByRole('link', { name: /^TKT-001/ }).first()).toBeVisible();
    expect(watcher.errors).toEqual([]);
  });

  test('a 501-character ticket title is answered with one sentence next to the field', async ({ page }) => {
    await signIn(page);
    await page.getByRole('link', { name: 'Demo project' }).click();
    await page.getByRole('button', { name: 'New ticket' }).click();
    const create = page.getByRole('dialog', { name: 'New ticket' });
    const title = create.getByLabel('Title');
    await expect(create.getByText('Up to 500 characters.').first()).toBeVisible();
    await title.fill('x'.repeat(501));
    await expect(create.getByText('501 of 500 characters: 1 too many.')).toBeVisible();
    await create.getByRole('button', { name: 'Create ticket' }).click();
    const sentence = 'Title can be at most 500 characters (you have 501).';
    await expect(create.getByRole('alert')).toHaveText(sentence);
    await expect(create.getByText(sentence)).toHaveCount(1);
    await expect(create).not.toContainText('invalid request body');
    await expect(title).toHaveAttribute('aria-invalid', 'true');
    const describedBy = (await title.getAttribute('aria-describedby')) ?? '';
    const errorId = await create.getByRole('alert').getAttribute('id');
    expect(describedBy.split(' ')).toContain(errorId);
  });

  test('the Archived filter finds an archived spec, and the filter survives a reload', async ({ page }, testInfo) => {
    const watcher = watchForErrors(page);
    await signIn(page);
    const projectId = await demoProjectId(page);
    const created = await page.request.post('/api/v1/specs', { data: { title: 'Old gift cards', project_id: projectId } });
    expect(created.status()).toBe(201);
    const { id } = (await created.json()) as { id: string };
    expect((await page.request.delete(`/api/v1/specs/${id}`)).ok()).toBe(true);

    await page.goto(`/projects/${projectId}`);
    const specs = page.getByRole('region', { name: 'Specs' });
    await expect(specs.getByRole('link', { name: 'Old gift cards' })).toHaveCount(0);
    await specs.getByLabel('Status filter').selectOption('archived');
    await expect(page).toHaveURL(/spec_status=archived/);
    const link = specs.getByRole('link', { name: 'Old gift cards' });
    await expect(link).toBeVisible();
    await expect(specs.getByRole('row').filter({ hasText: 'Old gift cards' })).toContainText('Archived');
    await expect(specs.getByRole('row').filter({ hasText: 'Old gift cards' })).toContainText('Not started');
    await page.reload();
    await expect(specs.getByLabel('Status filter')).toHaveValue('archived');
    await expect(specs.getByRole('link', { name: 'Old gift cards' })).toBeVisible();
    await keepScreenshot(page, testInfo, 'archived-filter');
    await link.click();
    await expect(page).toHaveTitle('Old gift cards · Demo project · Specline');
    await expect(page.getByRole('note').filter({ hasText: 'archived' })).toBeVisible();
    await expect(page.getByTestId('sidebar-phase')).toHaveText('Not started');
    expect(watcher.errors).toEqual([]);
  });

  test('the skip link is the first stop and moves focus to the page', async ({ page }) => {
    await signIn(page);
    // A fresh load: focus starts at the top of the document.
    await page.goto('/projects');
    await expect(page.getByRole('heading', { name: 'Projects', level: 1 })).toBeVisible();
    await page.keyboard.press('Tab');
    const skip = page.getByRole('link', { name: /^Skip to/ });
    await expect(skip).toBeFocused();
    await page.keyboard.press('Enter');
    await expect(page.locator('#main')).toBeFocused();
  });
});
