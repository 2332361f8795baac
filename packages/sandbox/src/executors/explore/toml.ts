/**
 * A small TOML reader, enough for manifests (pyproject.toml, Cargo.toml, Pipfile): tables, array
 * tables, dotted keys, strings, numbers, booleans, arrays (also across lines) and inline tables.
 * Multi-line strings are read as their first line. Not a validator: odd input yields what could be read.
 */

export type TomlValue = string | number | boolean | TomlValue[] | { [key: string]: TomlValue };
/** Table path (`''` for the root, `project.optional-dependencies`, …) → its keys. */
export type TomlTables = Map<string, Record<string, TomlValue>>;

/** Removes a `#` comment that is outside quotes. */
function stripComment(line: string): string {
  let quote: string | null = null;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i]!;
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '#') return line.slice(0, i);
  }
  return line;
}

/** Bracket depth change of a line, ignoring brackets inside quotes. */
function depthDelta(text: string): number {
  let depth = 0;
  let quote: string | null = null;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === '\\' && quote === '"') i++;
      else if (ch === quote) quote = null;
    } else if (ch === '"' || ch === "'") quote = ch;
    else if (ch === '[' || ch === '{') depth++;
    else if (ch === ']' || ch === '}') depth--;
  }
  return depth;
}

function unquoteKey(key: string): string {
  return key
    .split('.')
    .map((part) => part.trim().replace(/^["']|["']$/g, ''))
    .join('.');
}

class ValueReader {
  pos = 0;
  constructor(private readonly src: string) {}

  private skipSpace(): void {
    while (this.pos < this.src.length && /[\s,]/.test(this.src[this.pos]!)) this.pos++;
  }

  read(): TomlValue {
    this.skipSpace();
    const ch = this.src[this.pos];
    if (ch === '"' || ch === "'") return this.readString(ch);
    if (ch === '[') return this.readArray();
    if (ch === '{') return this.readTable();
    const match = /^[^,\]}\s]+/.exec(this.src.slice(this.pos));
    const raw = match?.[0] ?? '';
    this.pos += Math.max(raw.length, 1);
    if (raw === 'true') return true;
    if (raw === 'false') return false;
    const num = Number(raw.replace(/_/g, ''));
    return raw !== '' && Number.isFinite(num) ? num : raw;
  }

  private readString(quote: string): string {
    const triple = this.src.startsWith(quote.repeat(3), this.pos);
    this.pos += triple ? 3 : 1;
    let out = '';
    while (this.pos < this.src.length) {
      const ch = this.src[this.pos]!;
      if (triple ? this.src.startsWith(quote.repeat(3), this.pos) : ch === quote) {
        this.pos += triple ? 3 : 1;
        return out;
      }
      if (ch === '\\' && quote === '"') {
        const esc = this.src[this.pos + 1] ?? '';
        out += esc === 'n' ? '\n' : esc === 't' ? '\t' : esc;
        this.pos += 2;
        continue;
      }
      out += ch;
      this.pos++;
    }
    return out;
  }

  private readArray(): TomlValue[] {
    this.pos++;
    const items: TomlValue[] = [];
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.src.length || this.src[this.pos] === ']') {
        this.pos++;
        return items;
      }
      items.push(this.read());
    }
  }

  private readTable(): Record<string, TomlValue> {
    this.pos++;
    const table: Record<string, TomlValue> = {};
    for (;;) {
      this.skipSpace();
      if (this.pos >= this.src.length || this.src[this.pos] === '}') {
        this.pos++;
        return table;
      }
      const eq = this.src.indexOf('=', this.pos);
      if (eq < 0) {
        this.pos = this.src.length;
        return table;
      }
      const key = unquoteKey(this.src.slice(this.pos, eq));
      this.pos = eq + 1;
      table[key] = this.read();
    }
  }
}

export function parseToml(text: string): TomlTables {
  const tables: TomlTables = new Map([['', {}]]);
  let current = tables.get('')!;
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = stripComment(lines[i]!).trim();
    if (line === '') continue;
    const header = /^\[\[?\s*([^\]]+?)\s*\]\]?$/.exec(line);
    if (header) {
      const name = unquoteKey(header[1]!);
      current = tables.get(name) ?? {};
      tables.set(name, current);
      continue;
    }
    const eq = line.indexOf('=');
    if (eq <= 0) continue;
    const key = unquoteKey(line.slice(0, eq));
    let valueText = line.slice(eq + 1).trim();
    let depth = depthDelta(valueText);
    while (depth > 0 && i + 1 < lines.length) {
      const more = stripComment(lines[++i]!);
      valueText += `\n${more}`;
      depth += depthDelta(more);
    }
    current[key] = new ValueReader(valueText).read();
  }
  return tables;
}
