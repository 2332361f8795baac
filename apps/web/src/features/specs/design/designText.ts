import type { Design } from '@specline/protocol';

/** The edit dialog writes endpoints one per line: `METHOD /path — description`. */
export function endpointsToText(design: Pick<Design, 'api_spec'> | null): string {
  return (design?.api_spec ?? []).map((e) => `${e.method} ${e.path}${e.description ? ` — ${e.description}` : ''}`).join('\n');
}

export interface ParsedLines<T> {
  items: T[];
  /** 1-based numbers of lines that could not be read. */
  badLines: number[];
}

export function textToEndpoints(text: string): ParsedLines<{ method: string; path: string; description: string }> {
  const items: { method: string; path: string; description: string }[] = [];
  const badLines: number[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    const match = /^([A-Za-z]+)\s+(\S+)(?:\s+(?:—|–|-)\s*(.*))?$/.exec(line);
    if (!match?.[1] || !match[2]) badLines.push(index + 1);
    else items.push({ method: match[1].toUpperCase(), path: match[2], description: match[3]?.trim() ?? '' });
  });
  return { items, badLines };
}

/** Components one per line: `ID | Name | responsibility | file path (optional)`. */
export function componentsToText(design: Pick<Design, 'components'> | null): string {
  return (design?.components ?? []).map((c) => [c.id, c.name, c.responsibility, c.file_path ?? ''].join(' | ').replace(/ \| $/, '')).join('\n');
}

export function textToComponents(text: string): ParsedLines<{ id: string; name: string; responsibility: string; file_path?: string }> {
  const items: { id: string; name: string; responsibility: string; file_path?: string }[] = [];
  const badLines: number[] = [];
  text.split('\n').forEach((raw, index) => {
    const line = raw.trim();
    if (!line) return;
    const [id, name, responsibility = '', filePath] = line.split('|').map((part) => part.trim());
    if (!id || !name) badLines.push(index + 1);
    else items.push({ id, name, responsibility, ...(filePath ? { file_path: filePath } : {}) });
  });
  return { items, badLines };
}
