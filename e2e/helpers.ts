import { expect, type Locator, type Page, type TestInfo } from '@playwright/test';

export const DEMO = { email: 'demo@specline.local', password: 'specline-demo' };

/** Signs in through the UI. */
export async function signIn(page: Page, user = DEMO): Promise<void> {
  await page.goto('/sign-in');
  await page.getByLabel('Email').fill(user.email);
  await page.getByLabel('Password').fill(user.password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await expect(page).toHaveURL(/\/projects/);
}

/** Fails the test on any console error or failed request (acceptance: none in any run). */
export function watchForErrors(page: Page): { errors: string[] } {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(`console: ${message.text()}`);
  });
  page.on('pageerror', (error) => errors.push(`page error: ${error.message}`));
  page.on('requestfailed', (request) => {
    const failure = request.failure()?.errorText ?? '';
    // A read the page cancels itself (a stream on reconnect or unmount, a spec refetch superseded by an
    // optimistic edit) is not a failure; a cancelled write, or any other error, is.
    if (failure.includes('ERR_ABORTED') && request.method() === 'GET') return;
    errors.push(`request failed: ${request.method()} ${request.url()} ${failure}`);
  });
  page.on('response', (response) => {
    if (response.status() >= 500) errors.push(`HTTP ${response.status()}: ${response.request().method()} ${response.url()}`);
  });
  return { errors };
}

/** Saves a full-page screenshot as a test artifact (kept under test-results/e2e). */
export async function keepScreenshot(page: Page, testInfo: TestInfo, name: string): Promise<void> {
  const path = testInfo.outputPath(`${name}.png`);
  await page.screenshot({ path, fullPage: true });
  await testInfo.attach(name, { path, contentType: 'image/png' });
}

/**
 * Scrolls a virtualized timeline from top to bottom and returns the spec_seq of every row it
 * rendered, in display order (newest first), without duplicates of the same row.
 */
export async function collectTimelineSeqs(timeline: Locator): Promise<number[]> {
  const scroller = timeline.getByLabel('Events, newest first');
  await scroller.evaluate((el) => (el.scrollTop = 0));
  const seen = new Map<number, number>();
  let order = 0;
  for (let guard = 0; guard < 500; guard++) {
    const seqs = await timeline.locator('[data-testid="timeline-row"]').evaluateAll((rows) => rows.map((r) => Number(r.getAttribute('data-spec-seq'))));
    for (const seq of seqs) if (!seen.has(seq)) seen.set(seq, order++);
    const done = await scroller.evaluate((el) => {
      const atEnd = el.scrollTop + el.clientHeight >= el.scrollHeight - 2;
      el.scrollTop += el.clientHeight * 0.8;
      return atEnd;
    });
    if (done) break;
    await timeline.page().waitForTimeout(30);
  }
  return [...seen.entries()].sort((a, b) => a[1] - b[1]).map(([seq]) => seq);
}

export interface ApiEvent {
  spec_seq: number;
  event_type: string;
  event_data: Record<string, unknown>;
}

/** Every stored event of a spec, oldest first, through the API with the page's session cookie. */
export async function fetchAllEvents(page: Page, specId: string): Promise<ApiEvent[]> {
  const all: ApiEvent[] = [];
  let after = 0;
  for (;;) {
    const res = await page.request.get(`/api/v1/specs/${specId}/events?order=asc&limit=1000&after=${after}`);
    expect(res.ok()).toBe(true);
    const body = (await res.json()) as { events: ApiEvent[]; has_more: boolean };
    all.push(...body.events);
    if (!body.has_more || body.events.length === 0) return all;
    after = body.events[body.events.length - 1]!.spec_seq;
  }
}

/**
 * The page's width against the window's (`document.documentElement.scrollWidth <= innerWidth` means no
 * sideways scroll), and the outermost elements sticking out past the right edge (to say what to fix).
 */
export async function horizontalOverflow(page: Page): Promise<{ scrollWidth: number; innerWidth: number; offenders: string[] }> {
  return page.evaluate(() => {
    const innerWidth = window.innerWidth;
    const offenders: string[] = [];
    const describe = (el: Element) => {
      const id = el.id ? `#${el.id}` : '';
      const testId = el.getAttribute('data-testid') ? `[data-testid=${el.getAttribute('data-testid')}]` : '';
      const cls = typeof el.className === 'string' && el.className ? `.${el.className.trim().split(/\s+/).slice(0, 4).join('.')}` : '';
      return `${el.tagName.toLowerCase()}${id}${testId}${cls} (right ${Math.round(el.getBoundingClientRect().right)})`;
    };
    const walk = (el: Element) => {
      const style = getComputedStyle(el);
      if (el.getBoundingClientRect().right > innerWidth + 0.5 && style.position !== 'fixed') {
        offenders.push(describe(el));
        if (offenders.length >= 8) return;
      }
      // An element that scrolls or clips its own overflow cannot widen the page.
      if (style.overflowX === 'auto' || style.overflowX === 'scroll' || style.overflowX === 'hidden' || style.overflowX === 'clip') return;
      for (const child of Array.from(el.children)) walk(child);
    };
    walk(document.body);
    return { scrollWidth: document.documentElement.scrollWidth, innerWidth, offenders };
  });
}

/** Relative luminance (0 black … 1 white) of an element's computed background colour, in any CSS colour format. */
export async function backgroundLuminance(page: Page, selector: string): Promise<number> {
  return page.evaluate((sel) => {
    const el = document.querySelector(sel);
    if (!el) throw new Error(`no element ${sel}`);
    const color = getComputedStyle(el).backgroundColor;
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 1;
    const ctx = canvas.getContext('2d')!;
    ctx.fillStyle = '#fff';
    ctx.fillRect(0, 0, 1, 1);
    ctx.fillStyle = color;
    ctx.fillRect(0, 0, 1, 1);
    const [r, g, b] = Array.from(ctx.getImageData(0, 0, 1, 1).data).map((v) => {
      const c = v / 255;
      return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
    });
    return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
  }, selector);
}
