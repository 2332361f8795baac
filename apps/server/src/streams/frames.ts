/**
 * Serialise once, fan out bytes. A feed turns each read of rows into ONE `FeedBatch`: one Buffer holding
 * the SSE frames of all its events back to back. Every subscriber writes (a subarray of) that same
 * Buffer: nothing is rebuilt or copied per subscriber. A WebSocket message is built once per event per
 * feed, on first use, from the frame's JSON bytes, and shared the same way.
 */
import { SSE_EVENT_NAME } from '@specline/protocol';
import type { FeedRow } from './rows';

const CLOSE_BRACE = Buffer.from('}');

export class FeedEvent {
  private ws: Buffer | undefined;
  constructor(
    readonly spec_seq: number,
    readonly event_type: string,
    /** `id: <spec_seq>\nevent: spec_event\ndata: <StoredEvent JSON>\n\n`: shared, never modified. */
    readonly frame: Buffer,
    /** Byte offset of the JSON inside `frame`. */
    private readonly dataStart: number,
  ) {}

  /** The `StoredEvent` JSON bytes (a view into the frame). */
  get jsonBytes(): Buffer {
    return this.frame.subarray(this.dataStart, this.frame.length - 2);
  }

  get json(): string {
    return this.jsonBytes.toString('utf8');
  }

  /** The WebSocket `event` message of this event (`{"v":1,"type":"event",…}`), built once. */
  wsMessage(specId: string): Buffer {
    this.ws ??= Buffer.concat([Buffer.from(`{"v":1,"type":"event","spec_id":${JSON.stringify(specId)},"spec_seq":${this.spec_seq},"event":`), this.jsonBytes, CLOSE_BRACE]);
    return this.ws;
  }
}

/** Consecutive events (and their frames as byte ranges of one Buffer) handed to a sink. */
export interface FeedSlice {
  readonly events: readonly FeedEvent[];
  /** The SSE frames of exactly `events`, in order, as shared byte ranges. */
  readonly chunks: readonly Buffer[];
  readonly bytes: number;
}

export class FeedBatch implements FeedSlice {
  readonly firstSeq: number;
  readonly lastSeq: number;
  readonly chunks: readonly Buffer[];
  private readonly offsets: number[];
  private readonly contiguous: boolean;
  private readonly suffixes = new Map<number, FeedSlice>();

  constructor(
    readonly events: readonly FeedEvent[],
    readonly buffer: Buffer,
    offsets: number[],
  ) {
    this.offsets = offsets;
    this.firstSeq = events[0]!.spec_seq;
    this.lastSeq = events[events.length - 1]!.spec_seq;
    this.contiguous = this.lastSeq - this.firstSeq === events.length - 1;
    this.chunks = [buffer];
  }

  get bytes(): number {
    return this.buffer.length;
  }

  /** Index of the event with this `spec_seq`, or -1. */
  indexOf(seq: number): number {
    if (this.contiguous) return seq >= this.firstSeq && seq <= this.lastSeq ? seq - this.firstSeq : -1;
    return this.events.findIndex((e) => e.spec_seq === seq);
  }

  /** Bytes of events `from` … `to - 1`. */
  bytesOf(from: number, to = this.events.length): Buffer {
    return from === 0 && to === this.events.length ? this.buffer : this.buffer.subarray(this.offsets[from], this.offsets[to]);
  }

  /** Events from index `from` to the end: one shared slice per suffix (most subscribers take the whole batch). */
  suffix(from: number): FeedSlice {
    if (from === 0) return this;
    let slice = this.suffixes.get(from);
    if (!slice) {
      const chunk = this.bytesOf(from);
      slice = { events: this.events.slice(from), chunks: [chunk], bytes: chunk.length };
      this.suffixes.set(from, slice);
    }
    return slice;
  }
}

/** One Buffer for all the rows' frames; each event's frame is a view into it. */
export function buildBatch(rows: readonly FeedRow[]): FeedBatch {
  const parts = rows.map((r) => `id: ${r.spec_seq}\nevent: ${SSE_EVENT_NAME}\ndata: ${r.json}\n\n`);
  const buffer = Buffer.from(parts.join(''), 'utf8');
  const offsets: number[] = [0];
  const events: FeedEvent[] = [];
  let offset = 0;
  rows.forEach((r, i) => {
    const length = Buffer.byteLength(parts[i]!, 'utf8');
    const head = `id: ${r.spec_seq}\nevent: ${SSE_EVENT_NAME}\ndata: `.length;
    events.push(new FeedEvent(r.spec_seq, r.event_type, buffer.subarray(offset, offset + length), head));
    offset += length;
    offsets.push(offset);
  });
  return new FeedBatch(events, buffer, offsets);
}

/** A slice of arbitrary events (a filtered subscriber's): their own frames, no copy. */
export function sliceOf(events: readonly FeedEvent[]): FeedSlice {
  const chunks = events.map((e) => e.frame);
  return { events, chunks, bytes: chunks.reduce((n, c) => n + c.length, 0) };
}
