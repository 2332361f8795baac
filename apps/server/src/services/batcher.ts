/**
 * A DataLoader-style batcher with no cache (issue 14): lookups asked while no batch is pending start one,
 * which is sent on the next turn of the event loop (`setImmediate`: every request parsed in this I/O
 * phase joins it); lookups asked while `maxInFlight` batches are running wait in the pending one, so under
 * load the batches grow instead of the queries multiplying. Identical keys in one pending batch share one
 * promise. A batch already sent is never joined and nothing is remembered after it answers: every answer
 * comes from a query that started after its lookup was asked, so a session revoked (or a member removed)
 * before a request arrives is seen by that request, exactly as with one query per request.
 *
 * Chosen over the `dataloader` package: its batches are one tick (the requests of a storm arrive in
 * separate I/O callbacks, so they would not batch), it has no bound on batches in flight, and with
 * `cache: false` it does not share identical keys. This is the ~50 lines we need.
 */
export interface BatcherOptions<K, V> {
  /** One query for all these (distinct) keys; the map holds the answer of each key that has one. */
  load: (keys: K[]) => Promise<Map<string, V>>;
  /** The identity of a key (equal keys share one answer). */
  id: (key: K) => string;
  /** Batches running at once; later lookups gather in the next one. */
  maxInFlight: () => number;
  /** Distinct keys in one batch (bounds the query's parameters); a full batch is followed by another. Default 500. */
  maxBatch?: number;
}

interface Entry<K, V> {
  key: K;
  waiters: { resolve: (v: V | undefined) => void; reject: (e: unknown) => void }[];
}

interface Pending<K, V> {
  keys: Map<string, Entry<K, V>>;
  scheduled: boolean;
}

export interface BatcherStats {
  batches: number;
  lookups: number;
  /** Keys sent to the database (lookups − shared ones). */
  keys: number;
  largestBatch: number;
  inFlight: number;
}

export class Batcher<K, V> {
  /** Batches not sent yet, oldest first; lookups join the newest one until it is full. */
  private readonly pending: Pending<K, V>[] = [];
  private inFlight = 0;
  readonly counts: BatcherStats = { batches: 0, lookups: 0, keys: 0, largestBatch: 0, inFlight: 0 };

  constructor(private readonly options: BatcherOptions<K, V>) {}

  /** The value of `key`, or undefined when the query has none. */
  load(key: K): Promise<V | undefined> {
    this.counts.lookups++;
    const id = this.options.id(key);
    let pending = this.pending.at(-1);
    if (!pending || (pending.keys.size >= (this.options.maxBatch ?? 500) && !pending.keys.has(id))) {
      pending = { keys: new Map<string, Entry<K, V>>(), scheduled: false };
      this.pending.push(pending);
    }
    const entry: Entry<K, V> = pending.keys.get(id) ?? { key, waiters: [] };
    pending.keys.set(id, entry);
    const answer = new Promise<V | undefined>((resolve, reject) => {
      entry.waiters.push({ resolve, reject });
    });
    this.schedule();
    return answer;
  }

  stats(): BatcherStats {
    return { ...this.counts, inFlight: this.inFlight };
  }

  private schedule(): void {
    let running = this.inFlight + this.pending.filter((p) => p.scheduled).length;
    for (const pending of this.pending) {
      if (running >= Math.max(1, this.options.maxInFlight())) return;
      if (pending.scheduled) continue;
      pending.scheduled = true;
      running++;
      setImmediate(() => this.dispatch(pending));
    }
  }

  private dispatch(batch: Pending<K, V>): void {
    const at = this.pending.indexOf(batch);
    if (at !== -1) this.pending.splice(at, 1);
    this.inFlight++;
    this.counts.batches++;
    this.counts.keys += batch.keys.size;
    this.counts.largestBatch = Math.max(this.counts.largestBatch, batch.keys.size);
    const entries = [...batch.keys.values()];
    const settle = (each: (entry: (typeof entries)[number]) => void) => {
      this.inFlight--;
      for (const entry of entries) each(entry);
      this.schedule();
    };
    this.options.load(entries.map((e) => e.key)).then(
      (values) =>
        settle((entry) => {
          const value = values.get(this.options.id(entry.key));
          for (const w of entry.waiters) w.resolve(value);
        }),
      (error: unknown) =>
        settle((entry) => {
          for (const w of entry.waiters) w.reject(error);
        }),
    );
  }
}
