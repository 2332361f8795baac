/**
 * A ticket sink that needs no server: it assigns ids itself (`local-ticket-1`, `local-task-1`...),
 * is idempotent by local id (a second call returns the same ids with `created: false`), and can
 * persist its mapping to a JSON file so a rerun in the same output directory creates nothing new.
 */
import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { SinkResult, SinkTask, SinkTicket, TicketSink } from '../types';

interface Stored {
  tickets: Record<string, { id: string; title: string }>;
  tasks: Record<string, { id: string; ticket_id: string; title: string }>;
  next: { ticket: number; task: number };
}

export interface LocalSinkOptions {
  /** JSON file holding the mapping; read before the first call, written after each. In memory only when absent. */
  file?: string;
}

export class LocalTicketSink implements TicketSink {
  private state: Stored = { tickets: {}, tasks: {}, next: { ticket: 1, task: 1 } };
  private loaded = false;

  constructor(private readonly options: LocalSinkOptions = {}) {}

  async createTickets(input: { tickets: SinkTicket[]; tasks: SinkTask[] }, signal?: AbortSignal): Promise<SinkResult> {
    signal?.throwIfAborted();
    await this.load();
    const result: SinkResult = { tickets: [], tasks: [], errors: [] };
    for (const ticket of input.tickets) {
      const known = this.state.tickets[ticket.local_id];
      if (known) {
        result.tickets.push({ local_id: ticket.local_id, id: known.id, title: known.title, created: false });
        continue;
      }
      const id = `local-ticket-${this.state.next.ticket++}`;
      this.state.tickets[ticket.local_id] = { id, title: ticket.title };
      result.tickets.push({ local_id: ticket.local_id, id, title: ticket.title, created: true });
    }
    for (const task of input.tasks) {
      const known = this.state.tasks[task.local_id];
      if (known) {
        result.tasks.push({ local_id: task.local_id, id: known.id, ticket_id: known.ticket_id, title: known.title, created: false });
        continue;
      }
      const ticket = this.state.tickets[task.ticket_local_id];
      if (!ticket) {
        result.errors.push(`task ${task.local_id}: its ticket ${task.ticket_local_id} was not created`);
        continue;
      }
      const id = `local-task-${this.state.next.task++}`;
      this.state.tasks[task.local_id] = { id, ticket_id: ticket.id, title: task.title };
      result.tasks.push({ local_id: task.local_id, id, ticket_id: ticket.id, title: task.title, created: true });
    }
    await this.save();
    return result;
  }

  private async load(): Promise<void> {
    if (this.loaded || !this.options.file) {
      this.loaded = true;
      return;
    }
    try {
      const parsed = JSON.parse(await readFile(this.options.file, 'utf8')) as Partial<Stored>;
      if (parsed.tickets && parsed.tasks && parsed.next) this.state = parsed as Stored;
      else throw new Error(`${this.options.file} is not a local ticket sink file`);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    }
    this.loaded = true;
  }

  private async save(): Promise<void> {
    if (!this.options.file) return;
    await mkdir(dirname(this.options.file), { recursive: true });
    const tmp = `${this.options.file}.tmp`;
    await writeFile(tmp, `${JSON.stringify(this.state, null, 2)}\n`, 'utf8');
    await rename(tmp, this.options.file);
  }
}

export function createLocalSink(options: LocalSinkOptions = {}): LocalTicketSink {
  return new LocalTicketSink(options);
}
