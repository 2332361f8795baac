/**
 * Issue 11, the sandbox's side: the lease the launcher passes (`SANDBOX_LEASE_SECONDS`) sets the HTTP
 * reporter's retry budget, and a run whose events the server refused does not claim success: the CLI
 * says "Run ended with N event(s) not accepted" and exits 1. The real CLI against a real HTTP server.
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { reporterBudget } from '@specline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FakeApi, startFakeServer } from '../reporters/http/fakeServer';
import { HttpReporter } from '../reporters/http/httpReporter';
import { eventFactory } from '../reporters/testEvents';
import { parseReportingConfig } from './config';
import { budgetOptions } from './reporters';

const BIN = fileURLToPath(new URL('../../bin/specline-sandbox.js', import.meta.url));

function cli(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  const base: Record<string, string> = { PATH: process.env['PATH'] ?? '/usr/bin:/bin', HOME: process.env['HOME'] ?? '/tmp', NO_COLOR: '1' };
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { cwd, env: { ...base, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

let work: string;
beforeAll(async () => {
  work = await mkdtemp(join(tmpdir(), 'specline-lease-'));
});
afterAll(async () => {
  await rm(work, { recursive: true, force: true });
});

describe('SANDBOX_LEASE_SECONDS', () => {
  const http = { REPORTER_MODE: 'http', SANDBOX_ID: 'sbx-1', CALLBACK_URL: 'http://127.0.0.1:9', SANDBOX_TOKEN: 't' };

  it('is read by the reporting settings and turned into the reporter budget of the same rule the server counts on', () => {
    const parsed = parseReportingConfig({}, { ...http, SANDBOX_LEASE_SECONDS: '15' }, { reporters: ['jsonl'] });
    expect(parsed.ok && parsed.config.leaseSeconds).toBe(15);
    const budget = reporterBudget(15);
    expect(budgetOptions(15)).toEqual({
      requestTimeoutMs: budget.requestTimeoutMs,
      probeIntervalMs: budget.probeIntervalMs,
      retry: { maxDelayMs: budget.maxDelayMs, maxRetryDurationMs: budget.maxRetryDurationMs },
    });
    expect(budget.maxDelayMs + budget.requestTimeoutMs).toBeLessThan(15_000);
  });

  it('a bad value is refused, naming the setting', () => {
    const parsed = parseReportingConfig({}, { ...http, SANDBOX_LEASE_SECONDS: 'soon' }, { reporters: ['jsonl'] });
    expect(parsed.ok).toBe(false);
    expect(!parsed.ok && parsed.errors.join('\n')).toContain('SANDBOX_LEASE_SECONDS="soon"');
  });
});

describe("a server's Retry-After", () => {
  it('is honoured only up to the lease-derived backoff ceiling (a long one would let the lease expire under a live run)', async () => {
    const api = new FakeApi('tok-9');
    api.script = [{ status: 503, headers: { 'retry-after': '600' }, body: { detail: 'database down', code: 'unavailable' } }];
    const server = await startFakeServer(api.handle);
    const reporter = new HttpReporter({ callbackUrl: server.url, sandboxId: 'sbx-9', token: 'tok-9', stateDir: join(work, 'retry-after'), retry: { maxDelayMs: 50 } });
    try {
      const events = eventFactory().many(2);
      for (const event of events) await reporter.report(event);
      const started = Date.now();
      await reporter.flush();
      expect(api.events).toHaveLength(2);
      expect(Date.now() - started).toBeLessThan(10_000); // not the 600 s the server asked for
    } finally {
      await reporter.close();
      await server.close();
    }
  });
});

describe('a run whose events the server refused', { timeout: 60_000 }, () => {
  it('ends with "Run ended with N event(s) not accepted" on stderr and exit code 1, not "Run succeeded"', async () => {
    const api = new FakeApi('tok-1');
    // The batch that ends the run is refused (as when the run was failed and its token revoked under a live sandbox).
    const server = await startFakeServer((request) => {
      if (request.path.endsWith('/events') && JSON.stringify(request.body).includes('"agent.completed"')) return { status: 401, body: { detail: 'this sandbox token was revoked when its run ended', code: 'token_revoked' } };
      return api.handle(request);
    });
    try {
      const out = join(work, 'refused');
      const env = { REPORTER_MODE: 'http', SANDBOX_ID: 'sbx-2', CALLBACK_URL: server.url, SANDBOX_TOKEN: 'tok-1', SPEC_ID: 'spec-2', SANDBOX_LEASE_SECONDS: '30', SPEC_NO_REPO: '1' };
      const result = await cli(['run', '--title', 'Export CSV', '--description', 'Users export reports as CSV', '--cwd', work, '--out', out], env, work);
      expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(1);
      expect(result.stdout).not.toContain('Run succeeded');
      expect(result.stderr).toMatch(/Run ended with \d+ event\(s\) not accepted by the server/);
      expect(result.stderr).toContain('the server refused');
    } finally {
      await server.close();
    }
  });
});
