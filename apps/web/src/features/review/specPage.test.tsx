import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { EventsPage, PhaseStatus, Project, StoredEvent } from '@specline/protocol';
import { describe, expect, it } from 'vitest';
import { makeProject, makeSpec, NOW } from '../../test/fixtures';
import { fakeFetch, renderWithApp, type Call } from '../../test/render';
import { ProjectSettingsPage } from '../projects/ProjectSettingsPage';
import { SpecDetailPage } from '../specs/SpecDetailPage';
import { makeEvent } from '../timeline/__tests__/fakeEventsApi';

function status(state: PhaseStatus['state'], extra: Partial<PhaseStatus> = {}): PhaseStatus {
  return { state, attempt: 1, max_attempts: 3, eval_score: 0.9, reason: null, error: null, started_at: null, completed_at: null, ...extra };
}

const spec = makeSpec({
  status: 'awaiting_approval',
  current_phase: 'requirements',
  awaiting_approval: 'requirements',
  run_id: 'run-1',
  phase_status: { explore: status('passed'), requirements: status('passed', { attempt: 2, eval_score: 0.91 }) },
});

const events: StoredEvent[] = [
  { ...makeEvent('s1', 1, 'spec.execution_started', { title: 't', description: '', phases: ['explore', 'requirements'] }), run_id: 'run-1' },
  { ...makeEvent('s1', 2, 'spec.phase_started', { phase: 'requirements', attempt: 1 }, 'requirements'), run_id: 'run-1' },
  { ...makeEvent('s1', 3, 'spec.phase_retry', { phase: 'requirements', retry_count: 1, max_retries: 2, reason: 'evaluation_failed', eval_score: 0.5, eval_feedback: 'REQ-002 has no criteria' }, 'requirements'), run_id: 'run-1' },
  { ...makeEvent('s1', 4, 'spec.phase_completed', { phase: 'requirements', eval_score: 0.91, duration_seconds: 6, retry_count: 1, phase_output: { requirements: [{ id: 'REQ-001', title: 'Limit requests per key' }] } }, 'requirements'), run_id: 'run-1' },
  { ...makeEvent('s1', 5, 'spec.awaiting_approval', { phase: 'requirements', next_phase: 'design', phases_completed: ['explore', 'requirements'] }, 'requirements'), run_id: 'run-1' },
];

function page(query: URLSearchParams): EventsPage {
  const phase = query.get('phase');
  const run = query.get('run_id');
  const matching = events.filter((e) => (!phase || e.phase === phase) && (!run || e.run_id === run));
  const ordered = query.get('order') === 'asc' ? matching : [...matching].reverse();
  return { spec_id: 's1', events: ordered, total_count: ordered.length, has_more: false, next_cursor: null, last_spec_seq: 5 };
}

function setup(path: string) {
  const fake = fakeFetch((call: Call) => {
    const url = new URL(call.path, 'http://app.test');
    if (url.pathname === '/api/v1/specs/s1') return { status: 200, body: spec };
    if (url.pathname === '/api/v1/projects/p1') return { status: 200, body: makeProject({ approval_mode: 'review' }) };
    if (url.pathname === '/api/v1/specs/s1/events') return { status: 200, body: page(url.searchParams) };
    if (url.pathname === '/api/v1/specs/s1/runs')
      return {
        status: 200,
        body: {
          spec_id: 's1',
          total: 1,
          has_more: false,
          runs: [
            {
              id: 'run-1', spec_id: 's1', kind: 'launch', status: 'awaiting_approval', approval_mode: 'review', from_phase: 'explore', planned_phases: ['explore', 'requirements'], phases: [],
              awaiting_phase: 'requirements', comment: null, created_by: 'u1', sandbox_id: 'sb', error: null, first_spec_seq: 1, last_spec_seq: 5, event_count: 5, started_at: NOW, ended_at: NOW,
            },
          ],
        },
      };
    if (url.pathname === '/api/v1/specs/s1/proposals') return { status: 200, body: { spec_id: 's1', proposals: [], total: 0, has_more: false } };
    if (url.pathname === '/api/v1/specs/s1/linked-tickets') return { status: 200, body: { spec_id: 's1', tickets: [], total: 0 } };
    if (url.pathname === '/api/v1/specs/s1/versions') return { status: 200, body: { versions: [], total: 0, has_more: false } };
    return undefined;
  });
  const view = renderWithApp(<SpecDetailPage />, { fetch: fake.fetch, path, routePath: '/projects/:projectId/specs/:specId' });
  return { ...view, calls: fake.calls };
}

describe('the spec page in review mode', () => {
  it('the stepper says which phase waits, with Approve and Reject right under it', async () => {
    setup('/projects/p1/specs/s1');
    const bar = await screen.findByTestId('awaiting-approval');
    expect(bar.textContent).toContain('Requirements: Awaiting your approval');
    expect(within(bar).getByRole('button', { name: 'Approve requirements' })).toBeTruthy();
    expect(within(bar).getByRole('button', { name: 'Reject requirements…' })).toBeTruthy();
    expect(screen.getAllByText('Awaiting your approval').length).toBeGreaterThanOrEqual(2);
  });

  it('a step click opens its tab; its Details button opens its details (in the URL): attempts with score, feedback and duration, and the output', async () => {
    const { router } = setup('/projects/p1/specs/s1?tab=design');
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Requirements: Awaiting your approval' }));
    await waitFor(() => expect(router.state.location.search).toContain('tab=requirements'));
    expect(router.state.location.search).not.toContain('details=');
    await user.click(screen.getByRole('button', { name: 'Requirements details' }));
    const dialog = await screen.findByRole('dialog', { name: 'Requirements details' });
    expect(router.state.location.search).toContain('details=requirements');
    const attempts = await within(dialog).findAllByTestId('attempt');
    expect(attempts.map((a) => a.getAttribute('data-outcome'))).toEqual(['retried', 'passed']);
    expect(attempts[0]!.textContent).toContain('Score 0.50');
    expect(attempts[0]!.textContent).toContain('REQ-002 has no criteria');
    expect(within(dialog).getByTestId('phase-output').textContent).toContain('REQ-001Limit requests per key');
    expect(within(dialog).getByRole('button', { name: 'Approve requirements' })).toBeTruthy();
    await user.keyboard('{Escape}');
    await waitFor(() => expect(router.state.location.search).not.toContain('details='));
  });

  it('the Execution tab lists the runs; the run filter is kept in the URL and sent as run_id', async () => {
    const { router, calls } = setup('/projects/p1/specs/s1?tab=execution');
    const runs = await screen.findByTestId('runs-panel');
    expect(within(runs).getByRole('heading', { name: 'Run 1' })).toBeTruthy();
    const user = userEvent.setup();
    await user.click(within(runs).getByRole('button', { name: 'Show its events' }));
    await waitFor(() => expect(router.state.location.search).toContain('run=run-1'));
    await waitFor(() => expect(calls.some((c) => c.path.includes('/events?') && c.path.includes('run_id=run-1'))).toBe(true));
    const select = screen.getByLabelText<HTMLSelectElement>('Run');
    expect(select.value).toBe('run-1');
    await user.selectOptions(select, '');
    await waitFor(() => expect(router.state.location.search).not.toContain('run='));
  });
});

describe('project settings: approval mode', () => {
  it('an owner switches the project to Review; only that field is sent', async () => {
    let current: Project = makeProject();
    const fake = fakeFetch((call) => {
      if (call.path !== '/api/v1/projects/p1') return undefined;
      if (call.method === 'PATCH') current = { ...current, ...(call.body as Partial<Project>), updated_at: '2026-01-02T03:05:00.000Z' };
      return { status: 200, body: current };
    });
    renderWithApp(<ProjectSettingsPage />, { fetch: fake.fetch, path: '/projects/p1/settings', routePath: '/projects/:projectId/settings' });
    const user = userEvent.setup();
    const select = await screen.findByLabelText<HTMLSelectElement>('Approval mode');
    expect(select.value).toBe('auto');
    await user.selectOptions(select, 'review');
    expect(screen.getByText(/Runs stop after Requirements and after Design/)).toBeTruthy();
    await user.click(screen.getByRole('button', { name: 'Save settings' }));
    await waitFor(() => expect(fake.calls.filter((c) => c.method === 'PATCH').map((c) => c.body)).toEqual([{ approval_mode: 'review' }]));
  });
});
