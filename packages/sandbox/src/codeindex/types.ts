/**
 * The code index: what EXPLORE, the planner, the evaluators and the model's `search` tool know about a
 * repository. Built once per commit (cached), from real parsers (tree-sitter WASM grammars) and
 * maintained manifest parsers, never from regexes over whole files. Paths are repository-relative
 * with `/` separators. Everything here is plain data except the methods of {@link CodeIndex}.
 */
import type { RepoView } from '../types';

export type SymbolKind = 'class' | 'function' | 'method' | 'interface' | 'type' | 'enum' | 'struct' | 'trait' | 'module' | 'constant';

export interface IndexedSymbol {
  name: string;
  kind: SymbolKind;
  /** 1-based line of the declaration. */
  line: number;
  /** Enclosing class/struct/module, when there is one (`UserService` for a method). */
  parent?: string;
  /** First line of its docstring or leading comment, when there is one. */
  doc?: string;
}

export interface IndexedFile {
  path: string;
  /** `TypeScript`, `Python`, …; null for files that are not source code. */
  language: string | null;
  bytes: number;
  lines: number;
  /** Generated code (OpenAPI clients, protobuf output, lock files, minified bundles): left out of language counts. */
  generated: boolean;
  /** Third-party code checked in (`vendor/`, `third_party/`): left out of language counts. */
  vendored: boolean;
  test: boolean;
  /** Under a test-fixture tree (`fixtures/`, `__fixtures__/`, `testdata/`): listed, not parsed, left out of language counts and facts. */
  fixture?: boolean;
  /** First line of the module docstring or leading comment, when there is one. */
  doc?: string;
  symbols: IndexedSymbol[];
}

export interface RouteFact {
  /** Upper case (`GET`), or `ANY` when the framework does not say. */
  method: string;
  /** As declared, with the router prefix applied when it is known (`/api/v1/users/{id}`). */
  path: string;
  file: string;
  line: number;
  /** `Express`, `Fastify`, `FastAPI`, `Flask`, `Django`, `Spring`, `Gin`, `Rails`, … */
  framework: string;
  handler?: string;
}

export interface ModelFact {
  name: string;
  file: string;
  line: number;
  /** `Prisma`, `SQLAlchemy`, `SQLModel`, `Django`, `JPA`, `Drizzle`, `TypeORM`, `GORM`, … */
  framework: string;
  fields: string[];
  table?: string;
}

export interface LocatedFact {
  name: string;
  file: string;
  line: number;
  /** `settings_class`, `config_file`, `middleware`, `dependency`, `decorator`, … */
  kind: string;
}

export interface EntryPointFact {
  path: string;
  /** `main`, `spring_boot_application`, `go_cmd`, `python_main`, `package_bin`, `asgi_app`, `server_listen`, … */
  kind: string;
  line?: number;
}

export interface TestLayoutFact {
  runner: string | null;
  runners: string[];
  layout: 'separate' | 'colocated' | 'mixed' | 'none';
  dirs: string[];
  pattern: string | null;
  files: number;
  /** A few test files, to copy the style of. */
  examples: string[];
  command: string | null;
}

export interface ManifestFact {
  path: string;
  /** `npm`, `tsconfig`, `pyproject`, `pip-requirements`, `pipenv`, `setuptools`, `go`, `go-workspace`, `cargo`, `maven`, `gradle`, `bundler`, `composer`, `pnpm-workspace`, `deno`. */
  kind: string;
  name?: string;
  dependencies: string[];
  devDependencies?: string[];
  /** Workspace patterns or modules as written (`packages/*`). */
  workspaces?: string[];
  /** Files named as entry points (package.json main/bin/exports, Cargo bins, pyproject scripts as `module:function`), relative to the manifest's directory. */
  entries?: string[];
  scripts?: Record<string, string>;
  /** package.json `type` (`ESM`/`CommonJS`), the tsconfig `module` setting, the Go version. */
  moduleSystem?: string;
  /** tsconfig: `strict` and other telling compiler options. */
  compilerOptions?: Record<string, string | boolean>;
  /** Why the file could not be read; the other fields are then empty. */
  parseError?: string;
}

export interface CodeFacts {
  routes: RouteFact[];
  models: ModelFact[];
  settings: LocatedFact[];
  auth: LocatedFact[];
  entryPoints: EntryPointFact[];
  tests: TestLayoutFact;
  manifests: ManifestFact[];
  /** Frameworks found in manifests and code (`FastAPI`, `SQLAlchemy`, `Spring Boot`, `Express`, `Prisma`, …). */
  frameworks: string[];
}

export interface SearchHit {
  path: string;
  /** Set when the hit is a symbol rather than the file as a whole. */
  symbol?: string;
  line?: number;
  score: number;
  /** Which indexed fields matched (`path`, `symbol`, `doc`, `comment`, `route`). */
  matched: string[];
}

export interface SearchOptions {
  limit?: number;
  /** Leave out test files (default false). */
  excludeTests?: boolean;
}

export interface CodeIndex extends RepoView {
  root: string;
  /** The commit indexed, when the root is a git checkout. */
  commit: string | null;
  files: readonly IndexedFile[];
  /** Every directory that holds an indexed file, and their parents. */
  dirs: readonly string[];
  facts: CodeFacts;
  /** Files skipped by the caps, `.gitignore` and the ignore list are not counted. */
  filesIndexed: number;
  truncated: boolean;
  /** Directory names skipped as dependencies, build output or tool data (`node_modules`, `build`), with how often. */
  skipped: Readonly<Record<string, number>>;
  file(path: string): IndexedFile | undefined;
  /** Ranked (BM25) retrieval over paths, symbols, docstrings, comments and route paths. */
  search(query: string, options?: SearchOptions): SearchHit[];
  /** Plain data for the per-commit cache (`<cacheDir>/<commit>.json`); `codeIndexFromJSON` reads it back. */
  toJSON(): SerializedCodeIndex;
}

/** What the cache file holds: everything but the root and the methods. */
export interface SerializedCodeIndex {
  /** Format version; a cache file of another version is ignored and rebuilt. */
  version: number;
  commit: string | null;
  files: IndexedFile[];
  dirs: string[];
  facts: CodeFacts;
  filesIndexed: number;
  truncated: boolean;
  /** Directory names skipped as dependencies, build output or tool data, with how often. */
  skipped: Record<string, number>;
}

export interface BuildIndexOptions {
  signal?: AbortSignal;
  /** Stop after this many files (default 50,000) and report `truncated`. */
  maxFiles?: number;
  /** Directories deeper than this are not entered (default 32). */
  maxDepth?: number;
  /** Extra directory names to skip, on top of node_modules, .git, dist, caches and tool output. */
  ignoreDirs?: readonly string[];
  /** Files larger than this are listed but not parsed (default 512 KiB). */
  maxParseBytes?: number;
  /** Where indexes are cached by commit (`<cacheDir>/<commit>.json`); no cache when absent or the commit is unknown. */
  cacheDir?: string;
  /** The commit of `root`; read with git when absent and `root` is a checkout. */
  commit?: string | null;
  progress?: (message: string) => void;
  /**
   * Worker threads that parse files alongside this thread. Default: none for small trees (under 400
   * files to parse), else one per further CPU core (at least 1, at most 3). 0 parses everything in
   * this thread.
   */
  workers?: number;
}
