/**
 * Static knowledge of the code index and EXPLORE: what an extension means, which directories never
 * hold source, which dependency names mean which framework, what a well-known file or directory is
 * for. Plain data, no I/O.
 */

/** Directories skipped during the walk: dependencies, VCS data, build and tool output. */
export const IGNORED_DIRS: ReadonlySet<string> = new Set([
  'node_modules', '.git', '.hg', '.svn', 'dist', 'build', 'out', 'coverage', '.nyc_output', '.next', '.nuxt', '.svelte-kit',
  '.turbo', '.cache', '.parcel-cache', '.vite', 'target', '__pycache__', '.venv', 'venv', '.tox', '.mypy_cache',
  '.pytest_cache', '.ruff_cache', '.gradle', '.idea', '.vscode', 'vendor', 'bower_components', '.terraform', '.serverless',
  '.specline', '.spec-output', '.spec_sandbox_output', 'test-results', 'playwright-report', '.eggs', 'htmlcov', 'dist-types',
]);

/** Directories the index never enters, wherever they are: dependencies, VCS data, caches, tool output. */
export const SKIPPED_DIRS: ReadonlySet<string> = new Set([
  'node_modules', '.git', '.hg', '.svn', 'dist', 'coverage', '.nyc_output', '.next', '.nuxt', '.svelte-kit', '.turbo', '.cache',
  '.parcel-cache', '.vite', '__pycache__', '.venv', 'venv', '.tox', '.mypy_cache', '.pytest_cache', '.ruff_cache', '.gradle',
  '.idea', '.vscode', 'bower_components', '.terraform', '.serverless', '.specline', '.spec-output', '.spec_sandbox_output',
  'test-results', 'playwright-report', '.eggs', 'htmlcov', 'dist-types', '.dart_tool', '.pnpm-store', '.yarn',
]);

/**
 * Directories that are build output only where a build manifest sits next to them (or .gitignore
 * says so): `build/` beside package.json or pom.xml is output, `src/build/` is source code, and a Go
 * `build/` package with `.go` files is source too.
 */
export const BUILD_OUTPUT_DIRS: ReadonlySet<string> = new Set(['build', 'out', 'target']);

/** Build manifests: a build-output directory next to one of these is skipped. */
export const BUILD_MANIFESTS: ReadonlySet<string> = new Set([
  'package.json', 'pom.xml', 'build.gradle', 'build.gradle.kts', 'settings.gradle', 'settings.gradle.kts', 'Cargo.toml', 'setup.py',
  'pyproject.toml', 'CMakeLists.txt', 'Makefile', 'meson.build', 'build.xml', 'build.sbt', 'tsconfig.json', 'angular.json',
]);

/** Third-party code checked in: listed as `vendored`, never parsed, left out of language counts. */
export const VENDORED_DIRS: ReadonlySet<string> = new Set(['vendor', 'third_party', 'third-party', 'thirdparty', 'Pods', 'Carthage']);

/** Test-fixture trees: listed as `fixture`, never parsed, left out of language counts and facts. */
export const FIXTURE_DIRS: ReadonlySet<string> = new Set(['fixtures', '__fixtures__', 'testdata', 'test-fixtures', '__snapshots__']);

/** Hidden directories that are still worth scanning. */
export const HIDDEN_DIRS_KEPT: ReadonlySet<string> = new Set(['.github', '.ci', '.circleci', '.gitlab', '.husky', '.devcontainer']);

/** Extension (lower case, without dot) → language. Data formats (JSON, YAML, Markdown) are not languages. */
export const LANGUAGE_BY_EXT: Readonly<Record<string, string>> = {
  ts: 'TypeScript', tsx: 'TypeScript', mts: 'TypeScript', cts: 'TypeScript',
  js: 'JavaScript', jsx: 'JavaScript', mjs: 'JavaScript', cjs: 'JavaScript',
  py: 'Python', pyi: 'Python', go: 'Go', rs: 'Rust', java: 'Java', kt: 'Kotlin', kts: 'Kotlin', scala: 'Scala',
  rb: 'Ruby', php: 'PHP', cs: 'C#', fs: 'F#', swift: 'Swift', m: 'Objective-C', c: 'C', h: 'C', cc: 'C++', cpp: 'C++',
  cxx: 'C++', hpp: 'C++', ex: 'Elixir', exs: 'Elixir', erl: 'Erlang', clj: 'Clojure', hs: 'Haskell', lua: 'Lua',
  dart: 'Dart', r: 'R', jl: 'Julia', sh: 'Shell', bash: 'Shell', zsh: 'Shell', ps1: 'PowerShell', sql: 'SQL',
  vue: 'Vue', svelte: 'Svelte', css: 'CSS', scss: 'SCSS', sass: 'SCSS', less: 'Less', html: 'HTML', htm: 'HTML',
  tf: 'HCL', proto: 'Protocol Buffers', graphql: 'GraphQL', gql: 'GraphQL',
};

/** Languages that are markup/styling/query rather than the project's main programming language. */
export const SECONDARY_LANGUAGES: ReadonlySet<string> = new Set(['CSS', 'SCSS', 'Less', 'HTML', 'SQL', 'Shell', 'PowerShell', 'HCL', 'GraphQL', 'Protocol Buffers']);

/** Manifest file names (exact basenames) and their kind. `tsconfig*.json` and `requirements*.txt` are matched by pattern. */
export const MANIFEST_KINDS: Readonly<Record<string, string>> = {
  'package.json': 'npm',
  'pyproject.toml': 'pyproject',
  'Pipfile': 'pipenv',
  'setup.py': 'setuptools',
  'setup.cfg': 'setuptools',
  'go.mod': 'go',
  'go.work': 'go-workspace',
  'Cargo.toml': 'cargo',
  'pom.xml': 'maven',
  'build.gradle': 'gradle',
  'build.gradle.kts': 'gradle',
  'Gemfile': 'bundler',
  'composer.json': 'composer',
  'pnpm-workspace.yaml': 'pnpm-workspace',
  'deno.json': 'deno',
};

export function manifestKind(basename: string): string | undefined {
  if (/^tsconfig(\..+)?\.json$/.test(basename)) return 'tsconfig';
  if (/^requirements([-_.][\w.-]+)?\.txt$/.test(basename)) return 'pip-requirements';
  return MANIFEST_KINDS[basename];
}

/** Dependency name → framework or tool, with its role. Matched exactly, or by prefix when the key ends with `*`. */
export const FRAMEWORKS: Readonly<Record<string, { name: string; role: FrameworkRole }>> = {
  fastify: { name: 'Fastify', role: 'http' }, express: { name: 'Express', role: 'http' }, koa: { name: 'Koa', role: 'http' },
  hono: { name: 'Hono', role: 'http' }, '@nestjs/core': { name: 'NestJS', role: 'http' }, '@hapi/hapi': { name: 'hapi', role: 'http' },
  next: { name: 'Next.js', role: 'frontend' }, nuxt: { name: 'Nuxt', role: 'frontend' }, react: { name: 'React', role: 'frontend' },
  vue: { name: 'Vue', role: 'frontend' }, svelte: { name: 'Svelte', role: 'frontend' }, '@angular/core': { name: 'Angular', role: 'frontend' },
  'solid-js': { name: 'Solid', role: 'frontend' }, vite: { name: 'Vite', role: 'build' }, webpack: { name: 'webpack', role: 'build' },
  esbuild: { name: 'esbuild', role: 'build' }, tsx: { name: 'tsx', role: 'build' }, typescript: { name: 'TypeScript compiler', role: 'build' },
  tailwindcss: { name: 'Tailwind CSS', role: 'frontend' }, '@tanstack/react-query': { name: 'TanStack Query', role: 'frontend' },
  'react-router': { name: 'React Router', role: 'frontend' }, 'react-router-dom': { name: 'React Router', role: 'frontend' },
  vitest: { name: 'Vitest', role: 'test' }, jest: { name: 'Jest', role: 'test' }, mocha: { name: 'Mocha', role: 'test' },
  ava: { name: 'AVA', role: 'test' }, '@playwright/test': { name: 'Playwright', role: 'test' }, cypress: { name: 'Cypress', role: 'test' },
  '@testing-library/react': { name: 'Testing Library', role: 'test' },
  'drizzle-orm': { name: 'Drizzle ORM', role: 'data' }, prisma: { name: 'Prisma', role: 'data' }, '@prisma/client': { name: 'Prisma', role: 'data' },
  typeorm: { name: 'TypeORM', role: 'data' }, sequelize: { name: 'Sequelize', role: 'data' }, mongoose: { name: 'Mongoose', role: 'data' },
  pg: { name: 'PostgreSQL (pg)', role: 'data' }, '@electric-sql/pglite': { name: 'PGlite', role: 'data' }, ioredis: { name: 'Redis (ioredis)', role: 'data' },
  redis: { name: 'Redis', role: 'data' }, zod: { name: 'zod', role: 'validation' }, 'socket.io': { name: 'Socket.IO', role: 'http' },
  django: { name: 'Django', role: 'http' }, djangorestframework: { name: 'Django REST framework', role: 'http' }, flask: { name: 'Flask', role: 'http' },
  fastapi: { name: 'FastAPI', role: 'http' }, starlette: { name: 'Starlette', role: 'http' }, aiohttp: { name: 'aiohttp', role: 'http' },
  sqlalchemy: { name: 'SQLAlchemy', role: 'data' }, pydantic: { name: 'Pydantic', role: 'validation' }, pytest: { name: 'pytest', role: 'test' },
  celery: { name: 'Celery', role: 'data' }, alembic: { name: 'Alembic', role: 'data' }, click: { name: 'Click', role: 'cli' }, typer: { name: 'Typer', role: 'cli' },
  'github.com/gin-gonic/gin': { name: 'Gin', role: 'http' }, 'github.com/labstack/echo*': { name: 'Echo', role: 'http' },
  'github.com/go-chi/chi*': { name: 'chi', role: 'http' }, 'github.com/gofiber/fiber*': { name: 'Fiber', role: 'http' },
  'github.com/spf13/cobra': { name: 'Cobra', role: 'cli' }, 'github.com/stretchr/testify': { name: 'testify', role: 'test' },
  'gorm.io/gorm': { name: 'GORM', role: 'data' }, 'actix-web': { name: 'Actix Web', role: 'http' }, axum: { name: 'Axum', role: 'http' },
  rocket: { name: 'Rocket', role: 'http' }, tokio: { name: 'Tokio', role: 'runtime' }, serde: { name: 'Serde', role: 'validation' },
  clap: { name: 'clap', role: 'cli' }, diesel: { name: 'Diesel', role: 'data' }, sqlx: { name: 'SQLx', role: 'data' },
  'org.springframework.boot:*': { name: 'Spring Boot', role: 'http' }, 'junit:junit': { name: 'JUnit 4', role: 'test' },
  'org.junit.jupiter:*': { name: 'JUnit 5', role: 'test' }, rails: { name: 'Ruby on Rails', role: 'http' }, sinatra: { name: 'Sinatra', role: 'http' },
  rspec: { name: 'RSpec', role: 'test' }, 'laravel/framework': { name: 'Laravel', role: 'http' }, 'phpunit/phpunit': { name: 'PHPUnit', role: 'test' },
  commander: { name: 'Commander', role: 'cli' }, yargs: { name: 'yargs', role: 'cli' },
  sqlmodel: { name: 'SQLModel', role: 'data' }, 'flask-sqlalchemy': { name: 'SQLAlchemy', role: 'data' }, 'pydantic-settings': { name: 'Pydantic', role: 'validation' },
  uvicorn: { name: 'Uvicorn', role: 'runtime' }, gunicorn: { name: 'Gunicorn', role: 'runtime' }, 'psycopg': { name: 'PostgreSQL (psycopg)', role: 'data' },
  'psycopg2': { name: 'PostgreSQL (psycopg)', role: 'data' }, 'psycopg2-binary': { name: 'PostgreSQL (psycopg)', role: 'data' }, 'django-ninja': { name: 'Django Ninja', role: 'http' },
  'org.springframework.boot:spring-boot-starter-data-jpa': { name: 'Spring Data JPA', role: 'data' },
  'org.springframework.boot:spring-boot-starter-thymeleaf': { name: 'Thymeleaf', role: 'frontend' },
  'org.springframework.boot:spring-boot-starter-security': { name: 'Spring Security', role: 'auth' },
  'org.springframework.boot:spring-boot-starter-test': { name: 'JUnit 5', role: 'test' },
  'com.h2database:h2': { name: 'H2', role: 'data' }, 'org.postgresql:postgresql': { name: 'PostgreSQL (JDBC)', role: 'data' },
  'org.testng:testng': { name: 'TestNG', role: 'test' }, 'org.hibernate.orm:*': { name: 'Hibernate', role: 'data' },
  'github.com/gorilla/mux': { name: 'gorilla/mux', role: 'http' }, 'gorm.io/driver/*': { name: 'GORM', role: 'data' },
  'github.com/jackc/pgx*': { name: 'PostgreSQL (pgx)', role: 'data' }, 'sea-orm': { name: 'SeaORM', role: 'data' },
  '@fastify/jwt': { name: 'JWT (@fastify/jwt)', role: 'auth' }, jsonwebtoken: { name: 'JWT (jsonwebtoken)', role: 'auth' },
  passport: { name: 'Passport', role: 'auth' }, 'koa-router': { name: 'Koa', role: 'http' }, '@koa/router': { name: 'Koa', role: 'http' },
  minitest: { name: 'Minitest', role: 'test' }, 'rspec-rails': { name: 'RSpec', role: 'test' }, activerecord: { name: 'Active Record', role: 'data' },
  devise: { name: 'Devise', role: 'auth' }, 'jest-environment-jsdom': { name: 'Jest', role: 'test' }, 'ts-jest': { name: 'Jest', role: 'test' },
  tap: { name: 'tap', role: 'test' }, unittest2: { name: 'unittest', role: 'test' },
};

export type FrameworkRole = 'http' | 'frontend' | 'build' | 'test' | 'data' | 'validation' | 'cli' | 'runtime' | 'auth';

export function frameworkFor(dependency: string): { name: string; role: FrameworkRole } | undefined {
  const exact = FRAMEWORKS[dependency];
  if (exact) return exact;
  for (const [key, value] of Object.entries(FRAMEWORKS)) {
    if (key.endsWith('*') && dependency.startsWith(key.slice(0, -1))) return value;
  }
  return undefined;
}

/** Config files that name a test runner, by basename pattern. */
export const TEST_RUNNER_CONFIGS: readonly { pattern: RegExp; runner: string }[] = [
  { pattern: /^vitest\.(config|workspace)\.[cm]?[jt]s$/, runner: 'Vitest' },
  { pattern: /^jest\.config\.[cm]?[jt]s(on)?$/, runner: 'Jest' },
  { pattern: /^\.mocharc(\.[a-z]+)?$/, runner: 'Mocha' },
  { pattern: /^playwright\.config\.[cm]?[jt]s$/, runner: 'Playwright' },
  { pattern: /^cypress\.config\.[cm]?[jt]s$/, runner: 'Cypress' },
  { pattern: /^(pytest\.ini|conftest\.py|tox\.ini)$/, runner: 'pytest' },
  { pattern: /^karma\.conf\.[cm]?js$/, runner: 'Karma' },
  { pattern: /^ava\.config\.[cm]?js$/, runner: 'AVA' },
  { pattern: /^\.rspec$/, runner: 'RSpec' },
  { pattern: /^phpunit\.xml(\.dist)?$/, runner: 'PHPUnit' },
];

/** Test-file name patterns. */
export const TEST_FILE_PATTERNS: readonly RegExp[] = [
  /\.(test|spec)(-d)?\.[cm]?[jt]sx?$/,
  /_test\.(go|py|rs|exs)$/,
  /^test_.+\.py$/,
  /(Test|Tests|IT)\.(java|kt|cs)$/,
  /_spec\.rb$/,
];

/** Directory names that hold tests (not `specs`: often a feature folder, as in a spec-driven app). */
export const TEST_DIR_NAMES: ReadonlySet<string> = new Set(['test', 'tests', '__tests__', 'spec', 'e2e', 'integration-tests']);

/** Config files worth naming as key files, by basename pattern, with their purpose. */
export const CONFIG_FILES: readonly { pattern: RegExp; purpose: string }[] = [
  { pattern: /^vitest\.(config|workspace)\.[cm]?[jt]s$/, purpose: 'Vitest configuration (test projects and options)' },
  { pattern: /^jest\.config\.[cm]?[jt]s(on)?$/, purpose: 'Jest configuration' },
  { pattern: /^playwright\.config\.[cm]?[jt]s$/, purpose: 'Playwright end-to-end test configuration' },
  { pattern: /^vite\.config\.[cm]?[jt]s$/, purpose: 'Vite build and dev-server configuration' },
  { pattern: /^next\.config\.[cm]?[jt]s$/, purpose: 'Next.js configuration' },
  { pattern: /^(eslint\.config\.[cm]?[jt]s|\.eslintrc(\.[a-z]+)?)$/, purpose: 'ESLint configuration (lint rules)' },
  { pattern: /^(\.prettierrc(\.[a-z]+)?|prettier\.config\.[cm]?js)$/, purpose: 'Prettier formatting configuration' },
  { pattern: /^drizzle\.config\.[cm]?[jt]s$/, purpose: 'Drizzle Kit configuration (migrations)' },
  { pattern: /^(Dockerfile|Containerfile)$/, purpose: 'Container image build' },
  { pattern: /^(docker-)?compose\.ya?ml$|^docker-compose\.ya?ml$/, purpose: 'Local multi-container setup' },
  { pattern: /^Makefile$/, purpose: 'Build and task shortcuts (make)' },
  { pattern: /^(pytest\.ini|tox\.ini|conftest\.py)$/, purpose: 'pytest configuration and fixtures' },
  { pattern: /^\.gitignore$/, purpose: 'Files kept out of version control' },
  { pattern: /^\.env\.example$/, purpose: 'Documented environment variables' },
];

/** What a well-known top-level directory is for. */
export const DIR_PURPOSES: Readonly<Record<string, string>> = {
  src: 'source code', lib: 'library source', app: 'application source', apps: 'applications', packages: 'workspace packages',
  services: 'services', libs: 'shared libraries', cmd: 'Go command entry points', internal: 'Go internal packages', pkg: 'Go packages',
  test: 'tests', tests: 'tests', __tests__: 'tests', spec: 'specs/tests', e2e: 'end-to-end tests', docs: 'documentation',
  doc: 'documentation', scripts: 'helper scripts', bin: 'executables', tools: 'developer tooling', bench: 'benchmarks',
  benchmarks: 'benchmarks', examples: 'examples', config: 'configuration', configs: 'configuration', migrations: 'database migrations',
  public: 'static assets served as-is', static: 'static assets', assets: 'assets', '.github': 'GitHub workflows and templates',
  '.ci': 'CI entry points', deploy: 'deployment', infra: 'infrastructure', charts: 'Helm charts', fixtures: 'test fixtures',
  types: 'type declarations', api: 'API code', web: 'web front end', server: 'server code', client: 'client code',
};
