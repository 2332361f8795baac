import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import type { PhaseStatus, Spec } from '@specline/protocol';
import { describe, expect, it } from 'vitest';
import { makeSpec } from '../../test/fixtures';
import { fakeFetch, renderWithApp } from '../../test/render';
import { derivePhaseSteps } from '../phases/phaseSteps';
import { PhaseProgress } from '../phases/PhaseProgress';
import { SpecStatusBadge } from '../specs/SpecStatusBadge';
import { awaitingState } from './approvalState';
import { AwaitingApprovalBar } from './AwaitingApprovalBar';
import { awaitingPhaseOf, REJECT_COMMENT_MAX } from './model';

function status(state: PhaseStatus['state'], extra: Partial<PhaseStatus> = {}): PhaseStatus {
  return { state, attempt: 1, max_attempts: 3, eval_score: 0.9, reason: null, error: null, started_at: null, completed_at: null, ...extra };
}

const DESIGN = { architecture: 'x', data_model: '', api_spec: [], components: [], error_handling: '', testing_strategy: '', architecture_diagram: null, edited_at: null };

/** A review-mode spec stopped after `phase`. */
function awaiting(phase: 'requirements' | 'design', over: Partial<Spec> = {}): Spec {
  return makeSpec({
    status: 'awaiting_approval',
    current_phase: phase,
    awaiting_approval: phase,
    phase_status: { explore: status('passed'), requirements: status('passed'), ...(phase === 'design' ? { design: status('passed') } : {}) },
    requirements_approved: phase === 'design',
    design: phase === 'design' ? DESIGN : null,
    ...over,
  });
}

describe('awaiting approval: the rules', () => {
  it('finds the waiting phase from the server, or from the gates when the server does not name it', () => {
    expect(awaitingPhaseOf(awaiting('requirements'))).toBe('requirements');
    expect(awaitingPhaseOf(awaiting('design', { awaiting_approval: undefined }))).toBe('design');
    expect(awaitingPhaseOf(awaiting('requirements', { awaiting_approval: undefined }))).toBe('requirements');
    expect(awaitingPhaseOf(makeSpec({ status: 'completed' }))).toBeNull();
  });

  it('requirements: approve and reject allowed; design before the requirements are approved: approve disabled with the reason', () => {
    expect(awaitingState(awaiting('requirements'))).toEqual({
      phase: 'requirements',
      approve: { approved: false, approvedAt: null, allowed: true, reason: null },
      reject: { allowed: true, reason: null },
    });
    // A person edited a requirement meanwhile: the requirements approval was withdrawn.
    const withdrawn = awaitingState(awaiting('design', { requirements_approved: false }));
    expect(withdrawn?.approve).toMatchObject({ allowed: false, reason: 'Approve the requirements first.' });
    expect(withdrawn?.reject.allowed).toBe(true);
    expect(awaitingState(awaiting('requirements', { archived: true }))?.approve).toMatchObject({ allowed: false, reason: 'This spec is archived.' });
    expect(awaitingState(awaiting('requirements', { requirements: [] }))?.reject).toEqual({ allowed: false, reason: 'There are no requirements to reject.' });
    expect(awaitingState(makeSpec({ status: 'executing' }))).toBeNull();
  });

  it('the stepper marks the waiting phase "Awaiting your approval" (later ones pending); the badge says it too', () => {
    const model = derivePhaseSteps(awaiting('requirements'));
    expect(model.run).toBe('awaiting');
    expect(model.steps.map((s) => `${s.phase}:${s.state}`)).toEqual(['explore:passed', 'requirements:awaiting', 'design:pending', 'tasks:pending', 'sync:pending']);
    expect(model.focus?.stateText).toBe('Awaiting your approval');
    renderWithApp(
      <>
        <PhaseProgress spec={awaiting('requirements')} />
        <SpecStatusBadge status="awaiting_approval" />
      </>,
      { fetch: fakeFetch(() => undefined).fetch },
    );
    expect(screen.getByRole('button', { name: 'Requirements: Awaiting your approval' })).toBeTruthy();
    expect(screen.getAllByText('Awaiting your approval').length).toBeGreaterThanOrEqual(2);
  });

  it('a phase stopped by a cancel is "Cancelled", not "Failed"', () => {
    const model = derivePhaseSteps(makeSpec({ status: 'cancelled', current_phase: 'design', phase_status: { explore: status('passed'), requirements: status('passed'), design: status('failed', { reason: 'cancelled', error: 'cancelled by Demo' }) } }));
    expect(model.steps[2]).toMatchObject({ state: 'cancelled', stateText: 'Cancelled' });
    expect(model.run).toBe('cancelled');
  });
});

describe('<AwaitingApprovalBar>', () => {
  function setup(spec: Spec) {
    const fake = fakeFetch((call) => {
      if (call.method === 'POST' && call.path.endsWith('/approve-requirements')) return { status: 200, body: { ...spec, status: 'executing', requirements_approved: true, message: 'approved', run_id: 'r2' } };
      if (call.method === 'POST' && call.path.endsWith('/reject-requirements')) return { status: 200, body: { ...spec, status: 'executing', message: 'rejected', run_id: 'r2' } };
      if (call.method === 'GET') return { status: 200, body: spec };
      return undefined;
    });
    renderWithApp(<AwaitingApprovalBar spec={spec} />, { fetch: fake.fetch });
    return { posts: () => fake.calls.filter((c) => c.method === 'POST') };
  }

  it('nothing while no phase waits', () => {
    setup(makeSpec({ status: 'completed' }));
    expect(screen.queryByTestId('awaiting-approval')).toBeNull();
  });

  it('approve is one click', async () => {
    const { posts } = setup(awaiting('requirements'));
    const bar = screen.getByRole('region', { name: 'Requirements awaiting your approval' });
    await userEvent.setup().click(within(bar).getByRole('button', { name: 'Approve requirements' }));
    await waitFor(() => expect(posts().map((c) => c.path)).toEqual(['/api/v1/specs/s1/approve-requirements']));
  });

  it('approving the design before the requirements: the button is disabled and says why', () => {
    setup(awaiting('design', { requirements_approved: false }));
    const approve = screen.getByRole<HTMLButtonElement>('button', { name: 'Approve design' });
    expect(approve.disabled).toBe(true);
    expect(document.getElementById(approve.getAttribute('aria-describedby') ?? '')?.textContent).toBe('Approve the requirements first.');
  });

  it('reject asks for a comment: required, with the limit shown; it is sent trimmed', async () => {
    const { posts } = setup(awaiting('requirements'));
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Reject requirements…' }));
    const dialog = await screen.findByRole('dialog', { name: 'Reject the requirements?' });
    expect(within(dialog).getByTestId('reject-count').textContent).toBe(`0 / ${REJECT_COMMENT_MAX.toLocaleString()} characters`);
    await user.click(within(dialog).getByRole('button', { name: 'Reject and re-run requirements' }));
    expect(within(dialog).getByRole('alert').textContent).toBe('Write what should change: the comment is required.');
    expect(posts()).toEqual([]);
    const comment = within(dialog).getByLabelText('Comment (required)');
    expect(comment.getAttribute('maxlength')).toBe(String(REJECT_COMMENT_MAX));
    expect(comment.getAttribute('aria-invalid')).toBe('true');
    await user.type(comment, '  Cover shared keys too ');
    expect(within(dialog).getByTestId('reject-count').textContent).toBe(`24 / ${REJECT_COMMENT_MAX.toLocaleString()} characters`);
    await user.click(within(dialog).getByRole('button', { name: 'Reject and re-run requirements' }));
    await waitFor(() => expect(posts()).toEqual([{ method: 'POST', path: '/api/v1/specs/s1/reject-requirements', body: { comment: 'Cover shared keys too' } }]));
    await waitFor(() => expect(screen.queryByRole('dialog')).toBeNull());
  });

  it('a refused rejection keeps the dialog open with the server’s reason', async () => {
    const spec = awaiting('requirements');
    const fake = fakeFetch((call) => (call.method === 'POST' ? { status: 409, body: { detail: 'a run is executing', code: 'precondition_failed' } } : { status: 200, body: spec }));
    renderWithApp(<AwaitingApprovalBar spec={spec} />, { fetch: fake.fetch });
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: 'Reject requirements…' }));
    const dialog = await screen.findByRole('dialog');
    await user.type(within(dialog).getByLabelText('Comment (required)'), 'no');
    await user.click(within(dialog).getByRole('button', { name: 'Reject and re-run requirements' }));
    expect((await within(dialog).findByRole('alert')).textContent).toContain('a run is executing');
  });
});
