import type { KnownEventType, Phase, SpecEvent, SpecEventOf } from '@specline/protocol';
import type { Reporter } from '../types';

/**
 * Keeps every event in memory, in report order. For tests and for callers that want to inspect a
 * run after it ends. Unbounded: use it for one run, not for a long-lived process.
 */
export class ArrayReporter implements Reporter {
  readonly #events: SpecEvent[] = [];

  report(event: SpecEvent): Promise<void> {
    this.#events.push(event);
    return Promise.resolve();
  }

  flush(): Promise<void> {
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Number of events held. */
  get size(): number {
    return this.#events.length;
  }

  /** Events of one type, in order; catalogue types come back with their typed payload. */
  byType<T extends KnownEventType>(type: T): SpecEventOf<T>[];
  byType(type: string): SpecEvent[];
  byType(type: string): SpecEvent[] {
    return this.#events.filter((event) => event.event_type === type);
  }

  /** Events whose envelope `phase` is `phase` (`null` selects run-level events). */
  byPhase(phase: Phase | null): SpecEvent[] {
    return this.#events.filter((event) => event.phase === phase);
  }

  /** The newest event, or the newest of one type; `undefined` when there is none. */
  latest<T extends KnownEventType>(type: T): SpecEventOf<T> | undefined;
  latest(type?: string): SpecEvent | undefined;
  latest(type?: string): SpecEvent | undefined {
    for (let i = this.#events.length - 1; i >= 0; i--) {
      const event = this.#events[i];
      if (event && (type === undefined || event.event_type === type)) return event;
    }
    return undefined;
  }

  has(type: string): boolean {
    return this.#events.some((event) => event.event_type === type);
  }

  /** The event types in order: handy for asserting a sequence. */
  types(): string[] {
    return this.#events.map((event) => event.event_type);
  }

  clear(): void {
    this.#events.length = 0;
  }

  /** A copy of the list (later reports do not change it). */
  toArray(): SpecEvent[] {
    return [...this.#events];
  }
}
