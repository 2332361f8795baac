/**
 * Go: functions, methods (with their receiver type), structs, interfaces and other types with their
 * doc comments; Gin/Echo/chi/Fiber/gorilla routes (`r.GET("/x", h)`, `r.Get`, `HandleFunc("/x", h)`,
 * Go 1.22 `"GET /x"` patterns) with group prefixes (`v1 := r.Group("/api/v1")`); GORM models
 * (structs embedding `gorm.Model` or with `gorm:` tags); config structs (yaml/env tags); auth
 * middleware; `func main()`.
 */
import type { IndexedSymbol } from '../types';
import type { TSNode, TSQueryMatch, TSTree } from '../treesitter';
import { groupMatches, leadingComment, lineOf, pushUnique, stringValue, type PatternGroup } from './common';
import { emptyFacts, type FileExtract, type PrefixPart, type RawFacts } from './raw';

const SYMBOLS = `
(function_declaration name: (identifier) @name) @function
(method_declaration receiver: (parameter_list) @receiver name: (field_identifier) @name) @method
(type_spec name: (type_identifier) @name type: (_) @type) @type_spec
(type_alias name: (type_identifier) @name type: (_) @type) @type_spec
`;

const FACTS: readonly PatternGroup[] = [
  { name: 'package', source: `(package_clause (package_identifier) @pkg) @package
(import_spec path: (_) @path) @import` },
  { name: 'calls', guard: /\.(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|Any|Handle|HandleFunc|Get|Post|Put|Patch|Delete|Head|Options|Getenv|LookupEnv)\s*\(/, source: `(call_expression function: (selector_expression operand: (_) @obj field: (field_identifier) @sel) arguments: (argument_list) @args (#match? @sel "^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS|Any|Handle|HandleFunc|Get|Post|Put|Patch|Delete|Head|Options|Getenv|LookupEnv)$")) @call` },
  { name: 'groups', guard: /\.(Group|Route|PathPrefix)\s*\(/, source: `(short_var_declaration left: (expression_list (identifier) @var) right: (expression_list (call_expression function: (selector_expression operand: (_) @obj field: (field_identifier) @sel) arguments: (argument_list) @args)) (#match? @sel "^(Group|Route|PathPrefix)$")) @group_decl` },
];

const GIN_STYLE: Readonly<Record<string, string>> = { GET: 'GET', POST: 'POST', PUT: 'PUT', PATCH: 'PATCH', DELETE: 'DELETE', HEAD: 'HEAD', OPTIONS: 'OPTIONS', Any: 'ANY' };
const CHI_STYLE: Readonly<Record<string, string>> = { Get: 'GET', Post: 'POST', Put: 'PUT', Patch: 'PATCH', Delete: 'DELETE', Head: 'HEAD', Options: 'OPTIONS' };
const CONFIG_TAG = /\b(yaml|env|envconfig|mapstructure|toml|koanf|split_words):"/;

function receiverType(receiver: TSNode): string | undefined {
  const text = receiver.text;
  return /\*?\s*([A-Za-z_]\w*)(\[[^\]]*\])?\s*\)$/.exec(text)?.[1];
}

function docOf(node: TSNode): string | undefined {
  const isType = node.type === 'type_spec' || node.type === 'type_alias';
  const outer = isType && node.parent?.type === 'type_declaration' ? node.parent : node;
  return leadingComment(outer) ?? (isType ? leadingComment(node) : undefined);
}

function symbols(matches: readonly TSQueryMatch[], facts: RawFacts): IndexedSymbol[] {
  const out: IndexedSymbol[] = [];
  for (const match of matches) {
    const def = match.captures.find((c) => c.name === 'function' || c.name === 'method' || c.name === 'type_spec');
    if (!def) continue;
    const name = match.captures.find((c) => c.name === 'name')!.node.text;
    const node = def.node;
    const doc = docOf(node);
    if (def.name === 'method') {
      const parent = receiverType(match.captures.find((c) => c.name === 'receiver')!.node);
      out.push({ name, kind: 'method', line: lineOf(node), ...(parent ? { parent } : {}), ...(doc ? { doc } : {}) });
      continue;
    }
    if (def.name === 'function') {
      out.push({ name, kind: 'function', line: lineOf(node), ...(doc ? { doc } : {}) });
      continue;
    }
    const type = match.captures.find((c) => c.name === 'type')!.node;
    const kind = type.type === 'struct_type' ? 'struct' : type.type === 'interface_type' ? 'interface' : 'type';
    out.push({ name, kind, line: lineOf(node), ...(doc ? { doc } : {}) });
    if (type.type === 'struct_type') structFacts(name, node, type, facts);
  }
  return out;
}

function structFacts(name: string, spec: TSNode, struct: TSNode, facts: RawFacts): void {
  const fields: string[] = [];
  let gorm = false;
  let configTags = 0;
  const list = struct.namedChildren.find((c) => c?.type === 'field_declaration_list');
  for (const field of list?.namedChildren ?? []) {
    if (field?.type !== 'field_declaration') continue;
    const names = field.childrenForFieldName('name').filter((n): n is TSNode => n !== null);
    const type = field.childForFieldName('type')?.text ?? '';
    const tag = field.childForFieldName('tag')?.text ?? '';
    if (names.length === 0 && /^(gorm\.Model|\*?gorm\.Model)$/.test(type)) gorm = true;
    if (/\bgorm:"/.test(tag)) gorm = true;
    if (CONFIG_TAG.test(tag)) configTags++;
    for (const n of names) fields.push(n.text);
  }
  const line = lineOf(spec);
  if (gorm) facts.models.push({ name, line, framework: 'GORM', fields: gorm && fields.length === 0 ? [] : fields });
  if (configTags > 0 && /(Config|Configuration|Settings|Options|Limits|Env)$/.test(name)) facts.settings.push({ name, line, kind: 'config_struct' });
}

function prefixOf(node: TSNode | undefined): PrefixPart[] {
  if (!node) return [];
  const literal = stringValue(node);
  if (literal !== undefined) return [{ text: literal }];
  if (node.type === 'identifier') return [{ ref: node.text }];
  if (node.type === 'selector_expression') return [{ ref: node.childForFieldName('field')?.text ?? node.text }];
  return [];
}

function args(node: TSNode): TSNode[] {
  return node.namedChildren.filter((c): c is TSNode => c !== null && c.type !== 'comment');
}

function operandName(obj: TSNode): string {
  return obj.type === 'selector_expression' ? (obj.childForFieldName('field')?.text ?? obj.text) : obj.text;
}

export function extractGo(tree: TSTree, text: string, path: string): FileExtract {
  const facts = emptyFacts();
  let pkg = '';
  const imports: string[] = [];
  const matches = groupMatches('go', tree, text, SYMBOLS, FACTS);
  for (const match of matches) {
    const cap = (name: string) => match.captures.find((c) => c.name === name)?.node;
    if (cap('package')) pkg = cap('pkg')!.text;
    else if (cap('import')) {
      const source = stringValue(cap('path')) ?? '';
      imports.push(source);
      facts.imports.push({ source, names: [] });
    } else if (cap('group_decl')) {
      const method = cap('sel')!.text;
      if (method !== 'Group' && method !== 'Route' && method !== 'PathPrefix') continue;
      const list = args(cap('args')!);
      facts.routers.push({ name: cap('var')!.text, prefix: prefixOf(list[0]), framework: 'go' });
      facts.mounts.push({ owners: [operandName(cap('obj')!)], prefix: [], target: { local: cap('var')!.text }, line: lineOf(cap('group_decl')!) });
    } else if (cap('call')) {
      const method = cap('sel')!.text;
      const obj = cap('obj')!;
      const list = args(cap('args')!);
      const node = cap('call')!;
      if (method === 'Getenv' || method === 'LookupEnv') {
        if (obj.text === 'os') facts.envReads++;
        continue;
      }
      if (method === 'Group' || method === 'Route' || method === 'Mount' || method === 'Use') continue;
      const routePath = stringValue(list[0]);
      if (routePath === undefined || list.length < 2) continue;
      let httpMethod = GIN_STYLE[method] ?? CHI_STYLE[method];
      let pathOnly = routePath;
      if (method === 'Handle' || method === 'HandleFunc') {
        const pattern = /^(GET|POST|PUT|PATCH|DELETE|HEAD|OPTIONS)\s+(\S+)$/.exec(routePath);
        httpMethod = pattern ? pattern[1]! : 'ANY';
        pathOnly = pattern ? pattern[2]! : routePath;
        // gorilla/mux: r.HandleFunc("/x", h).Methods("GET")
        const chained = node.parent?.type === 'selector_expression' && node.parent.childForFieldName('field')?.text === 'Methods' ? node.parent.parent : undefined;
        const chainedMethod = chained?.type === 'call_expression' ? stringValue(chained.childForFieldName('arguments')?.namedChildren[0]) : undefined;
        if (chainedMethod) httpMethod = chainedMethod.toUpperCase();
      }
      if (!httpMethod || !(pathOnly.startsWith('/') || pathOnly === '')) continue;
      const handlerNode = list[list.length - 1];
      const handler = handlerNode && (handlerNode.type === 'identifier' || handlerNode.type === 'selector_expression') ? handlerNode.text : undefined;
      facts.routes.push({ method: httpMethod, path: pathOnly, line: lineOf(node), owners: [operandName(obj)], ...(handler ? { handler } : {}) });
    }
  }
  const syms = symbols(matches, facts);
  if (pkg === 'main' && syms.some((s) => s.kind === 'function' && s.name === 'main')) {
    facts.entryPoints.push({ kind: /(^|\/)cmd\/[^/]+\/[^/]+\.go$/.test(path) ? 'go_cmd' : 'main', line: syms.find((s) => s.name === 'main')!.line });
  }
  for (const sym of syms) {
    if ((sym.kind === 'function' || sym.kind === 'method') && /(Auth|JWT|Jwt|Token|Session|Login|Permission)\w*(Middleware|Handler|Required)?$|^(Require|Authenticate|Authorize|Protect)\w*/.test(sym.name) && (/middleware|auth/i.test(path) || /Middleware$/.test(sym.name))) facts.auth.push({ name: sym.name, line: sym.line, kind: 'middleware' });
  }
  if (/_test\.go$/.test(path)) pushUnique(facts.testSignals, 'go test');
  if (imports.some((i) => i.startsWith('github.com/stretchr/testify'))) pushUnique(facts.testSignals, 'testify');
  if (imports.some((i) => i.startsWith('github.com/onsi/ginkgo'))) pushUnique(facts.testSignals, 'Ginkgo');
  const first = tree.rootNode.namedChildren.find((c) => c?.type === 'package_clause');
  const doc = first ? leadingComment(first) : undefined;
  return { symbols: syms, ...(doc ? { doc } : {}), facts };
}
