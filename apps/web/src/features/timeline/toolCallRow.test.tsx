import { EventPayloads } from '@specline/protocol';
import { render, screen, within } from '@testing-library/react';
import { describe, expect, it } from 'vitest';
import { makeEvent } from './__tests__/fakeEventsApi';
import { eventLook, TOOL_ICONS } from './eventMeta';
import { summarizeEvent } from './summarizeEvent';
import { TimelineRow } from './TimelineRow';

/** Tool calls, executor/model in phase summaries, and EXPLORE without a code base (issues 8 and 9). */
describe('tool-call rows', () => {
  it('a progress line with a tool renders as a tool call: its own label, an icon per tool, the call in mono', () => {
    const data = { message: 'Reading src/app.ts', tool: 'read_file', args_summary: 'src/app.ts:1-80' };
    expect(EventPayloads['spec.progress'].safeParse(data).success).toBe(true);
    const call = makeEvent('s1', 7, 'spec.progress', data, 'explore');
    const plain = makeEvent('s1', 8, 'spec.progress', { message: 'Scanning the repository' }, 'explore');
    render(
      <>
        <TimelineRow event={call} expanded={false} onToggle={() => undefined} />
        <TimelineRow event={plain} expanded={false} onToggle={() => undefined} />
      </>,
    );
    const [callRow, plainRow] = screen.getAllByTestId('timeline-row');
    expect(callRow!.getAttribute('data-tool')).toBe('read_file');
    expect(within(callRow!).getByText('Tool call')).toBeTruthy();
    const summary = within(callRow!).getByText('read_file src/app.ts:1-80');
    expect(summary.className).toContain('font-mono');

    expect(plainRow!.hasAttribute('data-tool')).toBe(false);
    expect(within(plainRow!).getByText('Progress')).toBeTruthy();
    expect(within(plainRow!).getByText('Scanning the repository').className).not.toContain('font-mono');
  });

  it('each known tool has its own icon; an unknown one still reads as a tool call', () => {
    const look = (tool: string) => eventLook({ event_type: 'spec.progress', event_data: { message: 'm', tool } });
    const icons = ['list_files', 'read_file', 'search'].map((tool) => look(tool).icon);
    expect(new Set(icons).size).toBe(3);
    expect(icons).toEqual([TOOL_ICONS['list_files'], TOOL_ICONS['read_file'], TOOL_ICONS['search']]);
    expect(look('grep_ast')).toMatchObject({ label: 'Tool call', tool: 'grep_ast' });
    expect(look('   ').label).toBe('Progress');
    expect(summarizeEvent({ event_type: 'spec.progress', event_data: { message: 'Listing', tool: 'list_files', args_summary: 'src/**/*.ts' } })).toBe('list_files src/**/*.ts');
    expect(summarizeEvent({ event_type: 'spec.progress', event_data: { message: '3 matches for "limit"', tool: 'search' } })).toBe('search · 3 matches for "limit"');
  });
});

describe('phase summaries name who wrote the phase', () => {
  const base = { phase: 'design', eval_score: 0.9, duration_seconds: 12, retry_count: 0, phase_output: {} };

  it('phase_completed: executor and model, tokens and cost; the planner plainly, without a cost', () => {
    const model = { ...base, executor: 'anthropic', model: 'claude-sonnet-4-5', usage: { input_tokens: 9_000, output_tokens: 1_000, cost_usd: 0.042 } };
    expect(EventPayloads['spec.phase_completed'].safeParse(model).success).toBe(true);
    expect(summarizeEvent({ event_type: 'spec.phase_completed', phase: 'design', event_data: model })).toBe('score 0.90 · 12 s · by Anthropic claude-sonnet-4-5 · 10,000 tokens · $0.042');
    const planner = { ...base, executor: 'planner', model: null, usage: { input_tokens: 0, output_tokens: 0, cost_usd: 0 } };
    expect(summarizeEvent({ event_type: 'spec.phase_completed', phase: 'design', event_data: planner })).toBe('score 0.90 · 12 s · by the offline planner (no model)');
  });

  it('EXPLORE without a code base says the plan comes from the request alone', () => {
    const data = { ...base, phase: 'explore', phase_output: { has_codebase: false, codebase_summary: '' } };
    expect(summarizeEvent({ event_type: 'spec.phase_completed', phase: 'explore', event_data: data })).toBe('no repository connected: planned from the request alone · score 0.90 · 12 s');
  });

  it('agent.completed: the run’s executor, model and cost', () => {
    const data = { spec_id: 's', success: true, phase_data: {}, phases_completed: ['explore', 'requirements'], executor: 'openai', model: 'qwen2.5-coder:7b', usage: { input_tokens: 100, output_tokens: 50, cost_usd: 0 } };
    expect(EventPayloads['agent.completed'].safeParse(data).success).toBe(true);
    expect(summarizeEvent({ event_type: 'agent.completed', event_data: data })).toBe('succeeded · 2 phases completed · by OpenAI-compatible qwen2.5-coder:7b · 150 tokens · $0.00');
  });
});
