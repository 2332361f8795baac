import type { SpecEvent } from '@specline/protocol';
import type { Logger, Reporter } from '../types';
import { formatEvent } from './consoleFormat';
import { errorMessage, silentLogger } from './internal';

/** What the reporter writes to: `process.stdout`, a file stream, or a test's collector. */
export interface ConsoleStream {
  write(chunk: string, callback?: (error?: Error | null) => void): boolean;
  isTTY?: boolean;
}

export interface ConsoleReporterOptions {
  /** Default `process.stdout`. */
  stream?: ConsoleStream;
  /** Force colours on or off. Default: on when the stream is a TTY and `NO_COLOR` is not set. */
  color?: boolean;
  /** The environment consulted for `NO_COLOR` (the CLI passes `process.env`). Default: none. */
  env?: Readonly<Record<string, string | undefined>>;
  /** Show heartbeats and evaluation details. */
  verbose?: boolean;
  logger?: Logger;
}

/** Decides colour for one stream: explicit choice, else TTY without a non-empty `NO_COLOR`. */
export function shouldColor(stream: ConsoleStream, options: Pick<ConsoleReporterOptions, 'color' | 'env'>): boolean {
  if (options.color !== undefined) return options.color;
  const noColor = options.env?.['NO_COLOR'];
  return stream.isTTY === true && (noColor === undefined || noColor === '');
}

/**
 * Prints one readable line per event (`[HH:MM:SS] PHASE  event  summary`): score colours, retry
 * counters, failures in red; heartbeats only when verbose. Plain text when the stream is not a
 * terminal or `NO_COLOR` is set; decided when the reporter is made, not when the module loads.
 */
export class ConsoleReporter implements Reporter {
  readonly color: boolean;
  readonly verbose: boolean;
  readonly #stream: ConsoleStream;
  readonly #logger: Logger;

  constructor(options: ConsoleReporterOptions = {}) {
    this.#stream = options.stream ?? process.stdout;
    this.color = shouldColor(this.#stream, options);
    this.verbose = options.verbose ?? false;
    this.#logger = options.logger ?? silentLogger;
  }

  report(event: SpecEvent): Promise<void> {
    try {
      const line = formatEvent(event, { color: this.color, verbose: this.verbose });
      if (line !== null) this.#stream.write(`${line}\n`);
    } catch (error) {
      this.#logger.error('console reporter: could not print event', { event_type: event.event_type, error: errorMessage(error) });
    }
    return Promise.resolve();
  }

  /** Resolves once the stream has taken everything written so far. */
  flush(): Promise<void> {
    return new Promise((resolve) => {
      try {
        this.#stream.write('', () => resolve());
      } catch (error) {
        this.#logger.error('console reporter: flush failed', { error: errorMessage(error) });
        resolve();
      }
    });
  }

  /** Flushes; the stream is not ours, so it stays open. */
  close(): Promise<void> {
    return this.flush();
  }
}
