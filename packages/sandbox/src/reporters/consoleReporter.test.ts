import { describe, expect, it } from 'vitest';
import { stripAnsi } from './consoleFormat';
import { ConsoleReporter } from './consoleReporter';
import type { ConsoleReporterOptions } from './consoleReporter';
import { eventFactory } from './testEvents';

const ESC = '\x1b[';

function printed(options: Omit<ConsoleReporterOptions, 'stream'> & { isTTY?: boolean } = {}) {
  let text = '';
  const stream = {
    isTTY: options.isTTY ?? true,
    write(chunk: string, callback?: () => void) {
      text += chunk;
      callback?.();
      return true;
    },
  };
  const reporter = new ConsoleReporter({ ...options, stream });
  return { reporter, text: () => text, lines: () => text.split('\n').filter((line) => line !== '') };
}

describe('ConsoleReporter', () => {
  const factory = eventFactory();
  const completed = factory.make('spec.phase_completed', { phase: 'requirements', eval_score: 0.92, duration_seconds: 3.25, retry_count: 1, phase_output: {} }, 'requirements');
  const retry = factory.make('spec.phase_retry', { phase: 'tasks', retry_count: 2, max_retries: 3, reason: 'evaluation_failed', eval_score: 0.41, eval_feedback: 'tasks[TSK-003].depends_on: cycle TSK-003 → TSK-001\nmore' }, 'tasks');
  const failed = factory.make('agent.completed', { spec_id: 'spec-1', success: false, phase_data: {}, failed_phase: 'tasks', error: 'evaluation failed' });
  const heartbeat = factory.make('spec.heartbeat', { phases_completed: ['explore'], current_phase: 'requirements' });

  it('prints one readable line per event: time, phase, type, summary', async () => {
    const out = printed({ color: false });
    for (const event of [completed, retry, failed]) await out.reporter.report(event);
    const [one, two, three] = out.lines();
    expect(one).toMatch(/^\[\d\d:\d\d:\d\d\] REQUIREMENTS phase_completed\s+passed score 0\.92 in 3\.3s, retries 1$/);
    expect(two).toMatch(/TASKS\s+phase_retry\s+retry 2\/3 \(evaluation_failed\) score 0\.41: tasks\[TSK-003\]\.depends_on: cycle TSK-003 → TSK-001$/);
    expect(three).toMatch(/-\s+agent\.completed\s+run FAILED in TASKS: evaluation failed$/);
  });

  it('colours on a TTY: scores by band, failures in red', async () => {
    const out = printed({ isTTY: true, env: {} });
    expect(out.reporter.color).toBe(true);
    await out.reporter.report(completed);
    await out.reporter.report(retry);
    await out.reporter.report(failed);
    const [one, two, three] = out.lines();
    expect(one).toContain(`${ESC}32m0.92`);
    expect(two).toContain(`${ESC}31m0.41`);
    expect(three).toContain(`${ESC}31mrun FAILED`);
  });

  it('is plain when the stream is not a TTY, or NO_COLOR is set (decided per instance)', async () => {
    const pipe = printed({ isTTY: false });
    const noColor = printed({ isTTY: true, env: { NO_COLOR: '1' } });
    const emptyNoColor = printed({ isTTY: true, env: { NO_COLOR: '' } });
    for (const out of [pipe, noColor]) {
      await out.reporter.report(failed);
      expect(out.text()).not.toContain(ESC);
      expect(out.text()).toBe(`${stripAnsi(out.text())}`);
    }
    expect(emptyNoColor.reporter.color).toBe(true);
  });

  it('shows heartbeats only when verbose', async () => {
    const quiet = printed({ color: false });
    const verbose = printed({ color: false, verbose: true });
    await quiet.reporter.report(heartbeat);
    await verbose.reporter.report(heartbeat);
    expect(quiet.lines()).toEqual([]);
    expect(verbose.lines()[0]).toMatch(/heartbeat\s+alive; running requirements; done: explore$/);
  });

  it('prints unknown event types with their data', async () => {
    const out = printed({ color: false });
    await out.reporter.report(factory.make('custom.thing_happened', { answer: 42 }));
    expect(out.lines()[0]).toMatch(/custom\.thing_happened\s+\{"answer":42\}$/);
  });
});
