import type { Design } from '@specline/protocol';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { fakeFetch, renderWithApp } from '../../../test/render';
import { EditDesignDialog } from './EditDesignDialog';

const design: Design = {
  architecture: 'Refunds go through the **payments** service.',
  data_model: '### Order\n- `id`: uuid',
  api_spec: [{ method: 'GET', path: '/orders', endpoint: '/orders', description: 'List orders' }],
  components: [
    { id: 'C-1', name: 'Orders', responsibility: 'Keeps orders' },
    { id: 'C-2', name: 'Refunds', responsibility: 'Pays back' },
  ],
  error_handling: '',
  testing_strategy: '',
  architecture_diagram: null,
  edited_at: null,
};

function setup() {
  const fake = fakeFetch((call) => {
    if (call.method === 'PUT' && call.path === '/api/v1/specs/spec-1/design') return { status: 200, body: { ...design, edited_at: '2026-01-01T00:00:00.000Z' } };
    if (call.method === 'GET' && call.path === '/api/v1/specs/spec-1') return { status: 404, body: { detail: 'not here', code: 'not_found' } };
    return undefined;
  });
  const closed: boolean[] = [];
  renderWithApp(<EditDesignDialog specId="spec-1" design={design} open onOpenChange={(open) => closed.push(!open)} />, { fetch: fake.fetch });
  return { calls: fake.calls, closed };
}

describe('EditDesignDialog', { timeout: 90_000 }, () => {
  it('previews the Markdown live and edits components, data-model fields and endpoints as rows', async () => {
    const user = userEvent.setup();
    const { calls, closed } = setup();
    const dialog = await screen.findByRole('dialog', { name: 'Edit design' });
    const preview = within(dialog).getByRole('region', { name: 'Architecture overview: preview' });
    expect(within(preview).getByText('payments').tagName).toBe('STRONG');
    const overview = within(dialog).getByLabelText('Architecture overview');
    await user.clear(overview);
    await user.type(overview, '## Flow');
    expect(await within(preview).findByRole('heading', { name: 'Flow' })).toBeTruthy();

    // Components: move the second up.
    await user.click(within(dialog).getByRole('button', { name: 'Move component 2 up' }));
    const components = within(dialog).getByTestId('rows-component');
    expect(within(within(components).getByRole('listitem', { name: 'component 1' })).getByLabelText('Name')).toHaveProperty('value', 'Refunds');

    // Data model rows: add a field to Order.
    await user.click(within(dialog).getByRole('button', { name: 'Add field to Order' }));
    const field = within(dialog).getByRole('listitem', { name: 'field 2 of Order' });
    await user.type(within(field).getByLabelText('Field'), 'total_cents');
    await user.type(within(field).getByLabelText('Type'), 'integer');

    // Endpoints: a half-filled one blocks saving with a sentence, then is completed.
    await user.click(within(dialog).getByRole('button', { name: 'Add endpoint' }));
    const endpoint = within(dialog).getByRole('listitem', { name: 'endpoint 2' });
    await user.selectOptions(within(endpoint).getByLabelText('Method'), 'POST');
    await user.type(within(endpoint).getByLabelText('Description'), 'Refund an order');
    expect(within(dialog).getByRole('alert').textContent).toContain('Endpoint 2 needs a path');
    expect(within(dialog).getByRole('button', { name: 'Save design' }).matches(':disabled')).toBe(true);
    await user.type(within(endpoint).getByLabelText('Path'), '/orders/{{id}/refund');

    await user.click(within(dialog).getByRole('button', { name: 'Save design' }));
    await waitFor(() => expect(calls.some((c) => c.method === 'PUT')).toBe(true));
    expect(calls.find((c) => c.method === 'PUT')?.body).toEqual({
      architecture: '## Flow',
      architecture_diagram: null,
      data_model: '### Order\n- `id`: uuid\n- `total_cents`: integer',
      api_spec: [
        { method: 'GET', path: '/orders', description: 'List orders' },
        { method: 'POST', path: '/orders/{id}/refund', description: 'Refund an order' },
      ],
      components: [
        { id: 'C-2', name: 'Refunds', responsibility: 'Pays back' },
        { id: 'C-1', name: 'Orders', responsibility: 'Keeps orders' },
      ],
      error_handling: '',
      testing_strategy: '',
    });
    await waitFor(() => expect(closed).toContain(true));
  });
});
