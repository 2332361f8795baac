import { describe, expect, it } from 'vitest';
import { contentTerms, stem } from '../../analysis/words';
import { repoViewFromFiles } from '../testRepo';
import { checkPaths } from './grounding';
import { analyzeObservable } from './observable';
import { designPaths, pathsInText, taskPaths } from './paths';
import { estimateTotals, isTestTask, loneTestTasks, lumpedTasks } from './plan';
import { judgeRelevance } from './relevance';
import { findStackRewrite, foreignRunners, stackFacts, testNamingProblems } from './stack';
import { findVagueWording } from './wording';

const terms = (text: string) => findVagueWording(text).map((f) => `${f.rule}:${f.term}`);

describe('light stemming', () => {
  it('gives one stem to the forms of a word', () => {
    expect(new Set(['limit', 'limits', 'limited', 'limiting', 'limiter'].map(stem))).toEqual(new Set(['limit']));
    expect(new Set(['validate', 'validates', 'validation', 'valid'].map(stem))).toEqual(new Set(['valid']));
    expect(new Set(['rate', 'rates', 'rated'].map(stem))).toEqual(new Set(['rat']));
    expect(new Set(['retry', 'retries', 'retried'].map(stem))).toEqual(new Set(['retry']));
    expect(new Set(['invoice', 'invoices'].map(stem))).toEqual(new Set(['invoic']));
    expect(stem('status')).toBe('status');
    expect(stem('user')).toBe('user');
  });

  it('drops stop words and EARS boilerplate, keeps numbers and hyphenated parts', () => {
    expect(contentTerms('WHEN an API key exceeds 100 requests, THE SYSTEM SHALL add a Retry-After header')).toEqual(['api', 'key', 'exceed', '100', 'request', 'retry-after', 'retry', 'head']);
    expect(new Set(['exceed', 'exceeds', 'exceeded', 'exceeding'].map(stem))).toEqual(new Set(['exceed']));
  });
});

describe('vague wording (INCOSE GtWR R7, R8, R9)', () => {
  it('finds unmeasurable qualities, escape clauses and open-ended lists', () => {
    expect(terms('THE SYSTEM SHALL be fast and scalable')).toEqual(['R7:fast', 'R7:scalable']);
    expect(terms('THE SYSTEM SHALL log errors as appropriate, if necessary')).toEqual(['R8:as appropriate', 'R8:if necessary']);
    expect(terms('THE SYSTEM SHALL export CSV, PDF, etc.')).toEqual(['R9:etc.']);
    expect(terms('THE SYSTEM SHALL accept PDF and so on')).toEqual(['R9:and so on']);
    expect(terms('THE SYSTEM SHALL provide a user-friendly, intuitive, robust and seamless experience')).toEqual(['R7:user-friendly', 'R7:intuitive', 'R7:robust', 'R7:seamless']);
    expect(terms('THE SYSTEM SHALL respond as soon as possible with adequate detail')).toEqual(['R7:as soon as possible', 'R7:adequate']);
    expect(terms('THE SYSTEM SHALL keep several backups of some files')).toEqual(['R7:several', 'R7:some']);
    expect(findVagueWording('THE SYSTEM SHALL be fast')[0]!.message).toBe('"fast" is vague (INCOSE GtWR R7) and nothing in the sentence quantifies it: replace it with a measurable bound, e.g. "within 200 ms at p95"');
  });

  it('accepts a term the same sentence quantifies with the right kind of measure', () => {
    expect(terms('THE SYSTEM SHALL respond fast: within 200 ms at p95')).toEqual([]);
    expect(terms('THE SYSTEM SHALL be scalable to 10,000 concurrent users')).toEqual([]);
    expect(terms('THE SYSTEM SHALL be easy to configure in at most 3 steps')).toEqual([]);
    // A load does not quantify a duration, and a duration does not quantify a load.
    expect(terms('THE SYSTEM SHALL be fast for 10,000 users')).toEqual(['R7:fast']);
    expect(terms('THE SYSTEM SHALL be scalable within 200 ms')).toEqual(['R7:scalable']);
    // Escape clauses and open lists are never excused by a number.
    expect(terms('THE SYSTEM SHALL retry 3 times if necessary')).toEqual(['R8:if necessary']);
  });

  it('does not judge quoted literals, HTTP reason phrases or idioms', () => {
    expect(terms('THE SYSTEM SHALL show "Please try again soon, it will be quick"')).toEqual([]);
    expect(terms('IF a key exceeds its limit, THEN THE SYSTEM SHALL return HTTP 429 (Too Many Requests).')).toEqual([]);
    expect(terms('WHEN a setting is invalid, THE SYSTEM SHALL fail fast at start-up naming it')).toEqual([]);
    expect(terms('The response tells how many requests remain; a retry after that many seconds succeeds.')).toEqual([]);
    expect(terms('THE SYSTEM SHALL follow the limits as required by RFC 6585')).toEqual([]);
  });

  it('has a severity per rule and place: quantities are warnings in criteria, fillers always warnings', () => {
    const [some] = findVagueWording('Some requests are refused');
    expect(some).toMatchObject({ kind: 'quantifier', inRequirement: 'error', inCriterion: 'warning' });
    const [fast] = findVagueWording('The page loads fast');
    expect(fast).toMatchObject({ inRequirement: 'error', inCriterion: 'error' });
    const [nice] = findVagueWording('THE SYSTEM SHALL show a nice error');
    expect(nice).toMatchObject({ kind: 'filler', inRequirement: 'warning', inCriterion: 'warning' });
  });
});

describe('observable outcomes of acceptance criteria', () => {
  it.each([
    'The 101st request within a minute receives 429.',
    'Every 429 response carries Retry-After.',
    'The response body has a `code` field equal to "rate_limited".',
    'A row is stored in rate_windows with count 1.',
    'The form shows the message "Email already taken".',
    'One email is sent to the account owner.',
    'A structured log entry is written with the key prefix.',
    'The export writes invoices.csv with one line per invoice.',
    'The function returns false for an unknown key.',
    'At most 100 requests per minute are served per key.',
    'Requests from another key are unaffected.',
    "After one wrong password, the account's failed_login_count is 1.",
  ])('%s → observable', (criterion) => {
    expect(analyzeObservable(criterion).observable).toBe(true);
  });

  it.each([
    ['Rate limiting works correctly.', 'works correctly'],
    ['Errors are handled properly.', 'handled properly'],
    ['Invalid input is handled gracefully.', 'handled gracefully'],
    ['The feature behaves as expected.', 'behaves as expected'],
    ['The limiter is implemented.', 'is implemented'],
  ])('%s → an intention, not observable', (criterion, intention) => {
    const analysis = analyzeObservable(criterion);
    expect(analysis.observable).toBe(false);
    expect(analysis.intentions.join(' ')).toContain(intention);
  });

  it('finds nothing observable in a criterion that names no outcome', () => {
    expect(analyzeObservable('An API key that reached the limit can make requests again.').observable).toBe(false);
  });
});

describe('relevance to the request', () => {
  const spec = { title: 'Add rate limiting to the public API', description: 'Limit each API key to 100 requests per minute and return 429 with Retry-After' };
  const req = (id: string, title: string, text: string, criteria: string[] = []) => ({ id, title, text, acceptance_criteria: criteria.map((c, k) => ({ id: `${id}.AC-${k + 1}`, text: c })) });

  it('relates requirements that share a specific term, name a related requirement, or share terms with those that do', () => {
    const report = judgeRelevance(spec, [
      req('REQ-001', 'Per-key limit', 'WHEN an API key exceeds 100 requests in a minute, THE SYSTEM SHALL answer 429.', ['The counter of a key resets in a new window.']),
      req('REQ-002', 'Window reset', 'WHEN a new window starts, THE SYSTEM SHALL set every counter to zero.'),
      req('REQ-003', 'Tests', 'WHERE the suite runs, THE SYSTEM SHALL have tests for REQ-001.'),
      req('REQ-004', 'Invoices', 'THE SYSTEM SHALL export invoices as PDF.'),
      req('REQ-005', 'Request log', 'THE SYSTEM SHALL log each request with a correlation id.'),
    ]);
    expect(report.requirements.map((r) => [r.id, r.related, r.via])).toEqual([
      ['REQ-001', true, 'direct'],
      ['REQ-002', true, 'neighbour'],
      ['REQ-003', true, 'reference'],
      ['REQ-004', false, null],
      ['REQ-005', false, null],
    ]);
    // Sharing only a generic word ("request") is not enough; the log requirement is cross-cutting.
    expect(report.requirements[4]!.crossCutting).toBe('observability');
  });
});

describe('paths a plan touches', () => {
  it('reads fields with their change and paths in prose with the verb before them', () => {
    const design = {
      components: [
        { id: 'DES-001', name: 'Limiter', responsibility: 'x', file_path: 'src/lib/limiter.ts', change: 'create' },
        { id: 'DES-002', name: 'App', responsibility: 'Register the middleware in src/app.ts', file_path: 'src/app.ts', change: 'modify', files: ['src/routes/index.ts', { path: 'docs/limits.md', change: 'create' }] },
      ],
      architecture_overview: 'Modify `src/server.ts`; see https://example.com/a/b.ts and application/json; globs like src/**/*.ts are not paths.',
    };
    expect(designPaths(design).map((p) => [p.where, p.path, p.change, p.source])).toEqual([
      ['components[DES-001].file_path', 'src/lib/limiter.ts', 'create', 'field'],
      ['components[DES-002].file_path', 'src/app.ts', 'modify', 'field'],
      ['components[DES-002].files', 'src/routes/index.ts', 'modify', 'field'],
      ['components[DES-002].files', 'docs/limits.md', 'create', 'field'],
      ['components[DES-002].responsibility', 'src/app.ts', 'modify', 'text'],
      ['architecture_overview', 'src/server.ts', 'modify', 'text'],
    ]);
    const tasks = { tasks: [{ id: 'TSK-001', title: 'Wire it', description: 'Create src/lib/new.ts.', files_to_modify: ['./src/app.ts:12'], files_to_create: ['src/lib/new.ts'] }] };
    expect(taskPaths(tasks).map((p) => [p.where, p.path, p.change])).toEqual([
      ['tasks[TSK-001].files_to_create', 'src/lib/new.ts', 'create'],
      ['tasks[TSK-001].files_to_modify', 'src/app.ts', 'modify'],
      ['tasks[TSK-001].description', 'src/lib/new.ts', 'create'],
    ]);
    expect(pathsInText('Update the handler in `README.md`.', 'x').map((p) => p.path)).toEqual(['README.md']);
  });
});

describe('grounding in a repository', () => {
  const python = repoViewFromFiles(['pyproject.toml', 'src/shop/__init__.py', 'src/shop/main.py', 'src/shop/api/__init__.py', 'src/shop/api/routes/login.py', 'tests/__init__.py', 'tests/test_login.py'], ['pytest']);
  const field = (path: string, change: 'create' | 'modify' | 'unspecified', role: 'implementation' | 'test' = 'implementation') => ({ path, where: `tasks[TSK-001].files`, change, source: 'field' as const, role });

  it('fails a modified file that does not exist, naming the closest directory', () => {
    const { problems } = checkPaths(python, [field('src/shop/api/routes/ratelimit.py', 'modify')]);
    expect(problems).toEqual([expect.objectContaining({ severity: 'error', message: expect.stringContaining('"src/shop/api/routes/ratelimit.py" does not exist in the repository, but it modifies it') as unknown })]);
    expect(problems[0]!.message).toContain('closest existing directory is src/shop/api/routes/');
  });

  it('fails new code in another language, and in a directory that does not exist', () => {
    const ts = checkPaths(python, [field('src/shop/limiter.ts', 'create')]).problems;
    expect(ts).toEqual([expect.objectContaining({ severity: 'error', message: expect.stringContaining('is TypeScript, but the repository is written in Python') as unknown })]);
    const nowhere = checkPaths(python, [field('backend/app/limiter.py', 'create')]).problems;
    expect(nowhere[0]).toMatchObject({ severity: 'error', message: expect.stringContaining('is in backend/app/, which does not exist, and neither does backend/') as unknown });
  });

  it('accepts config, docs and templates in any language, a new module dir under an existing one, and warns about a missing __init__.py', () => {
    expect(checkPaths(python, [field('docs/limits.md', 'create'), field('src/shop/templates/locked.html', 'create')]).problems).toEqual([]);
    const pkg = checkPaths(python, [field('src/shop/ratelimit/limiter.py', 'create')]).problems;
    expect(pkg).toEqual([expect.objectContaining({ severity: 'warning', message: expect.stringContaining('add src/shop/ratelimit/__init__.py') as unknown })]);
    expect(checkPaths(python, [field('src/shop/ratelimit/limiter.py', 'create'), field('src/shop/ratelimit/__init__.py', 'create')]).problems).toEqual([]);
  });

  it('fails implementation code placed in the test tree, and JVM classes outside src/main/java', () => {
    const inTests = checkPaths(python, [field('tests/api/limiter.py', 'create')]).problems;
    expect(inTests[0]).toMatchObject({ severity: 'error', message: expect.stringContaining('is implementation code placed in a test directory: put it with the source code (under src/shop/)') as unknown });
    const java = repoViewFromFiles(['pom.xml', 'src/main/java/org/example/App.java', 'src/main/java/org/example/owner/Owner.java', 'src/test/java/org/example/AppTests.java']);
    const outside = checkPaths(java, [field('src/rateLimiting/Limiter.java', 'create')]).problems;
    expect(outside[0]).toMatchObject({ severity: 'error', message: expect.stringContaining('is outside the Java source root: Java classes live in packages under src/main/java/ (e.g. src/main/java/org/example/)') as unknown });
  });
});

describe('stack fit', () => {
  const facts = stackFacts({ explore: { tech_stack: ['TypeScript', 'Express', 'Prisma'], test_runner: 'Vitest' } });

  it('finds a proposal to rewrite or replace the stack, and not a mere mention', () => {
    expect(findStackRewrite('We will rewrite the backend in Rust for speed.', 'architecture_overview', facts)).toHaveLength(1);
    expect(findStackRewrite('Replace Express with Fastify.', 'architecture_overview', facts)).toHaveLength(1);
    expect(findStackRewrite('Port the API to Go.', 'x', facts)).toHaveLength(1);
    expect(findStackRewrite('Add a Prisma migration for the new table.', 'x', facts)).toEqual([]);
    expect(findStackRewrite('The middleware is written in TypeScript, without rewriting the service in Rust.', 'x', facts)).toEqual([]);
    expect(findStackRewrite('Move the counter into src/lib.', 'x', facts)).toEqual([]);
  });

  it('finds foreign test runners and test file names of another language', () => {
    expect(foreignRunners('Unit tests with Jest and AVA', facts).foreign).toEqual(['Jest', 'AVA']);
    expect(foreignRunners('Vitest with supertest', facts).foreign).toEqual([]);
    const junit = stackFacts({ explore: { languages: [{ name: 'Java', files: 13 }], test_runner: 'JUnit' } });
    expect(testNamingProblems('JUnit tests in *.test.java', [], junit).map((p) => p.severity)).toEqual(['error']);
    expect(testNamingProblems('', ['src/test/java/org/example/LimiterTest.java'], junit)).toEqual([]);
    expect(testNamingProblems('', ['test/limiter.test.ts'], junit)[0]!.message).toContain('is a TypeScript/JavaScript test file, but the repository is Java/Kotlin');
  });
});

describe('task plan substance', () => {
  const requirements = [{ id: 'REQ-001', title: 'Limit' }, { id: 'REQ-002', title: 'Header' }, { id: 'REQ-003', title: 'Automated tests' }];
  const components = [{ id: 'DES-001' }, { id: 'DES-002' }];

  it('knows test tasks by type, title or description', () => {
    expect(isTestTask({ type: 'test', title: 'Limiter' })).toBe(true);
    expect(isTestTask({ title: 'Write integration tests for the limiter' })).toBe(true);
    expect(isTestTask({ title: 'Limiter', description: 'Add unit tests covering the window.' })).toBe(true);
    expect(isTestTask({ title: 'Implement the limiter' })).toBe(false);
  });

  it('fails a test task with no implementation before it covering what it tests', () => {
    const tasks = [
      { id: 'TSK-001', title: 'Implement the limiter', requirements: ['REQ-001'], depends_on: [] },
      { id: 'TSK-002', title: 'Test the header', requirements: ['REQ-002', 'REQ-003'], depends_on: ['TSK-001'] },
      { id: 'TSK-003', title: 'Add the header', requirements: ['REQ-002'], depends_on: [] },
    ];
    expect(loneTestTasks(tasks, requirements)).toEqual([
      { where: 'tasks[TSK-002].depends_on', severity: 'error', message: 'tests REQ-002, which no implementation task before it implements: a test task alone implements nothing; add TSK-003 to its depends_on' },
    ]);
    tasks[1]!.depends_on.push('TSK-003');
    expect(loneTestTasks(tasks, requirements)).toEqual([]);
  });

  it('fails one task citing every requirement of a multi-component design', () => {
    const lump = [{ id: 'TSK-001', title: 'Add a favicon', requirements: ['REQ-001', 'REQ-002', 'REQ-003'] }];
    expect(lumpedTasks(lump, requirements, components)[0]).toMatchObject({ where: 'tasks[TSK-001].requirements', severity: 'error' });
    expect(lumpedTasks(lump, requirements, [{ id: 'DES-001' }])).toEqual([]);
  });

  it('judges the total estimate against the scope', () => {
    expect(estimateTotals([{ estimated_hours: 1 }], 6, 5)).toMatchObject({ score: 0, total: 1, problems: [expect.objectContaining({ severity: 'error' })] });
    expect(estimateTotals([{ estimated_hours: 10 }, { estimated_hours: 14 }], 6, 5)).toMatchObject({ score: 1, problems: [] });
    expect(estimateTotals(Array.from({ length: 12 }, () => ({ estimated_hours: 16 })), 6, 5)).toMatchObject({ score: 0.5, problems: [expect.objectContaining({ severity: 'warning' })] });
    expect(estimateTotals(Array.from({ length: 40 }, () => ({ estimated_hours: 16 })), 6, 5)).toMatchObject({ score: 0, problems: [expect.objectContaining({ severity: 'error', message: expect.stringContaining('more than 10× the usual 4 h per requirement (240 h)') as unknown })] });
  });
});
