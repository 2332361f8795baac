import { SSE_CLOSED_EVENT_NAME, SSE_EVENT_NAME, StoredEvent, StreamClosed } from '@specline/protocol';
import { authHeaders, specEventsUrl } from './eventsConnection';
import type { StreamConnectionOptions } from './eventsConnection';
import { createSseParser } from './sseParser';
import type { SseFrame } from './sseParser';

/**
 * Live spec events over SSE (`GET {baseUrl}/specs/{id}/events/stream`), read with `fetch` and a
 * ReadableStream so it works in browsers and in Node, with headers (Bearer, `Last-Event-ID`) that a
 * native EventSource cannot send.
 *
 * Guarantees: events arrive in `spec_seq` order and a `spec_seq` at or below the last delivered one is
 * never delivered again; every reconnect resumes from the LATEST delivered `spec_seq` (header
 * `Last-Event-ID` and query `after`), never from the one the subscription started with.
 */

export type StreamStatus = 'connecting' | 'live' | 'reconnecting' | 'closed' | 'failed';

export interface BackoffOptions {
  /** First delay in ms (default 500). */
  initialMs?: number;
  /** Upper bound in ms (default 15 000). */
  maxMs?: number;
  /** Growth per consecutive failure (default 2). */
  factor?: number;
}

/** Exponential backoff with "equal jitter": half the delay fixed, half random. `attempt` counts from 1. */
export function backoffDelay(attempt: number, options: BackoffOptions = {}, random: () => number = Math.random): number {
  const { initialMs = 500, maxMs = 15_000, factor = 2 } = options;
  const base = Math.min(maxMs, initialMs * factor ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + random() * (base / 2));
}

export interface SubscribeSpecEventsOptions extends StreamConnectionOptions {
  /** Deliver only events with `spec_seq` greater than this (default 0: everything). */
  after?: number;
  onEvent: (event: StoredEvent) => void;
  onStatus?: (status: StreamStatus, detail?: { attempt: number; delayMs?: number; reason?: string }) => void;
  /** Non-fatal problems (a dropped connection, a malformed frame) and the fatal one before `failed`. */
  onError?: (error: Error) => void;
  signal?: AbortSignal;
  /** Consecutive failed connection attempts before giving up with status `failed` (default 5). */
  maxConsecutiveFailures?: number;
  backoff?: BackoffOptions;
  /** Random source for jitter (tests pass a fixed one). */
  random?: () => number;
  /** Waits `ms` or until aborted (tests inject an immediate one; no real timers in tests). */
  sleep?: (ms: number, signal: AbortSignal) => Promise<void>;
}

export interface SpecEventSubscription {
  /** Stops the stream; status becomes `closed`. */
  close(): void;
  /** Highest `spec_seq` delivered so far. */
  lastSeq(): number;
  /** Settles when the subscription ends (closed or failed). */
  readonly done: Promise<StreamStatus>;
}

class FatalStreamError extends Error {}

/** Close reasons after which reconnecting cannot help. */
const FINAL_CLOSE_REASONS = new Set<string>(['access_revoked', 'spec_deleted']);

function defaultSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const timer = setTimeout(done, ms);
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}

/** Subscribes to a spec's live events. See the module comment for the guarantees. */
export function subscribeSpecEvents(options: SubscribeSpecEventsOptions): SpecEventSubscription {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const sleep = options.sleep ?? defaultSleep;
  const random = options.random ?? Math.random;
  const maxFailures = options.maxConsecutiveFailures ?? 5;
  const controller = new AbortController();
  let lastSeq = Math.max(0, options.after ?? 0);
  let status: StreamStatus | undefined;

  const setStatus = (next: StreamStatus, detail?: { attempt: number; delayMs?: number; reason?: string }) => {
    if (status === next && next !== 'reconnecting') return;
    status = next;
    options.onStatus?.(next, detail);
  };
  const report = (error: unknown) => options.onError?.(error instanceof Error ? error : new Error(String(error)));

  const onAbort = () => controller.abort();
  if (options.signal?.aborted) controller.abort();
  else options.signal?.addEventListener('abort', onAbort, { once: true });

  const handleFrame = (frame: SseFrame): StreamClosed | undefined => {
    if (frame.event === SSE_CLOSED_EVENT_NAME) {
      const parsed = StreamClosed.safeParse(safeJson(frame.data));
      return parsed.success ? parsed.data : { reason: 'shutting_down', detail: 'stream closed by the server', resume_after: lastSeq };
    }
    if (frame.event !== SSE_EVENT_NAME && frame.event !== 'message') return undefined;
    const parsed = StoredEvent.safeParse(safeJson(frame.data));
    if (!parsed.success) {
      const where = parsed.error.issues[0]?.path.join('.') || '(root)';
      report(new Error(`spec ${options.specId}: ignored a malformed stream event (id ${frame.id || 'none'}): ${where}: ${parsed.error.issues[0]?.message ?? 'invalid'}`));
      return undefined;
    }
    if (parsed.data.spec_seq <= lastSeq) return undefined;
    lastSeq = parsed.data.spec_seq;
    options.onEvent(parsed.data);
    return undefined;
  };

  /** One connection: resolves with the close frame (if any) when the stream ends; throws on failure. */
  const connectOnce = async (onOpen: () => void): Promise<{ closed?: StreamClosed; retryMs?: number }> => {
    const url = `${specEventsUrl(options.baseUrl, options.specId, '/stream')}?after=${lastSeq}`;
    const headers: Record<string, string> = { accept: 'text/event-stream', 'cache-control': 'no-cache', ...(await authHeaders(options)) };
    if (lastSeq > 0) headers['last-event-id'] = String(lastSeq);
    const response = await doFetch(url, { headers, signal: controller.signal, credentials: options.credentials ?? 'include' });
    if (!response.ok) {
      const message = `spec ${options.specId}: event stream answered HTTP ${response.status}`;
      await response.body?.cancel().catch(() => undefined);
      if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) throw new FatalStreamError(message);
      throw new Error(message);
    }
    if (!response.body) throw new Error(`spec ${options.specId}: event stream response has no body`);
    onOpen();
    let closed: StreamClosed | undefined;
    const parser = createSseParser((frame) => {
      closed ??= handleFrame(frame);
    });
    const reader = (response.body as ReadableStream<Uint8Array>).getReader();
    const decoder = new TextDecoder();
    try {
      while (!closed) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
      }
    } finally {
      if (closed) await reader.cancel().catch(() => undefined);
      reader.releaseLock();
    }
    return { closed, retryMs: parser.retryMs };
  };

  const run = async (): Promise<StreamStatus> => {
    let failures = 0;
    let attempt = 0;
    let serverRetryMs: number | undefined;
    try {
      while (!controller.signal.aborted) {
        attempt++;
        if (attempt === 1) setStatus('connecting', { attempt });
        let reason: string;
        try {
          const result = await connectOnce(() => {
            failures = 0;
            setStatus('live', { attempt });
          });
          serverRetryMs = result.retryMs ?? serverRetryMs;
          if (controller.signal.aborted) break;
          if (result.closed && FINAL_CLOSE_REASONS.has(result.closed.reason)) {
            report(new Error(`spec ${options.specId}: stream closed by the server (${result.closed.reason}): ${result.closed.detail}`));
            setStatus('failed', { attempt, reason: result.closed.reason });
            return 'failed';
          }
          reason = result.closed ? `server closed the stream (${result.closed.reason})` : 'connection ended';
          // A clean close is not a failure, but back off anyway so a server bouncing connections is not hammered.
          failures = result.closed ? failures : failures + 1;
        } catch (error) {
          if (controller.signal.aborted) break;
          if (error instanceof FatalStreamError) {
            report(error);
            setStatus('failed', { attempt, reason: error.message });
            return 'failed';
          }
          report(error);
          failures++;
          reason = error instanceof Error ? error.message : String(error);
        }
        if (failures >= maxFailures) {
          setStatus('failed', { attempt, reason: `${failures} consecutive failures; last: ${reason}` });
          return 'failed';
        }
        const delayMs = serverRetryMs !== undefined && failures <= 1 ? serverRetryMs : backoffDelay(Math.max(1, failures), options.backoff, random);
        setStatus('reconnecting', { attempt: attempt + 1, delayMs, reason });
        await sleep(delayMs, controller.signal);
      }
      setStatus('closed', { attempt });
      return 'closed';
    } finally {
      options.signal?.removeEventListener('abort', onAbort);
    }
  };

  const done = run();
  return {
    close: () => controller.abort(),
    lastSeq: () => lastSeq,
    done,
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}
