/**
 * The tree-sitter runtime (WASM, from `@vscode/tree-sitter-wasm`: the runtime and the grammars ship
 * in the package, nothing is downloaded) and its grammars, each loaded once per thread, and compiled
 * queries, each compiled once per grammar.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import type * as TreeSitter from '@vscode/tree-sitter-wasm';
import type { GrammarId } from './languages';

export type TSNode = TreeSitter.Node;
export type TSTree = TreeSitter.Tree;
export type TSLanguage = TreeSitter.Language;
export type TSQuery = TreeSitter.Query;
export type TSParser = TreeSitter.Parser;
export type TSQueryMatch = TreeSitter.QueryMatch;

type Runtime = typeof TreeSitter;

const require = createRequire(import.meta.url);

let runtime: Promise<Runtime> | undefined;
let runtimeReady: Runtime | undefined;
const grammars = new Map<GrammarId, Promise<TSLanguage>>();
const loaded = new Map<GrammarId, TSLanguage>();
const parsers = new Map<GrammarId, TSParser>();
const queries = new Map<string, TSQuery>();

function wasmDir(): string {
  return `${path.dirname(require.resolve('@vscode/tree-sitter-wasm'))}${path.sep}`;
}

function loadRuntime(): Promise<Runtime> {
  runtime ??= (async () => {
    // The package is UMD/CommonJS: required, not imported.
    const ts = require('@vscode/tree-sitter-wasm') as Runtime;
    const dir = wasmDir();
    await ts.Parser.init({ locateFile: (file: string) => dir + file });
    runtimeReady = ts;
    return ts;
  })();
  return runtime;
}

/** Loads the grammars (and the runtime) so that {@link parserFor} can be called synchronously. */
export async function loadGrammars(ids: Iterable<GrammarId>): Promise<void> {
  const ts = await loadRuntime();
  await Promise.all(
    [...new Set(ids)].map((id) => {
      let pending = grammars.get(id);
      if (!pending) {
        pending = ts.Language.load(`${wasmDir()}tree-sitter-${id}.wasm`).then((language) => {
          loaded.set(id, language);
          return language;
        });
        grammars.set(id, pending);
      }
      return pending;
    }),
  );
}

/** A parser for a loaded grammar (one per grammar and thread, reused). */
export function parserFor(id: GrammarId): TSParser {
  let parser = parsers.get(id);
  if (!parser) {
    const language = loaded.get(id);
    if (!language || !runtimeReady) throw new Error(`tree-sitter grammar ${id} is not loaded`);
    parser = new runtimeReady.Parser();
    parser.setLanguage(language);
    parsers.set(id, parser);
  }
  return parser;
}

/** A compiled query, cached by grammar and name. */
export function queryFor(id: GrammarId, name: string, source: string): TSQuery {
  const key = `${id}:${name}`;
  let query = queries.get(key);
  if (!query) {
    const language = loaded.get(id);
    if (!language || !runtimeReady) throw new Error(`tree-sitter grammar ${id} is not loaded`);
    query = new runtimeReady.Query(language, source);
    queries.set(key, query);
  }
  return query;
}
