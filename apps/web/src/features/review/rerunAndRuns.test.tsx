import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { SpecRun, SpecRunList } from '@specline/protocol';
import { describe, expect, it } from 'vitest';
import { makeSpec, NOW } from '../../test/fixtures';
import { fakeFetch, renderWithApp } from '../../test/render';
import { defaultRerunPhase, regeneratedPhases } from './model';
import { RerunDialog } from './RerunDialog';
import { normalizeRuns } from './runs';
import { RunsList } from './RunsList';

describe('re-run from a phase', () => {
  it('defaults to the first phase after the last approved one', () => {
    expect(defaultRerunPhase(makeSpec({ requirements_approved: false, design_approved: false }))).toBe('explore');
    expect(defaultRerunPhase(makeSpec({ requirements_approved: true }))).toBe('design');
    expect(defaultRerunPhase(makeSpec({ requirements_approved: true, design_approved: true }))).toBe('tasks');
    expect(regeneratedPhases(makeSpec(), 'design')).toEqual(['design', 'tasks', 'sync']);
  });

  it('the dialog offers the phase, names what is regenerated and what is kept, and posts from_phase', async () => {
    const fake = fakeFetch((call) => (call.method === 'POST' && call.path === '/api/v1/specs/s1/rerun' ? { status: 202, body: { ...makeSpec({ status: 'executing' }), message: 'started', run_id: 'run-3' } } : undefined));
    let started = 0;
    renderWithApp(<RerunDialog spec={makeSpec({ requirements_approved: true })} open onOpenChange={() => undefined} onStarted={() => started++} />, { fetch: fake.fetch });
    const dialog = screen.getByRole('dialog', { name: 'Re-run this spec?' });
    const select = within(dialog).getByLabelText<HTMLSelectElement>('Start from');
    expect(select.value).toBe('design');
    expect(within(dialog).getByRole('option', { name: 'Design (after the last approval)' })).toBeTruthy();
    const summary = within(dialog).getByTestId('rerun-summary').textContent ?? '';
    expect(summary).toContain('Regenerates: the design (architecture, components, data models, API), the tickets and tasks and the coverage check and the ticket sync (Design, Tasks and Sync).');
    expect(summary).toContain('Kept as they are: Explore and Requirements.');
    expect(summary).toContain('Rows a person edited are kept');
    const user = userEvent.setup();
    await user.selectOptions(select, 'tasks');
    expect(within(dialog).getByTestId('rerun-summary').textContent).toContain('(Tasks and Sync)');
    await user.click(within(dialog).getByRole('button', { name: 'Re-run from Tasks' }));
    await waitFor(() => expect(started).toBe(1));
    expect(fake.calls.filter((c) => c.method === 'POST')).toEqual([{ method: 'POST', path: '/api/v1/specs/s1/rerun', body: { from_phase: 'tasks' } }]);
  });

  it('a refusal stays in the dialog', async () => {
    const fake = fakeFetch(() => ({ status: 409, body: { detail: 'spec s1 is executing', code: 'already_running' } }));
    renderWithApp(<RerunDialog spec={makeSpec()} open onOpenChange={() => undefined} />, { fetch: fake.fetch });
    await userEvent.setup().click(screen.getByRole('button', { name: 'Re-run from Explore' }));
    expect((await screen.findByRole('alert')).textContent).toContain('spec s1 is executing');
  });
});

function run(over: Partial<SpecRun>): SpecRun {
  return {
    id: 'run-1',
    spec_id: 's1',
    kind: 'launch',
    status: 'completed',
    approval_mode: 'review',
    from_phase: 'explore',
    planned_phases: ['explore', 'requirements', 'design', 'tasks', 'sync'],
    phases: [],
    awaiting_phase: null,
    comment: null,
    created_by: 'u1',
    sandbox_id: 'sb1',
    error: null,
    first_spec_seq: 1,
    last_spec_seq: 40,
    event_count: 40,
    started_at: NOW,
    ended_at: '2026-01-02T03:05:05.000Z',
    ...over,
  };
}

describe('<RunsList>', () => {
  const list: SpecRunList = {
    spec_id: 's1',
    total: 3,
    has_more: false,
    runs: [
      run({ id: 'run-3', kind: 'rerun', status: 'cancelled', from_phase: 'design', started_at: '2026-01-02T05:00:00.000Z', ended_at: '2026-01-02T05:01:00.000Z', error: 'cancelled by Demo' }),
      run({
        id: 'run-2',
        kind: 'rejection',
        from_phase: 'design',
        comment: 'Keep the counters in Redis',
        started_at: '2026-01-02T04:00:00.000Z',
        phases: [
          { phase: 'design', state: 'passed', attempts: 2, score: 0.875, duration: 75.2, started_at: null, completed_at: null },
          { phase: 'tasks', state: 'passed', attempts: 1, score: null, duration: 4, started_at: null, completed_at: null },
        ],
      }),
      run({ id: 'run-1', status: 'awaiting_approval', ended_at: null }),
    ],
  };

  it('lists each run: number, kind, status in words, from phase, per-phase attempts/score/duration, a link to its diff', () => {
    renderWithApp(<RunsList runs={normalizeRuns(list)} projectId="p1" specId="s1" />, { fetch: fakeFetch(() => undefined).fetch });
    const runs = screen.getAllByTestId('run');
    expect(runs.map((r) => r.getAttribute('data-run-id'))).toEqual(['run-3', 'run-2', 'run-1']);
    const [third, second, first] = runs as [HTMLElement, HTMLElement, HTMLElement];
    expect(within(third).getByRole('heading').textContent).toBe('Run 3');
    expect(third.textContent).toContain('Re-run');
    expect(within(third).getByText('Cancelled')).toBeTruthy();
    expect(third.textContent).not.toContain('Failed');
    expect(second.textContent).toContain('Re-run after rejection');
    expect(second.textContent).toContain('Reviewer’s comment: Keep the counters in Redis');
    const design = within(second).getAllByTestId('run-phase')[0]!;
    expect(Array.from(design.querySelectorAll('td')).map((td) => td.textContent)).toEqual(['Design', '2', '0.88', '1 m 15 s']);
    expect(within(first).getByText('Awaiting your approval')).toBeTruthy();
    expect(within(first).getByText('Review mode')).toBeTruthy();
    expect(within(second).getByRole('link', { name: 'View changes of run 2' }).getAttribute('href')).toBe('/projects/p1/specs/s1/runs/run-2/diff');
  });

  it('shows the latest three runs, the older ones on request', async () => {
    const many = { ...list, runs: [run({ id: 'run-5', started_at: '2026-01-02T07:00:00.000Z' }), run({ id: 'run-4', started_at: '2026-01-02T06:00:00.000Z' }), ...list.runs] };
    renderWithApp(<RunsList runs={normalizeRuns(many)} projectId="p1" specId="s1" />, { fetch: fakeFetch(() => undefined).fetch });
    expect(screen.getAllByTestId('run')).toHaveLength(3);
    await userEvent.setup().click(screen.getByRole('button', { name: 'Show 2 older runs' }));
    expect(screen.getAllByTestId('run').map((r) => r.getAttribute('data-run-id'))).toEqual(['run-5', 'run-4', 'run-3', 'run-2', 'run-1']);
  });

  it('"Show its events" filters the timeline by that run (and again shows all)', async () => {
    const chosen: (string | null)[] = [];
    renderWithApp(<RunsList runs={normalizeRuns(list)} projectId="p1" specId="s1" filterRunId="run-2" onFilterRun={(id) => chosen.push(id)} />, { fetch: fakeFetch(() => undefined).fetch });
    const user = userEvent.setup();
    await user.click(within(screen.getAllByTestId('run')[0]!).getByRole('button', { name: 'Show its events' }));
    await user.click(within(screen.getAllByTestId('run')[1]!).getByRole('button', { name: 'Show all events' }));
    expect(chosen).toEqual(['run-3', null]);
  });
});
