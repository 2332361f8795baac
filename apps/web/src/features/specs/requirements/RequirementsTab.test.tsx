import type { Spec } from '@specline/protocol';
import { QueryClient } from '@tanstack/react-query';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { queryKeys } from '../../../lib/queryKeys';
import { makeCriterion, makeRequirement, makeSpec, NOW } from '../../../test/fixtures';
import { fakeFetch, renderWithApp, type Call } from '../../../test/render';
import { useSpec } from '../useSpec';
import { RequirementsTab } from './RequirementsTab';

function Harness() {
  const spec = useSpec('s1');
  return spec.data ? <RequirementsTab spec={spec.data} /> : <p>no spec</p>;
}

function setup(spec: Spec, route: (call: Call) => { status: number; body?: unknown } | undefined = () => undefined) {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false, staleTime: Infinity }, mutations: { retry: false } } });
  queryClient.setQueryData(queryKeys.specs.detail(spec.id), spec);
  const fake = fakeFetch(route);
  const view = renderWithApp(<Harness />, { fetch: fake.fetch, queryClient });
  return { ...view, calls: fake.calls, user: userEvent.setup() };
}

const mutations = (calls: Call[]) => calls.filter((c) => c.method !== 'GET');

describe('RequirementsTab', () => {
  it('shows the stable id, the EARS condition and action of each requirement', () => {
    setup(makeSpec());
    const card = screen.getByRole('article', { name: 'Limit requests per key' });
    expect(within(card).getByText('REQ-001')).toBeTruthy();
    expect(within(card).getByText('WHEN a key exceeds 100 requests per minute')).toBeTruthy();
    expect(within(card).getByText('THE SYSTEM SHALL answer 429 with a Retry-After header')).toBeTruthy();
    expect(within(card).getByText(/0\/1 met/)).toBeTruthy();
  });

  it('ticking a criterion PATCHes completed and keeps the answer', async () => {
    const { calls, user } = setup(makeSpec(), (call) =>
      call.method === 'PATCH' ? { status: 200, body: makeCriterion({ completed: true }) } : call.method === 'GET' ? { status: 200, body: { versions: [], total: 0, has_more: false } } : undefined,
    );
    const checkbox = screen.getByRole<HTMLInputElement>('checkbox', { name: /Answers 429 after the limit/ });
    expect(checkbox.checked).toBe(false);
    await user.click(checkbox);
    await waitFor(() => expect(mutations(calls)).toEqual([{ method: 'PATCH', path: '/api/v1/specs/s1/requirements/r1/criteria/c1', body: { completed: true } }]));
    await waitFor(() => expect(screen.getByRole<HTMLInputElement>('checkbox', { name: /Answers 429 after the limit/ }).checked).toBe(true));
    expect(screen.getByText(/1\/1 met/)).toBeTruthy();
  });

  it('puts the checkbox back when the PATCH fails', async () => {
    const { calls, user } = setup(makeSpec(), (call) => (call.method === 'PATCH' ? { status: 409, body: { detail: 'spec is executing', code: 'conflict' } } : undefined));
    await user.click(screen.getByRole('checkbox', { name: /Answers 429 after the limit/ }));
    await waitFor(() => expect(mutations(calls)).toHaveLength(1));
    await waitFor(() => expect(screen.getByRole<HTMLInputElement>('checkbox', { name: /Answers 429 after the limit/ }).checked).toBe(false));
  });

  it('deletes a criterion only after the confirm dialog', async () => {
    const { calls, user } = setup(makeSpec(), (call) => (call.method === 'DELETE' ? { status: 204 } : call.method === 'GET' ? { status: 200, body: {} } : undefined));
    await user.click(screen.getByRole('button', { name: 'Delete REQ-001.AC-1' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Delete this criterion?' });
    expect(mutations(calls)).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Delete criterion' }));
    await waitFor(() => expect(mutations(calls)).toEqual([{ method: 'DELETE', path: '/api/v1/specs/s1/requirements/r1/criteria/c1', body: undefined }]));
    await waitFor(() => expect(screen.queryByRole('checkbox', { name: /Answers 429 after the limit/ })).toBeNull());
  });

  it('adds a criterion with the text typed', async () => {
    const { calls, user } = setup(makeSpec(), (call) =>
      call.method === 'POST' ? { status: 201, body: makeCriterion({ id: 'c2', local_id: null, text: 'Sends Retry-After' }) } : call.method === 'GET' ? { status: 200, body: {} } : undefined,
    );
    await user.type(screen.getByRole('textbox', { name: 'New acceptance criterion for REQ-001' }), 'Sends Retry-After');
    await user.click(screen.getByRole('button', { name: 'Add criterion' }));
    await waitFor(() => expect(mutations(calls)).toEqual([{ method: 'POST', path: '/api/v1/specs/s1/requirements/r1/criteria', body: { text: 'Sends Retry-After' } }]));
    expect(await screen.findByRole('checkbox', { name: 'Sends Retry-After' })).toBeTruthy();
  });
});

describe('Approve requirements', () => {
  it('is enabled when there are requirements, they are not approved and nothing runs; approving shows the time', async () => {
    const approved = makeSpec({ requirements_approved: true, requirements_approved_at: NOW });
    const { calls, user } = setup(makeSpec(), (call) => (call.method === 'POST' ? { status: 200, body: approved } : call.method === 'GET' ? { status: 200, body: {} } : undefined));
    const button = screen.getByRole<HTMLButtonElement>('button', { name: 'Approve requirements' });
    expect(button.disabled).toBe(false);
    await user.click(button);
    await waitFor(() => expect(mutations(calls)).toEqual([{ method: 'POST', path: '/api/v1/specs/s1/approve-requirements', body: undefined }]));
    expect(await screen.findByText(/Requirements approved at/)).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'Approve requirements' })).toBeNull();
  });

  it('is disabled, with the reason, when there are no requirements', () => {
    setup(makeSpec({ requirements: [] }));
    const button = screen.getByRole<HTMLButtonElement>('button', { name: 'Approve requirements' });
    expect(button.disabled).toBe(true);
    expect(button.getAttribute('aria-describedby')).toBeTruthy();
    expect(document.getElementById(button.getAttribute('aria-describedby') ?? '')?.textContent).toBe('There are no requirements to approve yet.');
  });

  it('is disabled while a run is executing', () => {
    setup(makeSpec({ status: 'executing', requirements: [makeRequirement()] }));
    expect(screen.getByRole<HTMLButtonElement>('button', { name: 'Approve requirements' }).disabled).toBe(true);
    expect(screen.getByText('Wait until the run has finished.')).toBeTruthy();
  });

  it('shows the approval state instead of the button once approved', () => {
    setup(makeSpec({ requirements_approved: true, requirements_approved_at: NOW }));
    expect(screen.queryByRole('button', { name: 'Approve requirements' })).toBeNull();
    expect(screen.getByText('Approved')).toBeTruthy();
  });
});
