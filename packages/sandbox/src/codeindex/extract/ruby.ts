/**
 * Ruby: classes, modules and methods (with their class) and their comments; Rails routes from
 * `config/routes.rb` (`resources`/`resource` with `only:`/`except:`, nested resources, `namespace`,
 * `scope`, `get 'x' => 'c#a'`, `post 'x', to: 'c#a'`, `root`), Sinatra routes (`get '/x' do`);
 * Active Record models (`< ApplicationRecord`); `before_action :authenticate_user!`; RSpec/Minitest.
 */
import type { IndexedSymbol } from '../types';
import { queryFor, type TSNode, type TSTree } from '../treesitter';
import { leadingComment, lineOf, pushUnique, stringValue } from './common';
import { emptyFacts, type FileExtract, type RawFacts } from './raw';

const SYMBOLS = `
(class name: (_) @name) @class
(module name: (_) @name) @module
(method name: (_) @name) @method
(singleton_method name: (_) @name) @method
`;

const FACTS = `
(call method: (identifier) @method arguments: (argument_list . (_) @first)? (#match? @method "^(require|require_relative|before_action|before_filter|get|post|put|patch|delete|describe|context|it|test)$")) @call
`;

const ACTIONS: readonly { action: string; method: string; suffix: string; member: boolean }[] = [
  { action: 'index', method: 'GET', suffix: '', member: false },
  { action: 'create', method: 'POST', suffix: '', member: false },
  { action: 'new', method: 'GET', suffix: '/new', member: false },
  { action: 'edit', method: 'GET', suffix: '/edit', member: true },
  { action: 'show', method: 'GET', suffix: '', member: true },
  { action: 'update', method: 'PATCH', suffix: '', member: true },
  { action: 'destroy', method: 'DELETE', suffix: '', member: true },
];

function enclosingScope(node: TSNode): string | undefined {
  for (let p = node.parent; p; p = p.parent) if (p.type === 'class' || p.type === 'module') return p.childForFieldName('name')?.text;
  return undefined;
}

function symbols(tree: TSTree): IndexedSymbol[] {
  const out: IndexedSymbol[] = [];
  for (const match of queryFor('ruby', 'symbols', SYMBOLS).matches(tree.rootNode)) {
    const def = match.captures.find((c) => c.name !== 'name')!;
    const name = match.captures.find((c) => c.name === 'name')!.node.text;
    const parent = enclosingScope(def.node);
    const doc = leadingComment(def.node);
    const kind = def.name === 'method' ? (parent ? 'method' : 'function') : def.name === 'module' ? 'module' : 'class';
    out.push({ name, kind, line: lineOf(def.node), ...(parent ? { parent } : {}), ...(doc ? { doc } : {}) });
  }
  return out;
}

function symbolOrString(node: TSNode | null | undefined): string | undefined {
  if (!node) return undefined;
  if (node.type === 'simple_symbol' || node.type === 'hash_key_symbol') return node.text.replace(/^:/, '');
  return stringValue(node);
}

interface CallInfo {
  method: string;
  positional: TSNode[];
  options: Map<string, TSNode>;
  block: TSNode | null;
}

function callInfo(node: TSNode): CallInfo | undefined {
  if (node.type !== 'call' && node.type !== 'identifier') return undefined;
  if (node.type === 'identifier') return { method: node.text, positional: [], options: new Map(), block: null };
  if (node.childForFieldName('receiver')) return undefined;
  const method = node.childForFieldName('method')?.text;
  if (!method) return undefined;
  const positional: TSNode[] = [];
  const options = new Map<string, TSNode>();
  for (const arg of node.childForFieldName('arguments')?.namedChildren ?? []) {
    if (!arg) continue;
    if (arg.type === 'pair') {
      const key = arg.childForFieldName('key');
      const value = arg.childForFieldName('value');
      const keyText = symbolOrString(key);
      if (keyText !== undefined && value) options.set(key?.type === 'string' ? `=>${keyText}` : keyText, value);
    } else if (arg.type === 'hash') {
      for (const pair of arg.namedChildren) {
        const keyText = symbolOrString(pair?.childForFieldName('key'));
        const value = pair?.childForFieldName('value');
        if (keyText !== undefined && value) options.set(keyText, value);
      }
    } else positional.push(arg);
  }
  return { method, positional, options, block: node.childForFieldName('block') };
}

function symbolList(node: TSNode | undefined): string[] {
  if (!node) return [];
  if (node.type === 'array') return node.namedChildren.map((c) => symbolOrString(c)).filter((s): s is string => s !== undefined);
  const single = symbolOrString(node);
  return single === undefined ? [] : [single];
}

function blockStatements(block: TSNode | null): TSNode[] {
  if (!block) return [];
  const out: TSNode[] = [];
  for (const child of block.namedChildren) {
    if (!child) continue;
    if (child.type === 'body_statement' || child.type === 'block_body') out.push(...child.namedChildren.filter((c): c is TSNode => c !== null));
    else if (child.type !== 'block_parameters') out.push(child);
  }
  return out;
}

/** Rails `config/routes.rb`: walks the DSL, keeping the path prefix of namespaces, scopes and parent resources. */
function railsRoutes(nodes: readonly TSNode[], prefix: string, facts: RawFacts): void {
  for (const node of nodes) {
    const call = callInfo(node);
    if (!call) {
      // `Rails.application.routes.draw do … end` has a receiver: walk into its block.
      if (node.type === 'call') railsRoutes(blockStatements(node.childForFieldName('block')), prefix, facts);
      continue;
    }
    const line = lineOf(node);
    const name = symbolOrString(call.positional[0]);
    switch (call.method) {
      case 'namespace':
        if (name) railsRoutes(blockStatements(call.block), `${prefix}/${name}`, facts);
        break;
      case 'scope': {
        const path = name ?? symbolOrString(call.options.get('path')) ?? '';
        railsRoutes(blockStatements(call.block), path ? `${prefix}/${path.replace(/^\//, '')}` : prefix, facts);
        break;
      }
      case 'resources':
      case 'resource': {
        const singular = call.method === 'resource';
        const only = call.options.has('only') ? symbolList(call.options.get('only')) : undefined;
        const except = symbolList(call.options.get('except'));
        for (const positional of call.positional) {
          const resource = symbolOrString(positional);
          if (!resource) continue;
          const base = `${prefix}/${resource}`;
          const member = singular ? base : `${base}/:id`;
          for (const a of ACTIONS) {
            if ((only && !only.includes(a.action)) || except.includes(a.action) || (singular && a.action === 'index')) continue;
            const path = a.member ? `${member}${a.suffix}` : `${base}${a.suffix}`;
            facts.routes.push({ method: a.method, path, line, owners: [], handler: `${resource}#${a.action}`, framework: 'Rails' });
            if (a.action === 'update') facts.routes.push({ method: 'PUT', path, line, owners: [], handler: `${resource}#update`, framework: 'Rails' });
          }
          const nestedPrefix = singular ? base : `${base}/:${resource.replace(/ies$/, 'y').replace(/s$/, '')}_id`;
          for (const inner of blockStatements(call.block)) {
            const innerCall = callInfo(inner);
            if (innerCall?.method === 'member') railsRoutes(blockStatements(innerCall.block), member, facts);
            else if (innerCall?.method === 'collection') railsRoutes(blockStatements(innerCall.block), base, facts);
            else railsRoutes([inner], nestedPrefix, facts);
          }
        }
        break;
      }
      case 'root': {
        const to = symbolOrString(call.options.get('to')) ?? name;
        facts.routes.push({ method: 'GET', path: prefix || '/', line, owners: [], ...(to ? { handler: to } : {}), framework: 'Rails' });
        break;
      }
      case 'get':
      case 'post':
      case 'put':
      case 'patch':
      case 'delete':
      case 'match': {
        let path = name;
        let to = symbolOrString(call.options.get('to'));
        for (const [key, value] of call.options) {
          if (key.startsWith('=>')) {
            path = key.slice(2);
            to = symbolOrString(value);
          }
        }
        if (path === undefined) break;
        const methods = call.method === 'match' ? symbolList(call.options.get('via')).map((m) => m.toUpperCase()) : [call.method.toUpperCase()];
        for (const method of methods.length > 0 ? methods : ['ANY']) facts.routes.push({ method, path: `${prefix}/${path.replace(/^\//, '')}`, line, owners: [], ...(to ? { handler: to } : {}), framework: 'Rails' });
        break;
      }
      default:
        break;
    }
  }
}

export function extractRuby(tree: TSTree, path: string): FileExtract {
  const facts = emptyFacts();
  const root = tree.rootNode;
  const syms = symbols(tree);
  if (/(^|\/)config\/routes\.rb$/.test(path)) railsRoutes(root.namedChildren.filter((c): c is TSNode => c !== null), '', facts);
  let sinatra = false;
  const factMatches = /\b(require|require_relative|before_action|before_filter|get|post|put|patch|delete|describe|context|it|test)\b/.test(root.text) ? queryFor('ruby', 'facts', FACTS).matches(root) : [];
  for (const match of factMatches) {
    const call = match.captures.find((c) => c.name === 'call')!.node;
    const method = match.captures.find((c) => c.name === 'method')!.node.text;
    const first = match.captures.find((c) => c.name === 'first')?.node;
    if (method === 'require' || method === 'require_relative') {
      const source = stringValue(first) ?? '';
      facts.imports.push({ source, names: [] });
      if (source === 'sinatra' || source.startsWith('sinatra/')) sinatra = true;
      if (source === 'minitest/autorun' || source === 'minitest') pushUnique(facts.testSignals, 'Minitest');
      if (source === 'rspec' || source === 'spec_helper' || source === 'rails_helper') pushUnique(facts.testSignals, 'RSpec');
      if (source === 'test_helper') pushUnique(facts.testSignals, 'Minitest');
    } else if (method === 'before_action' || method === 'before_filter') {
      const name = symbolOrString(first);
      if (name && /auth|login|sign|user|admin|token|permission/i.test(name)) facts.auth.push({ name, line: lineOf(call), kind: 'before_action' });
    } else if (method === 'describe' || method === 'context' || method === 'it') {
      if (/_spec\.rb$/.test(path)) pushUnique(facts.testSignals, 'RSpec');
    } else if (method === 'test') {
      if (/_test\.rb$/.test(path)) pushUnique(facts.testSignals, 'Minitest');
    } else if (sinatra && call.parent?.type === 'program') {
      const routePath = stringValue(first);
      if (routePath?.startsWith('/')) facts.routes.push({ method: method.toUpperCase(), path: routePath, line: lineOf(call), owners: [], framework: 'Sinatra' });
    }
  }
  for (const match of queryFor('ruby', 'symbols', SYMBOLS).matches(root)) {
    const cls = match.captures.find((c) => c.name === 'class')?.node;
    const superclass = cls?.childForFieldName('superclass')?.text.replace(/^<\s*/, '') ?? '';
    if (/^(ActiveSupport::TestCase|Minitest::Test|ActionDispatch::IntegrationTest|ActionController::TestCase)$/.test(superclass)) pushUnique(facts.testSignals, 'Minitest');
    if (!cls || !/^(ApplicationRecord|ActiveRecord::Base)$/.test(superclass)) continue;
    facts.models.push({ name: cls.childForFieldName('name')?.text ?? '', line: lineOf(cls), framework: 'Active Record', fields: [] });
  }
  if (/(^|\/)config\.ru$/.test(path)) facts.entryPoints.push({ kind: 'rack_config', line: 1 });
  return { symbols: syms, facts };
}
