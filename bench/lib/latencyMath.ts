/** What the latency phase computes from the subscribers' arrival times (run in the subscriber process). */
import { summarize } from './stats';

export interface ArrivalLog {
  /** `recv[seq]` = arrival time (ms, monotonic) of `spec_seq` seq; 0 when it never came. */
  recv: Float64Array;
  received: number;
  errors: string[];
  /** Set when the server closed the stream (`stream_closed`) or the connection ended. */
  closed: string | null;
}

export function pairLatencies(subscribers: readonly ArrivalLog[], acceptedAt: Float64Array, sentAt: Float64Array, from: number, to: number) {
  const n = to - from;
  const fromAccepted = new Float64Array(subscribers.length * n);
  const fromSend = new Float64Array(subscribers.length * n);
  let i = 0;
  let beforeAccepted = 0;
  for (const s of subscribers) {
    for (let seq = from + 1; seq <= to; seq++) {
      const at = s.recv[seq] ?? 0;
      if (at === 0) continue; // missing: counted by the delivery check
      const a = at - acceptedAt[seq]!;
      if (a < 0) beforeAccepted++;
      fromAccepted[i] = a;
      fromSend[i] = at - sentAt[seq]!;
      i++;
    }
  }
  return { fromAccepted: summarize(fromAccepted.subarray(0, i)), fromSend: summarize(fromSend.subarray(0, i)), beforeAccepted };
}

export function sentAtMatches(read: Float64Array, sent: Float64Array, lastSeq: number): boolean {
  for (let seq = 1; seq <= lastSeq; seq++) if (Math.abs((read[seq] ?? 0) - sent[seq]!) > 1e-3) return false;
  return true;
}

export function deliveryCheck(subscribers: readonly ArrivalLog[], lastSeq: number) {
  const errors = subscribers.flatMap((s) => s.errors);
  for (const [i, s] of subscribers.entries()) {
    if (s.received !== lastSeq) errors.push(`subscriber ${i}: received ${s.received} of ${lastSeq} events`);
  }
  const closed = subscribers.flatMap((s, i) => (s.closed ? [`subscriber ${i}: ${s.closed}`] : []));
  return { expectedPerSubscriber: lastSeq, exactlyOnceInOrder: errors.length === 0, errors: errors.slice(0, 20), closed: closed.slice(0, 20) };
}
