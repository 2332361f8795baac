/** Builds the reporters and the ticket sink a CLI run uses, from the reporting settings. */
import { join, resolve } from 'node:path';
import { reporterBudget } from '@specline/protocol';
import { ConsoleReporter } from '../reporters/consoleReporter';
import { FanoutReporter } from '../reporters/fanoutReporter';
import { HttpReporter } from '../reporters/http/httpReporter';
import { JsonlReporter, eventsFilePath } from '../reporters/jsonlReporter';
import { createHttpSink } from '../sinks/httpSink';
import { createLocalSink } from '../sinks/localSink';
import type { Logger, Reporter, TicketSink } from '../types';
import type { ReportingConfig } from './config';
import type { CliIO } from './io';

export interface CliReporters {
  reporter: Reporter;
  sink: TicketSink;
  outputDir: string;
  eventsPath: string | null;
  http: HttpReporter | null;
}

/** The HTTP reporter's waits for a lease (`SANDBOX_LEASE_SECONDS`): the same rule the server's reaper counts on. */
export function budgetOptions(leaseSeconds: number) {
  const budget = reporterBudget(leaseSeconds);
  return {
    requestTimeoutMs: budget.requestTimeoutMs,
    probeIntervalMs: budget.probeIntervalMs,
    retry: { maxDelayMs: budget.maxDelayMs, maxRetryDurationMs: budget.maxRetryDurationMs },
  };
}

export function buildReporters(config: ReportingConfig, io: CliIO, logger: Logger, options: { verbose: boolean }): CliReporters {
  const outputDir = resolve(io.cwd, config.outputDir);
  const reporters: Reporter[] = [];
  let eventsPath: string | null = null;
  let http: HttpReporter | null = null;
  for (const mode of config.reporters) {
    switch (mode) {
      case 'jsonl':
        eventsPath = eventsFilePath(outputDir);
        reporters.push(new JsonlReporter({ path: eventsPath, logger }));
        break;
      case 'console':
        reporters.push(new ConsoleReporter({ stream: io.stdout, env: io.env, verbose: options.verbose, logger }));
        break;
      case 'http':
        http = new HttpReporter({
          // parseReportingConfig guarantees these when http is on.
          callbackUrl: config.callbackUrl ?? '',
          sandboxId: config.sandboxId ?? '',
          token: config.token ?? '',
          stateDir: outputDir,
          logger,
          // Launched by Specline: retry within the run's lease, so a live run is never reaped while it retries.
          ...(config.leaseSeconds !== undefined ? budgetOptions(config.leaseSeconds) : {}),
        });
        reporters.push(http);
        break;
      case 'none':
        break;
    }
  }
  const sink =
    http && config.callbackUrl && config.token
      ? createHttpSink({ callbackUrl: config.callbackUrl, specId: config.specId, token: config.token, logger })
      : createLocalSink({ file: join(outputDir, 'local-tickets.json') });
  return { reporter: new FanoutReporter(reporters, { logger }), sink, outputDir, eventsPath, http };
}
