/**
 * Prisma schema files: the models, their fields and `@@map` table names. The grammar is small:
 * blocks `model|view|type Name { … }`, one field per line (`name Type modifiers @attributes`),
 * block attributes `@@…`, `//` and `///` comments. Tokenised per line, braces counted, strings
 * respected, so a `}` inside `@default("}")` does not end a block.
 */
import type { ModelFact } from './types';

/** Strips a `//` comment outside strings. */
function stripComment(line: string): string {
  let inString = false;
  for (let i = 0; i < line.length; i++) {
    const ch = line[i];
    if (ch === '\\' && inString) i++;
    else if (ch === '"') inString = !inString;
    else if (!inString && ch === '/' && line[i + 1] === '/') return line.slice(0, i);
  }
  return line;
}

export function parsePrismaSchema(text: string): Omit<ModelFact, 'file'>[] {
  const models: Omit<ModelFact, 'file'>[] = [];
  let current: Omit<ModelFact, 'file'> | undefined;
  let depth = 0;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = stripComment(raw).trim();
    if (line === '') return;
    if (!current) {
      const header = /^(model|view)\s+([A-Za-z_]\w*)\s*\{$/.exec(line);
      if (header) {
        current = { name: header[2]!, line: index + 1, framework: 'Prisma', fields: [] };
        depth = 1;
      } else if (/\{\s*$/.test(line)) depth++;
      else if (line === '}') depth = Math.max(0, depth - 1);
      return;
    }
    if (line.startsWith('}')) {
      models.push(current);
      current = undefined;
      depth = 0;
      return;
    }
    if (line.startsWith('@@')) {
      const map = /^@@map\(\s*(?:name:\s*)?"([^"]+)"/.exec(line);
      if (map) current.table = map[1]!;
      return;
    }
    const field = /^([A-Za-z_]\w*)\s+[A-Za-z_]\w*/.exec(line);
    if (field) current.fields.push(field[1]!);
  });
  return models;
}
