import type { StoredEvent } from '@specline/protocol';

/**
 * The loaded events of one spec (or one filtered view of it): deduplicated by `spec_seq`, kept in ascending
 * order so live events append at the end. Rows read it newest first through {@link EventStore.newest}.
 * Mutable on purpose (a 100,000-event spec must not be copied per event); `version` changes on every change.
 */
export class EventStore {
  private readonly bySeq = new Map<number, StoredEvent>();
  private asc: StoredEvent[] = [];
  version = 0;

  get size(): number {
    return this.asc.length;
  }

  /** Highest `spec_seq` loaded (0 when empty): the live cursor. */
  get highest(): number {
    return this.asc.at(-1)?.spec_seq ?? 0;
  }

  /** Lowest `spec_seq` loaded (0 when empty): the `before` cursor for older pages. */
  get lowest(): number {
    return this.asc[0]?.spec_seq ?? 0;
  }

  has(seq: number): boolean {
    return this.bySeq.has(seq);
  }

  /** Adds events in any order; returns the ones that were new, ascending. */
  add(events: readonly StoredEvent[]): StoredEvent[] {
    const fresh: StoredEvent[] = [];
    for (const event of events) {
      if (this.bySeq.has(event.spec_seq)) continue;
      this.bySeq.set(event.spec_seq, event);
      fresh.push(event);
    }
    if (fresh.length === 0) return fresh;
    fresh.sort((a, b) => a.spec_seq - b.spec_seq);
    const first = fresh[0]!;
    const last = fresh.at(-1)!;
    if (this.asc.length === 0 || first.spec_seq > this.highest) this.asc.push(...fresh);
    else if (last.spec_seq < this.lowest) this.asc = fresh.concat(this.asc);
    else {
      this.asc.push(...fresh);
      this.asc.sort((a, b) => a.spec_seq - b.spec_seq);
    }
    this.version++;
    return fresh;
  }

  /** The i-th newest event (0 = newest). */
  newest(index: number): StoredEvent | undefined {
    return this.asc[this.asc.length - 1 - index];
  }

  /** All events, newest first (a copy). */
  newestFirst(): StoredEvent[] {
    return this.asc.slice().reverse();
  }

  /** All events in ascending order (read-only view). */
  ascending(): readonly StoredEvent[] {
    return this.asc;
  }

  clear(): void {
    this.bySeq.clear();
    this.asc = [];
    this.version++;
  }
}
