/**
 * PGlite on a worker thread of its own (issue 14): PostgreSQL-in-WASM and PGlite's protocol code were
 * ≈ 60% of the server thread's CPU during batched ingest, so the server thread parsed, validated and
 * answered while the database waited, and vice versa. With the database on a worker the two run on two
 * cores: the server thread handles the next batch's HTTP, JSON and validation while the worker inserts
 * this one.
 *
 * `PgliteThreadClient` is the part of PGlite's interface drizzle's PGlite driver uses (`query`, `exec`,
 * `transaction`) plus `close`, as messages to `pgliteWorker.mjs`. Semantics are PGlite's own:
 * - one statement at a time, in order (the worker runs messages one after another);
 * - a transaction holds the database: other queries wait until it commits or rolls back (PGlite's
 *   `transaction` does the same), its own statements go straight through;
 * - a failed statement inside a transaction rolls it back and rethrows; a COMMIT the server turned
 *   into ROLLBACK (the transaction had failed) throws.
 * Errors come back as `Error`s carrying the DatabaseError's fields (`code`, `detail`, `constraint`, …),
 * which is what http/dbErrors.ts reads. If the worker dies, every pending and later call fails with
 * "PGlite is closed" (a 503, see dbErrors.ts).
 */
import { Worker } from 'node:worker_threads';

interface QueryOptions {
  rowMode?: 'array' | 'object';
  /** drizzle's parsers (the identity for timestamps, dates, intervals): only their oids cross the thread. */
  parsers?: Record<number, unknown>;
}

export interface ThreadResults<T = unknown> {
  rows: T[];
  fields: { name: string; dataTypeID: number }[];
  affectedRows?: number;
}

export interface ThreadTransaction {
  query<T>(text: string, params?: unknown[], options?: QueryOptions): Promise<ThreadResults<T>>;
  exec(text: string): Promise<ThreadResults[]>;
  rollback(): Promise<void>;
  readonly closed: boolean;
}

type Reply = { id: number; result?: unknown; error?: Record<string, unknown> & { message: string } };

function rebuildError(data: Record<string, unknown> & { message: string }): Error {
  const error = new Error(data.message);
  for (const [key, value] of Object.entries(data)) {
    if (key !== 'message') Object.defineProperty(error, key, { value, enumerable: key !== 'stack', writable: true, configurable: true });
  }
  return error;
}

export class PgliteThreadClient {
  private readonly worker: Worker;
  private readonly pending = new Map<number, { resolve(value: unknown): void; reject(error: Error): void }>();
  private nextId = 1;
  private dead: Error | null = null;
  /** The tail of the queue of work that holds the database (single statements and whole transactions). */
  private tail: Promise<unknown> = Promise.resolve();
  readonly waitReady: Promise<void>;

  constructor(dataDir?: string) {
    this.worker = new Worker(new URL('./pgliteWorker.mjs', import.meta.url), { workerData: { dataDir: dataDir ?? null } });
    this.waitReady = new Promise<void>((resolve, reject) => this.pending.set(0, { resolve: () => resolve(), reject }));
    this.worker.on('message', (reply: Reply) => {
      const waiter = this.pending.get(reply.id);
      if (!waiter) return;
      this.pending.delete(reply.id);
      if (reply.error) waiter.reject(rebuildError(reply.error));
      else waiter.resolve(reply.result);
    });
    const fail = (error: Error) => {
      this.dead ??= error;
      for (const waiter of this.pending.values()) waiter.reject(this.dead);
      this.pending.clear();
    };
    this.worker.on('error', (error) => fail(Object.assign(new Error(`PGlite is closed: its worker failed (${error.message})`), { cause: error })));
    this.worker.on('exit', (code) => fail(new Error(`PGlite is closed (its worker exited with code ${code})`)));
  }

  private call<T>(message: Record<string, unknown>): Promise<T> {
    if (this.dead) return Promise.reject(this.dead);
    const id = this.nextId++;
    return new Promise<T>((resolve, reject) => {
      this.pending.set(id, { resolve, reject });
      this.worker.postMessage({ ...message, id });
    });
  }

  /** Runs `work` when everything queued before it is done; nothing else runs on the database meanwhile. */
  private exclusive<T>(work: () => Promise<T>): Promise<T> {
    const run = this.tail.then(work, work);
    this.tail = run.catch(() => undefined);
    return run;
  }

  private rawQuery<T>(text: string, params: unknown[] | undefined, options: QueryOptions | undefined): Promise<ThreadResults<T>> {
    const rawOids = options?.parsers ? Object.keys(options.parsers).map(Number) : undefined;
    return this.call<ThreadResults<T>>({ op: 'query', text, params: params ?? [], rowMode: options?.rowMode ?? 'object', rawOids });
  }

  private rawExec(text: string): Promise<(ThreadResults & { command?: string })[]> {
    return this.call({ op: 'exec', text });
  }

  query<T>(text: string, params?: unknown[], options?: QueryOptions): Promise<ThreadResults<T>> {
    return this.exclusive(() => this.rawQuery<T>(text, params, options));
  }

  exec(text: string): Promise<ThreadResults[]> {
    return this.exclusive(() => this.rawExec(text));
  }

  transaction<T>(fn: (tx: ThreadTransaction) => Promise<T>): Promise<T> {
    return this.exclusive(async () => {
      await this.rawExec('BEGIN');
      let closed = false;
      const open = () => {
        if (closed) throw new Error('Transaction is closed');
      };
      const tx: ThreadTransaction = {
        query: async <R>(text: string, params?: unknown[], options?: QueryOptions) => {
          open();
          return this.rawQuery<R>(text, params, options);
        },
        exec: async (text: string) => {
          open();
          return this.rawExec(text);
        },
        rollback: async () => {
          open();
          await this.rawExec('ROLLBACK');
          closed = true;
        },
        get closed() {
          return closed;
        },
      };
      try {
        const result = await fn(tx);
        if (!closed) {
          closed = true;
          const [commit] = await this.rawExec('COMMIT');
          if (commit?.command === 'ROLLBACK') throw Object.assign(new Error('Transaction was rolled back instead of committed'), { code: '25P02' });
        }
        return result;
      } catch (error) {
        if (!closed) {
          closed = true;
          await this.rawExec('ROLLBACK').catch(() => undefined);
        }
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    if (!this.dead) {
      await this.exclusive(() => this.call({ op: 'close' }));
      this.dead = new Error('PGlite is closed');
    }
    await this.worker.terminate();
  }
}
