import type { SpecEvent } from '@specline/protocol';
import type { Logger, Reporter } from '../types';
import { errorMessage, silentLogger } from './internal';

/**
 * Sends every event to several reporters. They run side by side; one that throws or rejects is
 * logged and does not stop the others (nor the run).
 */
export class FanoutReporter implements Reporter {
  readonly reporters: readonly Reporter[];
  readonly #logger: Logger;

  constructor(reporters: readonly Reporter[], options: { logger?: Logger } = {}) {
    this.reporters = [...reporters];
    this.#logger = options.logger ?? silentLogger;
  }

  async #each(step: 'report' | 'flush' | 'close', call: (reporter: Reporter) => Promise<void>): Promise<void> {
    const results = await Promise.allSettled(
      this.reporters.map(async (reporter) => {
        await call(reporter);
      }),
    );
    results.forEach((result, index) => {
      if (result.status === 'rejected') {
        const name = this.reporters[index]?.constructor.name ?? `reporter ${index}`;
        this.#logger.error(`fanout reporter: ${name}.${step} failed`, { reporter: name, error: errorMessage(result.reason) });
      }
    });
  }

  report(event: SpecEvent): Promise<void> {
    return this.#each('report', (reporter) => reporter.report(event));
  }

  flush(): Promise<void> {
    return this.#each('flush', (reporter) => reporter.flush());
  }

  close(): Promise<void> {
    return this.#each('close', (reporter) => reporter.close());
  }
}
