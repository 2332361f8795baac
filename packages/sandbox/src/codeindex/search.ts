/**
 * Ranked retrieval over the index (minisearch, BM25+): one document per file (its path segments, the
 * names of its symbols, its doc line and its symbols' docs, its route paths) and one per symbol (name,
 * doc, the file's path, the route it handles). Identifiers are split at camelCase, snake_case and
 * kebab-case; terms are lower-cased, lightly stemmed and mapped onto a few synonym groups
 * (reset/recovery, login/auth, delete/remove …), the same way at indexing and at query time.
 */
import MiniSearch from 'minisearch';
import type { IndexedFile, RouteFact, SearchHit, SearchOptions } from './types';

interface Doc {
  id: number;
  path: string;
  symbols: string;
  doc: string;
  route: string;
}

const FIELDS = ['path', 'symbols', 'doc', 'route'] as const;
const BOOST: Record<(typeof FIELDS)[number], number> = { path: 3, symbols: 1.5, doc: 1.2, route: 2 };
const FIELD_NAMES: Record<string, string> = { path: 'path', symbols: 'symbol', doc: 'doc', route: 'route' };
/** How many of the best files have their symbols ranked too. */
const SYMBOL_FILES = 30;

const STOP_WORDS: ReadonlySet<string> = new Set([
  'a', 'an', 'the', 'and', 'or', 'of', 'to', 'in', 'on', 'for', 'with', 'by', 'at', 'from', 'as', 'is', 'are', 'be', 'been', 'it', 'its',
  'this', 'that', 'these', 'those', 'via', 'into', 'when', 'then', 'each', 'every', 'any', 'all', 'so', 'if', 'not', 'no', 'we', 'our', 'us',
  'they', 'their', 'can', 'should', 'must', 'will', 'would', 'let', 'lets', 'allow', 'allows', 'make', 'makes', 'support', 'supports', 'need',
  'needs', 'want', 'wants', 'also', 'some', 'more', 'new', 'add', 'adds', 'using', 'use', 'uses', 'who', 'what', 'which', 'how', 'there', 'have',
  'has', 'do', 'does', 'get', 'set', 'src', 'lib', 'ts', 'tsx', 'js', 'jsx', 'mjs', 'py', 'go', 'rs', 'rb', 'java', 'kt', 'index', 'init', 'self', 'none',
  'true', 'false', 'null', 'return', 'returns', 'e', 'g', 'i', 'eg', 'ie',
]);

/** Synonym groups: every member is indexed and searched as the group's first word. */
const SYNONYMS: readonly (readonly string[])[] = [
  ['reset', 'recover', 'recovery', 'forgot', 'forgotten', 'restore'],
  ['login', 'signin', 'logon', 'auth', 'authenticate', 'authentication', 'authorize', 'authorization', 'credential', 'oauth', 'oauth2', 'jwt', 'bearer'],
  ['logout', 'signout', 'logoff'],
  ['signup', 'register', 'registration', 'enroll'],
  ['password', 'passwd', 'pwd', 'passphrase'],
  ['email', 'mail', 'smtp', 'mailer'],
  ['delete', 'remove', 'destroy', 'erase'],
  ['config', 'configuration', 'setting', 'settings', 'env', 'environment', 'option', 'options'],
  ['limit', 'quota', 'throttle', 'ratelimit'],
  ['refund', 'reimburse', 'chargeback'],
  ['payment', 'pay', 'charge', 'billing', 'checkout'],
  ['review', 'rating', 'rate'],
  ['tenant', 'tenancy', 'org', 'organization', 'organisation'],
  ['notify', 'notification', 'alert'],
  ['test', 'spec', 'tests'],
  ['user', 'account', 'profile'],
  ['token', 'tokens'],
  ['route', 'router', 'routes', 'endpoint', 'endpoints', 'handler', 'controller'],
  ['model', 'models', 'entity', 'schema', 'table'],
];

const CANONICAL = new Map<string, string>();
for (const group of SYNONYMS) for (const word of group) CANONICAL.set(word, group[0]!);

/** Light English stemming: plurals, -ing, -ed, -ation. */
export function stem(word: string): string {
  let w = word;
  if (w.length > 5 && w.endsWith('ies')) return `${w.slice(0, -3)}y`;
  if (w.length > 4 && w.endsWith('sses')) return w.slice(0, -2);
  if (w.length > 6 && w.endsWith('ation')) w = w.slice(0, -5);
  else if (w.length > 5 && w.endsWith('ing')) w = w.slice(0, -3);
  else if (w.length > 4 && w.endsWith('ed') && !w.endsWith('eed')) w = w.slice(0, -2);
  else if (w.length > 3 && w.endsWith('s') && !w.endsWith('ss') && !w.endsWith('us') && !w.endsWith('is')) w = w.slice(0, -1);
  // Doubled consonant left by -ing/-ed: "setting" → "sett" → "set".
  if (w.length > 3 && /([bdgklmnprt])\1$/.test(w) && w !== word) w = w.slice(0, -1);
  return w;
}

/** A term as indexed: lower case, stemmed, mapped to its synonym group; null for a stop word. */
export function normaliseTerm(term: string): string | null {
  const lower = term.toLowerCase();
  if (lower.length < 2 || STOP_WORDS.has(lower) || /^\d+$/.test(lower)) return null;
  const direct = CANONICAL.get(lower);
  if (direct) return direct;
  const stemmed = stem(lower);
  return CANONICAL.get(stemmed) ?? stemmed;
}

/** Splits text and identifiers into words: `getCurrentUser`, `password_reset.py`, `/password-recovery/{email}`. */
export function tokenize(text: string): string[] {
  const out: string[] = [];
  for (const chunk of text.split(/[^A-Za-z0-9]+/)) {
    if (chunk === '') continue;
    const words = chunk.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2').split(' ');
    for (const w of words) if (w !== '') out.push(w);
  }
  return out;
}

function pathText(file: string): string {
  // Drop the extension: it says the language, not the topic.
  return file.replace(/\.[A-Za-z0-9]+$/, '');
}

function terms(text: string): Set<string> {
  const out = new Set<string>();
  for (const word of tokenize(text)) {
    const term = normaliseTerm(word);
    if (term) out.add(term);
  }
  return out;
}

/**
 * Files are the documents of the BM25 index (one per file: its path, symbol names, docs, routes);
 * symbols are ranked afterwards, inside the best files only, by the query terms their name, doc and
 * route carry. An index of 20,000 files is 20,000 documents, not one per symbol.
 */
export class CodeSearch {
  private readonly mini: MiniSearch<Doc>;
  private readonly files: IndexedFile[] = [];
  private readonly routesByFile = new Map<string, RouteFact[]>();

  constructor(files: readonly IndexedFile[], routes: readonly RouteFact[]) {
    this.mini = new MiniSearch<Doc>({
      fields: [...FIELDS],
      storeFields: [],
      tokenize,
      processTerm: normaliseTerm,
      searchOptions: { boost: BOOST, combineWith: 'OR', prefix: (term) => term.length >= 6, weights: { fuzzy: 0.2, prefix: 0.3 } },
    });
    for (const r of routes) {
      const list = this.routesByFile.get(r.file) ?? [];
      list.push(r);
      this.routesByFile.set(r.file, list);
    }
    const docs: Doc[] = [];
    for (const file of files) {
      if (file.fixture || file.vendored || file.generated) continue;
      const fileRoutes = this.routesByFile.get(file.path) ?? [];
      docs.push({
        id: this.files.length,
        path: pathText(file.path),
        symbols: file.symbols.map((s) => s.name).join(' '),
        doc: [file.doc ?? '', ...file.symbols.map((s) => s.doc ?? '')].join(' '),
        route: fileRoutes.map((r) => r.path).join(' '),
      });
      this.files.push(file);
    }
    this.mini.addAll(docs);
  }

  /**
   * Each query term is searched on its own and its scores scaled to the best match of that term, then
   * weighted by how rare the term is: a rare word of the request ("refund") counts for more than a
   * common one ("order") that happens to fill many paths and names. A symbol's score is a share of
   * its file's: how much of the file's matching weight its name, doc and route carry (a symbol never
   * outranks its own file, but the right function of the best file comes before weaker files).
   */
  search(query: string, options: SearchOptions = {}): SearchHit[] {
    const limit = options.limit ?? 20;
    const queryTerms = [...terms(query)];
    if (queryTerms.length === 0) return [];
    const total = new Map<number, { score: number; fields: Set<string>; weights: Map<string, number> }>();
    const n = this.files.length;
    for (const term of queryTerms) {
      const results = this.mini.search(term, { processTerm: (t) => t, ...(options.excludeTests ? { filter: (r) => !this.files[r.id as number]?.test } : {}) });
      if (results.length === 0) continue;
      const best = results[0]!.score;
      const weight = Math.log(1 + n / results.length);
      for (const result of results) {
        const entry = total.get(result.id as number) ?? { score: 0, fields: new Set<string>(), weights: new Map<string, number>() };
        entry.score += weight * (result.score / best);
        entry.weights.set(term, weight);
        for (const fields of Object.values(result.match)) for (const f of fields) entry.fields.add(FIELD_NAMES[f] ?? f);
        total.set(result.id as number, entry);
      }
    }
    const ranked = [...total].sort((a, b) => b[1].score - a[1].score || a[0] - b[0]);
    const hits: SearchHit[] = [];
    ranked.forEach(([id, entry], rank) => {
      const file = this.files[id]!;
      hits.push({ path: file.path, score: entry.score, matched: [...entry.fields].sort() });
      if (rank < SYMBOL_FILES) hits.push(...this.symbolHits(file, entry.score, entry.weights));
    });
    hits.sort((a, b) => b.score - a.score);
    return hits.slice(0, limit).map((h) => ({ ...h, score: Math.round(h.score * 1000) / 1000 }));
  }

  private symbolHits(file: IndexedFile, fileScore: number, weights: ReadonlyMap<string, number>): SearchHit[] {
    let fileWeight = 0;
    for (const w of weights.values()) fileWeight += w;
    if (fileWeight === 0) return [];
    const routes = this.routesByFile.get(file.path) ?? [];
    const out: SearchHit[] = [];
    for (const symbol of file.symbols) {
      const name = terms(symbol.name);
      const doc = symbol.doc ? terms(symbol.doc) : new Set<string>();
      const handled = routes.filter((r) => r.handler === symbol.name || r.line === symbol.line);
      const route = terms(handled.map((r) => r.path).join(' '));
      let carried = 0;
      let named = 0;
      const matched = new Set<string>();
      for (const [term, weight] of weights) {
        const share = name.has(term) ? 1 : route.has(term) ? 0.8 : doc.has(term) ? 0.5 : 0;
        if (share === 0) continue;
        carried += weight * share;
        if (name.has(term)) {
          named++;
          matched.add('symbol');
        }
        if (route.has(term)) matched.add('route');
        if (doc.has(term)) matched.add('doc');
      }
      if (carried === 0) continue;
      const nameCoverage = name.size === 0 ? 0 : named / name.size;
      const share = 0.25 + 0.6 * (carried / fileWeight) + 0.08 * nameCoverage + (handled.length > 0 ? 0.05 : 0);
      out.push({ path: file.path, symbol: symbol.parent ? `${symbol.parent}.${symbol.name}` : symbol.name, line: symbol.line, score: fileScore * Math.min(0.98, share), matched: [...matched].sort() });
    }
    return out;
  }
}
