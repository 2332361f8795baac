/**
 * The ticket sink that asks the Specline server to create the tickets and tasks of a spec:
 * `POST {callbackUrl}/api/v1/specs/{specId}/sync` with the sandbox token. The server is idempotent
 * by local id, so a retry (network error, timeout, 5xx, 408, 429) never creates anything twice.
 */
import { SyncResponse } from '@specline/protocol';
import type { SyncBody } from '@specline/protocol';
import { systemClock } from '../clock';
import { errorMessage, silentLogger } from '../reporters/internal';
import { postJson } from '../reporters/http/post';
import { DEFAULT_RETRY_POLICY, backoffDelay } from '../reporters/http/retry';
import type { RetryPolicy } from '../reporters/http/retry';
import type { Clock, Logger, SinkResult, SinkTask, SinkTicket, TicketSink } from '../types';

export interface HttpSinkOptions {
  callbackUrl: string;
  specId: string;
  /** The sandbox token of this spec's run. */
  token: string;
  /** Per-request timeout. Default 30 s. */
  requestTimeoutMs?: number;
  retry?: Partial<RetryPolicy>;
  clock?: Clock;
  logger?: Logger;
  random?: () => number;
}

/** Raised when the server refuses the request or stays unreachable past the retry limit. */
export class SyncRequestError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: string | undefined,
  ) {
    super(message);
    this.name = 'SyncRequestError';
  }
}

export function toSyncBody(input: { tickets: SinkTicket[]; tasks: SinkTask[] }): SyncBody {
  return {
    tickets: input.tickets.map((t) => ({ local_id: t.local_id, title: t.title, description: t.description, priority: t.priority, requirements: t.requirements })),
    tasks: input.tasks.map((t) => ({
      local_id: t.local_id,
      ticket_local_id: t.ticket_local_id,
      title: t.title,
      description: t.description,
      priority: t.priority,
      estimated_hours: t.estimated_hours,
      depends_on: t.depends_on,
    })),
  };
}

export function createHttpSink(options: HttpSinkOptions): TicketSink {
  const url = `${options.callbackUrl.replace(/\/+$/, '')}/api/v1/specs/${encodeURIComponent(options.specId)}/sync`;
  const clock = options.clock ?? systemClock;
  const logger = options.logger ?? silentLogger;
  const policy = { ...DEFAULT_RETRY_POLICY, ...options.retry };
  const random = options.random ?? Math.random;
  const timeoutMs = options.requestTimeoutMs ?? 30_000;

  return {
    async createTickets(input, signal): Promise<SinkResult> {
      const body = JSON.stringify(toSyncBody(input));
      const started = clock.now();
      for (let retry = 1; ; retry++) {
        signal?.throwIfAborted();
        const outcome = await postJson({ url, token: options.token, body, timeoutMs, now: clock.now(), signal });
        signal?.throwIfAborted();
        switch (outcome.kind) {
          case 'ok': {
            const parsed = SyncResponse.safeParse(outcome.body);
            if (!parsed.success) {
              throw new SyncRequestError(`POST ${url}: the answer is not a SyncResponse: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`, outcome.status, undefined);
            }
            return parsed.data;
          }
          case 'reject': {
            const errors = outcome.error?.errors?.map((e) => `${e.path}: ${e.message}`).join('; ');
            throw new SyncRequestError(`POST ${url} refused: ${outcome.reason}${errors ? ` (${errors})` : ''}`, outcome.status, outcome.error?.code);
          }
          case 'retry': {
            const delay = outcome.retryAfterMs ?? backoffDelay(retry, policy, random);
            if (clock.now() + delay - started > policy.maxRetryDurationMs) {
              throw new SyncRequestError(`POST ${url} failed after ${retry} tries: ${outcome.reason}`, outcome.status, undefined);
            }
            logger.warn('http sink: sync request failed; retrying', { reason: outcome.reason, retry, delay_ms: delay });
            try {
              await clock.sleep(delay, signal);
            } catch (error) {
              throw new SyncRequestError(`POST ${url} abandoned: ${errorMessage(error)}`, null, undefined);
            }
            break;
          }
        }
      }
    },
  };
}
