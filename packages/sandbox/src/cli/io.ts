/** What a command writes to and how it logs: injected so commands can be run in-process by tests. */
import type { Logger } from '../types';
import type { ConsoleStream } from '../reporters/consoleReporter';
import type { Env } from './config';

export interface CliIO {
  stdout: ConsoleStream;
  stderr: ConsoleStream;
  env: Env;
  /** The directory relative paths are resolved against. */
  cwd: string;
}

/** Exit codes: 0 success, 1 the run (or the evaluation) failed, 2 bad usage or configuration. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
export type ExitCode = (typeof EXIT)[keyof typeof EXIT];

/** Thrown by commands for a usage or configuration problem: printed as is, exit 2. */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function writeLine(stream: ConsoleStream, text = ''): void {
  stream.write(`${text}\n`);
}

/** A logger writing `level: message {fields}` lines to stderr; debug and info only when verbose. */
export function stderrLogger(io: CliIO, verbose: boolean): Logger {
  const line = (level: string, msg: string, fields?: Record<string, unknown>) => {
    const extra = fields && Object.keys(fields).length > 0 ? ` ${JSON.stringify(fields)}` : '';
    writeLine(io.stderr, `specline-sandbox ${level}: ${msg}${extra}`);
  };
  return {
    debug: (msg, fields) => {
      if (verbose) line('debug', msg, fields);
    },
    info: (msg, fields) => {
      if (verbose) line('info', msg, fields);
    },
    warn: (msg, fields) => line('warn', msg, fields),
    error: (msg, fields) => line('error', msg, fields),
  };
}
