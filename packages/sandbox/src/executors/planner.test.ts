import { DesignOutput, ID_PATTERNS, PhaseOutputSchemas, PrdOutput, RequirementsOutput, SyncOutput, TasksOutput, type Phase } from '@specline/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findCycles, findDanglingRefs } from '../analysis/traceability';
import { evaluate } from '../evaluators/index';
import type { PhaseContext } from '../types';
import { makeTree, TS_MONOREPO } from './__fixtures__/tree';
import { createPlannerExecutor } from './planner';

const spec = { id: 'spec-1', title: 'Add rate limiting to the public API', description: 'Limit each API key to 100 requests per minute and return 429 with Retry-After' };
const PHASES: Phase[] = ['explore', 'prd', 'requirements', 'design', 'tasks', 'sync'];
const EARS = /^(WHEN|IF|WHILE|WHERE)\b.+\bTHE SYSTEM SHALL\b/;

async function runAll(cwd: string, s = spec, progress: string[] = []): Promise<Record<string, Record<string, unknown>>> {
  const planner = createPlannerExecutor();
  const phaseData: Record<string, Record<string, unknown>> = {};
  for (const phase of PHASES) {
    const context: PhaseContext = { spec: s, cwd, phaseData: { ...phaseData }, attempt: 1, maxAttempts: 3, progress: (m) => progress.push(`${phase}: ${m}`) };
    const result = await planner.execute(phase, context, null, new AbortController().signal);
    expect(result.usage).toEqual({ input_tokens: 0, output_tokens: 0, cost_usd: 0 });
    phaseData[phase] = result.output;
  }
  return phaseData;
}

describe('planner executor on a Fastify/TypeScript monorepo', () => {
  let tree: Awaited<ReturnType<typeof makeTree>>;
  let data: Record<string, Record<string, unknown>>;
  const progress: string[] = [];

  beforeAll(async () => {
    tree = await makeTree(TS_MONOREPO);
    data = await runAll(tree.root, spec, progress);
  });
  afterAll(() => tree.cleanup());

  it('is named planner and says so in every output', () => {
    expect(createPlannerExecutor().name).toBe('planner');
    for (const phase of PHASES) expect(data[phase]?.['generated_by']).toBe('planner');
  });

  it('produces outputs that validate against the protocol schemas and pass the evaluators', () => {
    for (const phase of PHASES) {
      expect(PhaseOutputSchemas[phase].safeParse(data[phase]).success).toBe(true);
      const context = Object.fromEntries(PHASES.slice(0, PHASES.indexOf(phase)).map((p) => [p, data[p]!]));
      const result = evaluate(phase, data[phase], context);
      expect({ phase, feedback: result.feedback, passed: result.passed }).toEqual({ phase, feedback: '', passed: true });
    }
  });

  it('is deterministic: a second run gives the same outputs', async () => {
    expect(await runAll(tree.root)).toEqual(data);
  });

  it('derives one requirement per clause plus standard ones, in EARS with ≥2 criteria and unique stable ids', () => {
    const { requirements } = RequirementsOutput.parse(data['requirements']);
    expect(requirements.map((r) => r.id)).toEqual(requirements.map((_, i) => `REQ-${String(i + 1).padStart(3, '0')}`));
    for (const req of requirements) {
      expect(req.text).toMatch(EARS);
      expect(req.acceptance_criteria.length).toBeGreaterThanOrEqual(2);
      req.acceptance_criteria.forEach((c, n) => expect(c.id).toBe(`${req.id}.AC-${n + 1}`));
    }
    const [limit, refusal] = requirements;
    expect(limit!.text).toBe('WHEN an API key makes a request, THE SYSTEM SHALL limit each API key to 100 requests per minute.');
    expect(limit!.acceptance_criteria.map((c) => c.text).join(' ')).toMatch(/99 requests.*served normally.*100 requests.*refused/);
    expect(refusal!.text).toBe('IF an API key exceeds 100 requests per minute, THEN THE SYSTEM SHALL return HTTP 429 (Too Many Requests) with a Retry-After header.');
    expect(refusal!.acceptance_criteria.map((c) => c.text)).toEqual(expect.arrayContaining(['The response status code is 429 (Too Many Requests).', expect.stringMatching(/Retry-After header whose value is a positive whole number of seconds/)]));
    // A cross-cutting rule keeps settings, a log of refusals and tests, each about this change; no generic validation requirement.
    expect(requirements.map((r) => r.title)).toEqual([
      'Limit each API key to 100 requests per minute',
      'Return 429 with Retry-After',
      'Rate limit settings',
      'Log rate-limited requests',
      'Automated tests for rate limiting to the public API',
    ]);
    expect(requirements[2]!.text).toBe('WHERE `RATE_LIMIT_MAX_REQUESTS` or `RATE_LIMIT_WINDOW_SECONDS` is set, THE SYSTEM SHALL use that value for the rate limit instead of the default (100, 60).');
    expect(requirements[4]!.text).toBe('WHERE the Vitest suite runs, THE SYSTEM SHALL have tests of rate limiting to the public API in `apps/server/src/plugins/rateLimit.test.ts` that check every acceptance criterion of REQ-001 to REQ-004.');
    expect(data['requirements']!['change_kind']).toBe('rule');
  });

  it('maps the design onto the detected stack: a Fastify hook in the existing plugins/ dir, its settings, mounted in the existing app.ts', () => {
    const design = DesignOutput.parse(data['design']);
    expect(design.components.map((c) => [c.id, c.name, c.file_path, c['change']])).toEqual([
      ['DES-001', 'Settings: RATE_LIMIT_MAX_REQUESTS, RATE_LIMIT_WINDOW_SECONDS', 'apps/server/src/rateLimitConfig.ts', 'create'],
      ['DES-002', 'Request limiter (a Fastify `onRequest` hook)', 'apps/server/src/plugins/rateLimit.ts', 'create'], // the existing plugins/ directory
      ['DES-003', 'Mount the limiter in app', 'apps/server/src/app.ts', 'modify'],
    ]);
    expect(design.architecture_overview).toContain('It changes 1 existing file: DES-003 `apps/server/src/app.ts`.');
    const reqIds = RequirementsOutput.parse(data['requirements']).requirements.map((r) => r.id);
    const cited = new Set(design.components.flatMap((c) => c.requirements ?? []));
    for (const id of reqIds) expect(cited.has(id)).toBe(true);
    expect(design.data_models.map((m) => m.name)).toEqual(['RateWindow']);
    expect(design.testing_strategy).toContain('Vitest');
    expect(design.testing_strategy).toContain('app.inject()');
    expect(design.error_handling).toContain('429');
    expect(design.architecture_diagram).toMatch(/^flowchart LR\n/);
  });

  it('plans tasks that form a DAG, cite existing ids, cover every requirement and component, with estimates in (0, 8]', () => {
    const { tickets, tasks } = TasksOutput.parse(data['tasks']);
    const requirements = RequirementsOutput.parse(data['requirements']).requirements;
    const { components } = DesignOutput.parse(data['design']);
    expect(tickets.every((t) => ID_PATTERNS.ticket.test(t.id))).toBe(true);
    expect(tasks.every((t) => ID_PATTERNS.task.test(t.id))).toBe(true);
    expect(new Set(tasks.map((t) => t.id)).size).toBe(tasks.length);
    expect(findCycles(tasks)).toEqual([]);
    expect(findDanglingRefs({ tasks, requirements, tickets, components })).toEqual([]);
    for (const task of tasks) {
      expect(task.estimated_hours).toBeGreaterThan(0);
      expect(task.estimated_hours).toBeLessThanOrEqual(8);
      expect(task.requirements.length).toBeGreaterThan(0);
    }
    for (const req of requirements) expect(tasks.some((t) => t.requirements.includes(req.id))).toBe(true);
    for (const component of components) expect(tasks.some((t) => t.components?.includes(component.id))).toBe(true);
    expect(tasks.map((t) => [t.id, t.title, t.depends_on, t['files']])).toEqual([
      ['TSK-001', 'Create the settings RATE_LIMIT_MAX_REQUESTS, RATE_LIMIT_WINDOW_SECONDS in `apps/server/src/rateLimitConfig.ts`', [], ['apps/server/src/rateLimitConfig.ts']],
      ['TSK-002', 'Create request limiter (a Fastify `onRequest` hook) in `apps/server/src/plugins/rateLimit.ts`', ['TSK-001'], ['apps/server/src/plugins/rateLimit.ts']],
      ['TSK-003', 'Mount the limiter in app in `apps/server/src/app.ts`', ['TSK-002'], ['apps/server/src/app.ts']],
      ['TSK-004', 'Write Vitest tests in `apps/server/src/plugins/rateLimit.test.ts`', ['TSK-001', 'TSK-002'], ['apps/server/src/plugins/rateLimit.test.ts']],
      ['TSK-005', 'Document rate limiting to the public API in `README.md`', ['TSK-001', 'TSK-002', 'TSK-003'], ['README.md']],
    ]);
  });

  it('computes SYNC from the phase data (100% coverage, no cycles, ready)', () => {
    const sync = SyncOutput.parse(data['sync']);
    expect(sync.coverage_percent).toBe(100);
    expect(sync.ready_for_execution).toBe(true);
    expect(sync.coverage.length).toBe(RequirementsOutput.parse(data['requirements']).requirements.length);
  });

  it('writes a PRD with one user story per functional requirement, with its observable criteria, and the files the change touches', () => {
    const prd = PrdOutput.parse(data['prd']);
    expect(prd.user_stories.map((s) => [s.id, s['requirement'], s.want])).toEqual([
      ['US-001', 'REQ-001', 'the system to limit each API key to 100 requests per minute'],
      ['US-002', 'REQ-002', 'the system to return 429 with Retry-After'],
    ]);
    expect(prd.user_stories[1]!.acceptance_criteria).toEqual(expect.arrayContaining(['The response status code is 429 (Too Many Requests).']));
    expect(prd.overview.solution_summary).toBe('A cross-cutting rule in front of existing endpoints in the TypeScript/Fastify code, changing `apps/server/src/app.ts` and adding `apps/server/src/rateLimitConfig.ts`, `apps/server/src/plugins/rateLimit.ts`.');
    expect(prd.scope.in_scope).toContain('Limit each API key to 100 requests per minute');
  });

  it('reports meaningful progress lines', () => {
    expect(progress).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/^explore: Explored 25 files in \d+ ms/),
        expect.stringMatching(/^requirements: Derived 5 requirements for rule \(2 from the description's clauses/),
        expect.stringMatching(/^tasks: Planned \d+ tickets and \d+ tasks/),
        'sync: Traceability computed: 100% of requirements covered, 0 cycles, 0 dangling references',
      ]),
    );
  });
});

describe('planner executor on other inputs', () => {
  it('plans a non-HTTP feature in a Python project and still covers everything', async () => {
    const tree = await makeTree({ 'pyproject.toml': '[project]\nname = "tool"\ndependencies = ["click"]\n', 'tool/__init__.py': '', 'tool/cli.py': '', 'tests/test_cli.py': '' });
    try {
      const data = await runAll(tree.root, { id: 's', title: 'Export reports as CSV', description: 'Users can export any report as a CSV file. When a report has more than 10,000 rows, stream the file.\nOut of scope: Excel export' });
      for (const phase of PHASES) expect(PhaseOutputSchemas[phase].safeParse(data[phase]).success).toBe(true);
      const { requirements } = RequirementsOutput.parse(data['requirements']);
      expect(requirements[1]!.text).toBe('WHEN a report has more than 10,000 rows, THE SYSTEM SHALL stream the file.');
      expect(requirements[0]!.acceptance_criteria.map((c) => c.text).join(' ')).toContain('RFC 4180');
      expect(data['requirements']!['out_of_scope']).toEqual(['Excel export']);
      const design = DesignOutput.parse(data['design']);
      expect(design.components.every((c) => c.file_path?.endsWith('.py'))).toBe(true);
      expect(SyncOutput.parse(data['sync']).ready_for_execution).toBe(true);
    } finally {
      await tree.cleanup();
    }
  });

  it('derives requirements itself when a later phase runs alone (resume without context)', async () => {
    const planner = createPlannerExecutor({ loadIndex: false });
    const progress: string[] = [];
    const result = await planner.execute('tasks', { spec, cwd: '.', phaseData: {}, attempt: 1, maxAttempts: 3, progress: (m) => progress.push(m) }, null, new AbortController().signal);
    expect(TasksOutput.safeParse(result.output).success).toBe(true);
    expect((result.output['tasks'] as unknown[]).length).toBeGreaterThan(0);
  });

  it('throws the abort reason when the signal is already aborted', async () => {
    const controller = new AbortController();
    const reason = new Error('run cancelled');
    controller.abort(reason);
    await expect(createPlannerExecutor().execute('requirements', { spec, cwd: '.', phaseData: {}, attempt: 1, maxAttempts: 3, progress: () => {} }, null, controller.signal)).rejects.toBe(reason);
  });
});
