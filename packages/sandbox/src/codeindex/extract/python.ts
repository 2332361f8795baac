/**
 * Python: classes, functions and methods with their docstrings; FastAPI/Flask routes from decorators
 * (`@router.get("/x")`, `@app.route("/x", methods=[…])`), routers and their prefixes
 * (`APIRouter(prefix=…)`, `Blueprint(url_prefix=…)`), mounts (`include_router`, `register_blueprint`),
 * Django `path()`/`re_path()` in urls.py; SQLAlchemy/SQLModel/Django model candidates; pydantic
 * `BaseSettings`; FastAPI security schemes and `Depends(…)`; `if __name__ == "__main__"`, ASGI/WSGI
 * apps; pytest/unittest imports.
 */
import type { IndexedSymbol } from '../types';
import type { TSNode, TSQueryMatch, TSTree } from '../treesitter';
import { commentLine, groupMatches, HTTP_METHODS, leadingComment, lineOf, pushUnique, stringValue, type PatternGroup } from './common';
import { emptyFacts, type FileExtract, type PrefixPart, type RawFacts } from './raw';

const SYMBOLS = `
(class_definition name: (identifier) @name) @class
(function_definition name: (identifier) @name) @function
`;

const FACTS: readonly PatternGroup[] = [
  { name: 'decorators', guard: /@/, source: `
(decorator (call function: (attribute object: (_) @obj attribute: (identifier) @attr) arguments: (argument_list) @args)) @route_decorator
(decorator [(identifier) (attribute) (call function: [(identifier) (attribute)])] @deco) @plain_decorator` },
  {
    name: 'assign_calls',
    guard: /\b(FastAPI|APIRouter|Flask|Blueprint|Quart|Starlette|Sanic|OAuth2\w*|HTTPBearer|HTTPBasic\w*|APIKey\w+|OpenIdConnect|JWTBearer|LoginManager|HTTPTokenAuth|declarative_base|SQLAlchemy|get_wsgi_application|get_asgi_application)\s*\(/,
    source: `(assignment left: (identifier) @var right: (call function: [(identifier) (attribute)] @fn arguments: (argument_list) @args)) @assign_call`,
  },
  { name: 'mounts', guard: /\.(include_router|register_blueprint|add_api_route|add_url_rule|mount)\s*\(/, source: `(call function: (attribute object: (_) @obj attribute: (identifier) @attr) arguments: (argument_list) @args (#match? @attr "^(include_router|register_blueprint|add_api_route|add_url_rule|mount)$")) @mount` },
  { name: 'depends', guard: /\b(Depends|Security)\s*\(/, source: `(call function: (identifier) @fn arguments: (argument_list . (_) @dep) (#match? @fn "^(Depends|Security)$")) @depends` },
  { name: 'main', guard: /__name__/, source: `(if_statement condition: (comparison_operator (identifier) @lhs (string) @rhs) (#eq? @lhs "__name__")) @main_guard` },
  { name: 'imports', source: `(import_statement) @import
(import_from_statement) @import_from
(module (expression_statement (assignment left: (identifier) @name right: (string) @value) @string_const))
(class_definition body: (block (expression_statement (assignment left: (identifier) @name right: (string) @value) @string_const)))` },
  { name: 'env', guard: /\bos\.(getenv|environ)\b/, source: `(call function: (attribute object: (identifier) @obj attribute: (identifier) @attr) (#eq? @obj "os") (#match? @attr "^(getenv|environ)$")) @env_call
(subscript value: (attribute object: (identifier) @obj attribute: (identifier) @attr) (#eq? @obj "os") (#eq? @attr "environ")) @env_subscript` },
  { name: 'django', guard: /\b(path|re_path|url)\s*\(/, source: `(call function: (identifier) @fn arguments: (argument_list . (string) @path . (_) @view) (#match? @fn "^(path|re_path|url)$")) @django_path` },
];

const PATTERNS: ReadonlySet<string> = new Set(['route_decorator', 'plain_decorator', 'assign_call', 'mount', 'depends', 'main_guard', 'import', 'import_from', 'string_const', 'env_call', 'env_subscript', 'django_path']);
const ROUTE_DECORATOR_METHODS: ReadonlySet<string> = new Set([...HTTP_METHODS, 'route', 'api_route', 'websocket']);
const ROUTER_CONSTRUCTORS: Readonly<Record<string, string>> = { FastAPI: 'FastAPI', APIRouter: 'FastAPI', Flask: 'Flask', Blueprint: 'Flask', Quart: 'Flask', Starlette: 'Starlette', Sanic: 'Sanic' };
const SECURITY_SCHEMES = /^(OAuth2PasswordBearer|OAuth2AuthorizationCodeBearer|HTTPBearer|HTTPBasic|APIKeyHeader|APIKeyCookie|APIKeyQuery|OpenIdConnect|JWTBearer|LoginManager|HTTPTokenAuth|HTTPBasicAuth)$/;
const AUTH_DECORATORS = /^(login_required|permission_required|user_passes_test|staff_member_required|jwt_required|auth_required|requires_auth|token_required|fresh_jwt_required|roles_required|authentication_classes|permission_classes)$/;
export const AUTH_NAME = /(current_user|current_active|authenticate|authorization|auth|require_user|require_login|verify_token|get_token|superuser|permission|api_key|login_required|jwt)/i;

function keywordArgs(args: TSNode): Map<string, TSNode> {
  const out = new Map<string, TSNode>();
  for (const child of args.namedChildren) {
    if (child?.type === 'keyword_argument') {
      const name = child.childForFieldName('name')?.text;
      const value = child.childForFieldName('value');
      if (name && value) out.set(name, value);
    }
  }
  return out;
}

function positionalArgs(args: TSNode): TSNode[] {
  return args.namedChildren.filter((c): c is TSNode => c !== null && c.type !== 'keyword_argument' && c.type !== 'comment');
}

/** A prefix expression: a literal, `settings.API_V1_STR`, `API_PREFIX`, or `f"{settings.API_V1_STR}/x"` pieces. */
function prefixParts(node: TSNode | undefined): PrefixPart[] {
  if (!node) return [];
  const literal = stringValue(node);
  if (literal !== undefined) return [{ text: literal }];
  if (node.type === 'identifier') return [{ ref: node.text }];
  if (node.type === 'attribute') return [{ ref: node.childForFieldName('attribute')?.text ?? node.text }];
  if (node.type === 'string') {
    const parts: PrefixPart[] = [];
    for (const child of node.namedChildren) {
      if (child?.type === 'string_content') parts.push({ text: child.text });
      else if (child?.type === 'interpolation') parts.push(...prefixParts(child.namedChildren[0] ?? undefined));
    }
    return parts;
  }
  if (node.type === 'binary_operator') return [...prefixParts(node.childForFieldName('left') ?? undefined), ...prefixParts(node.childForFieldName('right') ?? undefined)];
  return [];
}

function stringList(node: TSNode | undefined): string[] {
  if (!node) return [];
  if (node.type === 'list' || node.type === 'tuple' || node.type === 'set') return node.namedChildren.map((c) => stringValue(c)).filter((s): s is string => s !== undefined);
  const single = stringValue(node);
  return single === undefined ? [] : [single];
}

function docstringOf(body: TSNode | null): string | undefined {
  const first = body?.namedChildren[0];
  if (first?.type !== 'expression_statement') return undefined;
  const str = first.namedChildren[0];
  return str?.type === 'string' ? commentLine(str.text) : undefined;
}

/** The definition a decorator belongs to. */
function decorated(decorator: TSNode): TSNode | null {
  return decorator.parent?.type === 'decorated_definition' ? decorator.parent.childForFieldName('definition') : null;
}

function enclosingClass(node: TSNode): TSNode | undefined {
  for (let p = node.parent; p; p = p.parent) {
    if (p.type === 'class_definition') return p;
    if (p.type === 'function_definition') return undefined;
  }
  return undefined;
}

function isTopLevel(node: TSNode): boolean {
  let p = node.parent;
  while (p && (p.type === 'expression_statement' || p.type === 'decorated_definition')) p = p.parent;
  return p?.type === 'module';
}

function symbols(matches: readonly TSQueryMatch[]): IndexedSymbol[] {
  const out: IndexedSymbol[] = [];
  for (const match of matches) {
    const def = match.captures.find((c) => c.name === 'class' || c.name === 'function');
    const name = match.captures.find((c) => c.name === 'name')?.node.text;
    if (!def || !name) continue;
    const node = def.node;
    const cls = enclosingClass(node);
    // Functions nested in functions are implementation detail.
    if (!cls && !isTopLevel(node)) continue;
    const outer = node.parent?.type === 'decorated_definition' ? node.parent : node;
    const doc = docstringOf(node.childForFieldName('body')) ?? leadingComment(outer);
    const parent = cls?.childForFieldName('name')?.text;
    out.push({ name, kind: def.name === 'class' ? 'class' : parent ? 'method' : 'function', line: lineOf(node), ...(parent ? { parent } : {}), ...(doc ? { doc } : {}) });
  }
  return out;
}

function classFacts(matches: readonly TSQueryMatch[], facts: RawFacts): void {
  for (const match of matches) {
    const def = match.captures.find((c) => c.name === 'class')?.node;
    if (!def) continue;
    const name = def.childForFieldName('name')?.text ?? '';
    const supers = def.childForFieldName('superclasses');
    if (!supers) continue;
    const bases: string[] = [];
    const keywords: string[] = [];
    for (const arg of supers.namedChildren) {
      if (!arg) continue;
      if (arg.type === 'identifier' || arg.type === 'attribute') bases.push(arg.text);
      else if (arg.type === 'keyword_argument') keywords.push(`${arg.childForFieldName('name')?.text ?? ''}=${arg.childForFieldName('value')?.text ?? ''}`);
    }
    if (bases.length === 0) continue;
    const fields: string[] = [];
    let table: string | undefined;
    for (const stmt of def.childForFieldName('body')?.namedChildren ?? []) {
      if (stmt?.type !== 'expression_statement') continue;
      const assign = stmt.namedChildren[0];
      if (assign?.type !== 'assignment') continue;
      const left = assign.childForFieldName('left');
      if (left?.type !== 'identifier') continue;
      if (left.text === '__tablename__') table = stringValue(assign.childForFieldName('right'));
      else if (!left.text.startsWith('_') && left.text !== 'model_config' && left.text !== 'Meta') fields.push(left.text);
    }
    facts.classes.push({ name, line: lineOf(def), bases, keywords, fields, ...(table ? { table } : {}) });
    if (bases.some((b) => /(^|\.)BaseSettings$/.test(b))) facts.settings.push({ name, line: lineOf(def), kind: 'settings_class' });
    if (bases.some((b) => /(^|\.)(TestCase|IsolatedAsyncioTestCase)$/.test(b))) pushUnique(facts.testSignals, 'unittest');
  }
}

function importFacts(node: TSNode, from: boolean, facts: RawFacts): void {
  if (!from) {
    for (const child of node.namedChildren) {
      if (child?.type === 'dotted_name') facts.imports.push({ source: child.text, names: [{ local: child.text.split('.')[0]!, imported: '*' }] });
      else if (child?.type === 'aliased_import') facts.imports.push({ source: child.childForFieldName('name')?.text ?? '', names: [{ local: child.childForFieldName('alias')?.text ?? '', imported: '*' }] });
    }
    return;
  }
  const module = node.childForFieldName('module_name')?.text ?? '';
  const names: { local: string; imported: string }[] = [];
  for (const child of node.childrenForFieldName('name')) {
    if (child?.type === 'dotted_name') names.push({ local: child.text, imported: child.text });
    else if (child?.type === 'aliased_import') names.push({ local: child.childForFieldName('alias')?.text ?? '', imported: child.childForFieldName('name')?.text ?? '' });
  }
  facts.imports.push({ source: module, names });
}

export function extractPython(tree: TSTree, text: string, path: string): FileExtract {
  const facts = emptyFacts();
  const root = tree.rootNode;
  const moduleDoc = docstringOf(root) ?? (root.namedChildren[0]?.type === 'comment' ? commentLine(root.namedChildren[0].text) : undefined);
  const isUrls = /(^|\/)urls\.py$/.test(path);
  const matches = groupMatches('python', tree, text, SYMBOLS, isUrls ? FACTS : FACTS.filter((g) => g.name !== 'django'));
  for (const match of matches) {
    const cap = (name: string) => match.captures.find((c) => c.name === name)?.node;
    switch (match.captures.find((c) => PATTERNS.has(c.name))?.name ?? '') {
      case 'route_decorator': {
        const obj = cap('obj')!;
        const attr = cap('attr')!.text;
        const args = cap('args')!;
        const def = decorated(cap('route_decorator')!);
        if (!ROUTE_DECORATOR_METHODS.has(attr) || !def) break;
        const first = positionalArgs(args)[0];
        const routePath = stringValue(first) ?? stringValue(keywordArgs(args).get('path')) ?? stringValue(keywordArgs(args).get('rule'));
        if (routePath === undefined) break;
        const methods = attr === 'route' || attr === 'api_route' ? stringList(keywordArgs(args).get('methods')).map((m) => m.toUpperCase()) : [attr === 'websocket' ? 'WEBSOCKET' : attr.toUpperCase()];
        const handler = def.childForFieldName('name')?.text;
        for (const method of methods.length > 0 ? methods : ['GET']) facts.routes.push({ method: method === 'ALL' ? 'ANY' : method, path: routePath, line: lineOf(def), owners: [obj.text], ...(handler ? { handler } : {}) });
        // Depends(...) in the decorator's dependencies=[…]
        break;
      }
      case 'plain_decorator': {
        const deco = cap('deco')!;
        const name = (deco.type === 'call' ? deco.childForFieldName('function')?.text : deco.text) ?? '';
        const last = name.slice(name.lastIndexOf('.') + 1);
        const def = decorated(cap('plain_decorator')!);
        if (AUTH_DECORATORS.test(last) && def) facts.auth.push({ name: last, line: lineOf(def), kind: 'decorator' });
        if (/^pytest\./.test(name)) pushUnique(facts.testSignals, 'pytest');
        break;
      }
      case 'assign_call': {
        const variable = cap('var')!.text;
        const fn = cap('fn')!.text;
        const args = cap('args')!;
        const ctor = fn.slice(fn.lastIndexOf('.') + 1);
        const framework = ROUTER_CONSTRUCTORS[ctor];
        const node = cap('assign_call')!;
        if (framework) {
          const kw = keywordArgs(args);
          facts.routers.push({ name: variable, prefix: prefixParts(kw.get('prefix') ?? kw.get('url_prefix') ?? kw.get('root_path')), framework });
          if ((ctor === 'FastAPI' || ctor === 'Flask' || ctor === 'Quart' || ctor === 'Starlette' || ctor === 'Sanic') && isTopLevel(node.parent ?? node)) {
            facts.entryPoints.push({ kind: ctor === 'FastAPI' || ctor === 'Starlette' ? 'asgi_app' : 'wsgi_app', line: lineOf(node) });
          }
        } else if (SECURITY_SCHEMES.test(ctor)) facts.auth.push({ name: variable, line: lineOf(node), kind: 'security_scheme' });
        else if (ctor === 'declarative_base' || ctor === 'SQLAlchemy') facts.routers.push({ name: variable, prefix: [], framework: ctor === 'SQLAlchemy' ? 'flask_sqlalchemy' : 'declarative_base' });
        else if (ctor === 'get_wsgi_application' || ctor === 'get_asgi_application') facts.entryPoints.push({ kind: ctor === 'get_wsgi_application' ? 'wsgi_app' : 'asgi_app', line: lineOf(node) });
        break;
      }
      case 'mount': {
        const obj = cap('obj')!;
        const attr = cap('attr')!.text;
        const args = cap('args')!;
        const node = cap('mount')!;
        if (attr === 'add_api_route' || attr === 'add_url_rule') {
          const routePath = stringValue(positionalArgs(args)[0]);
          if (routePath === undefined) break;
          const methods = stringList(keywordArgs(args).get('methods')).map((m) => m.toUpperCase());
          for (const method of methods.length > 0 ? methods : ['GET']) facts.routes.push({ method, path: routePath, line: lineOf(node), owners: [obj.text] });
          break;
        }
        const target = attr === 'mount' ? positionalArgs(args)[1] : positionalArgs(args)[0];
        if (!target) break;
        const kw = keywordArgs(args);
        const prefix = attr === 'mount' ? prefixParts(positionalArgs(args)[0]) : prefixParts(kw.get('prefix') ?? kw.get('url_prefix'));
        const ref = target.type === 'attribute' ? { local: target.childForFieldName('object')?.text ?? '', member: target.childForFieldName('attribute')?.text ?? '' } : { local: target.text };
        facts.mounts.push({ owners: [obj.text], prefix, target: ref, line: lineOf(node) });
        break;
      }
      case 'depends': {
        const dep = cap('dep')!;
        const name = dep.type === 'attribute' ? dep.childForFieldName('attribute')?.text : dep.type === 'identifier' ? dep.text : undefined;
        if (name) facts.dependencies.push({ name, line: lineOf(dep) });
        break;
      }
      case 'main_guard': {
        if (/__main__/.test(cap('rhs')!.text)) facts.entryPoints.push({ kind: 'python_main', line: lineOf(cap('main_guard')!) });
        break;
      }
      case 'import':
      case 'import_from': {
        const node = cap('import') ?? cap('import_from')!;
        importFacts(node, node.type === 'import_from_statement', facts);
        break;
      }
      case 'string_const': {
        const value = stringValue(cap('value'));
        const node = cap('string_const')!;
        const scope = node.parent?.parent;
        if (value !== undefined && /^\/[\w\-./{}:<>]*$/.test(value) && value.length <= 100 && (scope?.type === 'module' || scope?.parent?.type === 'class_definition')) facts.constants.push({ name: cap('name')!.text, value });
        break;
      }
      case 'env_call':
      case 'env_subscript':
        facts.envReads++;
        break;
      case 'django_path': {
        if (!isUrls) break;
        const routePath = stringValue(cap('path'));
        const view = cap('view')!;
        if (routePath === undefined) break;
        const asPath = cap('django_path')!.childForFieldName('function')?.text === 'path' ? routePath : routePath.replace(/^\^/, '').replace(/\$$/, '');
        if (view.type === 'call' && view.childForFieldName('function')?.text === 'include') {
          const included = positionalArgs(view.childForFieldName('arguments')!)[0];
          const module = stringValue(included);
          if (module) facts.mounts.push({ owners: ['urlpatterns'], prefix: [{ text: asPath }], target: { local: `module:${module}` }, line: lineOf(view) });
          else if (included) facts.mounts.push({ owners: ['urlpatterns'], prefix: [{ text: asPath }], target: { local: included.text.split('.')[0]!, member: 'urls' }, line: lineOf(view) });
        } else {
          const handler = view.type === 'call' ? view.childForFieldName('function')?.text.replace(/\.as_view$/, '') : view.text;
          facts.routes.push({ method: 'ANY', path: asPath, line: lineOf(view), owners: ['urlpatterns'], framework: 'Django', ...(handler ? { handler } : {}) });
        }
        break;
      }
      default:
        break;
    }
  }
  classFacts(matches, facts);
  for (const imp of facts.imports) {
    if (imp.source === 'pytest' || imp.source.startsWith('pytest.') || imp.source.startsWith('_pytest')) pushUnique(facts.testSignals, 'pytest');
    if (imp.source === 'unittest' || imp.source.startsWith('unittest.')) pushUnique(facts.testSignals, 'unittest');
  }
  if (/(^|\/)conftest\.py$/.test(path)) pushUnique(facts.testSignals, 'pytest');
  if (/(^|\/)settings\.py$|(^|\/)settings\/(base|common|production|development|local)\.py$/.test(path)) facts.settings.push({ name: path.slice(path.lastIndexOf('/') + 1), line: 1, kind: 'config_file' });
  if (/(^|\/)manage\.py$/.test(path)) facts.entryPoints.push({ kind: 'django_manage', line: 1 });
  return { symbols: symbols(matches), ...(moduleDoc ? { doc: moduleDoc } : {}), facts };
}
