/**
 * Each spec feed's memory of recent events: the last batches it read, bounded in bytes (`SSE_RING_BYTES`).
 * A resume whose `Last-Event-ID` falls inside it is served from these shared Buffers with no database
 * read; the ring always keeps the newest batch, whatever its size.
 */
import type { FeedBatch, FeedEvent, FeedSlice } from './frames';

export class FrameRing {
  private batches: FeedBatch[] = [];
  private head = 0;
  private total = 0;
  /** Slices handed out since the last push, by `after` and budget: a storm's resumes share them. */
  private memo = new Map<string, FeedSlice>();

  constructor(private readonly capacity: () => number) {}

  get bytes(): number {
    return this.total;
  }

  get size(): number {
    return this.batches.length - this.head;
  }

  /** Lowest `spec_seq` held, or null when empty. */
  get firstSeq(): number | null {
    return this.size ? this.batches[this.head]!.firstSeq : null;
  }

  get lastSeq(): number | null {
    return this.size ? this.batches[this.batches.length - 1]!.lastSeq : null;
  }

  push(batch: FeedBatch): void {
    this.batches.push(batch);
    this.total += batch.bytes;
    this.memo.clear();
    const capacity = this.capacity();
    while (this.size > 1 && this.total > capacity) {
      this.total -= this.batches[this.head]!.bytes;
      this.head++;
    }
    if (this.head > 64 && this.head * 2 > this.batches.length) {
      this.batches = this.batches.slice(this.head);
      this.head = 0;
    }
  }

  /** Whether the event right after `after` is here. */
  covers(after: number): boolean {
    const first = this.firstSeq;
    const last = this.lastSeq;
    return first !== null && last !== null && first <= after + 1 && after < last;
  }

  /**
   * The events after `after`, in order, up to about `maxBytes` (at least one event), as shared byte
   * ranges; undefined when the ring does not hold the event after `after`.
   */
  sliceAfter(after: number, maxBytes: number): FeedSlice | undefined {
    if (!this.covers(after)) return undefined;
    const key = `${after}:${maxBytes}`;
    const known = this.memo.get(key);
    if (known) return known;
    const events: FeedEvent[] = [];
    const chunks: Buffer[] = [];
    let bytes = 0;
    let want = after + 1;
    for (let b = this.head; b < this.batches.length && bytes < maxBytes; b++) {
      const batch = this.batches[b]!;
      if (batch.lastSeq < want) continue;
      const from = batch.indexOf(want);
      if (from === -1) break; // not contiguous: let the caller read the store
      let to = from;
      let size = 0;
      while (to < batch.events.length && (bytes + size < maxBytes || to === from)) {
        size += batch.events[to]!.frame.length;
        to++;
      }
      for (let i = from; i < to; i++) events.push(batch.events[i]!);
      chunks.push(batch.bytesOf(from, to));
      bytes += size;
      want = batch.events[to - 1]!.spec_seq + 1;
      if (to < batch.events.length) break;
    }
    if (events.length === 0) return undefined;
    const slice: FeedSlice = { events, chunks, bytes };
    this.memo.set(key, slice);
    return slice;
  }
}
