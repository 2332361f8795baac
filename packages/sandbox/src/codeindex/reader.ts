/**
 * Reads one file and keeps only what the index needs: size, lines, flags, symbols and raw facts (the
 * text is dropped as soon as the file is parsed). Used in this thread for small trees and by the
 * parse workers for large ones.
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { extractGo } from './extract/go';
import { extractJava } from './extract/java';
import { extractJavaScript } from './extract/javascript';
import { extractPython } from './extract/python';
import { compactFacts, emptyFacts, type FileExtract, type RawFacts } from './extract/raw';
import { extractRuby } from './extract/ruby';
import { extractRust } from './extract/rust';
import { parsePrismaSchema } from './prisma';
import { basenameOf, grammarOf, hasGeneratedHeader, isTestPath, languageOf, type GrammarId } from './languages';
import { manifestKindOf, readManifestText } from './manifests';
import { loadGrammars, parserFor } from './treesitter';
import type { IndexedFile, ManifestFact } from './types';
import type { WalkEntry } from './walk';

export interface ReadResult {
  file: IndexedFile;
  facts?: Partial<RawFacts>;
  manifest?: ManifestFact;
}

/** Files above this are listed with their size only. */
const MAX_READ_BYTES = 16 * 1024 * 1024;

const CONFIG_FILE = /^(application|bootstrap)(-[\w-]+)?\.(properties|ya?ml)$|^\.env\.(example|sample|template|dist)$|^appsettings(\.[\w-]+)?\.json$|^config\.(ya?ml|toml|json)$|^settings\.(ya?ml|toml|json)$/;

function countLines(text: string): number {
  if (text === '') return 0;
  let n = 0;
  for (let i = text.indexOf('\n'); i >= 0; i = text.indexOf('\n', i + 1)) n++;
  return text.endsWith('\n') ? n : n + 1;
}

function isBinary(buffer: Buffer): boolean {
  const end = Math.min(buffer.length, 8000);
  for (let i = 0; i < end; i++) if (buffer[i] === 0) return true;
  return false;
}

/** Grammars the files of a walk will need, so they can be loaded before parsing. */
export function grammarsFor(entries: readonly WalkEntry[]): Set<GrammarId> {
  const out = new Set<GrammarId>();
  for (const e of entries) {
    if (e.vendored || e.fixture || e.generatedByName) continue;
    const grammar = grammarOf(e.path);
    if (grammar) out.add(grammar);
  }
  return out;
}

export async function prepareReader(entries: readonly WalkEntry[]): Promise<void> {
  await loadGrammars(grammarsFor(entries));
}

function extract(grammar: GrammarId, text: string, rel: string): FileExtract {
  const tree = parserFor(grammar).parse(text);
  if (!tree) return { symbols: [], facts: emptyFacts() };
  try {
    switch (grammar) {
      case 'python': return extractPython(tree, text, rel);
      case 'typescript':
      case 'tsx':
      case 'javascript': return extractJavaScript(tree, text, grammar, rel);
      case 'java': return extractJava(tree, text);
      case 'go': return extractGo(tree, text, rel);
      case 'rust': return extractRust(tree, rel);
      case 'ruby': return extractRuby(tree, rel);
    }
  } finally {
    tree.delete();
  }
}

/** Reads, classifies and (when it is source) parses one file; null for a binary file. */
export function readIndexedFile(root: string, entry: WalkEntry, maxParseBytes: number): ReadResult | null {
  const rel = entry.path;
  const abs = path.join(root, rel);
  const language = languageOf(rel);
  const base: IndexedFile = { path: rel, language, bytes: 0, lines: 0, generated: entry.generatedByName, vendored: entry.vendored, test: isTestPath(rel), symbols: [], ...(entry.fixture ? { fixture: true } : {}) };
  let buffer: Buffer;
  try {
    // Synchronous on purpose: files are read one after another (in a worker, or a small tree in this
    // thread), and a thread-pool round trip per file costs more than the read itself.
    const info = statSync(abs);
    base.bytes = info.size;
    if (info.size > MAX_READ_BYTES) return { file: base };
    buffer = readFileSync(abs);
  } catch {
    return { file: base }; // vanished or unreadable between the walk and now: listed, empty
  }
  if (isBinary(buffer)) return null;
  const text = buffer.toString('utf8');
  base.lines = countLines(text);
  if (!base.generated && hasGeneratedHeader(text)) base.generated = true;
  if (entry.vendored || entry.fixture) return { file: base };
  const out: ReadResult = { file: base };
  const kind = manifestKindOf(rel);
  if (kind && !base.generated) out.manifest = readManifestText(rel, kind, text);
  if (base.generated) return out;
  const name = basenameOf(rel);
  if (name.endsWith('.prisma')) {
    const facts = emptyFacts();
    facts.models.push(...parsePrismaSchema(text));
    out.facts = compactFacts(facts) ?? {};
    return out;
  }
  if (CONFIG_FILE.test(name)) {
    const facts = emptyFacts();
    facts.settings.push({ name, line: 1, kind: 'config_file' });
    out.facts = compactFacts(facts) ?? {};
  }
  const grammar = grammarOf(rel);
  if (!grammar || base.bytes > maxParseBytes) return out;
  const extracted = extract(grammar, text, rel);
  base.symbols = extracted.symbols;
  if (extracted.doc) base.doc = extracted.doc;
  const facts = compactFacts(extracted.facts);
  if (facts) out.facts = facts;
  return out;
}
