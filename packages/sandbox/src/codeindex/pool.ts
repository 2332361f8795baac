/**
 * Parses files on worker threads and on this thread at once: batches of files go to whichever is
 * free (each worker keeps two batches queued, so it never waits for this thread); results are put
 * back in walk order, so the index is the same whatever the number of workers. Aborting the signal
 * terminates the workers.
 */
import { Worker } from 'node:worker_threads';
import type { WorkerRequest, WorkerResponse } from './parseWorker';
import { prepareReader, readIndexedFile, type ReadResult } from './reader';
import type { WalkEntry } from './walk';

const BATCH = 48;

export interface PoolOptions {
  /** Worker threads besides this one. */
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
  await prepareReader(entries);
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
    const completed = (count: number) => {
      done += count;
      options.onProgress?.(done);
      if (done >= entries.length) finish();
    };
    const take = (): [number, number] | undefined => {
      if (settled || next >= entries.length) return undefined;
      const start = next;
      next = Math.min(entries.length, next + BATCH);
      return [start, next];
    };
    const send = (worker: Worker) => {
      const batch = take();
      if (!batch) return;
      const request: WorkerRequest = { id: batch[0], root, maxParseBytes: options.maxParseBytes, entries: entries.slice(batch[0], batch[1]) };
      worker.postMessage(request);
    };
    const count = Math.max(0, Math.min(options.workers, Math.ceil(entries.length / BATCH) - 1));
    for (let i = 0; i < count; i++) {
      const worker = new Worker(new URL('./parseWorker.boot.mjs', import.meta.url));
      workers.push(worker);
      worker.on('message', (response: WorkerResponse) => {
        if (settled) return;
        if (response.error !== undefined) {
          finish(new Error(`parse worker failed: ${response.error}`));
          return;
        }
        const list = JSON.parse(response.results ?? '[]') as (ReadResult | null)[];
        for (let j = 0; j < list.length; j++) results[response.id + j] = list[j] ?? null;
        send(worker);
        completed(list.length);
      });
      worker.on('error', (error) => finish(error));
      worker.on('exit', (code) => {
        if (!settled && code !== 0) finish(new Error(`parse worker exited with code ${code}`));
      });
      send(worker);
      send(worker);
    }
    // This thread parses too, a batch at a time, letting the workers' answers in between.
    const local = async () => {
      for (let batch = take(); batch; batch = take()) {
        for (let i = batch[0]; i < batch[1]; i++) {
          if (settled) return;
          results[i] = readIndexedFile(root, entries[i]!, options.maxParseBytes);
        }
        completed(batch[1] - batch[0]);
        await new Promise((r) => setImmediate(r));
      }
    };
    if (entries.length === 0) finish();
    else local().catch((error: unknown) => finish(error));
  });
}
