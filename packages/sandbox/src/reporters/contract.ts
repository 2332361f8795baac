/**
 * The one contract every reporter passes. A reporter test calls
 * `runReporterContract('JsonlReporter', async () => ({ reporter, readBack }))`. Not exported from
 * the package index (it imports vitest).
 */
import type { SpecEvent } from '@specline/protocol';
import { afterEach, describe, expect, it } from 'vitest';
import type { Reporter } from '../types';
import { eventFactory } from './testEvents';

export interface ReporterHarness {
  reporter: Reporter;
  /** What the reporter delivered so far, in order (the file, the server's list, the printed lines...). */
  readBack: () => Promise<unknown[]>;
  /** How one event appears in `readBack`. Default: the event itself. */
  project?: (event: SpecEvent) => unknown;
  cleanup?: () => Promise<void>;
}

export function runReporterContract(name: string, factory: () => Promise<ReporterHarness> | ReporterHarness): void {
  describe(`${name} (reporter contract)`, () => {
    let harness: ReporterHarness | undefined;
    const setup = async () => {
      harness = await factory();
      const project = harness.project ?? ((event: SpecEvent) => event);
      return { ...harness, project };
    };
    afterEach(async () => {
      await harness?.reporter.close();
      await harness?.cleanup?.();
      harness = undefined;
    });

    it('delivers every reported event, in order, once flushed', async () => {
      const { reporter, readBack, project } = await setup();
      const events = eventFactory().many(13);
      for (const event of events) await reporter.report(event);
      await reporter.flush();
      expect(await readBack()).toEqual(events.map(project));
    });

    it('keeps report order when reports are not awaited one by one', async () => {
      const { reporter, readBack, project } = await setup();
      const events = eventFactory().many(25);
      await Promise.all(events.map((event) => reporter.report(event)));
      await reporter.flush();
      expect(await readBack()).toEqual(events.map(project));
    });

    it('flushes on close', async () => {
      const { reporter, readBack, project } = await setup();
      const events = eventFactory().many(7);
      for (const event of events) await reporter.report(event);
      await reporter.close();
      expect(await readBack()).toEqual(events.map(project));
    });

    it('flushes with nothing reported, and twice in a row', async () => {
      const { reporter, readBack } = await setup();
      await reporter.flush();
      await reporter.flush();
      expect(await readBack()).toEqual([]);
    });

    it('never throws from report: an event without a JSON form is skipped, the next ones still arrive', async () => {
      const { reporter, readBack, project } = await setup();
      const factory = eventFactory();
      const [before] = factory.many(1);
      const data: Record<string, unknown> = { message: 'cyclic' };
      data['self'] = data;
      const bad = factory.make('test.cyclic_payload', data);
      const after = factory.many(2);
      await reporter.report(before!);
      await expect(reporter.report(bad)).resolves.toBeUndefined();
      for (const event of after) await reporter.report(event);
      await reporter.flush();
      const skipped = project(bad);
      const delivered = (await readBack()).filter((item) => item !== skipped);
      expect(delivered).toEqual([before!, ...after].map(project));
    });

    it('does not throw when reported to after close', async () => {
      const { reporter } = await setup();
      await reporter.close();
      const [late] = eventFactory().many(1);
      await expect(reporter.report(late!)).resolves.toBeUndefined();
      await expect(reporter.flush()).resolves.toBeUndefined();
      await expect(reporter.close()).resolves.toBeUndefined();
    });
  });
}
