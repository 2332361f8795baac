/**
 * The dead-letter file of the HTTP reporter: events the server refused (or that it would refuse,
 * such as an over-size payload), one JSONL record per refusal, never sent again.
 */
import type { Clock, Logger } from '../../types';
import { JsonlAppender } from './spool';

/** Why a group of events was set aside. */
export interface DeadLetterReason {
  /** HTTP status of the refusal; `null` when the reporter refused the events itself. */
  status: number | null;
  reason: string;
  /** The server's error body, when it sent one. */
  error?: unknown;
}

export class DeadLetterFile {
  readonly #file: JsonlAppender;
  readonly #clock: Clock;
  #events = 0;

  constructor(path: string, clock: Clock, logger: Logger) {
    this.#file = new JsonlAppender(path, logger);
    this.#clock = clock;
  }

  get path(): string {
    return this.#file.path;
  }

  /** Events set aside by this process. */
  get events(): number {
    return this.#events;
  }

  /**
   * Writes one line `{rejected_at, status, reason, error, events: [...]}`; `jsons` are the events
   * exactly as they would have been sent.
   */
  write(jsons: readonly string[], info: DeadLetterReason): Promise<void> {
    this.#events += jsons.length;
    const head = JSON.stringify({ rejected_at: new Date(this.#clock.now()).toISOString(), status: info.status, reason: info.reason, error: info.error ?? null });
    return this.#file.append(`${head.slice(0, -1)},"events":[${jsons.join(',')}]}`);
  }

  close(): Promise<void> {
    return this.#file.close();
  }
}
