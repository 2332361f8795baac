import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { makeSpec, makeTask, NOW } from '../../test/fixtures';
import { fakeFetch, renderWithApp, type Call } from '../../test/render';
import { SpecDetailPage } from './SpecDetailPage';

const project = { id: 'p1', name: 'Billing', created_by: 'u1', role: 'owner', created_at: NOW, updated_at: NOW };

function sideRoutes(call: Call): { status: number; body?: unknown } | undefined {
  if (call.path === '/api/v1/projects/p1') return { status: 200, body: project };
  if (call.path === '/api/v1/specs/s1/linked-tickets') return { status: 200, body: { spec_id: 's1', tickets: [], total: 0 } };
  if (call.path.startsWith('/api/v1/specs/s1/versions')) return { status: 200, body: { versions: [], total: 0, has_more: false } };
  return undefined;
}

function setup(path: string, route: (call: Call) => { status: number; body?: unknown } | undefined) {
  const fake = fakeFetch((call) => route(call) ?? sideRoutes(call));
  const view = renderWithApp(<SpecDetailPage />, { fetch: fake.fetch, path, routePath: '/projects/:projectId/specs/:specId' });
  return { ...view, calls: fake.calls };
}

describe('SpecDetailPage', () => {
  it('says "not found" for a 404', async () => {
    setup('/projects/p1/specs/s1', (call) => (call.path === '/api/v1/specs/s1' ? { status: 404, body: { detail: 'spec not found', code: 'not_found' } } : undefined));
    expect(await screen.findByRole('heading', { name: 'Not found' })).toBeTruthy();
  });

  it('shows a 500 as an error with retry, never as "not found"', async () => {
    setup('/projects/p1/specs/s1', (call) => (call.path === '/api/v1/specs/s1' ? { status: 500, body: { detail: 'database unavailable', code: 'internal' } } : undefined));
    const alert = await screen.findByRole('alert');
    expect(alert.textContent).toContain('Could not load the spec');
    expect(alert.textContent).toContain('database unavailable');
    expect(within(alert).getByRole('button', { name: 'Retry' })).toBeTruthy();
    expect(screen.queryByText('Not found')).toBeNull();
  });

  it('keeps the tab in the URL and resolves task dependencies to titles', async () => {
    const first = makeTask({ id: 'ta', local_id: 'TSK-001', title: 'Add the limiter' });
    const second = makeTask({ id: 'tb', local_id: 'TSK-002', title: 'Document limits', dependencies: ['ta'] });
    const { router } = setup('/projects/p1/specs/s1?tab=tasks', (call) => (call.path === '/api/v1/specs/s1' ? { status: 200, body: makeSpec({ tasks: [first, second] }) } : undefined));
    expect(await screen.findByRole('heading', { name: /Tasks \(2\)/ })).toBeTruthy();
    const row = screen.getByRole('row', { name: /TSK-002/ });
    expect(within(row).getByTitle('TSK-001 Add the limiter').textContent).toBe('TSK-001Add the limiter');

    await userEvent.setup().click(screen.getByRole('tab', { name: 'Design' }));
    await waitFor(() => expect(router.state.location.search).toBe('?tab=design'));
    expect(await screen.findByText('No design yet')).toBeTruthy();
  });

  it('archives only after the confirm dialog, then returns to the project', async () => {
    const { calls, router } = setup('/projects/p1/specs/s1', (call) => {
      if (call.path === '/api/v1/specs/s1' && call.method === 'GET') return { status: 200, body: makeSpec() };
      if (call.path === '/api/v1/specs/s1' && call.method === 'DELETE') return { status: 200, body: { message: 'archived' } };
      return undefined;
    });
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Archive' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Archive this spec?' });
    expect(calls.some((c) => c.method === 'DELETE')).toBe(false);
    await user.click(within(dialog).getByRole('button', { name: 'Archive spec' }));
    await waitFor(() => expect(router.state.location.pathname).toBe('/projects/p1'));
    expect(calls.filter((c) => c.method === 'DELETE').map((c) => c.path)).toEqual(['/api/v1/specs/s1']);
  });
});
