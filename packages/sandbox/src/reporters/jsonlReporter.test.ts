import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { JsonlReporter, eventsFilePath, readEvents } from './jsonlReporter';
import { eventFactory } from './testEvents';

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'jsonl-reporter-'));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

describe('JsonlReporter', () => {
  it('writes <outputDir>/events.jsonl by default, one JSON line per event', async () => {
    const reporter = new JsonlReporter({ outputDir: join(dir, 'out') });
    const events = eventFactory().many(3);
    for (const event of events) await reporter.report(event);
    await reporter.close();
    expect(reporter.path).toBe(eventsFilePath(join(dir, 'out')));
    const lines = (await readFile(reporter.path, 'utf8')).split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    expect(lines.slice(0, 3).map((line) => JSON.parse(line) as unknown)).toEqual(events);
  });

  it('appends to an existing file instead of replacing it', async () => {
    const path = join(dir, 'events.jsonl');
    const factory = eventFactory();
    const [old] = factory.many(1);
    await writeFile(path, `${JSON.stringify(old)}\n`);
    const reporter = new JsonlReporter({ path });
    const fresh = factory.many(2);
    for (const event of fresh) await reporter.report(event);
    await reporter.flush();
    expect(await readEvents(path)).toEqual([old, ...fresh]);
    await reporter.close();
  });
});

describe('readEvents', () => {
  it('names the line that is not JSON', async () => {
    const path = join(dir, 'events.jsonl');
    const [good] = eventFactory().many(1);
    await writeFile(path, `${JSON.stringify(good)}\n\n{"event_type": oops}\n`);
    await expect(readEvents(path)).rejects.toThrow(`${path}:3: not valid JSON`);
  });

  it('names the line and the field of an event that does not validate', async () => {
    const path = join(dir, 'events.jsonl');
    const factory = eventFactory();
    const good = factory.make('spec.progress', { message: 'fine' });
    const bad = factory.make('spec.phase_completed', { phase: 'explore', eval_score: 1.5, duration_seconds: 1, retry_count: 0, phase_output: {} }, 'explore');
    await writeFile(path, [good, bad].map((event) => JSON.stringify(event)).join('\n'));
    await expect(readEvents(path)).rejects.toThrow(new RegExp(`${path}:2: not a valid event: data\\.eval_score`));
  });
});
