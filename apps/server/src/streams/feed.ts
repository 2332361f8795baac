/**
 * A spec's feed and its subscribers (the hub's moving parts; see hub.ts for the whole design): the feed
 * reads the spec's new rows once per wake-up and offers the batch to every subscriber; a subscriber
 * catches up (ring, else store pages), then goes live, exactly once and in order.
 */
import { buildBatch, sliceOf, type FeedBatch, type FeedSlice } from './frames';
import type { StreamHub } from './hub';
import type { SubscribeOptions, Subscription } from './hubTypes';
import { FrameRing } from './ring';
import { readFeedRows } from './rows';

export class Subscriber implements Subscription {
  delivered: number;
  private mode: 'catchup' | 'live' | 'closed' = 'catchup';
  constructor(
    private readonly feed: SpecFeed,
    private readonly options: SubscribeOptions,
  ) {
    this.delivered = options.after;
  }
  get specId(): string {
    return this.options.specId;
  }
  /** A method, not a field read: the mode changes across awaits. */
  private isClosed(): boolean {
    return this.mode === 'closed';
  }

  /** Called by the feed, synchronously, with a batch in `spec_seq` order. */
  offer(batch: FeedBatch): void {
    if (this.mode !== 'live' || batch.lastSeq <= this.delivered) return;
    const from = batch.indexOf(this.delivered + 1);
    if (from === -1) {
      this.catchUp();
      return;
    }
    // What the connection still holds from earlier offers decides: a consumer that kept up has
    // flushed it, whatever the size of this one.
    const { bytes, frames } = this.options.sink.backlog();
    const limits = this.feed.hub.limits;
    if (bytes > limits.maxBufferedBytes || frames > limits.maxPendingFrames) {
      this.slow();
      return;
    }
    this.deliver(batch.suffix(from));
  }

  private deliver(slice: FeedSlice): void {
    const filter = this.options.filter;
    if (!filter) this.options.sink.send(slice);
    else {
      const visible = slice.events.filter(filter);
      if (visible.length) this.options.sink.send(visible.length === slice.events.length ? slice : sliceOf(visible));
    }
    this.delivered = slice.events[slice.events.length - 1]!.spec_seq;
  }

  /** Replays (ring, else store) until caught up with the feed, then goes live. */
  catchUp(): void {
    this.mode = 'catchup';
    void this.replay().catch((error: unknown) => {
      if (this.mode === 'closed') return;
      this.close();
      this.options.sink.onError(error);
    });
  }

  private async replay(): Promise<void> {
    const { hub } = this.feed;
    for (;;) {
      if (this.isClosed()) return;
      const cursor = this.feed.cursor;
      if (cursor !== null && this.delivered >= cursor) {
        this.mode = 'live';
        return;
      }
      if (this.feed.ring.covers(this.delivered)) {
        // In its turn (pacer.ts): the ring may have moved on meanwhile, so the slice is taken then.
        let replayed = false;
        await hub.pacer.run(() => {
          if (this.isClosed()) return;
          const fromRing = this.feed.ring.sliceAfter(this.delivered, hub.limits.maxBufferedBytes / 4);
          if (!fromRing) return;
          replayed = true;
          hub.stats.ringReplays++;
          this.deliver(fromRing);
        });
        if (this.isClosed()) return;
        if (replayed && !(await this.waitForRoom())) return;
        continue;
      }
      const rows = await hub.admission.run(() => readFeedRows(hub.db, this.specId, this.delivered, hub.limits.pageSize));
      hub.stats.storePages++;
      if (this.isClosed()) return;
      if (rows.length) this.deliver(buildBatch(rows));
      if (rows.length === hub.limits.pageSize) {
        if (!(await this.waitForRoom())) return;
        continue;
      }
      // The store has nothing more: live, unless the feed read further meanwhile (then the ring has it).
      if (this.feed.cursor !== null && this.feed.cursor > this.delivered) continue;
      this.mode = 'live';
      return;
    }
  }

  /** Waits for this connection to drain below the limits; false when it did not in time (then it is closed as slow). */
  private async waitForRoom(): Promise<boolean> {
    const { sink } = this.options;
    const limits = this.feed.hub.limits;
    const full = () => {
      const { bytes, frames } = sink.backlog();
      return bytes > limits.maxBufferedBytes / 4 || frames > limits.maxPendingFrames / 4;
    };
    if (!full()) return !this.isClosed();
    this.feed.hub.stats.drainWaits++;
    let timer: NodeJS.Timeout | undefined;
    const timedOut = new Promise<'timeout'>((resolve) => {
      timer = setTimeout(() => resolve('timeout'), limits.drainTimeoutMs);
      timer.unref();
    });
    const result = await Promise.race([sink.drained().then(() => 'drained' as const), timedOut]);
    clearTimeout(timer);
    if (this.isClosed()) return false;
    if (result === 'timeout') {
      this.slow();
      return false;
    }
    return true;
  }

  private slow(): void {
    if (this.mode === 'closed') return;
    this.feed.hub.stats.slowClosed++;
    this.close();
    this.options.sink.onSlow(this.delivered);
  }

  close(): void {
    if (this.mode === 'closed') return;
    this.mode = 'closed';
    this.feed.remove(this);
  }
}

export class SpecFeed {
  /** Highest `spec_seq` this feed has read; `null` until it knows where the spec stands. */
  cursor: number | null = null;
  readonly subscribers = new Set<Subscriber>();
  readonly ring: FrameRing;
  private reading = false;
  private again = false;
  private lastReadAt = 0;
  private deferred: NodeJS.Timeout | undefined;
  private stopped = false;
  private busOff: (() => Promise<void>) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private linger: NodeJS.Timeout | undefined;

  constructor(
    readonly hub: StreamHub,
    readonly specId: string,
  ) {
    this.ring = new FrameRing(() => hub.limits.ringBytes);
  }

  start(startAt: number): void {
    this.cursor = startAt;
    this.timer = setInterval(() => this.wake(), this.hub.limits.pollIntervalMs);
    this.timer.unref();
    this.hub.bus
      .subscribe(this.specId, (message) => {
        if (this.cursor === null || message.spec_seq > this.cursor) this.wake();
      })
      .then((off) => {
        if (this.stopped) void off().catch(() => undefined);
        else this.busOff = off;
        // Anything committed while the subscription was being set up.
        this.wake();
      })
      .catch((error: unknown) => this.hub.logger.warn({ err: error, spec_id: this.specId }, 'bus subscribe failed; the feed relies on its poll'));
  }

  add(subscriber: Subscriber): void {
    this.subscribers.add(subscriber);
    if (this.linger) {
      clearTimeout(this.linger);
      this.linger = undefined;
    }
  }

  wake(): void {
    if (this.stopped || this.deferred) return;
    if (this.reading) {
      this.again = true;
      return;
    }
    const wait = this.lastReadAt + this.hub.limits.readIntervalMs - performance.now();
    if (wait > 1) {
      this.deferred = setTimeout(() => {
        this.deferred = undefined;
        this.wake();
      }, wait);
      return;
    }
    this.reading = true;
    void this.read().finally(() => {
      this.reading = false;
      // A wake-up during the read: read again, after the interval.
      if (this.again && !this.stopped) {
        this.again = false;
        this.wake();
      }
    });
  }

  private async read(): Promise<void> {
    try {
      let full: boolean;
      do {
        this.again = false;
        this.lastReadAt = performance.now();
        const rows = await readFeedRows(this.hub.db, this.specId, this.cursor ?? 0, this.hub.limits.pageSize);
        if (this.stopped) return;
        full = rows.length === this.hub.limits.pageSize;
        if (rows.length === 0) continue;
        const batch = buildBatch(rows);
        this.cursor = batch.lastSeq;
        this.ring.push(batch);
        this.hub.stats.feedReads++;
        for (const subscriber of [...this.subscribers]) subscriber.offer(batch);
        // A full page: more is waiting, read it now (a backlog is not coalesced).
      } while (full && !this.stopped);
    } catch (error) {
      this.hub.logger.warn({ err: error, spec_id: this.specId }, 'stream feed read failed; retrying on the next wake-up');
    }
  }

  remove(subscriber: Subscriber): void {
    this.subscribers.delete(subscriber);
    if (this.subscribers.size > 0 || this.stopped || this.linger) return;
    const lingerMs = this.hub.limits.feedLingerMs;
    if (lingerMs <= 0 || this.hub.closing) return this.stop();
    this.linger = setTimeout(() => {
      this.linger = undefined;
      if (this.subscribers.size === 0) this.stop();
    }, lingerMs);
    this.linger.unref();
  }

  stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    clearInterval(this.timer);
    if (this.linger) clearTimeout(this.linger);
    if (this.deferred) clearTimeout(this.deferred);
    this.hub.dropFeed(this);
    const off = this.busOff;
    this.busOff = undefined;
    if (off) void off().catch(() => undefined);
  }
}
