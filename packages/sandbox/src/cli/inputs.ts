/** Reading the JSON files the CLI is given: phase-data context files and phase outputs. */
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { ALL_PHASES, parsePhase } from '@specline/protocol';
import type { Phase, PhaseData } from '@specline/protocol';
import { parseEventLines } from '../reporters/jsonlReporter';
import { isRecord, type Json } from '../analysis/shape';
import { UsageError } from './io';

async function readText(path: string, what: string): Promise<string> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new UsageError(`${what} ${path}: ${code === 'ENOENT' ? 'no such file' : String(error)}`);
  }
}

async function readJson(path: string, what: string): Promise<unknown> {
  const text = await readText(path, what);
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new UsageError(`${what} ${path}: not valid JSON (${error instanceof Error ? error.message : String(error)})`);
  }
}

/** Phase data from an events file: the latest `phase_completed` output of each phase. */
function phaseDataFromEvents(text: string, path: string): PhaseData {
  let events;
  try {
    events = parseEventLines(text, path);
  } catch (error) {
    throw new UsageError(error instanceof Error ? error.message : String(error));
  }
  const data: PhaseData = {};
  for (const event of events) {
    if (event.event_type !== 'spec.phase_completed') continue;
    const named = event.data['phase'];
    const phase = typeof named === 'string' ? parsePhase(named) : event.phase;
    const output = event.data['phase_output'];
    if (phase && isRecord(output)) data[phase] = output;
  }
  return data;
}

/**
 * Reads a context file: a JSON object keyed by phase (`{"explore": {...}, "requirements": {...}}`),
 * as `run-phase` writes it (or the same wrapped in `{"phase_data": …}`, as the server writes it), or an events file (`.jsonl`: the phase outputs it holds). A bare phase
 * output is refused with a message saying how to wrap it.
 */
export async function readPhaseData(path: string, cwd: string, setting = '--context'): Promise<PhaseData> {
  const full = resolve(cwd, path);
  if (full.endsWith('.jsonl')) return phaseDataFromEvents(await readText(full, setting), full);
  const read = await readJson(full, setting);
  if (!isRecord(read)) throw new UsageError(`${setting} ${full}: expected a JSON object keyed by phase, like {"explore": {...}}`);
  // The server's context.json wraps the outputs: `{"phase_data": {"explore": {...}, …}}`.
  const wrapped = read['phase_data'];
  const value = Object.keys(read).length === 1 && isRecord(wrapped) ? wrapped : read;
  const data: PhaseData = {};
  const unknown: string[] = [];
  for (const [key, output] of Object.entries(value)) {
    const phase = parsePhase(key);
    if (!phase) {
      unknown.push(key);
      continue;
    }
    if (!isRecord(output)) throw new UsageError(`${setting} ${full}: "${key}" must hold that phase's output object`);
    data[phase] = output;
  }
  if (unknown.length > 0) {
    const shown = unknown.slice(0, 4).join(', ');
    throw new UsageError(
      `${setting} ${full}: expected an object keyed by phase (${ALL_PHASES.join(', ')}), like {"explore": {...}}; found key(s) ${shown}${unknown.length > 4 ? ', …' : ''}. ` +
        'If this is one phase\'s bare output, wrap it: {"<phase>": <output>} (run-phase writes its output that way).',
    );
  }
  return data;
}

export async function readContextFiles(paths: readonly string[], cwd: string, setting?: string): Promise<PhaseData> {
  const data: PhaseData = {};
  for (const path of paths) Object.assign(data, await readPhaseData(path, cwd, setting));
  return data;
}

/**
 * The output of `phase` from a file that holds it in any of the usual forms: the bare output, a
 * `spec.phase_completed` event, an object keyed by phase (`{"tasks": {...}}`), or an events file
 * (the latest `phase_completed` of that phase).
 */
export async function readPhaseOutput(path: string, phase: Phase, cwd: string): Promise<Json> {
  const full = resolve(cwd, path);
  if (full.endsWith('.jsonl')) {
    const output = phaseDataFromEvents(await readText(full, 'output'), full)[phase];
    if (!output) throw new UsageError(`output ${full}: the events file has no spec.phase_completed for ${phase}`);
    return output;
  }
  const value = await readJson(full, 'output');
  if (!isRecord(value)) throw new UsageError(`output ${full}: expected a JSON object (the ${phase} output)`);
  if (value['event_type'] === 'spec.phase_completed' && isRecord(value['data']) && isRecord(value['data']['phase_output'])) {
    return value['data']['phase_output'];
  }
  // Keyed by phase when every key names a phase and holds an object: `{"requirements": [...]}` is
  // the bare REQUIREMENTS output (its own key holds a list), `{"requirements": {...}}` is keyed.
  const keys = Object.keys(value);
  if (keys.length > 0 && keys.every((key) => parsePhase(key) !== undefined && isRecord(value[key]))) {
    const entry = Object.entries(value).find(([key]) => parsePhase(key) === phase)?.[1];
    if (!isRecord(entry)) throw new UsageError(`output ${full}: keyed by phase, but holds no "${phase}" output (it has ${keys.join(', ')})`);
    return entry;
  }
  return value;
}

/** The request (title, description) of the first events file among `paths` that has a `spec.execution_started`. */
export async function readSpecFromEvents(paths: readonly string[], cwd: string): Promise<{ title: string; description: string } | undefined> {
  for (const path of paths) {
    const full = resolve(cwd, path);
    if (!full.endsWith('.jsonl')) continue;
    let events;
    try {
      events = parseEventLines(await readText(full, 'events file'), full);
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const started = events.find((event) => event.event_type === 'spec.execution_started');
    const title = started?.data['title'];
    if (typeof title === 'string' && title.trim() !== '') {
      const description = started?.data['description'];
      return { title, description: typeof description === 'string' ? description : '' };
    }
  }
  return undefined;
}
