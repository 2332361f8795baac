/**
 * Bounded concurrency for the streams' database work (the hub has one for catch-up pages read from the
 * store, one for access checks of new connections): at most `limit()` at a time each, the rest wait in
 * arrival order. A reconnect storm therefore holds a bounded share of the pool, and ingest keeps the rest.
 */
export interface AdmissionStats {
  active: number;
  waiting: number;
  /** Most run at once since the hub started. */
  maxActive: number;
  admitted: number;
}

export class Admission {
  private active = 0;
  private maxActive = 0;
  private admitted = 0;
  private readonly queue: (() => void)[] = [];

  constructor(private readonly limit: () => number) {}

  async run<T>(work: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await work();
    } finally {
      this.release();
    }
  }

  stats(): AdmissionStats {
    return { active: this.active, waiting: this.queue.length, maxActive: this.maxActive, admitted: this.admitted };
  }

  private acquire(): Promise<void> {
    if (this.active < Math.max(1, this.limit())) {
      this.take();
      return Promise.resolve();
    }
    return new Promise((resolve) => this.queue.push(resolve));
  }

  private take(): void {
    this.active++;
    this.admitted++;
    if (this.active > this.maxActive) this.maxActive = this.active;
  }

  private release(): void {
    this.active--;
    while (this.queue.length && this.active < Math.max(1, this.limit())) {
      this.take();
      this.queue.shift()!();
    }
  }
}
