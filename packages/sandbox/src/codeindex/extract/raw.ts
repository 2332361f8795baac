/**
 * What one file's syntax tree says, before the facts of all files are put together (router prefixes
 * mounted in another file, constants defined elsewhere, model base classes declared elsewhere).
 * Small: names, paths and lines only, never the file's text.
 */
import type { EntryPointFact, IndexedSymbol, LocatedFact, ModelFact } from '../types';

/** `import {a as b} from 'x'` → `{source: 'x', names: [{local: 'b', imported: 'a'}]}`; `imported` is `default` or `*` for those forms. */
export interface RawImport {
  source: string;
  names: { local: string; imported: string }[];
}

/** A piece of a route prefix: literal text, or the name of a constant to look up (`settings.API_V1_STR` → `API_V1_STR`). */
export type PrefixPart = { text: string } | { ref: string };

export interface RawRoute {
  method: string;
  path: string;
  line: number;
  /** Names this route belongs to: the router variable (`router`), the enclosing plugin or function (`bookRoutes`), the class (Spring). */
  owners: string[];
  handler?: string;
  framework?: string;
}

/** `app.use('/api', router)`, `app.register(plugin, {prefix})`, `include_router(x.router, prefix=…)`, `r.Group("/v1")`. */
export interface RawMount {
  owners: string[];
  prefix: PrefixPart[];
  /** The mounted thing: a local name (imported or declared here), with a member (`login.router`). */
  target: { local: string; member?: string };
  line: number;
}

/** A router or application object declared here, with its own prefix (`APIRouter(prefix="/users")`, `Blueprint(url_prefix=…)`). */
export interface RawRouter {
  name: string;
  prefix: PrefixPart[];
  framework: string;
}

/** A Python class with base classes: a model candidate until all files say which bases are declarative. */
export interface RawClass {
  name: string;
  line: number;
  bases: string[];
  /** Class keywords as `name=value` (`table=True`). */
  keywords: string[];
  fields: string[];
  table?: string;
}

export interface RawFacts {
  imports: RawImport[];
  /** Exported name → local name (`default` → `router`). */
  exports: Record<string, string>;
  routes: RawRoute[];
  mounts: RawMount[];
  routers: RawRouter[];
  models: Omit<ModelFact, 'file'>[];
  classes: RawClass[];
  settings: Omit<LocatedFact, 'file'>[];
  auth: Omit<LocatedFact, 'file'>[];
  entryPoints: Omit<EntryPointFact, 'path'>[];
  /** Path-like string constants (`API_V1_STR = "/api/v1"`), for prefixes written as constants. */
  constants: { name: string; value: string }[];
  /** Test runners this file shows it uses (by its imports or calls). */
  testSignals: string[];
  /** Reads of the process environment (`process.env`, `os.getenv`, `os.Getenv`, `System.getenv`). */
  envReads: number;
  /** Names given to FastAPI `Depends(…)` / `Security(…)`. */
  dependencies: { name: string; line: number }[];
}

export interface FileExtract {
  symbols: IndexedSymbol[];
  doc?: string;
  facts: RawFacts;
}

export function emptyFacts(): RawFacts {
  return { imports: [], exports: {}, routes: [], mounts: [], routers: [], models: [], classes: [], settings: [], auth: [], entryPoints: [], constants: [], testSignals: [], envReads: 0, dependencies: [] };
}

/** Drops the empty parts, so a file with nothing to say costs next to nothing to keep or send. */
export function compactFacts(facts: RawFacts): Partial<RawFacts> | undefined {
  const out: Partial<RawFacts> = {};
  let any = false;
  for (const [key, value] of Object.entries(facts) as [keyof RawFacts, unknown][]) {
    const empty = Array.isArray(value) ? value.length === 0 : typeof value === 'number' ? value === 0 : Object.keys(value as object).length === 0;
    if (!empty) {
      (out as Record<string, unknown>)[key] = value;
      any = true;
    }
  }
  return any ? out : undefined;
}
