import { describe, expect, it } from 'vitest';
import { ArrayReporter } from './arrayReporter';
import { eventFactory } from './testEvents';

describe('ArrayReporter query helpers', () => {
  const setup = async () => {
    const reporter = new ArrayReporter();
    const factory = eventFactory();
    const events = [
      factory.make('spec.execution_started', { title: 't', description: 'd', phases: ['explore'] }),
      factory.make('spec.phase_started', { phase: 'explore', attempt: 1 }, 'explore'),
      factory.make('spec.progress', { message: 'one' }, 'explore'),
      factory.make('spec.progress', { message: 'two' }, 'explore'),
      factory.make('spec.phase_started', { phase: 'design', attempt: 1 }, 'design'),
    ];
    for (const event of events) await reporter.report(event);
    return { reporter, events };
  };

  it('selects by type and by phase, in order', async () => {
    const { reporter, events } = await setup();
    expect(reporter.byType('spec.progress')).toEqual([events[2], events[3]]);
    expect(reporter.byPhase('explore')).toEqual(events.slice(1, 4));
    expect(reporter.byPhase(null)).toEqual([events[0]]);
    expect(reporter.types()).toEqual(['spec.execution_started', 'spec.phase_started', 'spec.progress', 'spec.progress', 'spec.phase_started']);
  });

  it('answers latest and has', async () => {
    const { reporter, events } = await setup();
    expect(reporter.latest()).toBe(events[4]);
    expect(reporter.latest('spec.progress')?.data.message).toBe('two');
    expect(reporter.latest('agent.completed')).toBeUndefined();
    expect(reporter.has('spec.execution_started')).toBe(true);
    expect(reporter.has('agent.completed')).toBe(false);
  });

  it('clears, and toArray is a copy', async () => {
    const { reporter } = await setup();
    const copy = reporter.toArray();
    reporter.clear();
    expect(reporter.size).toBe(0);
    expect(copy).toHaveLength(5);
  });
});
