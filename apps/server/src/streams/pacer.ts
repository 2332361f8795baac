/**
 * Paces the synchronous writes of ring replays (issue 14): a reconnect storm's access checks are
 * batched, so hundreds of resumes become ready in the same tick, and replaying each from the ring is a
 * large synchronous write. The pacer runs the queued steps in arrival order for at most `budgetMs` per
 * turn of the event loop, then yields (`setImmediate`), so ingest and the feeds' reads get the thread
 * between slices instead of waiting behind the whole storm.
 */
export class Pacer {
  private readonly queue: { step: () => void; done: () => void; fail: (error: unknown) => void }[] = [];
  private scheduled = false;
  /** Turns that ran out of budget with steps left (how often a storm was spread). */
  yields = 0;

  constructor(private readonly budgetMs: () => number) {}

  /** Runs `step` (synchronous) in its turn; resolves after it ran. */
  run(step: () => void): Promise<void> {
    return new Promise((done, fail) => {
      this.queue.push({ step, done, fail });
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.pump());
      }
    });
  }

  get waiting(): number {
    return this.queue.length;
  }

  private pump(): void {
    const start = performance.now();
    const budget = this.budgetMs();
    while (this.queue.length) {
      const next = this.queue.shift()!;
      try {
        next.step();
        next.done();
      } catch (error) {
        next.fail(error);
      }
      if (this.queue.length && performance.now() - start >= budget) {
        this.yields++;
        setImmediate(() => this.pump());
        return;
      }
    }
    this.scheduled = false;
  }
}
