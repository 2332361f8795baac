/** Small helpers shared by the per-language extractors. */
import type { GrammarId } from '../languages';
import { queryFor, type TSNode, type TSQueryMatch, type TSTree } from '../treesitter';

export const HTTP_METHODS: ReadonlySet<string> = new Set(['get', 'post', 'put', 'patch', 'delete', 'head', 'options', 'all']);

/** 1-based line of a node. */
export function lineOf(node: TSNode): number {
  return node.startPosition.row + 1;
}

const MAX_DOC = 200;

/** The first meaningful line of a comment or docstring, without its markers. */
export function commentLine(text: string): string | undefined {
  for (const raw of text.split('\n')) {
    const line = raw
      .replace(/^\s*(\/\*\*?|\*\/|\*|\/\/!|\/\/\/?|#+|"""|'''|=begin|=end)\s?/, '')
      .replace(/\*\/\s*$/, '')
      .replace(/("""|''')\s*$/, '')
      .trim();
    if (line === '' || /^[-=*#/]+$/.test(line) || line.startsWith('@') || /^(eslint|prettier|istanbul|ts-|type:|noqa|pylint|nolint|go:build|\+build)/.test(line)) continue;
    return line.length > MAX_DOC ? `${line.slice(0, MAX_DOC - 1)}…` : line;
  }
  return undefined;
}

const COMMENT_TYPES: ReadonlySet<string> = new Set(['comment', 'line_comment', 'block_comment']);
const BODY_TYPES: ReadonlySet<string> = new Set(['body_statement', 'block', 'declaration_list']);

/** A Rust inner doc comment (`//!`, `/*!`) documents the enclosing module, not the next item. */
function isInnerDoc(node: TSNode): boolean {
  return node.text.startsWith('//!') || node.text.startsWith('/*!');
}

/**
 * The comment right above a declaration (skipping attributes/decorators), as one line. Contiguous
 * line comments count as one block: its first line is returned.
 */
export function leadingComment(node: TSNode, skip: ReadonlySet<string> = new Set()): string | undefined {
  let prev = node.previousNamedSibling;
  while (prev && skip.has(prev.type)) prev = prev.previousNamedSibling;
  // The first statement of a body: its comment can sit before the body node (Ruby, Python).
  if (!prev && node.parent && node.parent.firstNamedChild?.id === node.id && BODY_TYPES.has(node.parent.type)) prev = node.parent.previousNamedSibling;
  if (!prev || !COMMENT_TYPES.has(prev.type) || isInnerDoc(prev)) return undefined;
  // The comment must end on the line right above (or the same line as) the declaration.
  if (node.startPosition.row - prev.endPosition.row > 1) return undefined;
  let first = prev;
  for (let p = prev.previousNamedSibling; p && COMMENT_TYPES.has(p.type) && !isInnerDoc(p) && first.startPosition.row - p.endPosition.row <= 1; p = p.previousNamedSibling) first = p;
  if (first.text.startsWith('//') || first.text.startsWith('#')) {
    // Join the block so the first meaningful line is found even after a blank marker line.
    const lines: string[] = [];
    for (let n: TSNode | null = first; n && n.startIndex <= prev.startIndex; n = n.nextNamedSibling) lines.push(n.text);
    return commentLine(lines.join('\n'));
  }
  return commentLine(first.text);
}

/** A literal string's value (quotes and prefixes removed); undefined when it interpolates or is no string. */
export function stringValue(node: TSNode | null | undefined): string | undefined {
  if (!node) return undefined;
  switch (node.type) {
    case 'string': {
      // Python (string_start string_content string_end, maybe interpolation), JavaScript (string_fragment), Ruby.
      if (node.namedChildren.some((c) => c?.type === 'interpolation' || c?.type === 'template_substitution')) return undefined;
      const text = node.text;
      const m = /^[rRbBuU]{0,2}("""|'''|"|'|`)([\s\S]*)\1$/.exec(text);
      return m ? m[2] : undefined;
    }
    case 'template_string':
      return node.namedChildren.some((c) => c?.type === 'template_substitution') ? undefined : node.text.slice(1, -1);
    case 'string_literal': // Java, Rust
    case 'interpreted_string_literal': // Go
    case 'raw_string_literal': {
      const text = node.text;
      const m = /^r?#*("|`)([\s\S]*)\1#*$/.exec(text) ?? /^("""|")([\s\S]*)\1$/.exec(text);
      return m ? m[2] : undefined;
    }
    case 'simple_symbol': // Ruby :users
      return node.text.slice(1);
    default:
      return undefined;
  }
}

/** Joins route pieces: `/api` + `/users/` + `/` → `/api/users/`; no double slashes; the result starts with `/`. */
export function joinPaths(parts: readonly string[], trimRootSlash: boolean): string {
  let out = '';
  parts.forEach((part, i) => {
    if (part === '') return;
    let piece = part;
    if (trimRootSlash && piece === '/' && i === parts.length - 1 && out !== '') return;
    if (!piece.startsWith('/') && !out.endsWith('/')) piece = `/${piece}`;
    if (out.endsWith('/') && piece.startsWith('/')) piece = piece.slice(1);
    out += piece;
  });
  return out === '' ? '/' : out.startsWith('/') ? out : `/${out}`;
}

export function pushUnique<T>(list: T[], value: T): void {
  if (!list.includes(value)) list.push(value);
}

/** A group of query patterns, run only when the file's text could hold a match (a cheap substring test first). */
export interface PatternGroup {
  name: string;
  source: string;
  /** The group runs when this matches the text; always when absent. */
  guard?: RegExp;
}

/**
 * One pass for the patterns every file needs (`base`, usually the symbols, plus the unguarded groups),
 * then one pass per guarded group whose guard matches the text. Predicates (`#match?`, `#eq?`) are
 * checked in JavaScript after every candidate is marshalled out of WASM, so a broad pattern (every
 * method call) is costly, and every query is a walk over the whole tree: the guards skip both in
 * files that cannot match.
 */
export function groupMatches(grammar: GrammarId, tree: TSTree, text: string, base: string, groups: readonly PatternGroup[]): TSQueryMatch[] {
  const always = groups.filter((g) => !g.guard);
  const out = queryFor(grammar, `base:${always.map((g) => g.name).join(',')}`, [base, ...always.map((g) => g.source)].join('\n')).matches(tree.rootNode);
  for (const group of groups) {
    if (!group.guard || !group.guard.test(text)) continue;
    out.push(...queryFor(grammar, `facts:${group.name}`, group.source).matches(tree.rootNode));
  }
  return out;
}
