import { describe, expect, it } from 'vitest';
import { computeSync } from '../analysis/traceability';
import { analyzeEars, clamp01, evaluate } from './index';
import { cleanDesign, cleanExplore, cleanPhaseData, cleanRequirements, cleanTasks } from './fixtures';
import { Scorecard } from './scorecard';

const ctx = cleanPhaseData();
const feedbackOf = (r: { feedback: string }) => r.feedback;

describe('clean outputs', () => {
  it.each([
    ['explore', cleanExplore()],
    ['requirements', cleanRequirements()],
    ['design', cleanDesign()],
    ['tasks', cleanTasks()],
    ['sync', computeSync(ctx)],
  ] as const)('%s passes with a score in [threshold, 1] and no error', (phase, output) => {
    const result = evaluate(phase, output, ctx);
    expect(result.problems.filter((p) => p.severity === 'error')).toEqual([]);
    expect(result.passed).toBe(true);
    expect(result.score).toBeGreaterThanOrEqual(0.7);
    expect(result.score).toBeLessThanOrEqual(1);
    for (const value of Object.values(result.details)) expect(value).toBeLessThanOrEqual(1);
  });
});

describe('tasks evaluator', () => {
  it('fails a dependency cycle and names it', () => {
    const tasks = cleanTasks();
    tasks.tasks[0]!.depends_on = ['TSK-003'];
    const result = evaluate('tasks', tasks, ctx);
    expect(result.passed).toBe(false);
    expect(result.score).toBeLessThan(0.7);
    expect(feedbackOf(result)).toContain('dependency cycle TSK-001 → TSK-003 → TSK-002 → TSK-001');
  });

  it('fails a cycle written in the {dependencies: {depends_on}} shape', () => {
    const tasks = cleanTasks() as unknown as { tasks: Record<string, unknown>[] };
    for (const t of tasks.tasks) delete t['depends_on'];
    tasks.tasks[0]!['dependencies'] = { depends_on: [{ id: 'TSK-002' }] };
    tasks.tasks[1]!['dependencies'] = { depends_on: ['TSK-001'] };
    const result = evaluate('tasks', tasks, ctx);
    expect(result.passed).toBe(false);
    expect(feedbackOf(result)).toContain('dependency cycle TSK-001 → TSK-002 → TSK-001');
  });

  it('fails a dangling dependency in the list shape, naming task, field and target', () => {
    const tasks = cleanTasks();
    tasks.tasks[2]!.depends_on = ['TSK-009'];
    const result = evaluate('tasks', tasks, ctx);
    expect(result.passed).toBe(false);
    expect(feedbackOf(result)).toContain('tasks[TSK-003].depends_on: TSK-009 does not exist');
  });

  it('fails a dangling dependency in the {depends_on} shape', () => {
    const tasks = cleanTasks() as unknown as { tasks: Record<string, unknown>[] };
    delete tasks.tasks[2]!['depends_on'];
    tasks.tasks[2]!['dependencies'] = { depends_on: ['TSK-009'] };
    const result = evaluate('tasks', tasks, ctx);
    expect(result.passed).toBe(false);
    expect(feedbackOf(result)).toContain('tasks[TSK-003].dependencies.depends_on: TSK-009 does not exist');
    // The alternative shape itself is only a warning.
    expect(result.problems).toContainEqual(expect.objectContaining({ path: 'tasks[TSK-003].depends_on', severity: 'warning' }));
  });

  it('fails a requirement no task covers', () => {
    const tasks = cleanTasks();
    tasks.tasks[2]!.requirements = ['REQ-001'];
    const result = evaluate('tasks', tasks, ctx);
    expect(result.passed).toBe(false);
    expect(feedbackOf(result)).toContain('requirements[REQ-003]: REQ-003 is covered by no task');
  });

  it('fails a task citing a requirement that does not exist, or none', () => {
    const tasks = cleanTasks();
    tasks.tasks[0]!.requirements = ['REQ-001', 'REQ-077'];
    tasks.tasks[1]!.requirements = [];
    const result = evaluate('tasks', tasks, ctx);
    expect(result.passed).toBe(false);
    expect(feedbackOf(result)).toContain('tasks[TSK-001].requirements: REQ-077 does not exist');
    expect(feedbackOf(result)).toContain('tasks[TSK-002].requirements: cites no requirement');
  });

  it('fails duplicate task and ticket ids', () => {
    const tasks = cleanTasks();
    tasks.tasks[2]!.id = 'TSK-002';
    tasks.tickets.push({ ...tasks.tickets[0]! });
    const result = evaluate('tasks', tasks, ctx);
    expect(result.passed).toBe(false);
    expect(feedbackOf(result)).toContain('tasks: duplicate id TSK-002');
    expect(feedbackOf(result)).toContain('tickets: duplicate id TKT-001');
  });

  it('fails estimates out of range', () => {
    const tasks = cleanTasks();
    tasks.tasks[0]!.estimated_hours = 40;
    const result = evaluate('tasks', tasks, ctx);
    expect(result.passed).toBe(false);
    expect(feedbackOf(result)).toContain('tasks[TSK-001].estimated_hours: is 40; split tasks larger than 16 hours');
  });

  it('warns about a design component no task references, without failing', () => {
    const design = cleanDesign();
    design.components.push({ id: 'DES-003', name: 'Dashboard', responsibility: 'Shows usage' });
    const result = evaluate('tasks', cleanTasks(), { ...ctx, design });
    expect(result.problems).toContainEqual({ path: 'components[DES-003]', message: 'DES-003 is referenced by no task, ticket or requirement', severity: 'warning' });
    expect(result.details['component_coverage']).toBeCloseTo(2 / 3, 3);
  });
});

describe('requirements evaluator', () => {
  it('fails a requirement without EARS keywords and names it', () => {
    const reqs = cleanRequirements();
    reqs.requirements[1]!.text = 'Rate limited requests get a header telling when to come back.';
    const result = evaluate('requirements', reqs, ctx);
    expect(result.passed).toBe(false);
    expect(feedbackOf(result)).toMatch(/requirements\[REQ-002\]\.text: missing EARS pattern: has no SHALL/);
  });

  it('fails duplicate ids and too few acceptance criteria', () => {
    const reqs = cleanRequirements();
    reqs.requirements[2]!.id = 'REQ-001';
    reqs.requirements[1]!.acceptance_criteria = reqs.requirements[1]!.acceptance_criteria.slice(0, 1);
    const result = evaluate('requirements', reqs, ctx);
    expect(result.passed).toBe(false);
    expect(feedbackOf(result)).toContain('requirements: duplicate id REQ-001');
    expect(feedbackOf(result)).toContain('requirements[REQ-002].acceptance_criteria: has 1; at least 2 acceptance criteria are required');
  });

  it('does not take substrings for keywords', () => {
    expect(analyzeEars('Whenever the mayhem starts, the marshall responds.').pattern).toBeNull();
    expect(analyzeEars('Whenever load is high, THE SYSTEM SHALL shed requests.').pattern).toBeNull();
    expect(analyzeEars('WHEN the mayhem starts, THE SYSTEM SHALL log it.')).toEqual({ pattern: 'event', hasShall: true, weakModals: [] });
    expect(analyzeEars('WHILE offline, the app shall queue writes and may retry.').weakModals).toEqual(['may']);
    expect(analyzeEars('WHERE SSO is enabled, THE SYSTEM SHALL redirect to the IdP.').pattern).toBe('optional');
    expect(analyzeEars('The service shall respond within 200 ms.').pattern).toBe('ubiquitous');
    expect(analyzeEars('WHEN , THE SYSTEM SHALL x').pattern).toBeNull();
  });
});

describe('design evaluator', () => {
  it('fails a component tracing to a missing requirement, bad endpoints and duplicate ids', () => {
    const design = cleanDesign();
    design.components[1]!.requirements = ['REQ-099'];
    design.components.push({ ...design.components[0]! });
    design.api_endpoints.push({ method: 'FETCH', path: 'rate', description: '' });
    const result = evaluate('design', design, ctx);
    expect(result.passed).toBe(false);
    expect(feedbackOf(result)).toContain('components[DES-002].requirements: REQ-099 does not exist');
    expect(feedbackOf(result)).toContain('components: duplicate id DES-001');
    expect(feedbackOf(result)).toContain('api_endpoints[1].method: "FETCH" is not an HTTP method');
  });
});

describe('sync evaluator', () => {
  it('fails a sync output whose claims disagree with the recomputation', () => {
    const claimed = { ...computeSync(ctx), coverage_percent: 100, cycles: [] };
    const broken = { ...ctx, tasks: { ...cleanTasks(), tasks: cleanTasks().tasks.map((t) => (t.id === 'TSK-003' ? { ...t, requirements: ['REQ-001'] } : t)) } };
    const result = evaluate('sync', claimed, broken);
    expect(result.passed).toBe(false);
    expect(feedbackOf(result)).toContain('coverage_percent: claims 100 but the tasks cover 66.67% of requirements');
    expect(feedbackOf(result)).toContain('blockers: REQ-003 is covered by no task');
  });
});

describe('robustness', () => {
  it.each(['explore', 'prd', 'requirements', 'design', 'tasks', 'sync'] as const)('%s scores garbage 0..1 without throwing', (phase) => {
    for (const output of [null, 42, 'text', [], {}, { parse_error: 'bad json', raw_text: '...' }, { tasks: 'x', requirements: {} }]) {
      const result = evaluate(phase, output, { requirements: { requirements: 'nope' } });
      expect(result.passed).toBe(false);
      expect(result.score).toBeGreaterThanOrEqual(0);
      expect(result.score).toBeLessThan(0.7);
      expect(result.feedback).not.toBe('');
    }
  });

  it('clamps weights summing past 1 and honours the threshold option', () => {
    const card = new Scorecard();
    card.score('a', 0.1, 1);
    card.score('b', 0.2, 1);
    card.score('c', 0.7000000000000002, 1.0000000000000002);
    expect(card.result().score).toBe(1);
    expect(clamp01(1.0000000000000002)).toBe(1);
    expect(clamp01(Number.NaN)).toBe(0);
    const strict = evaluate('tasks', cleanTasks(), ctx, { threshold: 1.5 });
    expect(strict.threshold).toBe(1);
  });
});
