/**
 * `specline-sandbox`: run a spec (or one phase) with the deterministic planner or a model (anthropic,
 * openai), inspect an events
 * file, or score a phase output. Exit codes: 0 success, 1 run/evaluation failed, 2 bad usage.
 */
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { processEnv } from './config';
import type { Flags } from './config';
import { evaluateCommand } from './evaluate';
import { inspectCommand } from './inspect';
import { EXIT, UsageError, writeLine } from './io';
import type { CliIO, ExitCode } from './io';
import { runCommand } from './run';

type Options = NonNullable<ParseArgsConfig['options']>;

const RUN_OPTIONS: Options = {
  title: { type: 'string' },
  description: { type: 'string' },
  cwd: { type: 'string' },
  phases: { type: 'string' },
  prd: { type: 'boolean' },
  phase: { type: 'string' },
  context: { type: 'string', multiple: true },
  reporter: { type: 'string', multiple: true },
  out: { type: 'string' },
  'max-attempts': { type: 'string' },
  threshold: { type: 'string' },
  'step-delay-ms': { type: 'string' },
  'heartbeat-interval': { type: 'string' },
  'spec-id': { type: 'string' },
  'sandbox-id': { type: 'string' },
  'callback-url': { type: 'string' },
  token: { type: 'string' },
  executor: { type: 'string' },
  model: { type: 'string' },
  'structured-output': { type: 'string' },
  stream: { type: 'boolean' },
  'no-stream': { type: 'boolean' },
  'max-turns': { type: 'string' },
  'max-read-bytes': { type: 'string' },
  'max-seconds': { type: 'string' },
  'max-cost': { type: 'string' },
  'max-output-tokens': { type: 'string' },
  'max-request-retries': { type: 'string' },
  'model-prices': { type: 'string' },
  'base-url': { type: 'string' },
  'no-repo': { type: 'boolean' },
  'repo-commit': { type: 'string' },
  'approval-mode': { type: 'string' },
  'review-comment': { type: 'string' },
  verbose: { type: 'boolean', short: 'v' },
  quiet: { type: 'boolean', short: 'q' },
};

const COMMANDS = {
  run: RUN_OPTIONS,
  'run-phase': RUN_OPTIONS,
  inspect: { type: { type: 'string', multiple: true }, phase: { type: 'string', multiple: true }, json: { type: 'boolean' } },
  evaluate: { phase: { type: 'string' }, context: { type: 'string', multiple: true }, threshold: { type: 'string' }, json: { type: 'boolean' }, cwd: { type: 'string' }, title: { type: 'string' }, description: { type: 'string' } },
} satisfies Record<string, Options>;
type Command = keyof typeof COMMANDS;

export const HELP = `specline-sandbox: spec-driven planning runs, with the offline deterministic planner or a model

Usage:
  specline-sandbox run --title T [--description D] [--cwd DIR] [--phases explore,requirements,...] [--prd]
                       [--reporter jsonl,console,http] [--out DIR] [--max-attempts 3] [--threshold 0.7] [--step-delay-ms 0]
                       [--heartbeat-interval 30] [--context phase_data.json] [--verbose] [--quiet]
                       [--executor planner|anthropic|openai] [--model M] [--structured-output tool|json_schema]
                       [--stream|--no-stream] [--max-turns 24] [--max-read-bytes 262144] [--max-seconds 600]
                       [--max-cost 2] [--max-output-tokens 16384] [--max-request-retries 4] [--model-prices JSON|FILE]
                       [--base-url URL] [--no-repo] [--repo-commit SHA] [--approval-mode auto|review]
                       [--review-comment TEXT]
  specline-sandbox run-phase --phase P --title T [--context phase_data.json ...] [run options]
  specline-sandbox inspect <events.jsonl> [--type T] [--phase P] [--json]
  specline-sandbox evaluate --phase P <output.json> [--context phase_data.json] [--cwd DIR] [--title T] [--description D]
                            [--threshold 0.7] [--json]

Environment (flags win): SPEC_ID, SPEC_TITLE, SPEC_DESCRIPTION, SPEC_PHASE, CONTEXT_FILE, CWD,
  REPORTER_MODE, OUTPUT_DIRECTORY, MAX_ATTEMPTS, EVAL_THRESHOLD, HEARTBEAT_INTERVAL,
  SANDBOX_ID, CALLBACK_URL, SANDBOX_TOKEN (the three are required by the http reporter),
  SPEC_EXECUTOR, SPEC_MODEL, SPEC_STRUCTURED_OUTPUT, SPEC_STREAM, MODEL_MAX_TURNS, MODEL_MAX_READ_BYTES,
  MODEL_MAX_SECONDS, MODEL_MAX_COST_USD, MODEL_MAX_OUTPUT_TOKENS, MODEL_MAX_RETRIES, MODEL_PRICES,
  SPEC_NO_REPO, SPEC_REPO_COMMIT, SPEC_APPROVAL_MODE, SPEC_REVIEW_FEEDBACK; keys and endpoints: ANTHROPIC_API_KEY, ANTHROPIC_BASE_URL (anthropic),
  OPENAI_API_KEY (optional for local servers), OPENAI_BASE_URL (openai). Default models: anthropic
  claude-sonnet-5-5, openai gpt-4.1-mini.

Exit codes: 0 success, 1 the run or evaluation failed (or was cancelled), 2 bad usage or configuration.
`;

function isCommand(name: string | undefined): name is Command {
  return name !== undefined && Object.hasOwn(COMMANDS, name);
}

/** Runs one CLI invocation. `signal` cancels a run (SIGTERM/SIGINT in the real process). */
export async function main(argv: readonly string[], io: CliIO, signal: AbortSignal = new AbortController().signal): Promise<ExitCode> {
  const [name, ...rest] = argv;
  if (name === undefined || name === 'help' || name === '--help' || name === '-h') {
    writeLine(name === undefined ? io.stderr : io.stdout, HELP);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (!isCommand(name)) {
    writeLine(io.stderr, `specline-sandbox: unknown command "${name}" (run, run-phase, inspect, evaluate)\n\n${HELP}`);
    return EXIT.usage;
  }
  try {
    let parsed;
    try {
      parsed = parseArgs({ args: [...rest], options: COMMANDS[name], allowPositionals: true, strict: true });
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
    const flags = parsed.values as Flags;
    switch (name) {
      case 'run':
      case 'run-phase':
        if (parsed.positionals.length > 0) throw new UsageError(`${name} takes no positional arguments (got ${parsed.positionals.join(' ')}); use --title and --description`);
        return await runCommand(name, flags, io, signal);
      case 'inspect':
        return await inspectCommand(flags, parsed.positionals, io);
      case 'evaluate':
        return await evaluateCommand(flags, parsed.positionals, io);
    }
  } catch (error) {
    if (error instanceof UsageError) {
      writeLine(io.stderr, `specline-sandbox ${name}: ${error.message}`);
      return EXIT.usage;
    }
    throw error;
  }
}

/** The process entry: real streams and environment, signals cancel the run. */
async function start(): Promise<void> {
  const controller = new AbortController();
  const onSignal = (signal: NodeJS.Signals) => {
    if (controller.signal.aborted) return;
    writeLine(process.stderr, `specline-sandbox: ${signal} received; cancelling the run and flushing reporters`);
    controller.abort(new Error(`${signal} received`));
  };
  const command = process.argv[2];
  if (command === 'run' || command === 'run-phase') {
    process.on('SIGTERM', onSignal);
    process.on('SIGINT', onSignal);
  }
  let code: number;
  try {
    code = await main(process.argv.slice(2), { stdout: process.stdout, stderr: process.stderr, env: processEnv(), cwd: process.cwd() }, controller.signal);
  } catch (error) {
    writeLine(process.stderr, `specline-sandbox: internal error: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    code = EXIT.failed;
  }
  if (controller.signal.aborted && code === EXIT.ok) code = EXIT.failed;
  process.exit(code);
}

const entry = process.argv[1];
if (entry && import.meta.url === pathToFileURL(realpathSync(entry)).href) void start();
