import type { Ticket } from '@specline/protocol';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { makeProject, makeSpec, NOW } from '../../test/fixtures';
import { fakeFetch, renderWithApp, type Call } from '../../test/render';
import { NewTicketDialog } from './NewTicketDialog';
import { TicketList } from './TicketList';
import { TicketPage } from './TicketPage';
import { ticketTypeLabel } from './ticketModel';

function makeTicket(overrides: Partial<Ticket> = {}): Ticket {
  return {
    id: 'tk1',
    title: 'Add the limiter',
    description: 'Count requests per key.',
    status: 'todo',
    priority: 'high',
    phase_id: 'PHASE_IMPLEMENTATION',
    project_id: 'p1',
    workflow_mode: 'quick',
    spec_id: 's1',
    local_id: 'TKT-001',
    approval_status: 'approved',
    is_blocked: false,
    blocked_reason: null,
    blocked_at: null,
    created_at: NOW,
    updated_at: NOW,
    ...overrides,
  };
}

const list = (tickets: Ticket[]) => ({ status: 200, body: { tickets, total: tickets.length, has_more: false } });

describe('tickets', () => {
  it('labels a SYNC ticket for what it is (not "Quick"), and a person’s as Quick or Spec-driven', () => {
    expect(ticketTypeLabel(makeTicket())).toBe('From spec tasks');
    expect(ticketTypeLabel(makeTicket({ local_id: null, spec_id: null }))).toBe('Quick');
    expect(ticketTypeLabel(makeTicket({ local_id: null, workflow_mode: 'spec_driven' }))).toBe('Spec-driven');
  });

  it('lists tickets as links to their page, with status and type filters kept in the URL', async () => {
    const fake = fakeFetch((call) => (call.path.startsWith('/api/v1/tickets') ? list([makeTicket(), makeTicket({ id: 'tk2', local_id: null, spec_id: null, title: 'By hand' })]) : undefined));
    const { router } = renderWithApp(<TicketList projectId="p1" />, { fetch: fake.fetch, path: '/projects/p1', routePath: '/projects/:projectId' });
    const link = await screen.findByRole('link', { name: /TKT-001\s*Add the limiter/ });
    expect(link.getAttribute('href')).toBe('/projects/p1/tickets/tk1');
    const table = within(screen.getByRole('table'));
    expect(table.getByText('Quick')).toBeTruthy();
    expect(table.getByRole('link', { name: /From spec tasks: open the spec/ }).getAttribute('href')).toBe('/projects/p1/specs/s1');
    expect(table.queryByRole('link', { name: /Quick/ })).toBeNull();

    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText('Ticket type'), 'generated');
    await user.selectOptions(screen.getByLabelText('Ticket status'), 'todo');
    await waitFor(() => expect(fake.calls.some((c) => c.path.includes('type=generated') && c.path.includes('status=todo'))).toBe(true));
    expect(router.state.location.search).toContain('ticket_type=generated');
    expect(router.state.location.search).toContain('ticket_status=todo');
  });

  it('reads its filters from the URL (a shared link shows the same list)', async () => {
    const fake = fakeFetch((call) => (call.path.startsWith('/api/v1/tickets') ? list([]) : undefined));
    renderWithApp(<TicketList projectId="p1" />, { fetch: fake.fetch, path: '/projects/p1?ticket_status=done&ticket_type=quick', routePath: '/projects/:projectId' });
    expect(await screen.findByText('No tickets match these filters')).toBeTruthy();
    expect(fake.calls.find((c) => c.path.startsWith('/api/v1/tickets'))?.path).toMatch(/status=done.*type=quick|type=quick.*status=done/);
    expect(screen.getByLabelText<HTMLSelectElement>('Ticket status').value).toBe('done');
  });

  it('the ticket page shows description, status, linked spec, tasks and history, and names the page', async () => {
    const routes = (call: Call) => {
      if (call.path === '/api/v1/tickets/tk1') return { status: 200, body: makeTicket({ is_blocked: true, blocked_reason: 'waiting_on_api' }) };
      if (call.path === '/api/v1/projects/p1') return { status: 200, body: makeProject({ name: 'Demo project' }) };
      if (call.path === '/api/v1/tickets/tk1/tasks')
        return { status: 200, body: { tasks: [{ id: 'x1', ticket_id: 'tk1', local_id: 'TSK-001', title: 'Write the limiter', description: '', status: 'pending', priority: 'medium', estimated_hours: 1.5, dependencies: [], created_at: NOW }] } };
      if (call.path === '/api/v1/tickets/tk1/history') return { status: 200, body: { ticket_id: 'tk1', entries: [{ at: NOW, kind: 'generated', summary: 'Created as TKT-001 by the spec’s SYNC phase', by: 'Ada' }] } };
      if (call.path === '/api/v1/specs/s1') return { status: 200, body: makeSpec({ title: 'Rate limiting' }) };
      return undefined;
    };
    const fake = fakeFetch(routes);
    renderWithApp(<TicketPage />, { fetch: fake.fetch, path: '/projects/p1/tickets/tk1', routePath: '/projects/:projectId/tickets/:ticketId' });
    expect(await screen.findByRole('heading', { level: 1, name: /Add the limiter/ })).toBeTruthy();
    expect(screen.getByText('Count requests per key.')).toBeTruthy();
    expect(screen.getByText('To do')).toBeTruthy();
    expect(screen.getByText(/Blocked: waiting on api/)).toBeTruthy();
    const spec = within(screen.getByRole('region', { name: 'Linked spec' }));
    expect((await spec.findByRole('link', { name: 'Rate limiting' })).getAttribute('href')).toBe('/projects/p1/specs/s1');
    expect(await screen.findByText('Write the limiter')).toBeTruthy();
    expect(screen.getByText('1.5 h')).toBeTruthy();
    expect(await screen.findByText(/Created as TKT-001/)).toBeTruthy();
    await waitFor(() => expect(document.title).toBe('TKT-001 Add the limiter · Demo project · Specline'));
  });

  it('a ticket of no project I am in is "not found"', async () => {
    const fake = fakeFetch((call) => (call.path.startsWith('/api/v1/') ? { status: 404, body: { detail: 'ticket not found', code: 'not_found' } } : undefined));
    renderWithApp(<TicketPage />, { fetch: fake.fetch, path: '/projects/p1/tickets/nope', routePath: '/projects/:projectId/tickets/:ticketId' });
    expect(await screen.findByText(/This ticket does not exist/)).toBeTruthy();
  });

  it('shows the limit before it is reached, and a too-long title’s error as one sentence next to the field', async () => {
    const fake = fakeFetch((call) =>
      call.method === 'POST' && call.path === '/api/v1/tickets'
        ? {
            status: 422,
            body: {
              detail: 'invalid request body: body.title: Too big: expected string to have <=500 characters',
              code: 'validation_failed',
              errors: [{ path: 'body.title', message: 'Too big: expected string to have <=500 characters' }],
            },
          }
        : undefined,
    );
    renderWithApp(<NewTicketDialog projectId="p1" open onOpenChange={() => undefined} />, { fetch: fake.fetch });
    const title = screen.getByLabelText('Title');
    expect(screen.getAllByTestId('field-limit')[0]?.textContent).toBe('Up to 500 characters.');
    const user = userEvent.setup();
    await user.click(title);
    await user.paste('x'.repeat(501));
    expect(screen.getAllByTestId('field-limit')[0]?.textContent).toBe('501 of 500 characters: 1 too many.');
    await user.click(screen.getByRole('button', { name: 'Create ticket' }));
    const alerts = await screen.findAllByRole('alert');
    expect(alerts.map((a) => a.textContent)).toEqual(['Title can be at most 500 characters (you have 501).']);
    expect(title.getAttribute('aria-invalid')).toBe('true');
    expect(title.getAttribute('aria-describedby')).toContain(alerts[0]!.id);
    expect(document.body.textContent).not.toContain('invalid request body');
  });
});
