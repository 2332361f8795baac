/**
 * Builds protocol envelopes (event_id, seq, timestamp, spec_id, phase) and delivers them to the
 * reporter one after another, in seq order, whoever emits them (the driver or the heartbeat timer).
 */
import { randomUUID } from 'node:crypto';
import type { EventPayload, KnownEventType, Phase, SpecEvent } from '@specline/protocol';
import type { Clock, Logger, Reporter } from '../types';

export class Emitter {
  private seq = 0;
  private delivery: Promise<void> = Promise.resolve();
  private sealed = false;

  constructor(
    private readonly specId: string,
    private readonly reporter: Reporter,
    private readonly clock: Clock,
    private readonly logger: Logger,
  ) {}

  /** Number of events emitted so far. */
  get count(): number {
    return this.seq;
  }

  /** Emits a catalogue event; resolves once the reporter has taken it (and every earlier one). */
  emit<T extends KnownEventType>(type: T, phase: Phase | null, data: EventPayload<T>): Promise<void> {
    if (this.sealed) {
      // After the terminal event nothing more is sent (a late progress line from an abandoned attempt, say).
      this.logger.debug('event dropped after the terminal event', { event_type: type });
      return this.delivery;
    }
    const event = {
      event_id: randomUUID(),
      seq: ++this.seq,
      event_type: type,
      timestamp: new Date(this.clock.now()).toISOString(),
      spec_id: this.specId,
      phase,
      data,
    } as SpecEvent;
    this.delivery = this.delivery.then(() => this.deliver(event));
    return this.delivery;
  }

  /** No event is emitted after this call (made right after `agent.completed`). */
  seal(): void {
    this.sealed = true;
  }

  /** Resolves when every event emitted so far has been handed to the reporter. */
  drain(): Promise<void> {
    return this.delivery;
  }

  private async deliver(event: SpecEvent): Promise<void> {
    try {
      await this.reporter.report(event);
    } catch (error) {
      // Reporters must not throw; if one does, the run goes on and the loss is logged.
      this.logger.error('reporter failed to take an event', { event_type: event.event_type, seq: event.seq, error: String(error) });
    }
  }
}
