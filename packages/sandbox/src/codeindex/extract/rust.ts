/**
 * Rust: structs, enums, traits, type aliases, modules, constants, functions and methods (with their
 * `impl` type) and `///` docs; actix/Rocket route attributes (`#[get("/x")]`), Axum
 * `.route("/x", get(h).post(h2))`; Diesel/SQLx/SeaORM models by derive; `fn main`; `#[test]`.
 */
import type { IndexedSymbol, SymbolKind } from '../types';
import { queryFor, type TSNode, type TSTree } from '../treesitter';
import { commentLine, leadingComment, lineOf, pushUnique, stringValue } from './common';
import { emptyFacts, type FileExtract, type RawFacts } from './raw';

const SYMBOLS = `
(struct_item name: (type_identifier) @name) @struct
(enum_item name: (type_identifier) @name) @enum
(trait_item name: (type_identifier) @name) @trait
(type_item name: (type_identifier) @name) @type
(mod_item name: (identifier) @name) @module
(const_item name: (identifier) @name) @constant
(static_item name: (identifier) @name) @constant
(function_item name: (identifier) @name) @function
(function_signature_item name: (identifier) @name) @function
`;

const FACTS = `
(attribute_item (attribute (identifier) @attr arguments: (token_tree)? @args)) @attribute
(attribute_item (attribute (scoped_identifier) @attr)) @attribute
(call_expression function: (field_expression field: (field_identifier) @method) arguments: (arguments . (string_literal) @path . (_) @handlers) (#match? @method "^(route|nest)$")) @route_call
`;

const ROUTE_ATTRS: ReadonlySet<string> = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options']);
const SKIP: ReadonlySet<string> = new Set(['attribute_item', 'line_comment', 'block_comment']);

function implType(node: TSNode): string | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'impl_item') return /([A-Za-z_]\w*)\s*(<[^>]*>)?\s*$/.exec(p.childForFieldName('type')?.text ?? '')?.[1];
    if (p.type === 'trait_item') return p.childForFieldName('name')?.text;
    if (p.type === 'function_item') return undefined;
  }
  return undefined;
}

/** `///` doc comments (and `//!` at the top), skipping attributes in between. */
function docOf(node: TSNode): string | undefined {
  const doc = leadingComment(node, new Set(['attribute_item']));
  return doc;
}

/** The item an attribute belongs to: the next sibling that is not an attribute or comment. */
function attributed(attr: TSNode): TSNode | null {
  let next = attr.nextNamedSibling;
  while (next && SKIP.has(next.type)) next = next.nextNamedSibling;
  return next;
}

function symbols(tree: TSTree): IndexedSymbol[] {
  const out: IndexedSymbol[] = [];
  for (const match of queryFor('rust', 'symbols', SYMBOLS).matches(tree.rootNode)) {
    const def = match.captures.find((c) => c.name !== 'name')!;
    const name = match.captures.find((c) => c.name === 'name')!.node.text;
    const node = def.node;
    const parent = def.name === 'function' ? implType(node) : undefined;
    // Functions inside function bodies are helpers.
    if (def.name === 'function' && !parent && node.parent?.type !== 'source_file' && node.parent?.type !== 'declaration_list') continue;
    const doc = docOf(node);
    out.push({ name, kind: (parent ? 'method' : def.name) as SymbolKind, line: lineOf(node), ...(parent ? { parent } : {}), ...(doc ? { doc } : {}) });
  }
  return out;
}

function attributeFacts(tree: TSTree, facts: RawFacts): void {
  for (const match of queryFor('rust', 'facts', FACTS).matches(tree.rootNode)) {
    const cap = (name: string) => match.captures.find((c) => c.name === name)?.node;
    const attrItem = cap('attribute');
    if (attrItem) {
      const attr = cap('attr')!.text;
      const argsNode = cap('args');
      const item = attributed(attrItem);
      if (attr === 'test' || attr === 'tokio::test' || attr === 'rstest' || attr === 'async_std::test') pushUnique(facts.testSignals, 'cargo test');
      if (attr === 'tokio::main' || attr === 'actix_web::main' || attr === 'rocket::main') facts.entryPoints.push({ kind: 'main', line: lineOf(attrItem) });
      if (ROUTE_ATTRS.has(attr) && argsNode && item?.type === 'function_item') {
        const routePath = /^\(\s*"([^"]*)"/.exec(argsNode.text)?.[1];
        if (routePath !== undefined) facts.routes.push({ method: attr.toUpperCase(), path: routePath, line: lineOf(item), owners: [], handler: item.childForFieldName('name')?.text ?? '', framework: 'Actix/Rocket' });
      }
      if (attr === 'derive' && argsNode && item?.type === 'struct_item') {
        const derives = argsNode.text;
        const framework = /\bDeriveEntityModel\b/.test(derives) ? 'SeaORM' : /\b(Queryable|Insertable|Selectable|Identifiable|AsChangeset)\b/.test(derives) ? 'Diesel' : /\bFromRow\b/.test(derives) ? 'SQLx' : undefined;
        if (framework) {
          const name = item.childForFieldName('name')?.text ?? '';
          if (!facts.models.some((m) => m.name === name)) {
            const fields = (item.childForFieldName('body')?.namedChildren ?? []).filter((f) => f?.type === 'field_declaration').map((f) => f!.childForFieldName('name')?.text ?? '').filter(Boolean);
            facts.models.push({ name, line: lineOf(item), framework, fields });
          }
        }
      }
      continue;
    }
    const call = cap('route_call');
    if (call) {
      const method = cap('method')!.text;
      const routePath = stringValue(cap('path')) ?? '';
      const handlers = cap('handlers')!;
      if (method === 'nest') continue;
      for (const m of handlers.text.matchAll(/\b(get|post|put|patch|delete|head|options|any)\s*\(\s*([\w:]+)/g)) {
        facts.routes.push({ method: m[1] === 'any' ? 'ANY' : m[1]!.toUpperCase(), path: routePath, line: lineOf(call), owners: [], handler: m[2]!, framework: 'Axum' });
      }
    }
  }
}

export function extractRust(tree: TSTree, path: string): FileExtract {
  const facts = emptyFacts();
  attributeFacts(tree, facts);
  const syms = symbols(tree);
  if ((/(^|\/)src\/main\.rs$/.test(path) || /(^|\/)src\/bin\/[^/]+\.rs$/.test(path)) && syms.some((s) => s.name === 'main' && s.kind === 'function') && !facts.entryPoints.length) {
    facts.entryPoints.push({ kind: 'main', line: syms.find((s) => s.name === 'main')!.line });
  }
  if (/(^|\/)tests\/[^/]+\.rs$/.test(path)) pushUnique(facts.testSignals, 'cargo test');
  const first = tree.rootNode.namedChildren[0];
  const doc = first?.type === 'line_comment' && first.text.startsWith('//!') ? commentLine(first.text) : undefined;
  return { symbols: syms, ...(doc ? { doc } : {}), facts };
}
