/**
 * Issues 8 and 9, web side: an owner sets the demo project's executor to OpenAI-compatible with a model
 * and an API key, saves, reloads and sees only "A key is set (…last4)", never the key. Then a run
 * launched with the Model disclosure (planner for this run) shows who wrote each phase, its cost and the
 * explored commit; a project without a repository says runs plan from the request alone.
 * Screenshots of the settings and spec pages at 1366 and 390 px wide are kept in test-results/screenshots.
 */
import { mkdir } from 'node:fs/promises';
import { expect, test, type Page } from '@playwright/test';
import { signIn, watchForErrors } from './helpers';

const SHOTS = 'test-results/screenshots';
const WIDE = { width: 1366, height: 900 };
const NARROW = { width: 390, height: 844 };

async function screenshots(page: Page, name: string): Promise<void> {
  await mkdir(SHOTS, { recursive: true });
  await page.setViewportSize(WIDE);
  await page.screenshot({ path: `${SHOTS}/${name}-1366.png`, fullPage: true });
  await page.setViewportSize(NARROW);
  await page.screenshot({ path: `${SHOTS}/${name}-390.png`, fullPage: true });
  await page.setViewportSize(WIDE);
}

interface ApiProject {
  id: string;
  name: string;
  model_settings: { executor: string | null; model: string | null; base_url: string | null; api_key_set: boolean; api_key_last4: string | null };
}

async function demoProject(page: Page): Promise<ApiProject> {
  const res = await page.request.get('/api/v1/projects');
  expect(res.ok()).toBe(true);
  const { projects } = (await res.json()) as { projects: ApiProject[] };
  const demo = projects.find((p) => p.name === 'Demo project');
  expect(demo, 'the demo user has the demo project').toBeDefined();
  return demo!;
}

test('an owner sets OpenAI with a model and a key; after a reload only "A key is set (…last4)" is shown', async ({ page }) => {
  const watcher = watchForErrors(page);
  await signIn(page);
  const before = await demoProject(page);
  // A key the page must never show: unique per run, with known last four characters.
  const key = `sk-e2e-${Date.now().toString(36)}-Zq9k`;
  try {
    await page.getByRole('link', { name: 'Demo project' }).click();
    await page.getByRole('link', { name: 'Settings', exact: true }).click();
    await expect(page).toHaveURL(new RegExp(`/projects/${before.id}/settings$`));
    await expect(page.getByRole('heading', { name: 'Project settings' })).toBeVisible();

    await page.getByLabel('Executor', { exact: true }).selectOption('openai');
    await expect(page.getByLabel('Model', { exact: true })).toHaveAttribute('placeholder', /provider default/);
    await page.getByLabel('Model', { exact: true }).fill('qwen2.5-coder:7b');
    await page.getByLabel('Base URL', { exact: true }).fill('http://127.0.0.1:11434/v1');
    if (before.model_settings.api_key_set) await page.getByRole('button', { name: 'Replace' }).click();
    const keyInput = page.getByLabel(before.model_settings.api_key_set ? 'New API key' : 'API key', { exact: true });
    await expect(keyInput).toHaveAttribute('type', 'password');
    await keyInput.fill(key);

    const saved = page.waitForResponse((r) => r.request().method() === 'PATCH' && r.url().endsWith(`/api/v1/projects/${before.id}`));
    await page.getByRole('button', { name: 'Save settings' }).click();
    const answer = await saved;
    expect(answer.status()).toBe(200);
    expect(await answer.text()).not.toContain(key);
    await expect(page.getByText('Saved', { exact: true })).toBeVisible();

    await page.reload();
    await expect(page.getByTestId('api-key-status')).toHaveText('A key is set (…Zq9k)');
    await expect(page.getByLabel('Executor', { exact: true })).toHaveValue('openai');
    await expect(page.getByLabel('Model', { exact: true })).toHaveValue('qwen2.5-coder:7b');
    await expect(page.getByLabel('Base URL', { exact: true })).toHaveValue('http://127.0.0.1:11434/v1');
    // The key is nowhere: not in the page, not in any input, not in what the API reads back.
    expect(await page.content()).not.toContain(key);
    const values = await page.locator('input').evaluateAll((inputs) => (inputs as HTMLInputElement[]).map((i) => i.value));
    expect(values.join('\n')).not.toContain(key);
    expect(await page.locator('input[type="password"]').count()).toBe(0);
    expect(await (await page.request.get(`/api/v1/projects/${before.id}`)).text()).not.toContain(key);

    await screenshots(page, 'settings');
    expect(watcher.errors).toEqual([]);
  } finally {
    // Leave the demo project as it was for the other specs (they run on the same server).
    const restore = await page.request.patch(`/api/v1/projects/${before.id}`, {
      data: { model_settings: { executor: before.model_settings.executor, model: before.model_settings.model, base_url: before.model_settings.base_url, ...(before.model_settings.api_key_set ? {} : { api_key: null }) } },
    });
    expect(restore.status()).toBe(200);
  }
});

test('a run launched with the Model disclosure shows who wrote each phase and what it cost', async ({ page }) => {
  test.setTimeout(240_000);
  const watcher = watchForErrors(page);
  await signIn(page);
  // A project without a repository says that runs plan from the request alone.
  const created = await page.request.post('/api/v1/projects', { data: { name: `No repository ${Date.now().toString(36)}` } });
  expect(created.status()).toBe(201);
  const bare = (await created.json()) as ApiProject;
  await page.goto(`/projects/${bare.id}`);
  await expect(page.getByTestId('project-repository')).toContainText('No repository is connected: runs will plan from the request alone.');
  await expect(page.getByTestId('project-repository').getByRole('link', { name: 'Connect one in settings' })).toHaveAttribute('href', `/projects/${bare.id}/settings`);

  // The demo project explores the shipped example repository.
  const project = await demoProject(page);
  await page.goto(`/projects/${project.id}`);
  await expect(page.getByTestId('project-repo-url')).not.toBeEmpty();
  await screenshots(page, 'project');

  const spec = await page.request.post('/api/v1/specs', {
    data: { title: 'Add rate limiting to the public API', description: 'Limit each API key to 100 requests per minute and return 429 with Retry-After', project_id: project.id },
  });
  expect(spec.status()).toBe(201);
  const { id: specId } = (await spec.json()) as { id: string };
  await page.goto(`/projects/${project.id}/specs/${specId}`);

  await page.getByRole('button', { name: 'Model', exact: true }).click();
  const override = page.getByRole('group', { name: 'Model for this run' });
  await override.getByLabel('Executor', { exact: true }).selectOption('planner');
  await expect(page.getByRole('button', { name: /^Model: Offline planner/ })).toBeVisible();
  const execute = page.waitForRequest((r) => r.method() === 'POST' && r.url().endsWith(`/api/v1/specs/${specId}/execute`));
  await page.getByRole('button', { name: 'Run spec' }).click();
  expect((await execute).postDataJSON()).toEqual({ model_settings: { executor: 'planner' } });

  await expect(page).toHaveURL(/tab=execution/);
  const stepper = page.getByRole('list', { name: 'Phase progress' });
  await expect(stepper.locator('[data-testid="phase-step"][data-phase="explore"]')).toHaveAttribute('data-state', 'passed', { timeout: 60_000 });
  // Whatever the later phases do (their evaluation is the sandbox's business), wait for the run to end.
  await expect(page.getByRole('button', { name: 'Re-run spec' })).toBeVisible({ timeout: 180_000 });
  const cost = page.getByTestId('cost-panel');
  await expect(cost.getByTestId('written-by')).toHaveText('Written by the offline planner — no model was used');
  await expect(cost.locator('[data-testid="cost-row"][data-phase="explore"]')).toContainText('Offline planner');
  await expect(cost.locator('[data-testid="cost-row"][data-phase="explore"]')).toContainText('$0.00');
  await expect(cost.getByTestId('cost-total')).toContainText('$0.00');
  await expect(page.getByTestId('sidebar-written-by')).toContainText('Written by the offline planner — no model was used');
  await expect(page.getByTestId('explored-commit')).toHaveText(/^[0-9a-f]{7}$/);

  await screenshots(page, 'spec-execution');

  // The timeline's phase_completed rows say who wrote the phase.
  const timeline = page.getByTestId('event-timeline');
  await timeline.getByLabel('Search events').fill('by the offline planner');
  await expect(timeline.locator('[data-event-type="spec.phase_completed"]').first()).toContainText('by the offline planner (no model)');
  expect(watcher.errors).toEqual([]);
});
