import { render, screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { diffPhaseOutputs, type RunDiff, type SpecProposal, type StoredEvent } from '@specline/protocol';
import { describe, expect, it } from 'vitest';
import { makeRequirement, makeSpec, NOW } from '../../test/fixtures';
import { fakeFetch, renderWithApp } from '../../test/render';
import { makeEvent } from '../timeline/__tests__/fakeEventsApi';
import { RequirementCard } from '../specs/requirements/RequirementCard';
import { diffOutputs, normalizeRunDiff } from './diff';
import { DiffView } from './DiffView';
import { latestOutput, phaseHistory } from './phaseHistory';
import { runBoundaries } from './runSeparators';

const before = {
  requirements: [
    { id: 'REQ-001', title: 'Limit requests per key', type: 'functional', priority: 'high', text: 'THE SYSTEM SHALL answer 429', acceptance_criteria: [{ id: 'REQ-001.AC-1', text: 'Answers 429' }] },
    { id: 'REQ-002', title: 'Log refusals', type: 'functional', priority: 'low', text: 'THE SYSTEM SHALL log', acceptance_criteria: [] },
  ],
};
const after = {
  requirements: [
    { id: 'REQ-001', title: 'Limit requests per API key', type: 'functional', priority: 'high', text: 'THE SYSTEM SHALL answer 429', acceptance_criteria: [{ id: 'REQ-001.AC-1', text: 'Answers 429' }] },
    { id: 'REQ-003', title: 'Shared keys', type: 'functional', priority: 'medium', text: 'THE SYSTEM SHALL count per key', acceptance_criteria: [] },
  ],
};

describe('diff view', () => {
  it('renders added, modified (field before → after) and removed by stable id, each with its label in words', () => {
    const answer: RunDiff = { spec_id: 's1', run_id: 'run-2', phases: [{ ...diffPhaseOutputs('requirements', before, after), previous_run_id: 'run-1', before_spec_seq: 10, after_spec_seq: 50 }] };
    render(<DiffView diffs={normalizeRunDiff(answer)} />);
    const phase = screen.getByTestId('phase-diff');
    expect(within(phase).getByRole('heading', { name: 'Requirements' })).toBeTruthy();
    expect(phase.textContent).toContain('1 added · 1 modified · 1 removed');
    const entries = within(phase).getAllByTestId('diff-entry');
    expect(entries.map((e) => `${e.getAttribute('data-change')} ${e.getAttribute('data-id')}`)).toEqual(['added REQ-003', 'modified REQ-001', 'removed REQ-002']);
    expect(within(entries[0]!).getByText('Added')).toBeTruthy();
    expect(within(entries[2]!).getByText('Removed')).toBeTruthy();
    const modified = entries[1]!;
    expect(within(modified).getByText('Modified')).toBeTruthy();
    const title = within(modified).getByTestId('field-change');
    expect(title.getAttribute('data-field')).toBe('title');
    expect(within(title).getByLabelText('title before').textContent).toBe('Before: Limit requests per key');
    expect(within(title).getByLabelText('title after').textContent).toBe('After: Limit requests per API key');
  });

  it('a phase with nothing changed says so; a run with no phases too', () => {
    const { rerender } = render(<DiffView diffs={[diffOutputs('design', { components: [] }, { components: [] })]} />);
    expect(screen.getByText('Nothing changed in this phase.')).toBeTruthy();
    rerender(<DiffView diffs={[]} />);
    expect(screen.getByText('This run changed nothing.')).toBeTruthy();
  });
});

const SPEC = 's1';
function ev(seq: number, type: string, data: Record<string, unknown>, at: number, runId = 'run-1'): StoredEvent {
  return { ...makeEvent(SPEC, seq, type, data, 'requirements'), emitted_at: new Date(Date.UTC(2026, 0, 2, 3, 0, at)).toISOString(), run_id: runId };
}

describe('phase history', () => {
  it('attempts with score, feedback and duration; a rejection re-run is a second pass whose diff shows what the comment changed', () => {
    const events = [
      ev(1, 'spec.phase_started', { phase: 'requirements', attempt: 1 }, 0),
      ev(2, 'spec.progress', { message: 'Starting requirements (attempt 1/3)' }, 0),
      ev(3, 'spec.phase_retry', { phase: 'requirements', retry_count: 1, max_retries: 2, reason: 'evaluation_failed', eval_score: 0.4, eval_feedback: 'REQ-002 has no criteria' }, 4),
      ev(4, 'spec.progress', { message: 'Retrying requirements with the evaluator’s feedback and the previous output (attempt 2/3)' }, 5),
      ev(5, 'spec.phase_completed', { phase: 'requirements', eval_score: 0.9, duration_seconds: 8, retry_count: 1, phase_output: before }, 8),
      ev(6, 'spec.awaiting_approval', { phase: 'requirements', next_phase: 'design', phases_completed: ['explore', 'requirements'] }, 8),
      ev(7, 'spec.phase_started', { phase: 'requirements', attempt: 1 }, 20, 'run-2'),
      ev(8, 'spec.progress', { message: "Re-running requirements with the reviewer's comment and the previous output (attempt 1/3)", review_comment: 'Cover shared keys' }, 20, 'run-2'),
      ev(9, 'spec.phase_completed', { phase: 'requirements', eval_score: 0.95, duration_seconds: 3, retry_count: 0, phase_output: after }, 23, 'run-2'),
    ];
    const passes = phaseHistory('requirements', events);
    expect(passes).toHaveLength(2);
    const [first, second] = passes as [(typeof passes)[number], (typeof passes)[number]];
    expect(first.attempts.map((a) => [a.attempt, a.outcome, a.score, a.feedback, a.duration])).toEqual([
      [1, 'retried', 0.4, 'REQ-002 has no criteria', 4],
      [2, 'passed', 0.9, null, 3],
    ]);
    expect(first.awaitingApproval).toBe(true);
    expect(first.attempts[1]!.diff).toBeNull();
    expect(second.reviewComment).toBe('Cover shared keys');
    expect(second.runId).toBe('run-2');
    expect(second.attempts[0]!.diff?.entries.map((e) => `${e.change} ${e.id}`).sort()).toEqual(['added REQ-003', 'modified REQ-001', 'removed REQ-002']);
    expect(latestOutput(passes)).toBe(after);
  });

  it('an attempt still running is shown as running', () => {
    const passes = phaseHistory('requirements', [ev(1, 'spec.phase_started', { phase: 'requirements', attempt: 1 }, 0)]);
    expect(passes[0]!.attempts.map((a) => a.outcome)).toEqual(['running']);
  });
});

describe('timeline run separators', () => {
  it('by run_id: one separator above the newest event of each run, none for a single run', () => {
    const rows = [ev(9, 'spec.progress', { message: 'c' }, 9, 'run-2'), ev(8, 'spec.execution_started', {}, 8, 'run-2'), ev(7, 'agent.completed', {}, 7, 'run-1'), ev(1, 'spec.execution_started', {}, 1, 'run-1')];
    expect(runBoundaries(rows)).toEqual([
      { seq: 9, runId: 'run-2' },
      { seq: 7, runId: 'run-1' },
    ]);
    expect(runBoundaries(rows.slice(0, 2))).toEqual([]);
    // Without run ids (an older server): at each execution_started.
    const bare = rows.map(({ run_id: _, ...e }) => e);
    expect(runBoundaries(bare).map((b) => b.seq)).toEqual([9, 7]);
  });
});

describe('proposed changes', () => {
  const proposal: SpecProposal = {
    id: 'prop-1',
    spec_id: 's1',
    run_id: 'run-2',
    kind: 'requirement',
    action: 'update',
    local_id: 'REQ-001',
    parent_local_id: null,
    target_id: 'r1',
    title: 'Per-key limit (reviewed)',
    changes: [{ field: 'title', before: 'Per-key limit (reviewed)', after: 'Limit requests per API key' }],
    status: 'open',
    created_at: NOW,
    resolved_at: null,
    resolved_by: null,
  };

  function setup() {
    const fake = fakeFetch((call) => {
      if (call.path.startsWith('/api/v1/specs/s1/proposals?')) return { status: 200, body: { spec_id: 's1', proposals: [proposal, { ...proposal, id: 'prop-2', local_id: 'REQ-009', target_id: 'r9' }], total: 2, has_more: false } };
      if (call.method === 'POST' && call.path.startsWith('/api/v1/specs/s1/proposals/')) return { status: 200, body: { ...proposal, status: 'accepted' } };
      if (call.path === '/api/v1/specs/s1') return { status: 200, body: makeSpec() };
      return undefined;
    });
    renderWithApp(<RequirementCard specId="s1" requirement={makeRequirement({ title: 'Per-key limit (reviewed)', edited_at: NOW })} />, { fetch: fake.fetch });
    return { posts: () => fake.calls.filter((c) => c.method === 'POST').map((c) => c.path) };
  }

  it('a person-edited requirement shows the run’s proposed change, before → after; only its own', async () => {
    setup();
    const change = await screen.findByRole('region', { name: 'Proposed change to REQ-001' });
    expect(screen.getAllByTestId('proposed-change')).toHaveLength(1);
    expect(change.textContent).toContain('you edited it, so it was not overwritten');
    expect(within(change).getByLabelText('title before').textContent).toBe('Before: Per-key limit (reviewed)');
    expect(within(change).getByLabelText('title after').textContent).toBe('After: Limit requests per API key');
  });

  it('Accept and Dismiss call their routes', async () => {
    const { posts } = setup();
    const user = userEvent.setup();
    await user.click(await screen.findByRole('button', { name: 'Accept the proposed change to REQ-001' }));
    await waitFor(() => expect(posts()).toEqual(['/api/v1/specs/s1/proposals/prop-1/accept']));
    await user.click(screen.getByRole('button', { name: 'Dismiss the proposed change to REQ-001' }));
    await waitFor(() => expect(posts()).toEqual(['/api/v1/specs/s1/proposals/prop-1/accept', '/api/v1/specs/s1/proposals/prop-1/dismiss']));
  });
});

describe('changed words in long text', () => {
  it('marks only the middle that differs, cut at words', async () => {
    const { changedSpan } = await import('./diff');
    expect(changedSpan('Serves REQ-001 (Per-key limit (reviewed)); REQ-002', 'Serves REQ-001 (Per-key limit (second review)); REQ-002')).toEqual({
      prefix: 'Serves REQ-001 (Per-key limit ',
      before: '(reviewed));',
      after: '(second review));',
      suffix: ' REQ-002',
    });
    expect(changedSpan('same', 'same')).toEqual({ prefix: 'same', before: '', after: '', suffix: '' });
  });
});
