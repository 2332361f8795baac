/** `inspect <events.jsonl>`: the phase summary table and the (filtered) events, or JSON. */
import { resolve } from 'node:path';
import { parsePhase } from '@specline/protocol';
import type { Phase, SpecEvent } from '@specline/protocol';
import { formatEvent } from '../reporters/consoleFormat';
import { shouldColor } from '../reporters/consoleReporter';
import { readEvents } from '../reporters/jsonlReporter';
import type { Flags } from './config';
import { EXIT, UsageError, writeLine } from './io';
import type { CliIO, ExitCode } from './io';
import { formatSummary, summarizeRun } from './summary';

const strings = (value: Flags[string]): string[] =>
  (Array.isArray(value) ? value : typeof value === 'string' ? [value] : []).flatMap((v) => v.split(',')).map((v) => v.trim()).filter(Boolean);

/** `phase_failed` and `spec.phase_failed` both match `spec.phase_failed`. */
function typeMatcher(types: string[]): (event: SpecEvent) => boolean {
  if (types.length === 0) return () => true;
  const wanted = new Set(types.flatMap((t) => [t, `spec.${t}`]));
  return (event) => wanted.has(event.event_type);
}

export async function inspectCommand(flags: Flags, positionals: string[], io: CliIO): Promise<ExitCode> {
  const [file, ...rest] = positionals;
  if (!file || rest.length > 0) throw new UsageError('inspect takes one events file: specline-sandbox inspect <events.jsonl> [--type T] [--phase P] [--json]');
  const phases: Phase[] = strings(flags['phase']).map((name) => {
    const phase = parsePhase(name);
    if (!phase) throw new UsageError(`--phase="${name}": not a phase`);
    return phase;
  });
  let events: SpecEvent[];
  try {
    events = await readEvents(resolve(io.cwd, file));
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(code === 'ENOENT' ? `${file}: no such file` : error instanceof Error ? error.message : String(error));
  }
  const summary = summarizeRun(events);
  const byType = typeMatcher(strings(flags['type']));
  const selected = events.filter((event) => byType(event) && (phases.length === 0 || (event.phase !== null && phases.includes(event.phase))));

  if (flags['json'] === true) {
    writeLine(io.stdout, JSON.stringify({ summary, events: selected }, null, 2));
    return EXIT.ok;
  }
  for (const line of formatSummary(summary)) writeLine(io.stdout, line);
  writeLine(io.stdout);
  const filtered = selected.length !== events.length;
  writeLine(io.stdout, filtered ? `Events (${selected.length} of ${events.length}):` : `Events (${events.length}):`);
  const color = shouldColor(io.stdout, { env: io.env });
  for (const event of selected) {
    const line = formatEvent(event, { color, verbose: true });
    if (line !== null) writeLine(io.stdout, line);
  }
  return EXIT.ok;
}
