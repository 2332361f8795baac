/**
 * The bus is a wake-up, not the record: it carries `{spec_id, spec_seq}` after a commit, and the
 * stream hubs read the rows from the store. Losing a message delays delivery to the next wake-up or
 * poll; it never loses an event.
 */
export interface SpecAdvanced {
  spec_id: string;
  /** Highest `spec_seq` committed. */
  spec_seq: number;
}

export type BusHandler = (message: SpecAdvanced) => void;

export interface EventBus {
  readonly kind: 'memory' | 'redis';
  publish(message: SpecAdvanced): Promise<void>;
  /** Subscribes to one spec's advances; the returned function unsubscribes. */
  subscribe(specId: string, handler: BusHandler): Promise<() => Promise<void>>;
  ping(): Promise<boolean>;
  close(): Promise<void>;
}
