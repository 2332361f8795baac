/**
 * Web timeline benchmark (issue 5, acceptance 3): a spec with 100,000 stored events, opened in
 * Debian's Chromium. Measures the time from navigation to the first rendered timeline row (target
 * < 1 s) and from the first row to the oldest event after scrolling all the way down, and the most
 * row elements the DOM held meanwhile. Writes bench/results/timeline-<date>.md and timeline-latest.json.
 *
 * The server is the e2e one (`e2e/serve.sh`: PostgreSQL + Redis, built web UI), on its own port.
 */
import { spawn } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { chromium, request } from '@playwright/test';
import { seedSpecWithEvents } from '../e2e/seed';
import { percentile } from './lib/stats';

const PORT = Number(process.env['BENCH_TIMELINE_PORT'] ?? 8124);
const BASE = `http://127.0.0.1:${PORT}`;
const EVENTS = 100_000;
const RUNS = 3;

async function waitForHealth(deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    try {
      if ((await fetch(`${BASE}/api/v1/health`)).ok) return;
    } catch {
      /* not up yet */
    }
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error('server did not start');
}

const median = (values: number[]): number => percentile([...values].sort((a, b) => a - b), 50);

async function main(): Promise<void> {
  process.stdout.write('timeline bench: building the web UI\n');
  await new Promise<void>((resolve, reject) => {
    const build = spawn('npm', ['run', 'build', '-w', '@specline/web'], { stdio: 'ignore' });
    build.on('exit', (code) => (code === 0 ? resolve() : reject(new Error(`web build exited ${code}`))));
  });
  const server = spawn('bash', ['e2e/serve.sh'], { env: { ...process.env, E2E_PORT: String(PORT), E2E_SSE_MAX_STREAM_SECONDS: '0' }, stdio: 'ignore', detached: true });
  try {
    await waitForHealth(Date.now() + 120_000);
    const api = await request.newContext({ baseURL: BASE });
    const login = await api.post('/api/v1/auth/login', { data: { email: 'demo@specline.local', password: 'specline-demo' } });
    if (!login.ok()) throw new Error(`login: ${login.status()}`);
    const seeded = await seedSpecWithEvents(api, EVENTS);
    const browser = await chromium.launch({
      executablePath: process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium',
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    const runs: { firstRowMs: number; oldestMs: number; maxRows: number; pages: number }[] = [];
    for (let run = 0; run < RUNS; run++) {
      const context = await browser.newContext({ baseURL: BASE });
      const page = await context.newPage();
      // Sign in through the UI (not timed); the timed part is a fresh load of the spec page.
      await page.goto('/sign-in');
      await page.getByLabel('Email').fill('demo@specline.local');
      await page.getByLabel('Password').fill('specline-demo');
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.waitForURL(/\/projects/);
      let pages = 0;
      page.on('request', (r) => {
        if (/\/events\?/.test(r.url())) pages++;
      });
      await page.goto(`/projects/${seeded.projectId}/specs/${seeded.specId}?tab=execution`);
      await page.waitForSelector('[data-testid="timeline-row"]', { timeout: 30_000 });
      const firstRowMs = await page.evaluate(() => performance.now());
      const scroller = page.getByLabel('Events, newest first');
      let oldest = Number.POSITIVE_INFINITY;
      let maxRows = 0;
      while (oldest > 1) {
        await scroller.evaluate((el) => (el.scrollTop = el.scrollHeight));
        await page.waitForTimeout(10);
        const seqs = await page.locator('[data-testid="timeline-row"]').evaluateAll((els) => els.map((e) => Number(e.getAttribute('data-spec-seq'))));
        maxRows = Math.max(maxRows, seqs.length);
        oldest = Math.min(oldest, ...seqs);
      }
      const oldestMs = (await page.evaluate(() => performance.now())) - firstRowMs;
      runs.push({ firstRowMs, oldestMs, maxRows, pages });
      process.stdout.write(`  run ${run + 1}: first row ${firstRowMs.toFixed(0)} ms, oldest after ${oldestMs.toFixed(0)} ms more, ≤ ${maxRows} rows in the DOM, ${pages} event pages\n`);
      await context.close();
    }
    await browser.close();
    await api.dispose();

    const firstRow = median(runs.map((r) => r.firstRowMs));
    const oldest = median(runs.map((r) => r.oldestMs));
    const maxRows = Math.max(...runs.map((r) => r.maxRows));
    const date = new Date().toISOString().slice(0, 10);
    const conditions = `${os.cpus().length} cores, Node ${process.version}, Chromium (Debian, headless), PostgreSQL + Redis, ${EVENTS.toLocaleString('en')} events, median of ${RUNS} runs`;
    const rows = [
      ['time to first rendered row (navigation start → first row)', `${firstRow.toFixed(0)} ms`, '< 1,000 ms', firstRow < 1000 ? '✅' : '❌'],
      ['time from first row to the oldest event (scrolling to the end)', `${(oldest / 1000).toFixed(1)} s`, '–', '–'],
      ['most timeline rows in the DOM while scrolling', String(maxRows), '< 200', maxRows < 200 ? '✅' : '❌'],
    ];
    const table = ['| figure | measured | target | met |', '|---|---|---|---|', ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
    const report = `# Web timeline benchmark, ${date}\n\nConditions: ${conditions}.\n\n${table}\n\nRuns: ${JSON.stringify(runs)}\n`;
    await mkdir('bench/results', { recursive: true });
    await writeFile(`bench/results/timeline-${date}.md`, report);
    await writeFile('bench/results/timeline-latest.json', `${JSON.stringify({ date, conditions, firstRowMs: firstRow, oldestMs: oldest, maxRows, runs }, null, 2)}\n`);
    process.stdout.write(`\n${table}\n`);
  } finally {
    if (server.pid) process.kill(-server.pid, 'SIGTERM');
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`timeline bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
