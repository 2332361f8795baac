/**
 * The repository overview the model reads first (part of the cached prompt prefix): the EXPLORE
 * facts rendered as compact Markdown. Data only: the instructions around it are in `prompts/`.
 */
import { asArray, asRecord } from '../../analysis/shape';

const MAX_CHARS = 16_000;

const s = (v: unknown): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);
const n = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);
const at = (file: unknown, line: unknown) => `${s(file) ?? '?'}${n(line) !== undefined ? `:${n(line)}` : ''}`;

function section(title: string, lines: string[], max: number): string[] {
  if (lines.length === 0) return [];
  const shown = lines.slice(0, max);
  if (lines.length > max) shown.push(`- … ${lines.length - max} more`);
  return [`## ${title}`, ...shown, ''];
}

/** The EXPLORE output (or the static draft of it) as the overview text. */
export function renderOverview(explore: unknown): string {
  const e = asRecord(explore);
  if (!e) return '';
  const out: string[] = [];
  const summary = s(e['codebase_summary']);
  if (summary) out.push('## Summary', summary, '');
  const stack: string[] = [];
  if (s(e['project_type'])) stack.push(`- Project type: ${s(e['project_type'])}`);
  const languages = asArray(e['languages']).flatMap((l) => {
    const r = asRecord(l);
    return s(r?.['name']) ? [`${s(r?.['name'])} (${n(r?.['files']) ?? 0} files)`] : [];
  });
  if (languages.length) stack.push(`- Languages: ${languages.slice(0, 8).join(', ')}`);
  const frameworks = asArray(e['frameworks']).flatMap((f) => (s(f) ? [s(f)!] : []));
  if (frameworks.length) stack.push(`- Frameworks: ${frameworks.join(', ')}`);
  const tech = asArray(e['tech_stack']).flatMap((f) => (s(f) ? [s(f)!] : []));
  if (tech.length) stack.push(`- Tech stack: ${tech.slice(0, 20).join(', ')}`);
  const workspaces = asArray(e['workspaces']).flatMap((f) => (s(f) ? [s(f)!] : []));
  if (workspaces.length) stack.push(`- Workspaces: ${workspaces.join(', ')}`);
  const conventions = asRecord(e['conventions']);
  if (conventions) {
    const parts = Object.entries(conventions).flatMap(([k, v]) => (typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? [`${k}: ${String(v)}`] : []));
    if (parts.length) stack.push(`- Conventions: ${parts.slice(0, 12).join('; ')}`);
  }
  if (n(e['files_scanned']) !== undefined) stack.push(`- Files scanned: ${n(e['files_scanned'])}`);
  if (s(e['repo_commit'])) stack.push(`- Commit: ${s(e['repo_commit'])}`);
  out.push(...section('Stack', stack, 20));

  const structure = asRecord(e['structure']);
  out.push(...section('Structure', structure ? Object.entries(structure).map(([dir, what]) => `- ${dir}: ${typeof what === 'string' ? what : JSON.stringify(what)}`) : [], 30));
  out.push(...section('Entry points', asArray(e['entry_points']).flatMap((p) => (s(p) ? [`- ${s(p)}`] : [])), 15));
  out.push(
    ...section(
      'Key files',
      asArray(e['key_files']).flatMap((k) => {
        const r = asRecord(k);
        return s(r?.['path']) ? [`- ${s(r?.['path'])}${s(r?.['purpose']) ? `: ${s(r?.['purpose'])}` : ''}`] : [];
      }),
      30,
    ),
  );
  out.push(
    ...section(
      'Routes',
      asArray(e['routes']).flatMap((x) => {
        const r = asRecord(x);
        return s(r?.['path']) ? [`- ${s(r?.['method']) ?? 'ANY'} ${s(r?.['path'])} (${at(r?.['file'], r?.['line'])}${s(r?.['framework']) ? `, ${s(r?.['framework'])}` : ''})`] : [];
      }),
      40,
    ),
  );
  out.push(
    ...section(
      'Data models',
      asArray(e['data_models']).flatMap((x) => {
        const r = asRecord(x);
        const fields = asArray(r?.['fields']).flatMap((f) => (s(f) ? [s(f)!] : []));
        return s(r?.['name']) ? [`- ${s(r?.['name'])} (${at(r?.['file'], r?.['line'])}${s(r?.['framework']) ? `, ${s(r?.['framework'])}` : ''})${fields.length ? `: ${fields.slice(0, 15).join(', ')}` : ''}`] : [];
      }),
      25,
    ),
  );
  for (const [key, title] of [
    ['settings', 'Settings'],
    ['auth', 'Authentication'],
  ] as const) {
    out.push(
      ...section(
        title,
        asArray(e[key]).flatMap((x) => {
          const r = asRecord(x);
          return s(r?.['name']) ? [`- ${s(r?.['name'])} (${at(r?.['file'], r?.['line'])}${s(r?.['kind']) ? `, ${s(r?.['kind'])}` : ''})`] : [];
        }),
        15,
      ),
    );
  }
  const tests: string[] = [];
  const layout = asRecord(e['test_layout']);
  if (layout) {
    if (s(layout['runner'])) tests.push(`- Runner: ${s(layout['runner'])}`);
    if (s(layout['command'])) tests.push(`- Command: ${s(layout['command'])}`);
    if (s(layout['layout'])) tests.push(`- Layout: ${s(layout['layout'])}${asArray(layout['dirs']).length ? ` (${asArray(layout['dirs']).join(', ')})` : ''}`);
    if (s(layout['pattern'])) tests.push(`- File pattern: ${s(layout['pattern'])} (${n(layout['files']) ?? 0} files)`);
    const examples = asArray(layout['examples']).flatMap((x) => (s(x) ? [s(x)!] : []));
    if (examples.length) tests.push(`- Examples: ${examples.slice(0, 5).join(', ')}`);
  }
  if (s(e['test_structure'])) tests.push(`- ${s(e['test_structure'])}`);
  out.push(...section('Tests', tests, 10));
  out.push(
    ...section(
      'Code related to the request',
      asArray(e['related_code']).flatMap((x) => {
        const r = asRecord(x);
        return s(r?.['path']) ? [`- ${at(r?.['path'], r?.['line'])}${s(r?.['symbol']) ? ` ${s(r?.['symbol'])}` : ''}${s(r?.['reason']) ? `: ${s(r?.['reason'])}` : ''}`] : [];
      }),
      15,
    ),
  );
  const text = out.join('\n').trim();
  return text.length > MAX_CHARS ? `${text.slice(0, MAX_CHARS)}\n… (overview cut at ${MAX_CHARS} characters)` : text;
}
