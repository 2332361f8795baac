/**
 * Java: classes, interfaces, enums, records and methods with their Javadoc; Spring routes
 * (`@RequestMapping` on the class + `@GetMapping`/`@PostMapping`/… or `@RequestMapping(method=…)` on
 * methods), JAX-RS (`@Path` + `@GET`); JPA `@Entity` models with fields and `@Table(name)`;
 * `@ConfigurationProperties`; Spring Security configuration; `@SpringBootApplication` and
 * `public static void main`; JUnit 4/5 and TestNG imports.
 */
import type { IndexedSymbol, SymbolKind } from '../types';
import type { TSNode, TSQueryMatch, TSTree } from '../treesitter';
import { groupMatches, leadingComment, lineOf, pushUnique, stringValue, type PatternGroup } from './common';
import { emptyFacts, type FileExtract, type RawFacts } from './raw';

const SYMBOLS = `
(class_declaration name: (identifier) @name) @class
(interface_declaration name: (identifier) @name) @interface
(enum_declaration name: (identifier) @name) @enum
(record_declaration name: (identifier) @name) @class
(annotation_type_declaration name: (identifier) @name) @interface
(method_declaration name: (identifier) @name) @method
`;

const FACTS: readonly PatternGroup[] = [
  { name: 'imports', source: '(import_declaration) @import' },
  { name: 'env', guard: /\bSystem\.(getenv|getProperty)\b/, source: `(method_invocation object: (identifier) @obj name: (identifier) @name (#eq? @obj "System") (#match? @name "^(getenv|getProperty)$")) @env` },
];

const TYPE_DECLARATIONS: ReadonlySet<string> = new Set(['class_declaration', 'interface_declaration', 'enum_declaration', 'record_declaration', 'annotation_type_declaration']);
const MAPPINGS: Readonly<Record<string, string>> = { GetMapping: 'GET', PostMapping: 'POST', PutMapping: 'PUT', DeleteMapping: 'DELETE', PatchMapping: 'PATCH', RequestMapping: 'ANY' };
const JAXRS_METHODS: ReadonlySet<string> = new Set(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS']);

interface Annotation {
  name: string;
  /** The value (or `value`/`path`) strings. */
  values: string[];
  /** Other `key = value` pairs, as text. */
  pairs: Map<string, TSNode>;
}

function annotationsOf(decl: TSNode): Annotation[] {
  const modifiers = decl.namedChildren.find((c) => c?.type === 'modifiers');
  const out: Annotation[] = [];
  for (const child of modifiers?.namedChildren ?? []) {
    if (!child || (child.type !== 'marker_annotation' && child.type !== 'annotation')) continue;
    const name = (child.childForFieldName('name')?.text ?? '').replace(/^.*\./, '');
    const values: string[] = [];
    const pairs = new Map<string, TSNode>();
    for (const arg of child.childForFieldName('arguments')?.namedChildren ?? []) {
      if (!arg) continue;
      if (arg.type === 'element_value_pair') {
        const key = arg.childForFieldName('key')?.text ?? '';
        const value = arg.childForFieldName('value');
        if (!value) continue;
        if (key === 'value' || key === 'path') values.push(...stringsOf(value));
        else pairs.set(key, value);
      } else values.push(...stringsOf(arg));
    }
    out.push({ name, values, pairs });
  }
  return out;
}

function stringsOf(node: TSNode): string[] {
  if (node.type === 'element_value_array_initializer') return node.namedChildren.flatMap((c) => (c ? stringsOf(c) : []));
  const value = stringValue(node);
  return value === undefined ? [] : [value];
}

function hasModifier(decl: TSNode, word: string): boolean {
  const modifiers = decl.namedChildren.find((c) => c?.type === 'modifiers');
  return modifiers?.children.some((c) => c?.type === word || c?.text === word) ?? false;
}

function enclosingType(node: TSNode): TSNode | undefined {
  for (let p = node.parent; p; p = p.parent) if (TYPE_DECLARATIONS.has(p.type)) return p;
  return undefined;
}

function docOf(decl: TSNode): string | undefined {
  return leadingComment(decl);
}

const SYMBOL_CAPTURES: ReadonlySet<string> = new Set(['class', 'interface', 'enum', 'method']);

function symbols(matches: readonly TSQueryMatch[]): IndexedSymbol[] {
  const out: IndexedSymbol[] = [];
  for (const match of matches) {
    const def = match.captures.find((c) => SYMBOL_CAPTURES.has(c.name));
    const name = match.captures.find((c) => c.name === 'name')?.node.text;
    if (!def || !name) continue;
    const parent = enclosingType(def.node)?.childForFieldName('name')?.text;
    const doc = docOf(def.node);
    out.push({ name, kind: def.name as SymbolKind, line: lineOf(def.node), ...(parent ? { parent } : {}), ...(doc ? { doc } : {}) });
  }
  return out;
}

function typeFacts(matches: readonly TSQueryMatch[], facts: RawFacts): void {
  for (const match of matches) {
    const def = match.captures.find((c) => SYMBOL_CAPTURES.has(c.name));
    if (!def || def.name === 'method') continue;
    const decl = def.node;
    const name = decl.childForFieldName('name')?.text ?? '';
    const annotations = annotationsOf(decl);
    const has = (n: string) => annotations.find((a) => a.name === n);
    const line = lineOf(decl);
    if (has('SpringBootApplication')) facts.entryPoints.push({ kind: 'spring_boot_application', line });
    if (has('Entity')) {
      const table = has('Table');
      const tableName = table ? (stringValue(table.pairs.get('name')) ?? table.values[0]) : undefined;
      const fields: string[] = [];
      for (const member of decl.childForFieldName('body')?.namedChildren ?? []) {
        if (member?.type !== 'field_declaration' || hasModifier(member, 'static') || annotationsOf(member).some((a) => a.name === 'Transient')) continue;
        for (const declarator of member.childrenForFieldName('declarator')) {
          const fieldName = declarator?.childForFieldName('name')?.text;
          if (fieldName) fields.push(fieldName);
        }
      }
      facts.models.push({ name, line, framework: 'JPA', fields, ...(tableName ? { table: tableName } : {}) });
    }
    const props = has('ConfigurationProperties');
    if (props) facts.settings.push({ name, line, kind: 'settings_class' });
    if (has('EnableWebSecurity') || has('EnableMethodSecurity') || has('EnableGlobalMethodSecurity')) facts.auth.push({ name, line, kind: 'security_config' });
    const superclass = decl.childForFieldName('superclass')?.text ?? '';
    if (/WebSecurityConfigurerAdapter/.test(superclass)) facts.auth.push({ name, line, kind: 'security_config' });
    if (/OncePerRequestFilter|GenericFilterBean|AbstractAuthenticationProcessingFilter/.test(superclass) && /auth|jwt|token|security/i.test(name)) facts.auth.push({ name, line, kind: 'filter' });
    const controller = has('RestController') ?? has('Controller');
    const jaxrs = has('Path');
    if (!controller && !jaxrs && !has('RequestMapping')) continue;
    const classPrefix = (controller || has('RequestMapping') ? has('RequestMapping')?.values[0] : jaxrs?.values[0]) ?? '';
    for (const member of decl.childForFieldName('body')?.namedChildren ?? []) {
      if (member?.type !== 'method_declaration') continue;
      const methodAnnotations = annotationsOf(member);
      const handler = member.childForFieldName('name')?.text ?? '';
      for (const a of methodAnnotations) {
        let methods: string[] = [];
        let paths: string[] = [];
        if (MAPPINGS[a.name]) {
          paths = a.values.length > 0 ? a.values : [''];
          if (a.name === 'RequestMapping') {
            const method = a.pairs.get('method');
            methods = method ? [...method.text.matchAll(/(GET|POST|PUT|DELETE|PATCH|HEAD|OPTIONS)/g)].map((m) => m[1]!) : [];
            if (methods.length === 0) methods = ['ANY'];
          } else methods = [MAPPINGS[a.name]!];
        } else if (jaxrs && JAXRS_METHODS.has(a.name)) {
          methods = [a.name];
          paths = [methodAnnotations.find((m) => m.name === 'Path')?.values[0] ?? ''];
        } else continue;
        for (const method of methods) for (const path of paths) facts.routes.push({ method, path: `/${classPrefix}/${path}`, line: lineOf(member), owners: [name], handler, framework: jaxrs && !controller ? 'JAX-RS' : 'Spring' });
      }
    }
  }
  // Methods: main(String[]), SecurityFilterChain beans.
  for (const match of matches) {
    const def = match.captures.find((c) => c.name === 'method')?.node;
    if (!def) continue;
    const name = def.childForFieldName('name')?.text;
    if (name === 'main' && hasModifier(def, 'static') && /String\s*(\[\]|\.\.\.)/.test(def.childForFieldName('parameters')?.text ?? '')) facts.entryPoints.push({ kind: 'main', line: lineOf(def) });
    if (/SecurityFilterChain|SecurityWebFilterChain/.test(def.childForFieldName('type')?.text ?? '')) facts.auth.push({ name: name ?? 'securityFilterChain', line: lineOf(def), kind: 'security_filter_chain' });
  }
}

export function extractJava(tree: TSTree, text: string): FileExtract {
  const facts = emptyFacts();
  const matches = groupMatches('java', tree, text, SYMBOLS, FACTS);
  for (const match of matches) {
    const imp = match.captures.find((c) => c.name === 'import')?.node;
    if (imp) {
      const source = imp.text.replace(/^import\s+(static\s+)?/, '').replace(/;\s*$/, '').trim();
      facts.imports.push({ source, names: [] });
      if (source.startsWith('org.junit.jupiter')) pushUnique(facts.testSignals, 'JUnit 5');
      else if (source.startsWith('org.junit.') || source === 'org.junit.Test') pushUnique(facts.testSignals, 'JUnit 4');
      else if (source.startsWith('org.testng')) pushUnique(facts.testSignals, 'TestNG');
      else if (source.startsWith('org.spockframework')) pushUnique(facts.testSignals, 'Spock');
    } else if (match.captures.some((c) => c.name === 'env')) facts.envReads++;
  }
  typeFacts(matches, facts);
  // The file's doc is its top-level type's Javadoc.
  const typeDecl = tree.rootNode.namedChildren.find((c) => c !== null && TYPE_DECLARATIONS.has(c.type));
  const doc = typeDecl ? docOf(typeDecl) : undefined;
  return { symbols: symbols(matches), ...(doc ? { doc } : {}), facts };
}
