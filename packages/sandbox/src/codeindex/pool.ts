/**
 * Parses files on worker threads: batches of files go to whichever worker is free; results are put
 * back in walk order, so the index is the same whatever the number of workers. Aborting the signal
 * terminates the workers.
 */
import { Worker } from 'node:worker_threads';
import type { WorkerRequest, WorkerResponse } from './parseWorker';
import type { ReadResult } from './reader';
import type { WalkEntry } from './walk';

const BATCH = 64;

export interface PoolOptions {
  workers: number;
  maxParseBytes: number;
  signal?: AbortSignal;
  /** Called after each batch with the number of files done. */
  onProgress?: (done: number) => void;
}

export async function parseInWorkers(root: string, entries: readonly WalkEntry[], options: PoolOptions): Promise<(ReadResult | null)[]> {
  options.signal?.throwIfAborted();
  const results: (ReadResult | null)[] = new Array<ReadResult | null>(entries.length).fill(null);
  const workers: Worker[] = [];
  let next = 0;
  let done = 0;
  let settled = false;
  return new Promise<(ReadResult | null)[]>((resolve, reject) => {
    const finish = (error?: unknown) => {
      if (settled) return;
      settled = true;
      options.signal?.removeEventListener('abort', onAbort);
      for (const w of workers) void w.terminate();
      if (error !== undefined) reject(error instanceof Error ? error : new Error(typeof error === 'string' ? error : 'parse pool failed'));
      else resolve(results);
    };
    const onAbort = () => finish(options.signal?.reason ?? new Error('aborted'));
    options.signal?.addEventListener('abort', onAbort, { once: true });
    const send = (worker: Worker) => {
      if (settled) return;
      if (next >= entries.length) return;
      const start = next;
      next = Math.min(entries.length, next + BATCH);
      const request: WorkerRequest = { id: start, root, maxParseBytes: options.maxParseBytes, entries: entries.slice(start, next) };
      worker.postMessage(request);
    };
    const count = Math.max(1, Math.min(options.workers, Math.ceil(entries.length / BATCH)));
    for (let i = 0; i < count; i++) {
      const worker = new Worker(new URL('./parseWorker.boot.mjs', import.meta.url));
      workers.push(worker);
      worker.on('message', (response: WorkerResponse) => {
        if (settled) return;
        if (response.error !== undefined) {
          finish(new Error(`parse worker failed: ${response.error}`));
          return;
        }
        const list = response.results ?? [];
        for (let j = 0; j < list.length; j++) results[response.id + j] = list[j] ?? null;
        done += list.length;
        options.onProgress?.(done);
        if (done >= entries.length) finish();
        else send(worker);
      });
      worker.on('error', (error) => finish(error));
      worker.on('exit', (code) => {
        if (!settled && code !== 0) finish(new Error(`parse worker exited with code ${code}`));
      });
      send(worker);
    }
    if (entries.length === 0) finish();
  });
}
