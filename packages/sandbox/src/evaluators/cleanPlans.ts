/**
 * Realistic, clean, hand-written plans for the fixture repositories
 * (`packages/sandbox/fixtures/repos/`): an account lockout for the FastAPI shop and rate limiting
 * for the Express blog API. Used by the meaning-check tests as the outputs that must pass, and as
 * the starting point of the bad cases. Each call returns fresh copies, safe to mutate.
 */
import type { DesignOutput, ExploreOutput, RequirementsOutput, TasksOutput } from '@specline/protocol';

export interface CleanPlan {
  /** The fixture repository, relative to `packages/sandbox/fixtures/repos/`. */
  repo: string;
  spec: { title: string; description: string };
  explore: ExploreOutput;
  requirements: RequirementsOutput;
  design: DesignOutput;
  tasks: TasksOutput;
}

export function fastapiLockoutPlan(): CleanPlan {
  return {
    repo: 'fastapi-shop',
    spec: {
      title: 'Lock accounts after repeated failed logins',
      description: 'After 5 failed login attempts within 15 minutes, lock the account for 30 minutes: the login endpoint answers 423 and the user gets an email.',
    },
    explore: {
      codebase_summary: 'A FastAPI shop backend in Python (src/shop) with SQLModel tables, JWT login and password-reset emails, tested with pytest under tests/.',
      project_type: 'Python web API',
      tech_stack: ['Python', 'FastAPI', 'SQLModel', 'pydantic-settings', 'pytest'],
      structure: { 'src/shop': 'application package', tests: 'pytest tests' },
      key_files: [
        { path: 'src/shop/api/routes/login.py', purpose: 'login endpoint' },
        { path: 'src/shop/models/user.py', purpose: 'User table' },
        { path: 'src/shop/core/config.py', purpose: 'settings' },
      ],
      conventions: { naming: 'snake_case', testing: 'tests/**/test_*.py' },
      entry_points: ['src/shop/main.py'],
      test_structure: 'pytest, separate tests/ tree mirroring src/shop, files named test_*.py',
      feature_summary: { name: 'Account lockout', one_liner: 'Lock an account for 30 minutes after 5 failed logins in 15 minutes', scope_in: ['lockout', 'email'], scope_out: ['captcha'] },
      languages: [{ name: 'Python', files: 28 }],
      test_runner: 'pytest',
      test_layout: { runner: 'pytest', runners: ['pytest'], layout: 'separate', dirs: ['tests'], pattern: 'test_*.py', files: 3, examples: ['tests/auth/test_password_reset.py'], command: 'pytest' },
    },
    requirements: {
      feature_name: 'Account lockout',
      requirements: [
        {
          id: 'REQ-001',
          title: 'Count failed logins',
          type: 'functional',
          priority: 'high',
          text: 'WHEN a login attempt for an existing account fails, THE SYSTEM SHALL record the failure and its time on that account.',
          acceptance_criteria: [
            { id: 'REQ-001.AC-1', text: "After one wrong password, the account's failed_login_count is 1 and last_failed_login_at is set." },
            { id: 'REQ-001.AC-2', text: 'A successful login sets failed_login_count back to 0.' },
          ],
        },
        {
          id: 'REQ-002',
          title: 'Lock after 5 failures in 15 minutes',
          type: 'security',
          priority: 'high',
          text: 'WHEN an account reaches 5 failed login attempts within 15 minutes, THE SYSTEM SHALL lock the account for 30 minutes.',
          acceptance_criteria: [
            { id: 'REQ-002.AC-1', text: 'After the 5th wrong password within 15 minutes, locked_until is 30 minutes after that attempt.' },
            { id: 'REQ-002.AC-2', text: 'Five failures spread over more than 15 minutes leave locked_until empty.' },
          ],
        },
        {
          id: 'REQ-003',
          title: 'Refuse logins while locked',
          type: 'security',
          priority: 'high',
          text: 'WHILE an account is locked, THE SYSTEM SHALL answer POST /api/v1/login/access-token with 423 and a detail giving the minutes left, even for the correct password.',
          acceptance_criteria: [
            { id: 'REQ-003.AC-1', text: 'A login with the correct password during the lock receives 423 with the detail "Account locked, try again in 30 minutes".' },
            { id: 'REQ-003.AC-2', text: 'The first login after locked_until has passed receives 200 and an access token.' },
          ],
        },
        {
          id: 'REQ-004',
          title: 'Tell the user',
          type: 'functional',
          priority: 'medium',
          text: "WHEN an account is locked, THE SYSTEM SHALL send one email to the account's address saying when the lock ends.",
          acceptance_criteria: [
            { id: 'REQ-004.AC-1', text: 'Locking an account sends exactly one email whose body contains the unlock time.' },
            { id: 'REQ-004.AC-2', text: 'A failed login that does not lock the account sends no email.' },
          ],
        },
        {
          id: 'REQ-005',
          title: 'Automated tests for account lockout',
          type: 'constraint',
          priority: 'medium',
          text: 'WHERE the pytest suite runs, THE SYSTEM SHALL have tests for every acceptance criterion of REQ-001 to REQ-004.',
          acceptance_criteria: [
            { id: 'REQ-005.AC-1', text: 'Each acceptance criterion of REQ-001 to REQ-004 is exercised by a test in tests/auth/test_lockout.py that names its id.' },
            { id: 'REQ-005.AC-2', text: '`pytest` passes with the new tests, which use a fixed clock and never sleep.' },
          ],
        },
      ],
    },
    design: {
      architecture_overview:
        'The login route (src/shop/api/routes/login.py) asks a new lockout service (src/shop/auth/lockout.py) whether the account is locked before it checks the password, and reports each failure or success to it. The service keeps its state on the User row, so a lock holds across workers; the email goes through the existing helpers in src/shop/utils/email.py.',
      components: [
        { id: 'DES-001', name: 'User lockout fields', responsibility: 'Adds failed_login_count, last_failed_login_at and locked_until to the User table.', file_path: 'src/shop/models/user.py', change: 'modify', requirements: ['REQ-001', 'REQ-002'] },
        { id: 'DES-002', name: 'Lockout service', responsibility: 'Counts failures in a 15-minute window, sets locked_until 30 minutes ahead on the 5th, resets the count on success; takes the current time as an argument.', file_path: 'src/shop/auth/lockout.py', change: 'create', requirements: ['REQ-001', 'REQ-002'] },
        { id: 'DES-003', name: 'Login route check', responsibility: 'Answers 423 with the minutes left while the account is locked; records failures and successes through the lockout service.', file_path: 'src/shop/api/routes/login.py', change: 'modify', requirements: ['REQ-003'] },
        {
          id: 'DES-004',
          name: 'Account locked email',
          responsibility: 'Renders and sends the account-locked email with the unlock time.',
          files: [{ path: 'src/shop/utils/email.py', change: 'modify' }, { path: 'src/shop/email-templates/account_locked.html', change: 'create' }],
          requirements: ['REQ-004'],
        },
        { id: 'DES-005', name: 'Lockout settings', responsibility: 'LOGIN_MAX_FAILURES (5), LOGIN_FAILURE_WINDOW_MINUTES (15) and LOGIN_LOCK_MINUTES (30) in Settings.', file_path: 'src/shop/core/config.py', change: 'modify', requirements: ['REQ-002'] },
      ],
      data_models: [
        {
          name: 'User',
          fields: [
            { name: 'failed_login_count', type: 'int' },
            { name: 'last_failed_login_at', type: 'datetime | None' },
            { name: 'locked_until', type: 'datetime | None' },
          ],
        },
      ],
      api_endpoints: [{ method: 'POST', path: '/api/v1/login/access-token', description: 'Answers 423 while the account is locked' }],
      error_handling: 'A locked account gets 423 with a detail naming the minutes left; a database error while recording a failure is logged and the login answers 500, never 200.',
      testing_strategy:
        'pytest tests in tests/auth/test_lockout.py (named test_*.py like tests/auth/test_password_reset.py) use the client fixture of tests/conftest.py and pass a fixed time to the lockout service; one test per acceptance criterion, named after its id.',
    },
    tasks: {
      tickets: [{ id: 'TKT-001', title: 'Account lockout', description: 'Lock accounts after 5 failed logins in 15 minutes', priority: 'high', requirements: ['REQ-001', 'REQ-002', 'REQ-003', 'REQ-004', 'REQ-005'] }],
      tasks: [
        { id: 'TSK-001', ticket_id: 'TKT-001', title: 'Add lockout fields to the User model', description: 'failed_login_count, last_failed_login_at, locked_until on User.', estimated_hours: 2, depends_on: [], requirements: ['REQ-001', 'REQ-002'], components: ['DES-001'], files_to_modify: ['src/shop/models/user.py'] },
        { id: 'TSK-002', ticket_id: 'TKT-001', title: 'Add the lockout settings', description: 'Three settings with the defaults 5, 15 and 30.', estimated_hours: 1, depends_on: [], requirements: ['REQ-002'], components: ['DES-005'], files_to_modify: ['src/shop/core/config.py'] },
        { id: 'TSK-003', ticket_id: 'TKT-001', title: 'Implement the lockout service', description: 'Record failures, lock on the 5th within the window, reset on success.', estimated_hours: 3, depends_on: ['TSK-001', 'TSK-002'], requirements: ['REQ-001', 'REQ-002'], components: ['DES-002'], files_to_create: ['src/shop/auth/lockout.py'] },
        { id: 'TSK-004', ticket_id: 'TKT-001', title: 'Check the lock in the login route', description: 'Update src/shop/api/routes/login.py to answer 423 while locked and to report failures.', estimated_hours: 2, depends_on: ['TSK-003'], requirements: ['REQ-003'], components: ['DES-003'], files_to_modify: ['src/shop/api/routes/login.py'] },
        {
          id: 'TSK-005',
          ticket_id: 'TKT-001',
          title: 'Send the account-locked email',
          description: 'A template and a send_account_locked_email helper, called when the service locks an account.',
          estimated_hours: 2,
          depends_on: ['TSK-003'],
          requirements: ['REQ-004'],
          components: ['DES-004'],
          files_to_modify: ['src/shop/utils/email.py'],
          files_to_create: ['src/shop/email-templates/account_locked.html'],
        },
        {
          id: 'TSK-006',
          ticket_id: 'TKT-001',
          title: 'Test account lockout',
          type: 'test',
          description: 'Write pytest tests in tests/auth/test_lockout.py for every acceptance criterion of REQ-001 to REQ-004, with a fixed clock.',
          estimated_hours: 3,
          depends_on: ['TSK-004', 'TSK-005'],
          requirements: ['REQ-001', 'REQ-002', 'REQ-003', 'REQ-004', 'REQ-005'],
          components: ['DES-002', 'DES-003', 'DES-004'],
          files_to_create: ['tests/auth/test_lockout.py'],
        },
      ],
    },
  };
}

export function expressRateLimitPlan(): CleanPlan {
  return {
    repo: 'express-prisma-api',
    spec: { title: 'Add rate limiting to the public API', description: 'Limit each API key to 100 requests per minute and return 429 with Retry-After' },
    explore: {
      codebase_summary: 'An Express JSON API in TypeScript (src/) with Prisma models and JWT auth middleware, tested with Vitest and supertest under test/ and next to the code.',
      project_type: 'TypeScript web API',
      tech_stack: ['TypeScript', 'Node.js', 'Express', 'Prisma', 'zod', 'Vitest'],
      structure: { src: 'application code', test: 'Vitest tests', prisma: 'schema' },
      key_files: [
        { path: 'src/app.ts', purpose: 'Express app factory: middleware and routers' },
        { path: 'src/config.ts', purpose: 'settings from the environment' },
      ],
      conventions: { naming: 'camelCase', testing: '*.test.ts' },
      entry_points: ['src/server.ts'],
      test_structure: 'Vitest, *.test.ts in test/ and colocated',
      feature_summary: { name: 'API rate limiting', one_liner: 'Limit each API key to 100 requests per minute', scope_in: ['per-key limits'], scope_out: ['billing'] },
      languages: [{ name: 'TypeScript', files: 15 }],
      test_runner: 'Vitest',
      test_layout: { runner: 'Vitest', runners: ['Vitest'], layout: 'mixed', dirs: ['test'], pattern: '*.test.ts', files: 3, examples: ['test/auth.test.ts'], command: 'npm test' },
    },
    requirements: {
      feature_name: 'API rate limiting',
      requirements: [
        {
          id: 'REQ-001',
          title: 'Limit requests per key',
          type: 'functional',
          priority: 'high',
          text: 'WHEN an API key exceeds 100 requests in one minute, THE SYSTEM SHALL reject further requests from that key with status 429.',
          acceptance_criteria: [
            { id: 'REQ-001.AC-1', text: 'The 101st request from one key within a minute receives 429.' },
            { id: 'REQ-001.AC-2', text: 'Requests from another key still receive 200 while the first key is limited.' },
          ],
        },
        {
          id: 'REQ-002',
          title: 'Tell clients when to retry',
          type: 'functional',
          priority: 'medium',
          text: 'IF a request is rejected for rate limiting, THEN THE SYSTEM SHALL include a Retry-After header giving the seconds until the window resets.',
          acceptance_criteria: [
            { id: 'REQ-002.AC-1', text: 'Every 429 response carries Retry-After.' },
            { id: 'REQ-002.AC-2', text: 'Retry-After is a whole number of seconds no greater than 60.' },
          ],
        },
        {
          id: 'REQ-003',
          title: 'Remaining allowance header',
          type: 'usability',
          priority: 'low',
          text: 'THE SYSTEM SHALL report the remaining request allowance of the key in an X-RateLimit-Remaining header on every API response.',
          acceptance_criteria: [
            { id: 'REQ-003.AC-1', text: 'The header decreases by one per request.' },
            { id: 'REQ-003.AC-2', text: 'The header is back to 100 in a new window.' },
          ],
        },
        {
          id: 'REQ-004',
          title: 'Configurable limit',
          type: 'constraint',
          priority: 'medium',
          text: 'WHERE RATE_LIMIT_PER_MINUTE is set, THE SYSTEM SHALL use its value as the per-key limit instead of 100.',
          acceptance_criteria: [
            { id: 'REQ-004.AC-1', text: 'With RATE_LIMIT_PER_MINUTE=5, the 6th request of a key within a minute receives 429.' },
            { id: 'REQ-004.AC-2', text: 'A non-numeric RATE_LIMIT_PER_MINUTE makes start-up fail with an error naming the setting.' },
          ],
        },
        {
          id: 'REQ-005',
          title: 'Automated tests for rate limiting',
          type: 'constraint',
          priority: 'medium',
          text: 'WHERE the Vitest suite runs, THE SYSTEM SHALL have tests for every acceptance criterion of REQ-001 to REQ-004.',
          acceptance_criteria: [
            { id: 'REQ-005.AC-1', text: 'Each acceptance criterion of REQ-001 to REQ-004 is exercised by a test in test/rateLimit.test.ts that names its id.' },
            { id: 'REQ-005.AC-2', text: '`npm test` passes with the new tests, which use an injected clock and never sleep.' },
          ],
        },
      ],
    },
    design: {
      architecture_overview:
        'An Express middleware (src/middleware/rateLimit.ts) mounted in src/app.ts before the routers asks an in-memory fixed-window limiter (src/lib/rateLimiter.ts) for a decision per API key, answers 429 with Retry-After when the key is over its limit, and sets X-RateLimit-Remaining on every response.',
      components: [
        { id: 'DES-001', name: 'RateLimiter', responsibility: 'Counts requests per API key in fixed one-minute windows, with an injected clock.', file_path: 'src/lib/rateLimiter.ts', change: 'create', requirements: ['REQ-001', 'REQ-003'] },
        { id: 'DES-002', name: 'rateLimit middleware', responsibility: 'Reads the key from X-API-Key, answers 429 with Retry-After when over the limit, sets X-RateLimit-Remaining.', file_path: 'src/middleware/rateLimit.ts', change: 'create', requirements: ['REQ-001', 'REQ-002', 'REQ-003'] },
        { id: 'DES-003', name: 'App wiring', responsibility: 'Mounts the middleware on /api before the routers.', file_path: 'src/app.ts', change: 'modify', requirements: ['REQ-001'] },
        { id: 'DES-004', name: 'Rate limit setting', responsibility: 'Reads RATE_LIMIT_PER_MINUTE (default 100) and refuses a non-numeric value.', file_path: 'src/config.ts', change: 'modify', requirements: ['REQ-004'] },
      ],
      data_models: [{ name: 'RateWindow', fields: [{ name: 'key', type: 'string' }, { name: 'windowStart', type: 'number' }, { name: 'count', type: 'number' }] }],
      api_endpoints: [{ method: 'GET', path: '/api/posts', description: 'Existing route, now rate limited' }],
      error_handling: 'Over-limit requests get 429 with Retry-After and an error body {error, retryAfter}; a missing API key is left to the auth middleware.',
      testing_strategy: 'Vitest tests in test/rateLimit.test.ts (*.test.ts, like test/auth.test.ts) drive the app with supertest and an injected clock; src/lib/rateLimiter.test.ts unit-tests the counter.',
    },
    tasks: {
      tickets: [{ id: 'TKT-001', title: 'Rate limiting', description: 'Per-key request limits', priority: 'high', requirements: ['REQ-001', 'REQ-002', 'REQ-003', 'REQ-004', 'REQ-005'] }],
      tasks: [
        { id: 'TSK-001', ticket_id: 'TKT-001', title: 'Implement the per-key rate limiter', description: 'Fixed one-minute windows per key with an injected clock.', estimated_hours: 3, depends_on: [], requirements: ['REQ-001', 'REQ-003'], components: ['DES-001'], files_to_create: ['src/lib/rateLimiter.ts'] },
        { id: 'TSK-002', ticket_id: 'TKT-001', title: 'Read the rate limit setting', description: 'RATE_LIMIT_PER_MINUTE in src/config.ts, default 100.', estimated_hours: 1, depends_on: [], requirements: ['REQ-004'], components: ['DES-004'], files_to_modify: ['src/config.ts'] },
        { id: 'TSK-003', ticket_id: 'TKT-001', title: 'Add the rate limit middleware', description: '429 with Retry-After over the limit; X-RateLimit-Remaining on every response.', estimated_hours: 2.5, depends_on: ['TSK-001', 'TSK-002'], requirements: ['REQ-001', 'REQ-002', 'REQ-003'], components: ['DES-002'], files_to_create: ['src/middleware/rateLimit.ts'] },
        { id: 'TSK-004', ticket_id: 'TKT-001', title: 'Mount the middleware in the app', description: 'Register it in src/app.ts before the routers.', estimated_hours: 0.5, depends_on: ['TSK-003'], requirements: ['REQ-001'], components: ['DES-003'], files_to_modify: ['src/app.ts'] },
        {
          id: 'TSK-005',
          ticket_id: 'TKT-001',
          title: 'Test rate limiting',
          type: 'test',
          description: 'Write Vitest tests for every acceptance criterion of REQ-001 to REQ-004, with an injected clock.',
          estimated_hours: 3,
          depends_on: ['TSK-004'],
          requirements: ['REQ-001', 'REQ-002', 'REQ-003', 'REQ-004', 'REQ-005'],
          components: ['DES-001', 'DES-002'],
          files_to_create: ['test/rateLimit.test.ts', 'src/lib/rateLimiter.test.ts'],
        },
      ],
    },
  };
}
