/** One JSON POST with a bearer token and a timeout, classified for the retry loop. Never throws. */
import { ErrorBody } from '@specline/protocol';
import { errorMessage } from '../internal';
import { isRetryableStatus, parseRetryAfter } from './retry';

export type PostOutcome =
  /** 2xx: `body` is the parsed JSON answer (or `undefined` when it had none). */
  | { kind: 'ok'; status: number; body: unknown }
  /** Network error, timeout, 5xx, 408 or 429: worth trying again. */
  | { kind: 'retry'; status: number | null; retryAfterMs: number | undefined; reason: string }
  /** Any other status: the server refused this request; sending it again will not help. */
  | { kind: 'reject'; status: number; error: ErrorBody | undefined; reason: string };

export interface PostRequest {
  url: string;
  token: string;
  /** Already-serialised JSON body. */
  body: string;
  timeoutMs: number;
  /** Clock time, for `Retry-After` HTTP-dates. */
  now: number;
  signal?: AbortSignal;
}

async function readJson(response: Response): Promise<unknown> {
  const text = await response.text();
  if (text.trim() === '') return undefined;
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return text;
  }
}

export async function postJson(request: PostRequest): Promise<PostOutcome> {
  const timeout = AbortSignal.timeout(request.timeoutMs);
  const signal = request.signal ? AbortSignal.any([request.signal, timeout]) : timeout;
  let response: Response;
  let body: unknown;
  try {
    response = await fetch(request.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${request.token}` },
      body: request.body,
      signal,
    });
    body = await readJson(response);
  } catch (error) {
    const reason = timeout.aborted ? `no answer within ${request.timeoutMs} ms` : errorMessage(error);
    return { kind: 'retry', status: null, retryAfterMs: undefined, reason };
  }
  if (response.ok) return { kind: 'ok', status: response.status, body };
  const parsed = ErrorBody.safeParse(body);
  const error = parsed.success ? parsed.data : undefined;
  const reason = `HTTP ${response.status}${error ? ` ${error.code}: ${error.detail}` : ''}`;
  if (isRetryableStatus(response.status)) {
    return { kind: 'retry', status: response.status, retryAfterMs: parseRetryAfter(response.headers.get('retry-after'), request.now), reason };
  }
  return { kind: 'reject', status: response.status, error, reason };
}
