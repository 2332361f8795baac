import { mkdir, open, readFile } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { SpecEvent } from '@specline/protocol';
import type { Logger, Reporter } from '../types';
import { errorMessage, serialize, silentLogger } from './internal';

export interface JsonlReporterOptions {
  /** File to append to. Default `<outputDir>/events.jsonl`. */
  path?: string;
  /** Used when `path` is not given. Default `.spec-output`. */
  outputDir?: string;
  logger?: Logger;
}

/** The default events file of an output directory. */
export function eventsFilePath(outputDir: string): string {
  return join(outputDir, 'events.jsonl');
}

/**
 * Appends one JSON line per event to a file. The file is opened once (append mode, created with
 * its directory) and kept open; writes are serialised so lines never interleave; `flush` and
 * `close` fsync. Errors are logged, never thrown from `report`.
 */
export class JsonlReporter implements Reporter {
  readonly path: string;
  readonly #logger: Logger;
  #handle: Promise<FileHandle> | undefined;
  /** Tail of the write queue: every write starts after the previous one ends. */
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  #written = 0;

  constructor(options: JsonlReporterOptions = {}) {
    this.path = options.path ?? eventsFilePath(options.outputDir ?? '.spec-output');
    this.#logger = options.logger ?? silentLogger;
  }

  /** Lines written so far by this reporter. */
  get written(): number {
    return this.#written;
  }

  #file(): Promise<FileHandle> {
    this.#handle ??= mkdir(dirname(this.path), { recursive: true }).then(() => open(this.path, 'a'));
    return this.#handle;
  }

  #enqueue(step: () => Promise<void>): Promise<void> {
    const next = this.#queue.then(step);
    this.#queue = next.catch(() => undefined);
    return this.#queue;
  }

  report(event: SpecEvent): Promise<void> {
    if (this.#closed) {
      this.#logger.warn('jsonl reporter: event reported after close; not written', { path: this.path, event_type: event.event_type });
      return Promise.resolve();
    }
    const line = serialize(event);
    if (!line.ok) {
      this.#logger.error('jsonl reporter: event cannot be written as JSON; skipped', { path: this.path, event_type: event.event_type, error: line.error });
      return Promise.resolve();
    }
    return this.#enqueue(async () => {
      try {
        const handle = await this.#file();
        await handle.write(`${line.json}\n`);
        this.#written++;
      } catch (error) {
        this.#logger.error('jsonl reporter: write failed', { path: this.path, error: errorMessage(error) });
      }
    });
  }

  flush(): Promise<void> {
    return this.#enqueue(async () => {
      if (!this.#handle) return;
      try {
        await (await this.#handle).sync();
      } catch (error) {
        this.#logger.error('jsonl reporter: fsync failed', { path: this.path, error: errorMessage(error) });
      }
    });
  }

  async close(): Promise<void> {
    if (this.#closed) return this.#queue;
    await this.flush();
    this.#closed = true;
    return this.#enqueue(async () => {
      if (!this.#handle) return;
      try {
        await (await this.#handle).close();
      } catch (error) {
        this.#logger.error('jsonl reporter: close failed', { path: this.path, error: errorMessage(error) });
      }
    });
  }
}

/**
 * Reads an events file back, validating every line against the protocol's `SpecEvent`. Blank
 * lines are skipped. Throws an error naming the file, the line number and what is wrong.
 */
export async function readEvents(path: string): Promise<SpecEvent[]> {
  const text = await readFile(path, 'utf8');
  return parseEventLines(text, path);
}

/** The parsing half of {@link readEvents}, for text already in memory. */
export function parseEventLines(text: string, source = '<input>'): SpecEvent[] {
  const events: SpecEvent[] = [];
  const lines = text.split('\n');
  for (const [index, raw] of lines.entries()) {
    const line = raw.trim();
    if (line === '') continue;
    const where = `${source}:${index + 1}`;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch (error) {
      throw new Error(`${where}: not valid JSON (${errorMessage(error)})`);
    }
    const parsed = SpecEvent.safeParse(value);
    if (!parsed.success) {
      const problems = parsed.error.issues.map((issue) => `${issue.path.map(String).join('.') || '(event)'}: ${issue.message}`);
      throw new Error(`${where}: not a valid event: ${problems.join('; ')}`);
    }
    events.push(parsed.data);
  }
  return events;
}
