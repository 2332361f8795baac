/**
 * TypeScript, TSX and JavaScript: classes, functions (declared or `const f = () => …`), methods,
 * interfaces, types, enums and top-level constants with their leading comments; imports and exports
 * (for resolving mounted routers across files); Express/Fastify/Koa/Hono routes (`router.get('/x', …)`,
 * `app.route({method, url})`) and mounts (`app.use('/api', router)`, `app.register(plugin, {prefix})`);
 * NestJS controllers; Drizzle tables, TypeORM entities, Mongoose models; env readers; auth
 * middleware; `.listen(…)`; the test runner a test file imports.
 */
import type { GrammarId } from '../languages';
import type { IndexedSymbol, SymbolKind } from '../types';
import { queryFor, type TSNode, type TSQueryMatch, type TSTree } from '../treesitter';
import { commentLine, groupMatches, HTTP_METHODS, leadingComment, lineOf, pushUnique, stringValue, type PatternGroup } from './common';
import { emptyFacts, type FileExtract, type PrefixPart, type RawFacts } from './raw';

const TS_ONLY = `
(abstract_class_declaration name: (_) @name) @class
(interface_declaration name: (_) @name) @interface
(type_alias_declaration name: (_) @name) @type
(enum_declaration name: (_) @name) @enum
`;

const SYMBOLS = `
(class_declaration name: (_) @name) @class
(function_declaration name: (identifier) @name) @function
(generator_function_declaration name: (identifier) @name) @function
(method_definition name: (_) @name) @method
(program (lexical_declaration (variable_declarator name: (identifier) @name) @variable))
(program (export_statement (lexical_declaration (variable_declarator name: (identifier) @name) @variable)))
(program (variable_declaration (variable_declarator name: (identifier) @name) @variable))
`;

const FACTS: readonly PatternGroup[] = [
  { name: 'member_calls', guard: /\.(get|post|put|patch|delete|head|options|all|use|register|route|listen|decorate)\s*\(/, source: `(call_expression function: (member_expression object: (_) @obj property: (property_identifier) @prop) arguments: (arguments) @args (#match? @prop "^(get|post|put|patch|delete|head|options|all|use|register|route|listen|decorate)$")) @member_call` },
  { name: 'plain_calls', guard: /\b(pgTable|mysqlTable|sqliteTable|model|require|describe|it|test|suite)\s*\(/, source: `(call_expression function: (identifier) @fn arguments: (arguments) @args (#match? @fn "^(pgTable|mysqlTable|sqliteTable|model|require|describe|it|test|suite)$")) @plain_call` },
  { name: 'new', guard: /\bnew\s+(Hono|Koa|Elysia|Schema)\b/, source: `(new_expression constructor: (identifier) @ctor arguments: (arguments) @args) @new` },
  { name: 'modules', source: `(import_statement) @import
(export_statement) @export
(variable_declarator name: (identifier) @name value: (string) @value) @string_const` },
  { name: 'env', guard: /\b(process|import\.meta)\.env\b/, source: `(member_expression object: (identifier) @o property: (property_identifier) @p (#eq? @o "process") (#eq? @p "env")) @env
(member_expression object: (meta_property) property: (property_identifier) @p (#eq? @p "env")) @env` },
  { name: 'routers', guard: /\b(Router|express|Fastify|fastify|Hono|Koa|KoaRouter|Elysia)\s*\(/, source: `(lexical_declaration (variable_declarator name: (identifier) @name value: (call_expression function: [(identifier) (member_expression)] @fn arguments: (arguments) @args))) @router_decl` },
];

/** Classes whose decorators sit on the class or on its `export` (`@Entity() export class User`). */
const DECORATED_CLASS = `
(class_declaration name: (_) @name body: (class_body) @body) @class
`;

const PATTERNS: ReadonlySet<string> = new Set(['member_call', 'plain_call', 'new', 'import', 'export', 'env', 'router_decl', 'string_const']);
const ROUTER_FACTORIES = /^(Router|express\.Router|Fastify|fastify|express|Hono|Koa|KoaRouter|Elysia)$/;
const ROUTE_CALL = new Set([...HTTP_METHODS]);
const AUTH_NAME = /^(require|ensure|verify|check|is|with)?_?(auth|authenticate[d]?|authorization|authorize[d]?|jwt|token|session|login|loggedIn|user|admin|apiKey|bearer|guard|protect(ed)?)\w*$|auth|jwt|Authenticate|Authorization/i;
const AUTH_IMPORTS = /^(jsonwebtoken|jose|@fastify\/jwt|@fastify\/auth|@fastify\/passport|passport(-[\w-]+)?|express-jwt|express-session|@hapi\/jwt|next-auth|@auth\/[\w-]+|lucia|better-auth|hono\/jwt|koa-jwt|@nestjs\/passport|@nestjs\/jwt)$/;
const TEST_IMPORTS: Readonly<Record<string, string>> = { vitest: 'Vitest', '@jest/globals': 'Jest', jest: 'Jest', mocha: 'Mocha', ava: 'AVA', 'node:test': 'node:test', tap: 'tap', uvu: 'uvu', '@playwright/test': 'Playwright', 'bun:test': 'bun test' };

function declarationKind(node: TSNode): SymbolKind {
  const value = node.childForFieldName('value');
  if (value && (value.type === 'arrow_function' || value.type === 'function_expression' || value.type === 'function')) return 'function';
  return 'constant';
}

function docFor(node: TSNode): string | undefined {
  // The comment sits above the outermost statement: `export const x` or `export class X`.
  let outer = node;
  if (outer.type === 'variable_declarator' && outer.parent) outer = outer.parent;
  if (outer.parent?.type === 'export_statement') outer = outer.parent;
  return leadingComment(outer, new Set(['decorator']));
}

function enclosingClassName(node: TSNode): string | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'class_declaration' || p.type === 'abstract_class_declaration' || p.type === 'class') return p.childForFieldName('name')?.text;
    if (p.type === 'object' || p.type === 'function_declaration' || p.type === 'arrow_function') return undefined;
  }
  return undefined;
}

const SYMBOL_CAPTURES: ReadonlySet<string> = new Set(['class', 'function', 'method', 'variable', 'interface', 'type', 'enum']);

function symbols(matches: readonly TSQueryMatch[]): IndexedSymbol[] {
  const out: IndexedSymbol[] = [];
  for (const match of matches) {
    const def = match.captures.find((c) => SYMBOL_CAPTURES.has(c.name));
    const name = match.captures.find((c) => c.name === 'name')?.node.text;
    if (!def || !name) continue;
    const node = def.node;
    let kind: SymbolKind;
    let parent: string | undefined;
    if (def.name === 'method') {
      parent = enclosingClassName(node);
      if (!parent) continue; // object-literal methods are values, not API
      kind = 'method';
    } else if (def.name === 'variable') kind = declarationKind(node);
    else kind = def.name as SymbolKind;
    if (kind !== 'method' && def.name !== 'variable' && node.parent?.type !== 'program' && node.parent?.type !== 'export_statement') {
      // Nested declarations (helpers inside functions) are left out; classes in namespaces are kept.
      if (!(node.parent?.type === 'statement_block' && node.parent.parent?.type === 'internal_module')) continue;
    }
    const doc = docFor(node);
    out.push({ name, kind, line: lineOf(node), ...(parent ? { parent } : {}), ...(doc ? { doc } : {}) });
  }
  return out;
}

function args(node: TSNode): TSNode[] {
  return node.namedChildren.filter((c): c is TSNode => c !== null && c.type !== 'comment');
}

/** An object literal's `key: value` pairs. */
function objectPairs(node: TSNode | undefined): Map<string, TSNode> {
  const out = new Map<string, TSNode>();
  if (node?.type !== 'object') return out;
  for (const child of node.namedChildren) {
    if (child?.type === 'pair') {
      const key = child.childForFieldName('key');
      const value = child.childForFieldName('value');
      const name = key ? (stringValue(key) ?? key.text) : undefined;
      if (name && value) out.set(name, value);
    } else if (child?.type === 'shorthand_property_identifier') out.set(child.text, child);
  }
  return out;
}

function prefixParts(node: TSNode | undefined): PrefixPart[] {
  if (!node) return [];
  const literal = stringValue(node);
  if (literal !== undefined) return [{ text: literal }];
  if (node.type === 'identifier') return [{ ref: node.text }];
  if (node.type === 'member_expression') return [{ ref: node.childForFieldName('property')?.text ?? node.text }];
  if (node.type === 'template_string') {
    const parts: PrefixPart[] = [];
    for (const child of node.namedChildren) {
      if (child?.type === 'string_fragment') parts.push({ text: child.text });
      else if (child?.type === 'template_substitution') parts.push(...prefixParts(child.namedChildren[0] ?? undefined));
    }
    return parts;
  }
  if (node.type === 'binary_expression') return [...prefixParts(node.childForFieldName('left') ?? undefined), ...prefixParts(node.childForFieldName('right') ?? undefined)];
  return [];
}

/** Names a call belongs to: the object it is called on, and the top-level declaration around it. */
function ownersOf(node: TSNode, obj: TSNode): string[] {
  const owners: string[] = [];
  if (obj.type === 'identifier' || obj.type === 'this') owners.push(obj.text);
  else if (obj.type === 'member_expression') owners.push(obj.childForFieldName('property')?.text ?? obj.text);
  for (let p: TSNode | null = node.parent; p; p = p.parent) {
    if (p.parent?.type === 'program' || p.parent?.type === 'export_statement') {
      const named = p.type === 'lexical_declaration' || p.type === 'variable_declaration' ? p.namedChildren.find((c) => c?.type === 'variable_declarator')?.childForFieldName('name')?.text : p.childForFieldName('name')?.text;
      if (named) owners.push(named);
      if (p.parent.type === 'export_statement' && p.parent.children.some((c) => c?.type === 'default')) owners.push('default');
      break;
    }
  }
  return owners;
}

function handlerName(list: TSNode[]): string | undefined {
  const last = list[list.length - 1];
  if (!last) return undefined;
  if (last.type === 'identifier') return last.text;
  if (last.type === 'member_expression') return last.text;
  return undefined;
}

function importFacts(node: TSNode, facts: RawFacts): void {
  const source = stringValue(node.childForFieldName('source'));
  if (source === undefined) return;
  const names: { local: string; imported: string }[] = [];
  const clause = node.namedChildren.find((c) => c?.type === 'import_clause');
  for (const part of clause?.namedChildren ?? []) {
    if (!part) continue;
    if (part.type === 'identifier') names.push({ local: part.text, imported: 'default' });
    else if (part.type === 'namespace_import') names.push({ local: part.namedChildren[0]?.text ?? '', imported: '*' });
    else if (part.type === 'named_imports') {
      for (const spec of part.namedChildren) {
        if (spec?.type !== 'import_specifier') continue;
        const imported = spec.childForFieldName('name')?.text ?? '';
        names.push({ local: spec.childForFieldName('alias')?.text ?? imported, imported });
      }
    }
  }
  facts.imports.push({ source, names });
}

function exportFacts(node: TSNode, facts: RawFacts): void {
  const isDefault = node.children.some((c) => c?.type === 'default');
  const declaration = node.childForFieldName('declaration');
  const value = node.childForFieldName('value');
  if (declaration) {
    const names = declaration.type === 'lexical_declaration' || declaration.type === 'variable_declaration' ? declaration.namedChildren.filter((c) => c?.type === 'variable_declarator').map((c) => c!.childForFieldName('name')?.text) : [declaration.childForFieldName('name')?.text];
    for (const name of names) if (name) facts.exports[isDefault ? 'default' : name] = name;
    if (isDefault && names.every((n) => !n)) facts.exports['default'] = 'default';
  } else if (value && isDefault) facts.exports['default'] = value.type === 'identifier' ? value.text : 'default';
  const clause = node.namedChildren.find((c) => c?.type === 'export_clause');
  const reexport = stringValue(node.childForFieldName('source'));
  for (const spec of clause?.namedChildren ?? []) {
    if (spec?.type !== 'export_specifier') continue;
    const local = spec.childForFieldName('name')?.text ?? '';
    const exported = spec.childForFieldName('alias')?.text ?? local;
    facts.exports[exported] = reexport !== undefined ? `reexport:${reexport}#${local}` : local;
  }
}

/** NestJS controllers (`@Controller('users')` + `@Get(':id')`) and TypeORM entities (`@Entity()`). */
function decoratedClasses(tree: TSTree, grammar: GrammarId, facts: RawFacts): void {
  if (grammar === 'javascript') return;
  const seen = new Set<number>();
  for (const match of queryFor(grammar, 'decorated', DECORATED_CLASS).matches(tree.rootNode)) {
    const cls = match.captures.find((c) => c.name === 'class')!.node;
    if (seen.has(cls.id)) continue;
    seen.add(cls.id);
    const name = cls.childForFieldName('name')?.text ?? '';
    const own = cls.childrenForFieldName('decorator');
    const onExport = cls.parent?.type === 'export_statement' ? cls.parent.childrenForFieldName('decorator') : [];
    const decorators = [...own, ...onExport].filter((d): d is TSNode => d !== null).map(decoratorInfo);
    if (decorators.length === 0) continue;
    const body = cls.childForFieldName('body');
    const controller = decorators.find((d) => d.name === 'Controller');
    const entity = decorators.find((d) => d.name === 'Entity');
    if (entity) {
      const fields: string[] = [];
      for (const member of body?.namedChildren ?? []) {
        if (member?.type !== 'public_field_definition') continue;
        const fieldName = member.childForFieldName('name')?.text;
        if (fieldName && member.childrenForFieldName('decorator').some((d) => d !== null && /Column|PrimaryGeneratedColumn|ManyToOne|OneToMany|ManyToMany|OneToOne|CreateDateColumn|UpdateDateColumn/.test(d.text))) fields.push(fieldName);
      }
      facts.models.push({ name, line: lineOf(cls), framework: 'TypeORM', fields, ...(entity.arg ? { table: entity.arg } : {}) });
    }
    if (controller) {
      // Method decorators are the class body's children right before the method (or the method's own).
      let pending: TSNode[] = [];
      for (const member of body?.namedChildren ?? []) {
        if (!member) continue;
        if (member.type === 'decorator') {
          pending.push(member);
          continue;
        }
        const decorators = [...pending, ...member.childrenForFieldName('decorator').filter((d): d is TSNode => d !== null)];
        pending = [];
        if (member.type !== 'method_definition') continue;
        for (const deco of decorators) {
          const info = decoratorInfo(deco);
          const method = /^(Get|Post|Put|Patch|Delete|Head|Options|All)$/.exec(info.name)?.[1];
          if (!method) continue;
          facts.routes.push({ method: method === 'All' ? 'ANY' : method.toUpperCase(), path: `/${controller.arg ?? ''}/${info.arg ?? ''}`, line: lineOf(member), owners: [name], handler: member.childForFieldName('name')?.text ?? '', framework: 'NestJS' });
        }
      }
    }
    if (decorators.some((d) => d.name === 'Injectable') && /Guard$/.test(name) && /auth|jwt|role/i.test(name)) facts.auth.push({ name, line: lineOf(cls), kind: 'guard' });
  }
}

function decoratorInfo(deco: TSNode): { name: string; arg?: string } {
  const expr = deco.namedChildren[0];
  if (expr?.type === 'call_expression') {
    const name = expr.childForFieldName('function')?.text ?? '';
    const first = expr.childForFieldName('arguments')?.namedChildren[0];
    const arg = stringValue(first) ?? stringValue(objectPairs(first ?? undefined).get('name')) ?? stringValue(objectPairs(first ?? undefined).get('path'));
    return { name, ...(arg !== undefined ? { arg } : {}) };
  }
  return { name: expr?.text ?? '' };
}

export function extractJavaScript(tree: TSTree, text: string, grammar: GrammarId, path: string): FileExtract {
  const facts = emptyFacts();
  const root = tree.rootNode;
  const matches = groupMatches(grammar, tree, text, grammar === 'javascript' ? SYMBOLS : `${SYMBOLS}\n${TS_ONLY}`, FACTS);
  const syms = symbols(matches);
  const first = root.namedChildren[0];
  const doc = first?.type === 'comment' && !/^#!/.test(first.text) ? commentLine(first.text) : undefined;
  let globalsTests = false;
  for (const match of matches) {
    const cap = (name: string) => match.captures.find((c) => c.name === name)?.node;
    switch (match.captures.find((c) => PATTERNS.has(c.name))?.name ?? '') {
      case 'member_call': {
        const obj = cap('obj')!;
        const prop = cap('prop')!.text;
        const list = args(cap('args')!);
        const node = cap('member_call')!;
        if (ROUTE_CALL.has(prop)) {
          const routePath = stringValue(list[0]);
          if (routePath === undefined || list.length < 2 || !(routePath.startsWith('/') || routePath === '*' || routePath === '')) break;
          const handler = handlerName(list.slice(1));
          facts.routes.push({ method: prop === 'all' ? 'ANY' : prop.toUpperCase(), path: routePath, line: lineOf(node), owners: ownersOf(node, obj), ...(handler ? { handler } : {}) });
        } else if (prop === 'route') {
          // Fastify: app.route({ method: 'GET', url: '/x', handler })
          const options = objectPairs(list[0]);
          const url = stringValue(options.get('url') ?? options.get('path'));
          const methodNode = options.get('method');
          if (url === undefined || !methodNode) break;
          const methods = methodNode.type === 'array' ? methodNode.namedChildren.map((c) => stringValue(c)) : [stringValue(methodNode)];
          for (const method of methods) if (method) facts.routes.push({ method: method.toUpperCase(), path: url, line: lineOf(node), owners: ownersOf(node, obj) });
        } else if (prop === 'use' || prop === 'register') {
          const prefixArg = prop === 'use' ? (list.length >= 2 ? list[0] : undefined) : undefined;
          const options = prop === 'register' ? objectPairs(list[1]) : new Map<string, TSNode>();
          const prefix = prop === 'use' ? prefixParts(prefixArg) : prefixParts(options.get('prefix'));
          const target = prop === 'use' ? list[list.length - 1] : list[0];
          if (!target || (prop === 'use' && prefixArg !== undefined && stringValue(prefixArg) === undefined && prefixArg.type !== 'identifier' && prefixArg.type !== 'template_string' && prefixArg.type !== 'member_expression')) break;
          const ref = target.type === 'identifier' ? { local: target.text } : target.type === 'member_expression' ? { local: target.childForFieldName('object')?.text ?? '', member: target.childForFieldName('property')?.text ?? '' } : target.type === 'call_expression' && target.childForFieldName('function')?.type === 'member_expression' ? { local: target.childForFieldName('function')!.childForFieldName('object')?.text ?? '', member: target.childForFieldName('function')!.childForFieldName('property')?.text ?? '' } : undefined;
          if (ref) facts.mounts.push({ owners: ownersOf(node, obj), prefix, target: ref, line: lineOf(node) });
          // Middleware named like auth, in use(...) or a hook, is the auth layer.
          for (const arg of list) if (arg.type === 'identifier' && AUTH_NAME.test(arg.text) && prop === 'use' && arg !== target) facts.auth.push({ name: arg.text, line: lineOf(node), kind: 'middleware' });
        } else if (prop === 'listen') {
          facts.entryPoints.push({ kind: 'server_listen', line: lineOf(node) });
        } else if (prop === 'decorate') {
          const name = stringValue(list[0]);
          if (name && AUTH_NAME.test(name) && list[1] && /function|arrow/.test(list[1].type)) facts.auth.push({ name, line: lineOf(node), kind: 'middleware' });
        } else if (prop === 'basePath') {
          // Hono: new Hono().basePath('/api')
        }
        break;
      }
      case 'plain_call': {
        const fn = cap('fn')!.text;
        const list = args(cap('args')!);
        const node = cap('plain_call')!;
        if (fn === 'pgTable' || fn === 'mysqlTable' || fn === 'sqliteTable') {
          const table = stringValue(list[0]);
          const declarator = node.parent?.type === 'variable_declarator' ? node.parent : undefined;
          const name = declarator?.childForFieldName('name')?.text ?? table ?? '';
          facts.models.push({ name, line: lineOf(node), framework: 'Drizzle', fields: [...objectPairs(list[1]).keys()], ...(table ? { table } : {}) });
        } else if (fn === 'model') {
          const name = stringValue(list[0]);
          if (name && list[1]) facts.models.push({ name, line: lineOf(node), framework: 'Mongoose', fields: [] });
        } else if (fn === 'require') {
          const source = stringValue(list[0]);
          if (source === undefined) break;
          const declarator = node.parent?.type === 'variable_declarator' ? node.parent.childForFieldName('name') : undefined;
          const names: { local: string; imported: string }[] = [];
          if (declarator?.type === 'identifier') names.push({ local: declarator.text, imported: 'default' });
          else if (declarator?.type === 'object_pattern') for (const p of declarator.namedChildren) if (p?.type === 'shorthand_property_identifier_pattern') names.push({ local: p.text, imported: p.text });
          facts.imports.push({ source, names });
        } else globalsTests = true;
        break;
      }
      case 'new': {
        const ctor = cap('ctor')!.text;
        const node = cap('new')!;
        if (/^(Hono|Koa|Elysia)$/.test(ctor) && node.parent?.type === 'variable_declarator') facts.routers.push({ name: node.parent.childForFieldName('name')?.text ?? '', prefix: [], framework: ctor });
        else if (ctor === 'Schema' && node.parent?.type === 'variable_declarator') {
          const fields = [...objectPairs(args(cap('args')!)[0]).keys()];
          facts.models.push({ name: node.parent.childForFieldName('name')?.text ?? '', line: lineOf(node), framework: 'Mongoose', fields });
        }
        break;
      }
      case 'import':
        importFacts(cap('import')!, facts);
        break;
      case 'export':
        exportFacts(cap('export')!, facts);
        break;
      case 'env':
        facts.envReads++;
        break;
      case 'router_decl': {
        const fn = cap('fn')!.text;
        if (ROUTER_FACTORIES.test(fn)) {
          const options = objectPairs(args(cap('args')!)[0]);
          facts.routers.push({ name: cap('name')!.text, prefix: prefixParts(options.get('prefix')), framework: fn.replace(/^express\./, '') });
        }
        break;
      }
      case 'string_const': {
        const value = stringValue(cap('value'));
        if (value !== undefined && /^\/[\w\-./{}:]*$/.test(value) && value.length <= 100) facts.constants.push({ name: cap('name')!.text, value });
        break;
      }
      default:
        break;
    }
  }
  if (text.includes('@')) decoratedClasses(tree, grammar, facts);
  let importsTestRunner = false;
  for (const imp of facts.imports) {
    const runner = TEST_IMPORTS[imp.source];
    if (runner) {
      pushUnique(facts.testSignals, runner);
      importsTestRunner = true;
    }
    if (AUTH_IMPORTS.test(imp.source)) {
      // The file that imports the JWT/session library and declares the middleware is the auth layer.
      for (const sym of syms) if ((sym.kind === 'function' || sym.kind === 'constant') && AUTH_NAME.test(sym.name) && !facts.auth.some((a) => a.name === sym.name)) facts.auth.push({ name: sym.name, line: sym.line, kind: 'middleware' });
    }
  }
  if (globalsTests && !importsTestRunner) pushUnique(facts.testSignals, 'globals');
  if (/(^|\/)(middlewares?|guards?|auth|plugins)\/[^/]+$/.test(path)) {
    for (const sym of syms) if ((sym.kind === 'function' || sym.kind === 'constant' || sym.kind === 'class') && /^(require|ensure|verify|check|is|authenticate|authorize|protect|auth|jwt|with)/i.test(sym.name) && /auth|jwt|token|user|admin|login|role|session/i.test(sym.name) && !facts.auth.some((a) => a.name === sym.name)) facts.auth.push({ name: sym.name, line: sym.line, kind: 'middleware' });
  }
  return { symbols: syms, ...(doc ? { doc } : {}), facts };
}
