/**
 * The dispatcher of quota-queued runs (extracted from the run manager): starts queued runs that fit the
 * quotas now, oldest first (a run over its own user's limit does not hold up another user's). Never
 * overlaps itself; a call while it runs makes it go round once more. Every server dispatches (after a
 * run ends here, on each reaper pass): the claim's lock admits each once.
 */
import type { ExecuteSpecResponse } from '@specline/protocol';
import type { Logger } from 'pino';
import type { StartRunOptions } from '../services/runs';
import type { SecretBox } from '../services/secretBox';
import type { Db } from '../store/db';
import { queuedRuns, startOptionsOf } from './quotas';

export interface Dispatcher {
  dispatch(): Promise<number>;
  /** Dispatch without waiting (errors logged). */
  soon(): void;
}

export function createDispatcher(input: {
  db: Db;
  secrets: SecretBox;
  logger: Logger;
  closing: () => boolean;
  start: (specId: string, options: StartRunOptions, fromQueue: boolean) => Promise<ExecuteSpecResponse>;
}): Dispatcher {
  const { db, secrets, logger, closing } = input;
  let dispatching: Promise<number> | undefined;
  let again = false;
  function dispatch(): Promise<number> {
    if (dispatching) {
      again = true;
      return dispatching;
    }
    const pass = async (): Promise<number> => {
      let started = 0;
      do {
        again = false;
        for (const queued of await queuedRuns(db)) {
          if (closing()) return started;
          let options: StartRunOptions;
          try {
            options = startOptionsOf(queued.queuedRequest, queued.queuedBy, queued.id, secrets);
          } catch (error) {
            options = { userId: queued.queuedBy };
            logger.warn({ err: error, specId: queued.id }, 'the sealed model key of a queued run cannot be opened; it starts with the project settings');
          }
          try {
            const answer = await input.start(queued.id, options, true);
            // A run admitted onto the worker queue has left the quota queue too.
            if (answer.status === 'started' || (answer.status === 'queued' && answer.sandbox_id === null && answer.run_id)) started += 1;
          } catch (error) {
            // A failed launch ends the run `failed` with its reason (start did that); the queue goes on.
            logger.warn({ err: error, specId: queued.id }, 'a queued run could not start');
          }
        }
      } while (again && !closing());
      return started;
    };
    dispatching = pass().finally(() => {
      dispatching = undefined;
    });
    return dispatching;
  }
  return {
    dispatch,
    soon() {
      if (closing()) return;
      dispatch().catch((error: unknown) => logger.warn({ err: error }, 'could not start queued runs; the next reaper pass tries again'));
    },
  };
}
