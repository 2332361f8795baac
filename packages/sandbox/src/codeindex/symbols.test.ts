import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTree } from '../executors/__fixtures__/tree';
import { buildCodeIndex } from './build';
import type { CodeIndex, IndexedSymbol } from './types';

/** Small files in each parsed language, with the symbols tree-sitter must find in them. */
const FILES: Record<string, string> = {
  'web/src/userService.ts': [
    '/** Reads and writes users. */',
    'export class UserService {',
    '  constructor(private readonly db: Db) {}',
    '  /** The user with this id. */',
    '  async find(id: string): Promise<User | undefined> { return undefined; }',
    '}',
    'export interface User { id: string; email: string }',
    'export type UserId = string;',
    'export enum Role { Admin, Member }',
    '// Hashes a password with scrypt.',
    'export const hashPassword = async (pw: string) => pw;',
    'export function isAdmin(u: User): boolean { return false; }',
    'const LIMIT = 10;',
    'function helper() { function inner() {} return inner; }',
  ].join('\n'),
  'web/src/App.tsx': 'export function App() {\n  return <div className="app">hi</div>;\n}\n',
  'web/legacy.js': '// Legacy helpers.\nfunction legacy(a) { return a; }\nmodule.exports = { legacy };\nclass Old { run() {} }\n',
  'py/billing/invoices.py': [
    '"""Invoices and their totals."""',
    'class Invoice:',
    '    """An invoice sent to a customer."""',
    '    def total(self) -> int:',
    '        """Sum of the lines."""',
    '        return 0',
    '',
    '# Makes an invoice from an order.',
    'def invoice_for(order):',
    '    def nested():',
    '        pass',
    '    return Invoice()',
  ].join('\n'),
  'go/store/store.go': [
    '// Package store keeps orders.',
    'package store',
    '',
    '// Order is a placed order.',
    'type Order struct {',
    '\tID int',
    '}',
    '',
    '// Repo loads orders.',
    'type Repo interface {',
    '\tGet(id int) (*Order, error)',
    '}',
    '',
    'type ID = int',
    '',
    '// Total of the order.',
    'func (o *Order) Total() int { return 0 }',
    '',
    '// New makes a store.',
    'func New() *Repo { return nil }',
  ].join('\n'),
  'java/src/main/java/shop/OrderService.java': [
    'package shop;',
    '',
    '/**',
    ' * Places orders.',
    ' */',
    'public class OrderService {',
    '    /** Places one order. */',
    '    public Order place(Cart cart) { return null; }',
    '    enum Status { NEW, PAID }',
    '}',
    'interface Cart {}',
    'record Order(String id) {}',
  ].join('\n'),
  'rust/src/lib.rs': [
    '//! Shop library.',
    '/// A product.',
    '#[derive(Debug)]',
    'pub struct Product { pub id: u32 }',
    'pub enum Kind { Book, Game }',
    '/// Something with a price.',
    'pub trait Priced { fn price(&self) -> u32; }',
    'impl Product {',
    '    /// Makes a product.',
    '    pub fn new(id: u32) -> Self { Product { id } }',
    '}',
    'pub type Id = u32;',
    'pub const MAX: u32 = 10;',
    'pub mod util { pub fn helper() {} }',
    'pub fn catalog() -> Vec<Product> { vec![] }',
  ].join('\n'),
  'ruby/app/models/order.rb': [
    '# An order of a customer.',
    'class Order < ApplicationRecord',
    '  # Total in cents.',
    '  def total_cents',
    '    0',
    '  end',
    '  def self.recent; end',
    'end',
    'module Billing',
    '  class Invoice; end',
    'end',
  ].join('\n'),
};

function pick(index: CodeIndex, path: string): Omit<IndexedSymbol, 'line'>[] {
  return (index.file(path)?.symbols ?? []).map(({ line: _line, ...rest }) => rest);
}

describe('symbols from tree-sitter', () => {
  let tree: Awaited<ReturnType<typeof makeTree>>;
  let index: CodeIndex;
  beforeAll(async () => {
    tree = await makeTree(FILES);
    index = await buildCodeIndex(tree.root, { commit: null, workers: 0 });
  });
  afterAll(() => tree.cleanup());

  it('TypeScript: classes, methods with their class, interfaces, types, enums, arrow and declared functions, constants; nested helpers left out', () => {
    expect(pick(index, 'web/src/userService.ts')).toEqual([
      { name: 'UserService', kind: 'class', doc: 'Reads and writes users.' },
      { name: 'constructor', kind: 'method', parent: 'UserService' },
      { name: 'find', kind: 'method', parent: 'UserService', doc: 'The user with this id.' },
      { name: 'isAdmin', kind: 'function' },
      { name: 'helper', kind: 'function' },
      { name: 'hashPassword', kind: 'function', doc: 'Hashes a password with scrypt.' },
      { name: 'LIMIT', kind: 'constant' },
      { name: 'User', kind: 'interface' },
      { name: 'UserId', kind: 'type' },
      { name: 'Role', kind: 'enum' },
    ].sort(bySymbolOrder(index, 'web/src/userService.ts')));
    expect(index.file('web/src/userService.ts')?.symbols.find((s) => s.name === 'find')?.line).toBe(5);
  });

  it('TSX and JavaScript', () => {
    expect(pick(index, 'web/src/App.tsx')).toEqual([{ name: 'App', kind: 'function' }]);
    expect(pick(index, 'web/legacy.js')).toEqual(expect.arrayContaining([{ name: 'legacy', kind: 'function', doc: 'Legacy helpers.' }, { name: 'Old', kind: 'class' }, { name: 'run', kind: 'method', parent: 'Old' }]));
    expect(index.file('web/legacy.js')?.language).toBe('JavaScript');
  });

  it('Python: classes and methods with docstrings, functions with their leading comment, nested functions left out; module docstring', () => {
    expect(pick(index, 'py/billing/invoices.py')).toEqual([
      { name: 'Invoice', kind: 'class', doc: 'An invoice sent to a customer.' },
      { name: 'total', kind: 'method', parent: 'Invoice', doc: 'Sum of the lines.' },
      { name: 'invoice_for', kind: 'function', doc: 'Makes an invoice from an order.' },
    ]);
    expect(index.file('py/billing/invoices.py')?.doc).toBe('Invoices and their totals.');
  });

  it('Go: structs, interfaces, types, methods with their receiver, functions, doc comments', () => {
    expect(pick(index, 'go/store/store.go')).toEqual([
      { name: 'Order', kind: 'struct', doc: 'Order is a placed order.' },
      { name: 'Repo', kind: 'interface', doc: 'Repo loads orders.' },
      { name: 'ID', kind: 'type' },
      { name: 'Total', kind: 'method', parent: 'Order', doc: 'Total of the order.' },
      { name: 'New', kind: 'function', doc: 'New makes a store.' },
    ]);
    expect(index.file('go/store/store.go')?.doc).toBe('Package store keeps orders.');
  });

  it('Java: classes, methods, nested enums, interfaces and records with Javadoc', () => {
    expect(pick(index, 'java/src/main/java/shop/OrderService.java')).toEqual([
      { name: 'OrderService', kind: 'class', doc: 'Places orders.' },
      { name: 'place', kind: 'method', parent: 'OrderService', doc: 'Places one order.' },
      { name: 'Status', kind: 'enum', parent: 'OrderService' },
      { name: 'Cart', kind: 'interface' },
      { name: 'Order', kind: 'class' },
    ]);
  });

  it('Rust: structs (doc above the attributes), enums, traits with their methods, impl methods, type aliases, constants, modules, functions', () => {
    const symbols = pick(index, 'rust/src/lib.rs');
    expect(symbols).toEqual(
      expect.arrayContaining([
        { name: 'Product', kind: 'struct', doc: 'A product.' },
        { name: 'Kind', kind: 'enum' },
        { name: 'Priced', kind: 'trait', doc: 'Something with a price.' },
        { name: 'price', kind: 'method', parent: 'Priced' },
        { name: 'new', kind: 'method', parent: 'Product', doc: 'Makes a product.' },
        { name: 'Id', kind: 'type' },
        { name: 'MAX', kind: 'constant' },
        { name: 'util', kind: 'module' },
        { name: 'helper', kind: 'function' },
        { name: 'catalog', kind: 'function' },
      ]),
    );
    expect(index.file('rust/src/lib.rs')?.doc).toBe('Shop library.');
  });

  it('Ruby: classes, modules, methods with their class, singleton methods, comments', () => {
    expect(pick(index, 'ruby/app/models/order.rb')).toEqual([
      { name: 'Order', kind: 'class', doc: 'An order of a customer.' },
      { name: 'total_cents', kind: 'method', parent: 'Order', doc: 'Total in cents.' },
      { name: 'recent', kind: 'method', parent: 'Order' },
      { name: 'Billing', kind: 'module' },
      { name: 'Invoice', kind: 'class', parent: 'Billing' },
    ]);
    expect(index.facts.models).toEqual([expect.objectContaining({ name: 'Order', file: 'ruby/app/models/order.rb', framework: 'Active Record' })]);
  });

  it('counts languages by file, one per parsed language', () => {
    expect(index.languages).toEqual([
      { name: 'TypeScript', files: 2 },
      { name: 'Go', files: 1 },
      { name: 'Java', files: 1 },
      { name: 'JavaScript', files: 1 },
      { name: 'Python', files: 1 },
      { name: 'Ruby', files: 1 },
      { name: 'Rust', files: 1 },
    ]);
    expect(index.languageOf('a/b.py')).toBe('Python');
    expect(index.languageOf('README.md')).toBeNull();
  });
});

/** The index lists symbols in query-match order; the test compares as sets with the index's order. */
function bySymbolOrder(index: CodeIndex, path: string) {
  const order = (index.file(path)?.symbols ?? []).map((s) => s.name);
  return (a: { name: string }, b: { name: string }) => order.indexOf(a.name) - order.indexOf(b.name);
}
