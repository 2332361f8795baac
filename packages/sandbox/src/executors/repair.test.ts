import { DesignOutput, RequirementsOutput, TasksOutput, type Phase } from '@specline/protocol';
import { describe, expect, it } from 'vitest';
import { computeSync, findCycles } from '../analysis/traceability';
import { evaluate } from '../evaluators/index';
import type { EvalProblem, PhaseContext, RetryFeedback } from '../types';
import { generateDesign } from './design';
import { createPlannerExecutor } from './planner';
import { generateRequirements } from './requirements';

const spec = { id: 'spec-1', title: 'Add rate limiting to the public API', description: 'Limit each API key to 100 requests per minute and return 429 with Retry-After' };
const explore = { languages: [{ name: 'TypeScript', files: 10 }], frameworks: ['Fastify', 'Vitest'], test_runner: 'Vitest', source_dirs: ['src'] };

function feedback(previousOutput: Record<string, unknown> | null, problems: EvalProblem[] = [], error?: string): RetryFeedback {
  return { attempt: 1, score: 0.4, text: problems.map((p) => `${p.path}: ${p.message}`).join('\n'), problems, previousOutput, ...(error ? { error } : {}) };
}

async function retry(phase: Phase, phaseData: Record<string, Record<string, unknown>>, fb: RetryFeedback, progress: string[] = []) {
  const context: PhaseContext = { spec, cwd: '.', phaseData, attempt: 2, maxAttempts: 3, progress: (m) => progress.push(m) };
  return (await createPlannerExecutor({ loadIndex: false }).execute(phase, context, fb, new AbortController().signal)).output;
}

describe('retry repair of REQUIREMENTS', () => {
  const previous = {
    requirements: [
      { id: 'REQ-001', title: 'Per-key limit', type: 'functional', priority: 'high', text: 'WHEN a request arrives, THE SYSTEM SHALL count it against its API key.', acceptance_criteria: [{ id: 'REQ-001.AC-1', text: 'The 101st request in a minute is refused.' }] },
      { id: 'REQ-001', title: 'Refusal answer', type: 'functional', priority: 'P1', text: 'The API must return 429 with Retry-After when a key is over its limit', acceptance_criteria: ['Status is 429', 'Retry-After is set'] },
      { id: 'R3', title: 'Audit trail', priority: 'low', text: 'IF a key is refused THEN THE SYSTEM SHALL log it.', acceptance_criteria: [] },
      'not a requirement',
    ],
  };

  it('keeps the previous requirements and fixes ids, EARS text, criteria and priorities', async () => {
    const progress: string[] = [];
    const problems: EvalProblem[] = [{ path: 'requirements[1].id', message: 'duplicate id REQ-001', severity: 'error' }];
    const output = await retry('requirements', { explore }, feedback(previous, problems), progress);
    const { requirements } = RequirementsOutput.parse(output);
    expect(requirements.map((r) => r.title)).toEqual(['Per-key limit', 'Refusal answer', 'Audit trail']);
    expect(requirements.map((r) => r.id)).toEqual(['REQ-001', 'REQ-002', 'REQ-003']);
    expect(requirements[1]!.text).toMatch(/^WHEN .+, THE SYSTEM SHALL return HTTP 429 \(Too Many Requests\) with a Retry-After header when a key is over its limit\.$/);
    expect(requirements[1]!.priority).toBe('medium');
    expect(requirements[1]!.acceptance_criteria).toEqual([{ id: 'REQ-002.AC-1', text: 'Status is 429' }, { id: 'REQ-002.AC-2', text: 'Retry-After is set' }]);
    for (const req of requirements) {
      expect(req.acceptance_criteria.length).toBeGreaterThanOrEqual(2);
      req.acceptance_criteria.forEach((c, n) => expect(c.id).toBe(`${req.id}.AC-${n + 1}`));
    }
    expect(requirements[0]!.acceptance_criteria[0]!.text).toBe('The 101st request in a minute is refused.');
    expect(evaluate('requirements', output, {}).passed).toBe(true);
    expect(output['repairs']).toEqual(expect.arrayContaining(['requirements[3]: not an object, dropped', expect.stringMatching(/REQ-001 duplicated, now REQ-002/), expect.stringMatching(/R3 malformed, now REQ-003/)]));
    expect(progress).toContainEqual(expect.stringMatching(/^Repaired the previous requirements output: 1 problem reported, \d+ fixes applied$/));
  });

  it('replaces a field the evaluator pointed at with the planner value for the same item', async () => {
    const own = generateRequirements(spec, explore);
    const vague = structuredClone(own) as Record<string, unknown> & typeof own;
    vague.requirements[1]!.text = 'IF things go wrong, THEN THE SYSTEM SHALL do the right thing.';
    const problems: EvalProblem[] = [{ path: 'requirements[REQ-002].text', message: 'vague: no observable response', severity: 'error' }];
    const output = await retry('requirements', { explore }, feedback(vague, problems));
    expect(RequirementsOutput.parse(output).requirements[1]!.text).toBe(own.requirements[1]!.text);
    expect(output['repairs']).toContainEqual('requirements[REQ-002].text: replaced with the planner\'s value (vague: no observable response)');
  });

  it('falls back to the planner output when the previous output has no usable requirements', async () => {
    const output = await retry('requirements', { explore }, feedback({ raw_text: 'oops', parse_error: 'Unexpected token' }));
    expect(RequirementsOutput.parse(output).requirements).toEqual(generateRequirements(spec, explore).requirements);
  });

  it('regenerates when the previous attempt failed to execute', async () => {
    const progress: string[] = [];
    const output = await retry('requirements', { explore }, feedback(null, [], 'timeout after 900 s'), progress);
    expect(output).toEqual(generateRequirements(spec, explore));
    expect(progress).toContain('Previous attempt failed (timeout after 900 s); generated the output again');
  });
});

describe('retry repair of DESIGN', () => {
  it('gives ids to components, converts field maps, and makes every requirement served', async () => {
    const requirements = generateRequirements(spec, explore);
    const previous = {
      architecture_overview: 'A plugin and a store.',
      components: [
        { name: 'Limiter plugin', responsibility: 'Refuses requests', requirements: ['REQ-002', 'REQ-042'] },
        { id: 'DES-001', name: 'Limiter service', responsibility: 'Counts', requirements: ['REQ-001'] },
      ],
      data_models: [{ name: 'Window', fields: { key: 'TEXT', count: 'INTEGER' } }],
      api_endpoints: [],
      error_handling: { refusal: '429 with Retry-After' },
      testing_strategy: 'Vitest',
    };
    const output = await retry('design', { explore, requirements }, feedback(previous, [{ path: 'components', message: 'no component addresses REQ-003', severity: 'warning' }]));
    const design = DesignOutput.parse(output);
    expect(design.components.map((c) => [c.id, c.name])).toEqual([['DES-002', 'Limiter plugin'], ['DES-001', 'Limiter service']]);
    expect(design.components[0]!.requirements).not.toContain('REQ-042');
    const served = new Set(design.components.flatMap((c) => c.requirements ?? []));
    for (const req of requirements.requirements) expect(served.has(req.id)).toBe(true);
    expect(design.data_models[0]!.fields).toEqual([{ name: 'key', type: 'TEXT' }, { name: 'count', type: 'INTEGER' }]);
    expect(design.error_handling).toBe('refusal: 429 with Retry-After');
    expect(evaluate('design', output, { requirements }).passed).toBe(true);
  });
});

describe('retry repair of TASKS', () => {
  it('drops dangling and cyclic dependencies, caps estimates, and covers every requirement and component', async () => {
    const requirements = generateRequirements(spec, explore);
    const design = generateDesign(spec, explore, requirements);
    const previous = {
      tickets: [{ id: 'TKT-001', title: 'Limiter', description: '', priority: 'high', requirements: ['REQ-001'] }],
      tasks: [
        { id: 'TSK-001', ticket_id: 'TKT-001', title: 'Build the counter', description: '', estimated_hours: 12, dependencies: { depends_on: [{ id: 'TSK-002' }] }, requirements: ['REQ-001', 'REQ-999'] },
        { id: 'TSK-002', ticket_id: 'TKT-009', title: 'Build the plugin', description: '', estimated_hours: -1, depends_on: ['TSK-001', 'TSK-099'], requirements_addressed: ['REQ-002'], components: ['DES-004'] },
        { id: 'TSK-002', ticket_id: 'TKT-001', title: 'Write tests', description: '', estimated_hours: 3, depends_on: ['TSK-002'], requirements: ['REQ-006'] },
      ],
    };
    expect(findCycles(previous.tasks)).not.toEqual([]);
    const phaseData = { explore, requirements, design };
    const output = await retry('tasks', phaseData, feedback(previous, [{ path: 'tasks[TSK-001].depends_on', message: 'dependency cycle TSK-001 → TSK-002 → TSK-001', severity: 'error' }]));
    const { tasks, tickets } = TasksOutput.parse(output);
    expect(tasks.slice(0, 3).map((t) => t.title)).toEqual(['Build the counter', 'Build the plugin', 'Write tests']);
    expect(tasks.slice(0, 3).map((t) => t.id)).toEqual(['TSK-001', 'TSK-002', 'TSK-003']);
    expect(findCycles(tasks)).toEqual([]);
    expect(tasks[0]!.estimated_hours).toBe(8);
    expect(tasks[1]!.estimated_hours).toBe(2);
    expect(tasks[1]!.ticket_id).toBe('TKT-001');
    expect(tasks[1]!.depends_on).not.toContain('TSK-099');
    expect(tasks[0]!.requirements).not.toContain('REQ-999');
    expect(tasks[1]!.requirements).toContain('REQ-002');
    expect(tickets[0]!.requirements).toEqual(expect.arrayContaining(['REQ-001', 'REQ-002']));
    const sync = computeSync({ ...phaseData, tasks: output });
    expect(sync.blockers).toEqual([]);
    expect(sync.coverage_percent).toBe(100);
    expect(evaluate('tasks', output, phaseData).passed).toBe(true);
    expect(output['repairs']).toEqual(expect.arrayContaining([expect.stringMatching(/to break the cycle/), expect.stringMatching(/TSK-099/), expect.stringMatching(/capped at 8/)]));
  });
});
