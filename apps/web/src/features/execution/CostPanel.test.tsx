import type { PhaseStatus, SpecUsage } from '@specline/protocol';
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeSpec } from '../../test/fixtures';
import { PLANNER_SENTENCE, specAuthorship, writtenByLabel, writtenBySentence } from '../phases/executors';
import { costBreakdown, formatCost } from './cost';
import { CostPanel } from './CostPanel';

function passed(extra: Partial<PhaseStatus> = {}): PhaseStatus {
  return { state: 'passed', attempt: 1, max_attempts: 3, eval_score: 0.9, reason: null, error: null, started_at: null, completed_at: null, ...extra };
}
const usage = (input: number, output: number, cost: number, cache?: { read: number; write: number }): SpecUsage => ({
  input_tokens: input,
  output_tokens: output,
  cost_usd: cost,
  ...(cache ? { cache_read_input_tokens: cache.read, cache_creation_input_tokens: cache.write } : {}),
});

function row(phase: string): HTMLElement {
  const found = screen.getAllByTestId('cost-row').find((r) => r.getAttribute('data-phase') === phase);
  if (!found) throw new Error(`no cost row for ${phase}`);
  return found;
}
const cells = (el: HTMLElement) => [...el.querySelectorAll('th, td')].map((c) => c.textContent);

describe('executor labels', () => {
  it('name the planner plainly and a model by provider and name; nothing is claimed when not reported', () => {
    expect(writtenByLabel('planner', null)).toBe('Offline planner');
    expect(writtenBySentence('planner', null)).toBe(PLANNER_SENTENCE);
    expect(PLANNER_SENTENCE).toBe('Written by the offline planner — no model was used');
    expect(writtenByLabel('anthropic', 'claude-sonnet-4-5')).toBe('Anthropic · claude-sonnet-4-5');
    expect(writtenBySentence('openai', 'qwen2.5-coder:7b')).toBe('Written by OpenAI-compatible · qwen2.5-coder:7b');
    expect(writtenByLabel('openai', null)).toBe('OpenAI-compatible');
    expect(writtenByLabel('bedrock', 'm')).toBe('bedrock · m');
    expect(writtenByLabel(undefined, undefined)).toBeNull();
    expect(writtenBySentence(null, 'x')).toBeNull();
  });

  it('sum up a spec: planner, one model, several, or unknown', () => {
    const phases = ['explore', 'requirements'] as const;
    expect(specAuthorship([...phases], {})).toEqual({ kind: 'unknown' });
    expect(specAuthorship([...phases], { explore: passed({ executor: 'planner' }), requirements: passed({ executor: 'planner' }) })).toEqual({ kind: 'planner' });
    expect(specAuthorship([...phases], { explore: passed({ executor: 'anthropic', model: 'claude-sonnet-4-5' }), requirements: passed({ executor: 'anthropic', model: 'claude-sonnet-4-5' }) })).toEqual({
      kind: 'single',
      label: 'Anthropic · claude-sonnet-4-5',
    });
    expect(specAuthorship([...phases], { explore: passed({ executor: 'planner' }), requirements: passed({ executor: 'openai', model: 'gpt-4o' }) })).toEqual({
      kind: 'mixed',
      labels: ['Offline planner', 'OpenAI-compatible · gpt-4o'],
    });
  });

  it('format costs: $0.00 for nothing, fractions of a cent kept', () => {
    expect(formatCost(0)).toBe('$0.00');
    expect(formatCost(0.0042)).toBe('$0.0042');
    expect(formatCost(0.4217)).toBe('$0.422');
    expect(formatCost(12.5)).toBe('$12.50');
  });
});

describe('<CostPanel>', () => {
  it('a model-written run: who wrote each phase, input/output/cache tokens and cost per phase and in total', () => {
    const spec = makeSpec({
      status: 'executing',
      current_phase: 'design',
      phase_status: {
        explore: passed({ executor: 'anthropic', model: 'claude-sonnet-4-5', usage: usage(12_300, 800, 0.0489, { read: 4_000, write: 1_200 }) }),
        requirements: passed({ executor: 'anthropic', model: 'claude-sonnet-4-5', usage: usage(20_000, 3_000, 0.105) }),
        design: { ...passed(), state: 'running', attempt: 1 },
      },
      usage: usage(32_300, 3_800, 0.1539, { read: 4_000, write: 1_200 }),
    });
    render(<CostPanel spec={spec} />);
    expect(screen.getByTestId('written-by').textContent).toBe('Written by Anthropic · claude-sonnet-4-5');
    expect(cells(row('explore'))).toEqual(['Explore', 'Anthropic · claude-sonnet-4-5', '12,300', '800', '4,000', '1,200', '$0.049']);
    // No cache figures reported for this phase: shown as missing, not as 0.
    expect(cells(row('requirements'))).toEqual(['Requirements', 'Anthropic · claude-sonnet-4-5', '20,000', '3,000', '—Not reported', '—Not reported', '$0.105']);
    // Running, nothing reported yet.
    expect(cells(row('design'))).toEqual(['Design', 'Not reported', 'Not reported']);
    expect(cells(row('tasks'))).toEqual(['Tasks', 'Not run yet', '—']);
    expect(cells(screen.getByTestId('cost-total'))).toEqual(['Total', '32,300', '3,800', '4,000', '1,200', '$0.154']);
  });

  it('a planner run says so plainly and costs $0.00, even where the server sent no usage', () => {
    const spec = makeSpec({
      phase_status: {
        explore: passed({ executor: 'planner', model: null, usage: usage(0, 0, 0) }),
        requirements: passed({ executor: 'planner', model: null }),
        design: passed({ executor: 'planner' }),
        tasks: passed({ executor: 'planner' }),
        sync: passed({ executor: 'planner' }),
      },
      usage: null,
    });
    render(<CostPanel spec={spec} />);
    expect(screen.getByTestId('written-by').textContent).toBe('Written by the offline planner — no model was used');
    expect(cells(row('requirements'))).toEqual(['Requirements', 'Offline planner', '0', '0', '—Not reported', '—Not reported', '$0.00']);
    expect(within(screen.getByTestId('cost-total')).getByText('$0.00')).toBeTruthy();
  });

  it('a run from before per-phase figures: "Not reported", never a made-up zero', () => {
    const spec = makeSpec({ phase_status: { explore: passed(), requirements: passed() }, usage: null });
    const breakdown = costBreakdown(spec);
    expect(breakdown.total).toBeNull();
    render(<CostPanel spec={spec} breakdown={breakdown} />);
    expect(screen.queryByTestId('written-by')).toBeNull();
    expect(cells(row('explore'))).toEqual(['Explore', 'Not reported', 'Not reported']);
    expect(cells(screen.getByTestId('cost-total'))).toEqual(['Total', 'Not reported']);
  });
});
