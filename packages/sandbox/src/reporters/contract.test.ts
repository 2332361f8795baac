import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SpecEvent } from '@specline/protocol';
import { ArrayReporter } from './arrayReporter';
import { ConsoleReporter } from './consoleReporter';
import { stripAnsi } from './consoleFormat';
import { runReporterContract } from './contract';
import { FanoutReporter } from './fanoutReporter';
import { FakeApi, startFakeServer } from './http/fakeServer';
import { HttpReporter } from './http/httpReporter';
import { JsonlReporter, readEvents } from './jsonlReporter';

const tempDir = () => mkdtemp(join(tmpdir(), 'reporter-contract-'));

runReporterContract('ArrayReporter', () => {
  const reporter = new ArrayReporter();
  return { reporter, readBack: () => Promise.resolve(reporter.toArray()) };
});

runReporterContract('JsonlReporter', async () => {
  const dir = await tempDir();
  const path = join(dir, 'nested', 'events.jsonl');
  const reporter = new JsonlReporter({ path });
  return {
    reporter,
    // Nothing written yet means no file yet.
    readBack: async () => (reporter.written === 0 ? [] : readEvents(path)),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

/** A stream collecting what the console reporter prints. */
function collector(isTTY: boolean) {
  let text = '';
  return {
    isTTY,
    write(chunk: string, callback?: (error?: Error | null) => void) {
      text += chunk;
      callback?.();
      return true;
    },
    get text() {
      return text;
    },
  };
}

runReporterContract('ConsoleReporter', () => {
  const stream = collector(true);
  const reporter = new ConsoleReporter({ stream, verbose: true });
  return {
    reporter,
    // One line per event: `[time] PHASE type summary`; the third column is the event type.
    readBack: () =>
      Promise.resolve(
        stripAnsi(stream.text)
          .split('\n')
          .filter((line) => line !== '')
          .map((line) => line.split(/\s+/)[2]),
      ),
    project: (event: SpecEvent) => event.event_type.replace(/^spec\./, ''),
  };
});

runReporterContract('HttpReporter', async () => {
  const api = new FakeApi();
  const server = await startFakeServer(api.handle);
  const dir = await tempDir();
  const reporter = new HttpReporter({ callbackUrl: server.url, sandboxId: 'sbx-1', token: api.token, stateDir: dir });
  return {
    reporter,
    readBack: () => Promise.resolve(api.events),
    project: ({ event_id, seq, event_type, data }: SpecEvent) => ({ event_id, seq, event_type, data }),
    cleanup: async () => {
      await server.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
});

runReporterContract('FanoutReporter', () => {
  const first = new ArrayReporter();
  const second = new ArrayReporter();
  const reporter = new FanoutReporter([first, second]);
  return {
    reporter,
    // Both children hold the same list; read back the pairs so a missing copy shows.
    readBack: () => Promise.resolve(first.toArray().map((event, index) => (second.toArray()[index] === event ? event : { mismatch: index }))),
  };
});
