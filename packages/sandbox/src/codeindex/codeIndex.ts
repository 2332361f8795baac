/** The {@link CodeIndex} object over the plain data of an index (built or read from the cache). */
import { languageOf } from './languages';
import { CodeSearch } from './search';
import type { CodeFacts, CodeIndex, IndexedFile, SearchHit, SearchOptions, SerializedCodeIndex } from './types';

/** Bumped whenever what an index holds changes: cache files of another version are rebuilt. */
export const CODE_INDEX_VERSION = 1;

function normalise(p: string): string {
  return p.replace(/\\/g, '/').replace(/^\.\/+/, '').replace(/\/+$/, '').replace(/^\/+/, '');
}

class Index implements CodeIndex {
  readonly root: string;
  readonly commit: string | null;
  readonly files: readonly IndexedFile[];
  readonly dirs: readonly string[];
  readonly facts: CodeFacts;
  readonly filesIndexed: number;
  readonly truncated: boolean;
  readonly skipped: Readonly<Record<string, number>>;
  readonly languages: readonly { name: string; files: number }[];
  readonly testRunners: readonly string[];
  private readonly byPath: ReadonlyMap<string, IndexedFile>;
  private readonly dirSet: ReadonlySet<string>;
  private searcher: CodeSearch | undefined;

  constructor(root: string, data: SerializedCodeIndex) {
    this.root = root;
    this.commit = data.commit;
    this.files = data.files;
    this.facts = data.facts;
    this.filesIndexed = data.filesIndexed;
    this.truncated = data.truncated;
    this.skipped = data.skipped;
    this.byPath = new Map(data.files.map((f) => [f.path, f]));
    const dirs = new Set<string>(data.dirs);
    for (const f of data.files) for (let i = f.path.indexOf('/'); i >= 0; i = f.path.indexOf('/', i + 1)) dirs.add(f.path.slice(0, i));
    this.dirSet = dirs;
    this.dirs = [...dirs].sort();
    const counts = new Map<string, number>();
    for (const f of data.files) if (f.language && !f.generated && !f.vendored && !f.fixture) counts.set(f.language, (counts.get(f.language) ?? 0) + 1);
    this.languages = [...counts].map(([name, files]) => ({ name, files })).sort((a, b) => b.files - a.files || (a.name < b.name ? -1 : 1));
    this.testRunners = data.facts.tests.runners;
  }

  exists(p: string): boolean {
    const n = normalise(p);
    return n === '' || this.byPath.has(n) || this.dirSet.has(n);
  }

  isDir(p: string): boolean {
    const n = normalise(p);
    return n === '' || this.dirSet.has(n);
  }

  languageOf(p: string): string | null {
    return languageOf(p);
  }

  file(p: string): IndexedFile | undefined {
    return this.byPath.get(normalise(p));
  }

  search(query: string, options?: SearchOptions): SearchHit[] {
    this.searcher ??= new CodeSearch(this.files, this.facts.routes);
    return this.searcher.search(query, options);
  }

  toJSON(): SerializedCodeIndex {
    return { version: CODE_INDEX_VERSION, commit: this.commit, files: [...this.files], dirs: [...this.dirs], facts: this.facts, filesIndexed: this.filesIndexed, truncated: this.truncated, skipped: { ...this.skipped } };
  }
}

export function createCodeIndex(root: string, data: SerializedCodeIndex): CodeIndex {
  return new Index(root, data);
}

/** Reads an index back from its JSON (the cache file); undefined when it is of another version or malformed. */
export function codeIndexFromJSON(root: string, json: unknown): CodeIndex | undefined {
  const data = json as Partial<SerializedCodeIndex> | null;
  if (!data || data.version !== CODE_INDEX_VERSION || !Array.isArray(data.files) || !data.facts || !Array.isArray(data.dirs)) return undefined;
  return new Index(root, data as SerializedCodeIndex);
}
