/**
 * On-disk queues for the HTTP reporter: the spool (events waiting for the server, replayed in
 * order) and the dead-letter file (batches the server refused). Both are JSONL; every spool line
 * is one event exactly as it would be sent, so the file is also a readable events file.
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { mkdir, open, rename, unlink } from 'node:fs/promises';
import type { FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Logger } from '../../types';
import { errorMessage } from '../internal';

/** Serialises async steps on one file; a failed step is logged and does not block the next. */
class FileQueue {
  #tail: Promise<void> = Promise.resolve();
  constructor(
    private readonly logger: Logger,
    private readonly what: string,
  ) {}

  run<T>(step: () => Promise<T>, fallback: T): Promise<T> {
    const result = this.#tail.then(step).catch((error: unknown) => {
      this.logger.error(`${this.what}: file operation failed`, { error: errorMessage(error) });
      return fallback;
    });
    this.#tail = result.then(() => undefined);
    return result;
  }

  idle(): Promise<void> {
    return this.#tail;
  }
}

/** Counts the non-empty lines of a file synchronously (used once, at start). */
function countLines(path: string): number {
  if (!existsSync(path) || statSync(path).size === 0) return 0;
  const fd = openSync(path, 'r');
  try {
    const chunk = Buffer.alloc(1 << 16);
    let lines = 0;
    let position = 0;
    for (;;) {
      const read = readSync(fd, chunk, 0, chunk.length, position);
      if (read === 0) break;
      for (let i = 0; i < read; i++) if (chunk[i] === 0x0a) lines++;
      position += read;
    }
    // A last line without its newline was cut short by a crash: it is not counted (never replayed).
    return lines;
  } finally {
    closeSync(fd);
  }
}

export interface SpoolBatch {
  lines: string[];
  /** Byte offset just after the batch: pass back to {@link JsonlSpool.commit}. */
  next: number;
}

/**
 * A FIFO of JSON lines on disk. `append` adds at the end, `prepend` puts lines before everything
 * unread (rewrites the file), `read` returns the next lines without consuming them, `commit`
 * consumes them. The file is deleted when everything in it has been consumed. A file left by an
 * earlier process is picked up at construction.
 */
export class JsonlSpool {
  readonly path: string;
  #handle: FileHandle | undefined;
  #offset = 0;
  #pending: number;
  readonly #queue: FileQueue;

  constructor(path: string, logger: Logger) {
    this.path = path;
    this.#queue = new FileQueue(logger, `spool ${path}`);
    this.#pending = countLines(path);
  }

  /** Lines appended and not yet committed (known synchronously). */
  get pending(): number {
    return this.#pending;
  }

  async #file(): Promise<FileHandle> {
    if (!this.#handle) {
      await mkdir(dirname(this.path), { recursive: true });
      this.#handle = await open(this.path, 'a+');
    }
    return this.#handle;
  }

  append(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    this.#pending += lines.length;
    const text = lines.map((line) => `${line}\n`).join('');
    return this.#queue.run(async () => {
      await (await this.#file()).write(text);
    }, undefined);
  }

  /** Puts `lines` before every unread line. */
  prepend(lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return Promise.resolve();
    this.#pending += lines.length;
    const head = lines.map((line) => `${line}\n`).join('');
    return this.#queue.run(async () => {
      const handle = await this.#file();
      const { size } = await handle.stat();
      const rest = Buffer.alloc(size - this.#offset);
      if (rest.length > 0) await handle.read(rest, 0, rest.length, this.#offset);
      const temp = `${this.path}.tmp`;
      const out = await open(temp, 'w');
      try {
        await out.write(head);
        if (rest.length > 0) await out.write(rest);
        await out.sync();
      } finally {
        await out.close();
      }
      await handle.close();
      this.#handle = undefined;
      await rename(temp, this.path);
      this.#offset = 0;
    }, undefined);
  }

  /** The next lines (at most `maxLines`, about `maxBytes`, always at least one), or `null` when none. */
  read(maxLines: number, maxBytes: number): Promise<SpoolBatch | null> {
    return this.#queue.run(async () => {
      if (this.#pending === 0) return null;
      const handle = await this.#file();
      let size = Math.max(64 * 1024, maxBytes);
      for (;;) {
        const chunk = Buffer.alloc(size);
        const { bytesRead } = await handle.read(chunk, 0, size, this.#offset);
        const lines: string[] = [];
        let used = 0;
        let start = 0;
        for (let i = 0; i < bytesRead && lines.length < maxLines; i++) {
          if (chunk[i] !== 0x0a) continue;
          const length = i + 1 - start;
          if (lines.length > 0 && used + length > maxBytes) break;
          const line = chunk.subarray(start, i).toString('utf8').trim();
          if (line !== '') lines.push(line);
          used += length;
          start = i + 1;
        }
        if (lines.length > 0) return { lines, next: this.#offset + used };
        if (bytesRead < size) return null;
        size *= 2;
      }
    }, null);
  }

  /** Consumes a batch returned by {@link read}. */
  commit(batch: SpoolBatch): Promise<void> {
    this.#pending = Math.max(0, this.#pending - batch.lines.length);
    const drained = this.#pending === 0;
    return this.#queue.run(async () => {
      this.#offset = batch.next;
      if (drained) await this.#drop();
    }, undefined);
  }

  /** Forgets whatever is left (used when the count and the file disagree). */
  discard(): Promise<void> {
    this.#pending = 0;
    return this.#queue.run(() => this.#drop(), undefined);
  }

  async #drop(): Promise<void> {
    await this.#handle?.close();
    this.#handle = undefined;
    this.#offset = 0;
    await unlink(this.path).catch(() => undefined);
  }

  /** Resolves when every queued write is on disk. */
  sync(): Promise<void> {
    return this.#queue.run(async () => {
      await this.#handle?.sync();
    }, undefined);
  }

  close(): Promise<void> {
    return this.#queue.run(async () => {
      await this.#handle?.sync();
      await this.#handle?.close();
      this.#handle = undefined;
    }, undefined);
  }
}

/** Append-only JSONL file (the dead-letter file), opened on first write. */
export class JsonlAppender {
  readonly path: string;
  #handle: FileHandle | undefined;
  #lines = 0;
  readonly #queue: FileQueue;

  constructor(path: string, logger: Logger) {
    this.path = path;
    this.#queue = new FileQueue(logger, `file ${path}`);
  }

  /** Lines written by this process. */
  get lines(): number {
    return this.#lines;
  }

  append(line: string): Promise<void> {
    this.#lines++;
    return this.#queue.run(async () => {
      if (!this.#handle) {
        await mkdir(dirname(this.path), { recursive: true });
        this.#handle = await open(this.path, 'a');
      }
      await this.#handle.write(`${line}\n`);
      await this.#handle.sync();
    }, undefined);
  }

  close(): Promise<void> {
    return this.#queue.run(async () => {
      await this.#handle?.close();
      this.#handle = undefined;
    }, undefined);
  }
}
