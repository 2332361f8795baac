/**
 * `npm run fake-llm -- --provider both|anthropic|openai --port 8787 [--api-key K] [--script turns.json] [--auto]`
 *
 * Serves the fake model APIs on 127.0.0.1 — auto mode when no script is given — prints the base
 * URLs and the environment to paste, logs one line per request (never headers or keys), and stops
 * on SIGINT / SIGTERM. Exit codes: 0 stopped, 2 bad usage.
 */
import { readFile, realpath } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { isRecord } from '../../analysis/shape';
import { startFakeLlm } from './server';
import type { FakeLlm, FakeLlmLogEntry, FakeTurn } from './types';

export class FakeLlmUsageError extends Error {}

const USAGE = 'usage: npm run fake-llm -- [--provider both|anthropic|openai] [--port 8787] [--api-key KEY] [--script turns.json] [--auto]';
const TURN_KEYS = ['toolCalls', 'final', 'finalRaw', 'text', 'error', 'drop', 'delayMs'];

/** Checks the shape of scripted turns read from a file; throws a usage error naming the first bad one. */
export function parseScript(json: unknown, source: string): FakeTurn[] {
  const list = isRecord(json) && Array.isArray(json['turns']) ? json['turns'] : json;
  if (!Array.isArray(list)) throw new FakeLlmUsageError(`${source}: expected a JSON array of turns (or {"turns": [...]})`);
  const check = (turn: unknown, where: string): void => {
    if (!isRecord(turn) || !TURN_KEYS.some((k) => k in turn)) throw new FakeLlmUsageError(`${source}: ${where} is not a turn (it needs one of ${TURN_KEYS.join(', ')})`);
    if ('delayMs' in turn) {
      if (typeof turn['delayMs'] !== 'number' || turn['delayMs'] < 0) throw new FakeLlmUsageError(`${source}: ${where}.delayMs must be a number ≥ 0`);
      check(turn['then'], `${where}.then`);
    }
    if ('error' in turn && (!isRecord(turn['error']) || typeof turn['error']['status'] !== 'number')) throw new FakeLlmUsageError(`${source}: ${where}.error needs a numeric status`);
    if ('toolCalls' in turn && !Array.isArray(turn['toolCalls'])) throw new FakeLlmUsageError(`${source}: ${where}.toolCalls must be a list`);
    if ('drop' in turn && turn['drop'] !== 'before_headers' && turn['drop'] !== 'mid_stream') throw new FakeLlmUsageError(`${source}: ${where}.drop must be before_headers or mid_stream`);
  };
  list.forEach((turn, i) => check(turn, `turn ${i + 1}`));
  return list as FakeTurn[];
}

export function formatLogEntry(e: FakeLlmLogEntry): string {
  const parts = [`#${e.index + 1}`, e.method, e.path];
  if (e.provider) parts.push(e.provider);
  if (e.stream) parts.push('stream');
  if (e.phase) parts.push(`phase=${e.phase}`);
  parts.push(`turn=${e.turn ?? 'none'}${e.auto ? ' (auto)' : ''}`);
  parts.push(e.aborted ? 'aborted by the client' : String(e.status ?? '-'));
  parts.push(`${e.ms}ms`);
  return parts.join(' ');
}

export interface FakeLlmCli {
  fake: FakeLlm;
  stop(): Promise<void>;
}

/** Starts the server from command-line arguments; `print` receives each output line. */
export async function runFakeLlmCli(argv: readonly string[], print: (line: string) => void): Promise<FakeLlmCli> {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: {
        provider: { type: 'string', default: 'both' },
        port: { type: 'string', default: '8787' },
        'api-key': { type: 'string' },
        script: { type: 'string' },
        auto: { type: 'boolean', default: false },
        help: { type: 'boolean', short: 'h', default: false },
      },
      strict: true,
      allowPositionals: false,
    }));
  } catch (error) {
    throw new FakeLlmUsageError(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`);
  }
  if (values.help) throw new FakeLlmUsageError(USAGE);
  const provider = values.provider;
  if (provider !== 'both' && provider !== 'anthropic' && provider !== 'openai') throw new FakeLlmUsageError(`--provider must be both, anthropic or openai\n${USAGE}`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new FakeLlmUsageError(`--port must be a port number (0 picks a free one)\n${USAGE}`);

  let script: FakeTurn[] | undefined;
  if (values.script !== undefined) {
    let text: string;
    try {
      text = await readFile(values.script, 'utf8');
    } catch (error) {
      throw new FakeLlmUsageError(`cannot read --script ${values.script}: ${error instanceof Error ? error.message : String(error)}`);
    }
    let json: unknown;
    try {
      json = JSON.parse(text) as unknown;
    } catch (error) {
      throw new FakeLlmUsageError(`--script ${values.script} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
    }
    script = parseScript(json, values.script);
  }
  const auto = script === undefined || values.auto;
  const fake = await startFakeLlm({
    provider,
    port,
    ...(values['api-key'] !== undefined ? { apiKey: values['api-key'] } : {}),
    ...(script ? { script } : {}),
    auto,
    onRequest: (entry) => print(formatLogEntry(entry)),
  });

  const mode = script ? `${script.length} scripted turn(s)${auto ? ', then auto mode' : ''}` : 'auto mode';
  const keyHint = values['api-key'] !== undefined ? '<the --api-key value>' : 'fake-key';
  const env: string[] = [];
  if (provider !== 'anthropic') env.push(`OPENAI_BASE_URL=${fake.openaiBaseUrl}`);
  if (provider !== 'openai') env.push(`ANTHROPIC_BASE_URL=${fake.anthropicBaseUrl}`);
  print(`fake-llm (${provider}, ${mode}) listening on ${fake.url}`);
  if (provider !== 'openai') print(`  Anthropic base URL: ${fake.anthropicBaseUrl}  (POST /v1/messages)`);
  if (provider !== 'anthropic') print(`  OpenAI base URL:    ${fake.openaiBaseUrl}  (POST /v1/chat/completions)`);
  print('Paste into the environment of the run:');
  print(`  ${env.join(' ')}`);
  print(`  (and a key: ${provider !== 'openai' ? `ANTHROPIC_API_KEY=${keyHint} ` : ''}${provider !== 'anthropic' ? `OPENAI_API_KEY=${keyHint}` : ''}${values['api-key'] === undefined ? '; any key is accepted' : ''})`);
  print('Every output written in auto mode carries "generated_by": "fake-llm". Ctrl-C stops.');
  return { fake, stop: () => fake.close() };
}

async function start(): Promise<void> {
  const print = (line: string) => process.stdout.write(`${line}\n`);
  let cli: FakeLlmCli;
  try {
    cli = await runFakeLlmCli(process.argv.slice(2), print);
  } catch (error) {
    process.stderr.write(`${error instanceof Error ? error.message : String(error)}\n`);
    process.exitCode = error instanceof FakeLlmUsageError ? 2 : 1;
    return;
  }
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    print(`fake-llm: ${signal}, stopping`);
    void cli.stop().then(() => {
      process.exitCode = 0;
    });
  };
  process.once('SIGINT', () => stop('SIGINT'));
  process.once('SIGTERM', () => stop('SIGTERM'));
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(await realpath(entry).catch(() => entry)).href) await start();
