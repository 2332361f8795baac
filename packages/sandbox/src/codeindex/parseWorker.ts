/**
 * A parse worker: reads and parses the files it is sent and answers with what the index keeps of
 * them. Started by `pool.ts` through `parseWorker.boot.mjs` (which loads TypeScript with tsx).
 */
import { parentPort } from 'node:worker_threads';
import { prepareReader, readIndexedFile } from './reader';
import type { WalkEntry } from './walk';

export interface WorkerRequest {
  id: number;
  root: string;
  maxParseBytes: number;
  entries: WalkEntry[];
}

export interface WorkerResponse {
  id: number;
  /** The results as JSON: one string is far cheaper to pass between threads than thousands of small objects. */
  results?: string;
  error?: string;
}

const port = parentPort;
if (port) {
  port.on('message', (request: WorkerRequest) => {
    void (async () => {
      try {
        await prepareReader(request.entries);
        const results = [];
        for (const entry of request.entries) results.push(readIndexedFile(request.root, entry, request.maxParseBytes));
        port.postMessage({ id: request.id, results: JSON.stringify(results) } satisfies WorkerResponse);
      } catch (error) {
        port.postMessage({ id: request.id, error: (error as Error).stack ?? String(error) } satisfies WorkerResponse);
      }
    })();
  });
}
