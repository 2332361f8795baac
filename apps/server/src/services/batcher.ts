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
  private pending: Pending<K, V> | undefined;
  private inFlight = 0;
  readonly counts: BatcherStats = { batches: 0, lookups: 0, keys: 0, largestBatch: 0, inFlight: 0 };

  constructor(private readonly options: BatcherOptions<K, V>) {}

  /** The value of `key`, or undefined when the query has none. */
  load(key: K): Promise<V | undefined> {
    this.counts.lookups++;
    const pending: Pending<K, V> = (this.pending ??= { keys: new Map<string, Entry<K, V>>(), scheduled: false });
    const id = this.options.id(key);
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
    const pending = this.pending;
    if (!pending || pending.scheduled || this.inFlight >= Math.max(1, this.options.maxInFlight())) return;
    pending.scheduled = true;
    setImmediate(() => this.dispatch(pending));
  }

  private dispatch(batch: Pending<K, V>): void {
    if (this.pending === batch) this.pending = undefined;
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
