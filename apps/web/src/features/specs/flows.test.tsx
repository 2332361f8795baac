import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import { makeSpec, makeTask } from '../../test/fixtures';
import { fakeFetch, renderWithApp } from '../../test/render';
import { derivePhaseSteps } from '../phases/phaseSteps';
import { SpecActions } from './SpecActions';
import { SpecList } from './SpecList';
import { SpecStatusBadge, specPhaseText } from './SpecStatusBadge';
import { isValidEstimate, TaskDialog } from './tasks/TaskDialog';
import { detailLines } from './VersionHistory';

const summary = (overrides: Parameters<typeof makeSpec>[0] = {}) => {
  const { requirements: _r, design: _d, tasks: _t, ...rest } = makeSpec(overrides);
  return rest;
};

describe('issue 15 flows (W1)', () => {
  it('flow 1: a task estimate takes any positive number to two decimals', () => {
    for (const ok of ['', '1', '1.5', '2', '3', '0.25', '0.01', '1000', ' 2 ']) expect(isValidEstimate(ok), ok).toBe(true);
    for (const bad of ['0', '-1', '0.125', '1001', 'abc', '1e2', '0.001']) expect(isValidEstimate(bad), bad).toBe(false);
  });

  it('flow 1: a generated task with a whole-hour estimate saves', async () => {
    const task = makeTask({ estimated_hours: 3 });
    const fake = fakeFetch((call) => (call.method === 'PATCH' && call.path === '/api/v1/specs/s1/tasks/t1' ? { status: 200, body: { ...task, status: 'completed' } } : undefined));
    let open = true;
    renderWithApp(<TaskDialog specId="s1" task={task} tasks={[task]} open onOpenChange={(next) => (open = next)} />, { fetch: fake.fetch });
    const estimate = screen.getByLabelText<HTMLInputElement>('Estimate (hours)');
    expect(estimate.value).toBe('3');
    expect(estimate.step).toBe('any');
    expect(estimate.min).toBe('0.01');
    expect(estimate.checkValidity()).toBe(true);
    const user = userEvent.setup();
    await user.selectOptions(screen.getByLabelText('Status'), 'completed');
    await user.click(screen.getByRole('button', { name: 'Save task' }));
    await waitFor(() => expect(open).toBe(false));
    expect(fake.calls.find((c) => c.method === 'PATCH')?.body).toMatchObject({ estimated_hours: 3, status: 'completed' });
  });

  it('a cancelled run reads "Cancelled", not red "Failed · cancelled"', () => {
    const model = derivePhaseSteps(
      makeSpec({ status: 'cancelled', current_phase: 'design', phase_status: { explore: { status: 'completed' }, requirements: { status: 'completed' }, design: { status: 'failed', reason: 'cancelled' } } as never }),
    );
    const design = model.steps.find((s) => s.phase === 'design');
    expect(design?.state).toBe('cancelled');
    expect(design?.stateText).not.toContain('Failed');
  });

  it('flow 8: a draft’s phase is "Not started" everywhere; a queued spec shows its place in line', () => {
    expect(specPhaseText({ current_phase: null })).toBe('Not started');
    expect(specPhaseText({ current_phase: 'design' })).toBe('Design');
    renderWithApp(<SpecStatusBadge status="queued" queuePosition={2} />, { fetch: fakeFetch(() => undefined).fetch });
    expect(screen.getByText('Queued · position 2')).toBeTruthy();
  });

  it('flow 9: the spec list filters by Archived and Queued, kept in the URL; a draft’s phase reads Not started', async () => {
    const fake = fakeFetch((call) => {
      if (!call.path.startsWith('/api/v1/specs/project/p1')) return undefined;
      const archived = call.path.includes('archived=true');
      const specs = archived ? [summary({ id: 's9', title: 'Old refunds', archived: true })] : [summary({ status: 'draft', current_phase: null, phase: 'Requirements', phases: [] })];
      return { status: 200, body: { specs, total: specs.length, has_more: false } };
    });
    const { router } = renderWithApp(<SpecList projectId="p1" />, { fetch: fake.fetch, path: '/projects/p1', routePath: '/projects/:projectId' });
    const table = await screen.findByRole('table');
    expect(within(table).getByText('Not started')).toBeTruthy();
    expect(within(table).queryByText('Requirements')).toBeNull();
    const filter = screen.getByLabelText('Status filter');
    expect(within(filter).getByRole('option', { name: 'Archived' })).toBeTruthy();
    expect(within(filter).getByRole('option', { name: 'Queued' })).toBeTruthy();
    await userEvent.setup().selectOptions(filter, 'archived');
    expect(await screen.findByRole('link', { name: 'Old refunds' })).toBeTruthy();
    expect(screen.getByText('Archived', { selector: 'span' })).toBeTruthy();
    expect(router.state.location.search).toBe('?spec_status=archived');
    expect(fake.calls.some((c) => c.path.includes('archived=true') && !c.path.includes('status='))).toBe(true);
  });

  it('flow 5: Cancel run asks first; nothing is sent until confirmed', async () => {
    const spec = makeSpec({ status: 'executing', current_phase: 'design' });
    const fake = fakeFetch((call) => {
      if (call.method === 'POST' && call.path === '/api/v1/specs/s1/cancel') return { status: 200, body: { ...spec, status: 'cancelled' } };
      if (call.path.startsWith('/api/v1/projects/p1')) return { status: 200, body: { id: 'p1' } };
      return undefined;
    });
    renderWithApp(<SpecActions spec={spec} onRunStarted={() => undefined} />, { fetch: fake.fetch });
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Cancel run' }));
    const dialog = await screen.findByRole('alertdialog', { name: 'Cancel this run?' });
    expect(fake.calls.filter((c) => c.path.endsWith('/cancel'))).toHaveLength(0);
    await user.click(within(dialog).getByRole('button', { name: 'Cancel run' }));
    await waitFor(() => expect(fake.calls.filter((c) => c.path.endsWith('/cancel'))).toHaveLength(1));
  });

  it('flow 5: Re-run asks first (a dialog that says what it regenerates)', async () => {
    const spec = makeSpec({ status: 'completed' });
    const fake = fakeFetch((call) => (call.path.startsWith('/api/v1/projects/p1') ? { status: 200, body: { id: 'p1' } } : undefined));
    renderWithApp(<SpecActions spec={spec} onRunStarted={() => undefined} />, { fetch: fake.fetch });
    await userEvent.setup().click(screen.getByRole('button', { name: 'Re-run spec' }));
    expect(await screen.findByRole('dialog', { name: 'Re-run this spec?' })).toBeTruthy();
    expect(fake.calls.filter((c) => c.method === 'POST')).toHaveLength(0);
  });

  it('flow 6: history shows display ids and only what changed, never internal ids', () => {
    const lines = detailLines({
      requirement: 'REQ-002',
      requirement_id: 'req-98a2c3d4-1111-4222-8333-944455556666',
      criterion_id: 'crit-a45b0000-1111-4222-8333-944455556666',
      fields: ['title'],
      title: { old: 'Refunds', new: 'Order refunds' },
    });
    expect(lines.map((l) => `${l.label}: ${l.text}`)).toEqual(['Requirement: REQ-002', 'Title: Refunds → Order refunds']);
    const spec = detailLines({ before: { title: 'A', description: 'same' }, after: { title: 'B', description: 'same' } });
    expect(spec.map((l) => `${l.label}: ${l.text}`)).toEqual(['Title: A → B']);
    expect(detailLines({ criterion: 'REQ-002.AC-3', completed: { old: false, new: true } }).map((l) => l.text)).toEqual(['REQ-002.AC-3', 'no → yes']);
    expect(detailLines(null)).toEqual([]);
  });
});
