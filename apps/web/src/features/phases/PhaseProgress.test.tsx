import { render, screen, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it } from 'vitest';
import type { Phase, PhaseStatus } from '@specline/protocol';
import { PhaseProgress, PhaseProgressInline } from './PhaseProgress';
import { derivePhaseSteps, type PhaseSource } from './phaseSteps';
import { tabForPhase } from './phaseTabs';

function status(state: PhaseStatus['state'], extra: Partial<PhaseStatus> = {}): PhaseStatus {
  return { state, attempt: 1, max_attempts: 3, eval_score: null, reason: null, error: null, started_at: null, completed_at: null, ...extra };
}

function spec(over: Partial<PhaseSource> = {}): PhaseSource {
  return { status: 'draft', phases: [], phase_status: {}, current_phase: null, last_error: null, ...over };
}

const states = (source: PhaseSource) => derivePhaseSteps(source).steps.map((s) => `${s.phase}:${s.state}`);

describe('derivePhaseSteps', () => {
  it('a never-run draft is idle: the default phases, nothing pending or running, no prd', () => {
    const model = derivePhaseSteps(spec({ current_phase: 'explore' }));
    expect(model.run).toBe('idle');
    expect(states(spec({ current_phase: 'explore' }))).toEqual(['explore:idle', 'requirements:idle', 'design:idle', 'tasks:idle', 'sync:idle']);
    expect(model.steps.every((s) => !s.current && s.stateText === 'Not started')).toBe(true);
  });

  it('running: earlier phases passed with their score, the running one is current, later pending', () => {
    const model = derivePhaseSteps(
      spec({
        status: 'executing',
        phases: ['explore', 'prd', 'requirements', 'design', 'tasks', 'sync'],
        current_phase: 'prd',
        phase_status: { explore: status('passed', { eval_score: 0.92 }), prd: status('running') },
      }),
    );
    expect(model.steps.map((s) => s.state)).toEqual(['passed', 'running', 'pending', 'pending', 'pending', 'pending']);
    expect(model.steps[0]!.stateText).toBe('Passed · score 0.92');
    expect(model.steps.filter((s) => s.current).map((s) => s.phase)).toEqual(['prd']);
    expect(model.run).toBe('running');
  });

  it('retrying shows the attempt n/m', () => {
    const model = derivePhaseSteps(
      spec({ status: 'executing', current_phase: 'explore', phase_status: { explore: status('retrying', { attempt: 2, max_attempts: 3, eval_score: 0.55, reason: 'evaluation_failed' }) } }),
    );
    expect(model.steps[0]!.state).toBe('retrying');
    expect(model.steps[0]!.stateText).toBe('Retrying · attempt 2/3');
    expect(model.steps[0]!.current).toBe(true);
  });

  it('failed shows the reason; a step still marked running in a failed run is failed with the last error', () => {
    const withReason = derivePhaseSteps(
      spec({ status: 'failed', current_phase: 'design', phase_status: { explore: status('passed'), requirements: status('passed'), design: status('failed', { reason: 'timeout', error: 'took too long' }) } }),
    );
    expect(withReason.steps.map((s) => s.state)).toEqual(['passed', 'passed', 'failed', 'pending', 'pending']);
    expect(withReason.steps[2]!.stateText).toBe('Failed · timed out');
    expect(withReason.steps.some((s) => s.current)).toBe(false);

    const stale = derivePhaseSteps(spec({ status: 'failed', current_phase: 'explore', last_error: 'sandbox died', phase_status: { explore: status('running') } }));
    expect(stale.steps[0]!.state).toBe('failed');
    expect(stale.steps[0]!.error).toBe('sandbox died');
  });

  it('a completed spec shows every step passed; a cancelled run shows cancelled where it stopped', () => {
    expect(new Set(derivePhaseSteps(spec({ status: 'completed', current_phase: 'sync' })).steps.map((s) => s.state))).toEqual(new Set(['passed']));
    const cancelled = derivePhaseSteps(spec({ status: 'cancelled', current_phase: 'requirements', phase_status: { explore: status('passed'), requirements: status('running') } }));
    expect(cancelled.steps.map((s) => s.state)).toEqual(['passed', 'cancelled', 'pending', 'pending', 'pending']);
    expect(cancelled.run).toBe('cancelled');
  });

  it('falls back to current_phase when phase_status is empty during a run', () => {
    expect(states(spec({ status: 'executing', current_phase: 'design' }))).toEqual(['explore:passed', 'requirements:passed', 'design:running', 'tasks:pending', 'sync:pending']);
  });
});

describe('<PhaseProgress>', () => {
  it('renders every step with its label and state in text, aria-current on the running step, and no spinner when idle', () => {
    const { container, rerender } = render(<PhaseProgress spec={spec()} />);
    const list = screen.getByRole('list', { name: 'Phase progress' });
    expect(within(list).getAllByRole('listitem')).toHaveLength(5);
    expect(within(list).getAllByText('Not started')).toHaveLength(5);
    expect(container.querySelector('[aria-current]')).toBeNull();
    expect(container.querySelector('.motion-safe\\:animate-spin')).toBeNull();

    rerender(
      <PhaseProgress
        spec={spec({ status: 'executing', current_phase: 'requirements', phase_status: { explore: status('passed', { eval_score: 0.8 }), requirements: status('retrying', { attempt: 2 }) } })}
      />,
    );
    const current = container.querySelector('[aria-current="step"]');
    expect(current?.getAttribute('data-phase')).toBe('requirements');
    expect(within(current as HTMLElement).getByText('Retrying · attempt 2/3')).toBeTruthy();
    expect(screen.getByText('Passed · score 0.80')).toBeTruthy();
    // Each step is a focusable button named with its state, so keyboard users reach the tooltip.
    expect(screen.getByRole('button', { name: 'Requirements: Retrying · attempt 2/3' })).toBeTruthy();
  });

  it('spins only the running step, and only with motion allowed (motion-safe)', () => {
    const { container } = render(<PhaseProgress spec={spec({ status: 'executing', current_phase: 'explore', phase_status: { explore: status('running') } })} />);
    const spinning = container.querySelectorAll('.motion-safe\\:animate-spin');
    expect(spinning).toHaveLength(1);
    expect(container.querySelector('.animate-spin:not(.motion-safe\\:animate-spin)')).toBeNull();
  });

  it('inline variant says where the run is, in words', () => {
    const { rerender } = render(<PhaseProgressInline spec={spec()} />);
    expect(screen.getByText('Not started')).toBeTruthy();
    rerender(<PhaseProgressInline spec={spec({ status: 'failed', current_phase: 'design', phase_status: { design: status('failed', { reason: 'evaluation_failed' }) } })} />);
    expect(screen.getByText('Failed at Design')).toBeTruthy();
    rerender(<PhaseProgressInline spec={spec({ status: 'executing', current_phase: 'design', phase_status: { explore: status('passed'), requirements: status('passed'), design: status('running') } })} />);
    expect(screen.getByText('2/5 · Design running')).toBeTruthy();
  });

  it('each step’s details say who wrote it: the planner plainly, a model by provider and name', async () => {
    const source = spec({
      status: 'executing',
      current_phase: 'design',
      phase_status: {
        explore: status('passed', { executor: 'planner', model: null }),
        requirements: status('passed', { executor: 'anthropic', model: 'claude-sonnet-4-5' }),
        design: status('running'),
      },
    });
    const steps = derivePhaseSteps(source).steps;
    expect(steps.map((s) => [s.phase, s.executor, s.model])).toEqual([
      ['explore', 'planner', null],
      ['requirements', 'anthropic', 'claude-sonnet-4-5'],
      ['design', null, null],
      ['tasks', null, null],
      ['sync', null, null],
    ]);
    const first = render(<PhaseProgress spec={source} />);
    await userEvent.setup().hover(screen.getByRole('button', { name: /^Explore: Passed/ }));
    expect((await screen.findAllByText('Written by the offline planner — no model was used')).length).toBeGreaterThan(0);
    first.unmount();
    render(<PhaseProgress spec={source} />);
    await userEvent.setup().hover(screen.getByRole('button', { name: /^Requirements: Passed/ }));
    expect((await screen.findAllByText('Written by Anthropic · claude-sonnet-4-5')).length).toBeGreaterThan(0);
  });
});

describe('<PhaseProgress> steps as controls (issue 15)', () => {
  const ran = spec({ status: 'executing', current_phase: 'design', phase_status: { explore: status('passed'), requirements: status('passed'), design: status('running') } });

  it('a click or Enter on a step selects its phase; a step that ran has a Details button, a pending one none', async () => {
    const selected: string[] = [];
    const details: string[] = [];
    render(<PhaseProgress spec={ran} onSelectStep={(p) => selected.push(p)} onShowDetails={(p) => details.push(p)} />);
    const user = userEvent.setup();
    await user.click(screen.getByRole('button', { name: /^Design: Running/ }));
    screen.getByRole('button', { name: /^Explore: Passed/ }).focus();
    await user.keyboard('{Enter}');
    expect(selected).toEqual(['design', 'explore']);
    await user.click(screen.getByRole('button', { name: 'Requirements details' }));
    expect(details).toEqual(['requirements']);
    expect(screen.queryByRole('button', { name: 'Tasks details' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Design details' }).getAttribute('aria-haspopup')).toBe('dialog');
  });

  it('without onShowDetails there are no Details buttons', () => {
    render(<PhaseProgress spec={ran} />);
    expect(screen.queryByRole('button', { name: /details$/ })).toBeNull();
  });
});

describe('tabForPhase', () => {
  it('maps each phase to the tab holding its output; a missing tab falls back to Execution', () => {
    const tabs = ['requirements', 'design', 'tasks', 'execution', 'explore'];
    expect(['explore', 'prd', 'requirements', 'design', 'tasks', 'sync'].map((p) => tabForPhase(p as Phase, tabs))).toEqual(['explore', 'requirements', 'requirements', 'design', 'tasks', 'tasks']);
    expect(tabForPhase('explore', ['requirements', 'execution'])).toBe('execution');
  });
});
