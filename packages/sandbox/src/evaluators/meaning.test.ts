/**
 * The meaning checks end to end (GitHub issue 9, acceptance 3): clean, specific plans for the
 * FastAPI and Express fixture repositories pass; each bad case fails at the default threshold with
 * feedback naming the culprit.
 */
import { fileURLToPath } from 'node:url';
import type { Phase, PhaseData } from '@specline/protocol';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadCodeIndex } from '../codeindex/index';
import type { RepoView } from '../types';
import type { EvalResult, EvaluateOptions } from '../types';
import { expressRateLimitPlan, fastapiLockoutPlan, type CleanPlan } from './cleanPlans';
import { cleanPhaseData } from './fixtures';
import { createEvaluate, evaluate, MEANING_CHECKS, type Check } from './index';
import { repoViewFromDir, repoViewFromFiles } from './testRepo';

const FIXTURES = fileURLToPath(new URL('../../fixtures/repos/', import.meta.url));
const repoOf = (plan: CleanPlan) => repoViewFromDir(`${FIXTURES}${plan.repo}`);
const ORDER = ['explore', 'requirements', 'design', 'tasks'] as const;

function contextFor(plan: CleanPlan, phase: Phase): PhaseData {
  const data = plan as unknown as Record<string, Record<string, unknown>>;
  return Object.fromEntries(ORDER.slice(0, ORDER.indexOf(phase as (typeof ORDER)[number])).map((p) => [p, data[p]!]));
}

function judge(plan: CleanPlan, phase: (typeof ORDER)[number], options: EvaluateOptions = { spec: plan.spec, repo: repoOf(plan) }): EvalResult {
  return evaluate(phase, plan[phase], contextFor(plan, phase), options);
}

/** The result failed at the default threshold, and one feedback line has `path` and every fragment. */
function expectFailureNaming(result: EvalResult, path: string, ...fragments: string[]): void {
  expect(result.passed).toBe(false);
  expect(result.threshold).toBe(0.7);
  expect(result.score).toBeLessThan(0.7);
  const lines = result.feedback.split('\n').filter((line) => line.startsWith(`[error] ${path}: `));
  const found = lines.some((line) => fragments.every((f) => line.includes(f)));
  // On a miss, the whole feedback shows in the assertion message.
  expect(found ? 'named' : result.feedback).toBe('named');
}

describe.each([['FastAPI shop', fastapiLockoutPlan], ['Express blog API', expressRateLimitPlan]] as const)('a clean plan for the %s', (_name, make) => {
  it.each(ORDER)('%s passes every check with a score of at least 0.9 and nothing to fix', (phase) => {
    const result = judge(make(), phase);
    expect(result.feedback).toBe('');
    expect(result.passed).toBe(true);
    expect(result.score).toBeGreaterThanOrEqual(0.9);
    expect(Object.keys(result.details).filter((k) => k.endsWith('_skipped'))).toEqual([]);
  });
});

describe('with the code index of the fixture repositories (a CodeIndex is a RepoView)', () => {
  const indexes = new Map<string, RepoView>();
  beforeAll(async () => {
    for (const plan of [fastapiLockoutPlan(), expressRateLimitPlan()]) indexes.set(plan.repo, await loadCodeIndex(`${FIXTURES}${plan.repo}`));
  });

  it.each([fastapiLockoutPlan, expressRateLimitPlan])('the clean plan passes every phase (%#)', (make) => {
    const plan = make();
    for (const phase of ORDER) {
      const result = judge(plan, phase, { spec: plan.spec, repo: indexes.get(plan.repo)! });
      expect({ phase, feedback: result.feedback, passed: result.passed }).toEqual({ phase, feedback: '', passed: true });
    }
  });

  it('fails Python planned in .ts files and a modified file that does not exist', () => {
    const plan = fastapiLockoutPlan();
    plan.tasks.tasks[2]!.files_to_create = ['src/shop/auth/lockout.ts'];
    plan.tasks.tasks[3]!.files_to_modify = ['src/shop/api/routes/auth.py'];
    const result = judge(plan, 'tasks', { spec: plan.spec, repo: indexes.get(plan.repo)! });
    expectFailureNaming(result, 'tasks[TSK-003].files_to_create', '"src/shop/auth/lockout.ts" is TypeScript, but the repository is written in Python');
    expectFailureNaming(result, 'tasks[TSK-004].files_to_modify', '"src/shop/api/routes/auth.py" does not exist in the repository');
  });
});

describe('the original clean fixtures', () => {
  it('still pass with the request and without a repository, saying grounding was skipped', () => {
    const spec = { title: 'Add rate limiting to the public API', description: 'Limit each API key to 100 requests per minute and return 429 with Retry-After' };
    const data = cleanPhaseData();
    for (const phase of ORDER) {
      const context = Object.fromEntries(ORDER.slice(0, ORDER.indexOf(phase)).map((p) => [p, data[p]!]));
      const result = evaluate(phase, data[phase], context, { spec });
      expect({ phase, errors: result.problems.filter((p) => p.severity === 'error') }).toEqual({ phase, errors: [] });
      expect(result.score).toBeGreaterThanOrEqual(0.9);
      if (phase === 'design' || phase === 'tasks' || phase === 'explore') expect(result.details['grounding_skipped']).toBe(1);
    }
  });
});

describe('vague and untestable requirements', () => {
  it('fails "THE SYSTEM SHALL be fast and scalable", naming each term and what to write instead', () => {
    const plan = expressRateLimitPlan();
    plan.requirements.requirements[2]!.text = 'THE SYSTEM SHALL be fast and scalable for every API key.';
    const result = judge(plan, 'requirements');
    expectFailureNaming(result, 'requirements[REQ-003].text', '"fast" is vague (INCOSE GtWR R7)', 'within 200 ms at p95');
    expectFailureNaming(result, 'requirements[REQ-003].text', '"scalable" is vague (INCOSE GtWR R7)', 'requests per second');
    expect(result.details['wording']).toBeLessThan(1);
  });

  it('fails escape clauses and open-ended lists in requirements and criteria', () => {
    const plan = fastapiLockoutPlan();
    plan.requirements.requirements[3]!.text = 'WHEN an account is locked, THE SYSTEM SHALL notify the user by email, SMS, etc. as appropriate.';
    plan.requirements.requirements[0]!.acceptance_criteria[1]!.text = 'If necessary, a successful login sets failed_login_count back to 0.';
    const result = judge(plan, 'requirements');
    expectFailureNaming(result, 'requirements[REQ-004].text', '"etc." leaves the list open (INCOSE GtWR R9)');
    expectFailureNaming(result, 'requirements[REQ-004].text', '"as appropriate" is an escape clause (INCOSE GtWR R8)');
    expectFailureNaming(result, 'requirements[REQ-001].acceptance_criteria[REQ-001.AC-2]', '"If necessary" is an escape clause');
  });

  it('fails criteria that state an intention or name nothing observable', () => {
    const plan = expressRateLimitPlan();
    plan.requirements.requirements[0]!.acceptance_criteria[0]!.text = 'Rate limiting works correctly.';
    plan.requirements.requirements[1]!.acceptance_criteria[1]!.text = 'Errors are handled properly.';
    plan.requirements.requirements[3]!.acceptance_criteria[0]!.text = 'The limit can be changed.';
    const result = judge(plan, 'requirements');
    expectFailureNaming(result, 'requirements[REQ-001].acceptance_criteria[REQ-001.AC-1]', '"Rate limiting works correctly." states an intention ("works correctly"), not an observable outcome', 'an HTTP status');
    expectFailureNaming(result, 'requirements[REQ-002].acceptance_criteria[REQ-002.AC-2]', 'states an intention ("handled properly")');
    expectFailureNaming(result, 'requirements[REQ-004].acceptance_criteria[REQ-004.AC-1]', '"The limit can be changed." names no observable outcome');
    expect(result.details['observable_criteria']).toBeCloseTo(7 / 10, 3);
  });
});

describe('relevance to the request', () => {
  it('fails a requirement about something else, naming it and the request', () => {
    const plan = expressRateLimitPlan();
    plan.requirements.requirements.push({
      id: 'REQ-006',
      title: 'Invoice export',
      type: 'functional',
      priority: 'low',
      text: 'THE SYSTEM SHALL export invoices as PDF.',
      acceptance_criteria: [
        { id: 'REQ-006.AC-1', text: 'GET /invoices/1.pdf returns 200 with a PDF file.' },
        { id: 'REQ-006.AC-2', text: 'The PDF lists every invoice line.' },
      ],
    });
    const result = judge(plan, 'requirements');
    expectFailureNaming(result, 'requirements[REQ-006]', '"THE SYSTEM SHALL export invoices as PDF." shares no key term with the request ("Add rate limiting to the public API"', 'drop it');
    expect(result.details['relevance']).toBeCloseTo(5 / 6, 3);
  });

  it('fails a cross-cutting requirement that names nothing of the feature', () => {
    const plan = fastapiLockoutPlan();
    plan.requirements.requirements[3]!.title = 'Request logging';
    plan.requirements.requirements[3]!.text = 'THE SYSTEM SHALL write a structured log entry for each HTTP request.';
    plan.requirements.requirements[3]!.acceptance_criteria = [
      { id: 'REQ-004.AC-1', text: 'Each request produces one JSON log line with method, path and status.' },
      { id: 'REQ-004.AC-2', text: 'The log line carries the duration in ms.' },
    ];
    const result = judge(plan, 'requirements');
    expectFailureNaming(result, 'requirements[REQ-004]', 'is an observability requirement that names nothing of the request ("Lock accounts after repeated failed logins"', 'say which part of the feature it covers');
  });

  it('is skipped without the request, and says so in details', () => {
    const plan = expressRateLimitPlan();
    const result = judge(plan, 'requirements', {});
    expect(result.details['relevance_skipped']).toBe(1);
    expect(result.details['relevance']).toBeUndefined();
    expect(result.passed).toBe(true);
  });
});

describe('grounding in the repository', () => {
  it('fails a plan that modifies a file that does not exist', () => {
    const plan = expressRateLimitPlan();
    plan.tasks.tasks[3]!.files_to_modify = ['src/routes/index.ts'];
    plan.design.components[2]!.file_path = 'src/middleware/index.ts';
    const tasks = judge(plan, 'tasks');
    expectFailureNaming(tasks, 'tasks[TSK-004].files_to_modify', '"src/routes/index.ts" does not exist in the repository, but it modifies it', 'closest existing directory is src/routes/');
    const design = judge(plan, 'design');
    expectFailureNaming(design, 'components[DES-003].file_path', '"src/middleware/index.ts" does not exist in the repository');
  });

  it('fails a modification written in prose, and suggests the file of that name elsewhere', () => {
    const plan = expressRateLimitPlan();
    plan.tasks.tasks[3]!.description = 'Register the middleware in src/routes/app.ts before the routers.';
    plan.tasks.tasks[3]!.files_to_modify = [];
    const result = judge(plan, 'tasks');
    expectFailureNaming(result, 'tasks[TSK-004].description', '"src/routes/app.ts" does not exist in the repository, but the text says it modifies it', 'did you mean src/app.ts?');
  });

  it('fails Python code planned in .ts files in the Python repository', () => {
    const plan = fastapiLockoutPlan();
    plan.design.components[1]!.file_path = 'src/shop/auth/lockout.ts';
    plan.tasks.tasks[2]!.files_to_create = ['src/shop/auth/lockout.ts'];
    const design = judge(plan, 'design');
    expectFailureNaming(design, 'components[DES-002].file_path', '"src/shop/auth/lockout.ts" is TypeScript, but the repository is written in Python', 'plan Python files (.py)');
    const tasks = judge(plan, 'tasks');
    expectFailureNaming(tasks, 'tasks[TSK-003].files_to_create', 'is TypeScript, but the repository is written in Python');
  });

  it('fails new code in a directory that does not exist, or in the test tree', () => {
    const plan = fastapiLockoutPlan();
    plan.tasks.tasks[2]!.files_to_create = ['backend/security/lockout.py'];
    plan.tasks.tasks[4]!.files_to_create = ['tests/auth/lockout_service.py'];
    const result = judge(plan, 'tasks');
    expectFailureNaming(result, 'tasks[TSK-003].files_to_create', 'is in backend/security/, which does not exist, and neither does backend/');
    expectFailureNaming(result, 'tasks[TSK-005].files_to_create', 'is implementation code placed in a test directory', 'under src/shop/');
  });

  it('is skipped without a repository, and says so in details', () => {
    const plan = fastapiLockoutPlan();
    plan.tasks.tasks[3]!.files_to_modify = ['src/shop/nowhere.py'];
    const result = judge(plan, 'tasks', { spec: plan.spec });
    expect(result.details['grounding_skipped']).toBe(1);
    expect(result.passed).toBe(true);
  });
});

describe('stack and test runner', () => {
  it('fails a design that rewrites the backend in another language', () => {
    const plan = expressRateLimitPlan();
    plan.design.architecture_overview = 'Rewrite the backend in Rust with Axum, which makes rate limiting cheap; the limiter becomes a tower layer.';
    const result = judge(plan, 'design');
    expectFailureNaming(result, 'architecture_overview', 'proposes replacing the stack ("Rewrite the backend in Rust', 'design the change inside the existing code');
    expect(result.details['stack_fit']).toBe(0);
  });

  it('fails a design that replaces the framework', () => {
    const plan = expressRateLimitPlan();
    plan.design.error_handling = 'Replace Express with Fastify and use @fastify/rate-limit.';
    expectFailureNaming(judge(plan, 'design'), 'error_handling', 'proposes replacing the stack', 'moving to Fastify');
  });

  it('fails a testing strategy with another runner and test files of another naming', () => {
    const plan = fastapiLockoutPlan();
    plan.design.testing_strategy = 'Jest tests in tests/auth/lockout.test.ts cover every acceptance criterion.';
    const result = judge(plan, 'design');
    expectFailureNaming(result, 'testing_strategy', "names Jest, but the repository's tests run with pytest");
    expectFailureNaming(result, 'testing_strategy', '"tests/auth/lockout.test.ts" is a TypeScript/JavaScript test file, but the repository is Python');
  });

  it('fails AVA and *.test.java in a JUnit repository', () => {
    const repo = repoViewFromDir(`${FIXTURES}spring-clinic`);
    const context = { explore: { languages: [{ name: 'Java', files: 13 }], tech_stack: ['Java', 'Spring Boot', 'JUnit 5'], test_runner: 'JUnit' } };
    const design = {
      architecture_overview: 'A servlet filter in the owner package counts requests per API key.',
      components: [{ id: 'DES-001', name: 'RateLimitFilter', responsibility: 'Answers 429 over the limit', file_path: 'src/main/java/org/example/clinic/system/RateLimitFilter.java', change: 'create' }],
      data_models: [],
      api_endpoints: [],
      error_handling: 'Over the limit: 429 with Retry-After.',
      testing_strategy: 'AVA tests named RateLimitFilter.test.java.',
    };
    const result = evaluate('design', design, context, { repo });
    expectFailureNaming(result, 'testing_strategy', "names AVA, but the repository's tests run with JUnit");
    expectFailureNaming(result, 'testing_strategy', '"RateLimitFilter.test.java" is not a Java/Kotlin test file name the runner picks up', '*Test.java');
  });
});

describe('tasks that implement nothing, and totals', () => {
  it('fails a lone test task', () => {
    const plan = expressRateLimitPlan();
    plan.tasks.tasks[4]!.depends_on = [];
    const result = judge(plan, 'tasks');
    expectFailureNaming(result, 'tasks[TSK-005].depends_on', 'is a test task with no implementation task before it in the dependency order', 'add TSK-001, TSK-002, TSK-003 to its depends_on');
  });

  it('fails a single favicon task citing every requirement of a multi-component design', () => {
    const plan = expressRateLimitPlan();
    plan.tasks.tasks = [
      { id: 'TSK-001', ticket_id: 'TKT-001', title: 'Add a favicon', description: 'Serve favicon.ico from the public folder.', estimated_hours: 6, depends_on: [], requirements: ['REQ-001', 'REQ-002', 'REQ-003', 'REQ-004', 'REQ-005'], components: ['DES-001', 'DES-002', 'DES-003', 'DES-004'] },
    ];
    const result = judge(plan, 'tasks');
    expectFailureNaming(result, 'tasks[TSK-001].requirements', 'cites every requirement (5) on its own while the design has 4 components', 'split it into one task per component');
    expect(result.feedback).toContain('[warning] tasks[TSK-001]: "Add a favicon" shares no term with the requirements');
  });

  it('fails implausibly low and implausibly high totals', () => {
    const low = expressRateLimitPlan();
    for (const task of low.tasks.tasks) task.estimated_hours = 0.25;
    expectFailureNaming(judge(low, 'tasks'), 'tasks', 'the estimates total 1.25 h for 5 requirements (0.25 h each): under 0.5 h per requirement');
    const high = expressRateLimitPlan();
    high.tasks.tasks = Array.from({ length: 15 }, (_, i) => ({ ...high.tasks.tasks[i % 5]!, id: `TSK-${String(i + 1).padStart(3, '0')}`, estimated_hours: 16, depends_on: [] }));
    const result = judge(high, 'tasks');
    expectFailureNaming(result, 'tasks', 'the estimates total 240 h for 5 requirements: more than 10× the usual 4 h per requirement (200 h)');
  });
});

describe('EXPLORE with and without a code base', () => {
  const noRepo = {
    codebase_summary: 'No repository is connected to this project; the plan is written from the request alone.',
    project_type: 'unknown',
    tech_stack: [],
    structure: {},
    key_files: [],
    conventions: {},
    entry_points: [],
    test_structure: '',
    feature_summary: { name: 'API rate limiting', one_liner: 'Limit each API key to 100 requests per minute', scope_in: ['per-key limits'], scope_out: [] },
    has_codebase: false,
  };

  it('accepts has_codebase: false with empty lists and a summary saying so', () => {
    const result = evaluate('explore', noRepo, {});
    expect(result.feedback).toBe('');
    expect(result.passed).toBe(true);
    expect(result.score).toBeGreaterThanOrEqual(0.9);
    expect(evaluate('explore', noRepo, {}, { repo: repoViewFromFiles([]) }).passed).toBe(true);
  });

  it('fails an EXPLORE that found nothing in a repository that has files', () => {
    const repo = repoOf(expressRateLimitPlan());
    const claimed = evaluate('explore', noRepo, {}, { repo });
    expectFailureNaming(claimed, 'has_codebase', 'is false, but the repository has 15 source files (TypeScript 15)');
    const empty = evaluate('explore', { ...noRepo, has_codebase: true, codebase_summary: 'Nothing found.' }, {}, { repo });
    expectFailureNaming(empty, 'tech_stack', 'lists no technology');
    expectFailureNaming(empty, 'tech_stack', 'lists nothing, but the repository has 15 source files');
  });

  it('fails key files that are not in the repository', () => {
    const plan = expressRateLimitPlan();
    plan.explore.key_files.push({ path: 'src/index.ts', purpose: 'entry' });
    expectFailureNaming(judge(plan, 'explore'), 'key_files[2].path', '"src/index.ts" does not exist in the repository');
  });
});

describe('the scorecard takes extra criteria', () => {
  it('adds a plugged-in check as a weighted criterion and honours what it needs', () => {
    const judgeCheck: Check = {
      name: 'model_judge',
      phases: ['requirements'],
      weight: 1,
      run: (_input, card) => {
        card.warn('requirements', 'the judge would word REQ-001 differently');
        return 0.5;
      },
    };
    const needsRepo: Check = { name: 'needs_repo', phases: ['requirements'], weight: 1, needs: ['repo'], run: () => 1 };
    const plan = expressRateLimitPlan();
    const result = createEvaluate([...MEANING_CHECKS, judgeCheck, needsRepo])('requirements', plan.requirements, {}, { spec: plan.spec });
    expect(result.details['model_judge']).toBe(0.5);
    expect(result.details['needs_repo_skipped']).toBe(1);
    expect(result.feedback).toBe('[warning] requirements: the judge would word REQ-001 differently');
    expect(result.passed).toBe(true);
  });
});
