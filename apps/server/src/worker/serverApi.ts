/**
 * The worker's calls to the server (issue 11): `/api/v1/workers/*` with the worker token. A server
 * restarting, or without its database for a while (503 + Retry-After), is waited for: calls retry with
 * backoff until their budget runs out. The token is sent only as a header and never logged.
 */
import { createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ClaimAnswer } from '../services/workerClaims';

export class ServerError extends Error {
  override name = 'ServerError';
  constructor(
    message: string,
    readonly status: number | null,
  ) {
    super(message);
  }
}

export interface ServerApi {
  claim(body: { spec_id: string; run_id: string; worker: string }): Promise<ClaimAnswer>;
  status(sandboxId: string, body: { state: 'preparing' | 'running'; pid?: number; log_path?: string }): Promise<{ live: boolean; detail: string }>;
  exited(sandboxId: string, body: { exit_code: number | null; signal: string | null; worker: string; log_path?: string }): Promise<{ ended: boolean }>;
  /** Writes the attempt's git bundle to `file`. */
  bundle(sandboxId: string, file: string): Promise<void>;
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const retryable = (status: number) => status >= 500 || status === 408 || status === 429;

export function createServerApi(options: { serverUrl: string; token: string; budgetMs?: number }): ServerApi {
  const base = `${options.serverUrl}/api/v1/workers`;
  const budgetMs = options.budgetMs ?? 120_000;
  const headers = (json: boolean) => ({ authorization: `Bearer ${options.token}`, ...(json ? { 'content-type': 'application/json' } : {}) });

  async function call(method: string, route: string, body: unknown, budget = budgetMs): Promise<Response> {
    const deadline = Date.now() + budget;
    let delay = 250;
    for (;;) {
      let failure: ServerError;
      try {
        const res = await fetch(`${base}${route}`, {
          method,
          headers: headers(body !== undefined),
          ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          signal: AbortSignal.timeout(Math.min(60_000, Math.max(1000, deadline - Date.now()))),
        });
        if (res.ok) return res;
        const text = await res.text().catch(() => '');
        failure = new ServerError(`${method} ${route}: ${res.status} ${text.slice(0, 300)}`, res.status);
        if (!retryable(res.status)) throw failure;
        const after = Number(res.headers.get('retry-after'));
        if (Number.isFinite(after) && after > 0) delay = Math.max(delay, after * 1000);
      } catch (error) {
        if (error instanceof ServerError && error.status !== null && !retryable(error.status)) throw error;
        failure = error instanceof ServerError ? error : new ServerError(`${method} ${route}: ${(error as Error).message}`, null);
      }
      if (Date.now() + delay > deadline) throw failure;
      await sleep(delay * (0.75 + Math.random() * 0.5));
      delay = Math.min(delay * 2, 5_000);
    }
  }

  return {
    async claim(body) {
      return (await (await call('POST', '/claims', body)).json()) as ClaimAnswer;
    },
    async status(sandboxId, body) {
      return (await (await call('POST', `/runs/${encodeURIComponent(sandboxId)}/status`, body, 10_000)).json()) as { live: boolean; detail: string };
    },
    async exited(sandboxId, body) {
      return (await (await call('POST', `/runs/${encodeURIComponent(sandboxId)}/exit`, body)).json()) as { ended: boolean };
    },
    async bundle(sandboxId, file) {
      const res = await call('GET', `/runs/${encodeURIComponent(sandboxId)}/bundle`, undefined);
      if (!res.body) throw new ServerError('the bundle answer had no body', res.status);
      await pipeline(Readable.fromWeb(res.body), createWriteStream(file, { mode: 0o600 }));
    },
  };
}
