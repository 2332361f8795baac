/**
 * `npm start`: configuration → dependencies → app → demo user → reconcile runs a previous process
 * left behind → reaper → listen. SIGTERM/SIGINT shut down gracefully: stop accepting, let in-flight
 * requests (ingest batches) finish, close streams (their hooks), stop sandboxes, close the pools.
 * Exit codes: 0 after a clean shutdown, 1 on a failure, 2 on a bad configuration.
 */
import type { AddressInfo } from 'node:net';
import { buildApp } from './app';
import { ConfigError, loadConfig, type Config } from './config';
import { createDeps } from './deps';
import { prepareDemoRepository } from './launcher/exampleRepo';
import { startReaper } from './launcher/reaper';
import { DEMO_EMAIL, DEMO_PASSWORD, ensureDemoUser } from './services/demo';

const SHUTDOWN_DEADLINE_MS = 20_000;

function readConfig(): Config {
  try {
    return loadConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(`specline: ${error.message}\n`);
      process.exit(2);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const config = readConfig();
  const deps = await createDeps(config);
  const { logger } = deps;
  const { app, context } = await buildApp(deps);

  if (config.demoUser) await ensureDemoUser(context.db, { repoUrl: await prepareDemoRepository(config, logger) });
  const reconciled = await context.runs.reconcile();
  if (reconciled > 0) logger.warn({ reconciled }, 'failed runs left executing by a previous server process');

  // A long accept queue (Node's default is 511): a reconnect storm's 1,000 SYNs at once otherwise
  // overflow it while the loop is busy, and each dropped SYN waits 1 s, 3 s, 7 s for its retransmit
  // (issue 14; the kernel caps it at net.core.somaxconn).
  await app.listen({ port: config.port, host: config.host, backlog: 4096 });
  const address = app.server.address() as AddressInfo;
  const shownHost = config.host === '0.0.0.0' || config.host === '::' ? '127.0.0.1' : config.host;
  const url = `http://${shownHost.includes(':') ? `[${shownHost}]` : shownHost}:${address.port}`;
  // Sandboxes call back here; with PORT=0 the real port is known only now.
  config.publicUrl ??= url;
  const stopReaper = startReaper(context.runs, Math.max(1000, config.sandbox.heartbeatIntervalSeconds * 1000), logger);

  const lines = [`Specline is listening on ${url}`, `  API docs: ${url}/api/v1/docs`];
  if (config.demoUser) lines.push(`  demo login: ${DEMO_EMAIL} / ${DEMO_PASSWORD}`);
  lines.push(`  database: ${deps.database.driver}${deps.database.driver === 'pglite' ? ` (${config.dataDir}/pgdata)` : ''}, bus: ${deps.bus.kind}, sandboxes: ${config.runner.mode === 'queue' ? `queue ${config.runner.queueName} (workers)` : deps.provider.name}`);
  process.stdout.write(`${lines.join('\n')}\n`);

  let shuttingDown = false;
  const shutdown = (signal: NodeJS.Signals) => {
    if (shuttingDown) {
      logger.warn({ signal }, 'second signal: exiting now');
      process.exit(1);
    }
    shuttingDown = true;
    logger.info({ signal }, 'shutting down');
    const deadline = setTimeout(() => {
      logger.error({ deadlineMs: SHUTDOWN_DEADLINE_MS }, 'shutdown took too long; exiting');
      process.exit(1);
    }, SHUTDOWN_DEADLINE_MS);
    deadline.unref();
    stopReaper();
    app
      .close() // stops accepting, waits for in-flight requests, runs onClose hooks (streams, run manager → sandboxes)
      .then(() => deps.close())
      .then(() => {
        logger.info('shutdown complete');
        process.exit(0);
      })
      .catch((error: unknown) => {
        logger.error({ err: error }, 'shutdown failed');
        process.exit(1);
      });
  };
  process.on('SIGTERM', shutdown);
  process.on('SIGINT', shutdown);
}

main().catch((error: unknown) => {
  if (error instanceof ConfigError) {
    process.stderr.write(`specline: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`specline: could not start: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
