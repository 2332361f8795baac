import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SinkTask, SinkTicket } from '../types';
import { LocalTicketSink } from './localSink';

const ticket = (n: number): SinkTicket => ({ local_id: `TKT-00${n}`, title: `Ticket ${n}`, description: '', priority: 'high', requirements: ['REQ-001'] });
const task = (n: number, t: number): SinkTask => ({ local_id: `TSK-00${n}`, ticket_local_id: `TKT-00${t}`, title: `Task ${n}`, description: '', priority: 'high', estimated_hours: 2, depends_on: [] });

describe('LocalTicketSink', () => {
  it('assigns its own ids and is idempotent by local id', async () => {
    const sink = new LocalTicketSink();
    const first = await sink.createTickets({ tickets: [ticket(1), ticket(2)], tasks: [task(1, 1), task(2, 2)] });
    expect(first).toEqual({
      tickets: [
        { local_id: 'TKT-001', id: 'local-ticket-1', title: 'Ticket 1', created: true },
        { local_id: 'TKT-002', id: 'local-ticket-2', title: 'Ticket 2', created: true },
      ],
      tasks: [
        { local_id: 'TSK-001', id: 'local-task-1', ticket_id: 'local-ticket-1', title: 'Task 1', created: true },
        { local_id: 'TSK-002', id: 'local-task-2', ticket_id: 'local-ticket-2', title: 'Task 2', created: true },
      ],
      errors: [],
    });
    const second = await sink.createTickets({ tickets: [ticket(1), ticket(2), ticket(3)], tasks: [task(1, 1), task(3, 3)] });
    expect(second.tickets.map((t) => [t.id, t.created])).toEqual([
      ['local-ticket-1', false],
      ['local-ticket-2', false],
      ['local-ticket-3', true],
    ]);
    expect(second.tasks.map((t) => [t.id, t.ticket_id, t.created])).toEqual([
      ['local-task-1', 'local-ticket-1', false],
      ['local-task-3', 'local-ticket-3', true],
    ]);
  });

  it('reports a task whose ticket was not created', async () => {
    const result = await new LocalTicketSink().createTickets({ tickets: [], tasks: [task(1, 9)] });
    expect(result.errors).toEqual(['task TSK-001: its ticket TKT-009 was not created']);
    expect(result.tasks).toEqual([]);
  });

  it('persists the mapping so a new sink on the same file creates nothing new', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'specline-sink-'));
    try {
      const file = join(dir, 'out', 'tickets.json');
      await new LocalTicketSink({ file }).createTickets({ tickets: [ticket(1)], tasks: [task(1, 1)] });
      const again = await new LocalTicketSink({ file }).createTickets({ tickets: [ticket(1), ticket(2)], tasks: [task(1, 1)] });
      expect(again.tickets.map((t) => [t.id, t.created])).toEqual([
        ['local-ticket-1', false],
        ['local-ticket-2', true],
      ]);
      expect(again.tasks[0]).toMatchObject({ id: 'local-task-1', created: false });
      expect(JSON.parse(await readFile(file, 'utf8'))).toMatchObject({ next: { ticket: 3, task: 2 } });
      await writeFile(file, '{"something": "else"}');
      await expect(new LocalTicketSink({ file }).createTickets({ tickets: [], tasks: [] })).rejects.toThrow('is not a local ticket sink file');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('refuses to start when already aborted', async () => {
    const controller = new AbortController();
    controller.abort(new Error('stop'));
    await expect(new LocalTicketSink().createTickets({ tickets: [ticket(1)], tasks: [] }, controller.signal)).rejects.toThrow('stop');
  });
});
