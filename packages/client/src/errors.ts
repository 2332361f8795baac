import { ErrorBody, type ErrorCode } from '@specline/protocol';

/** Codes the client adds to the server's: the request never got an answer, or the answer broke the contract. */
export type ClientErrorCode = ErrorCode | 'network_error' | 'invalid_response';

export interface ApiErrorItem {
  path: string;
  message: string;
  index?: number;
}

/**
 * Every failure of a client call. `status` is the HTTP status (0 when no answer arrived),
 * `code` the server's error code (see docs/errors.md) or one of the client's own,
 * `detail` a sentence for people, `errors` the per-field problems of a 400/422.
 */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: ClientErrorCode;
  readonly detail: string;
  readonly errors: ApiErrorItem[];
  /** `METHOD path` of the call that failed. */
  readonly request: string;

  constructor(init: { status: number; code: ClientErrorCode; detail: string; errors?: ApiErrorItem[]; request: string; cause?: unknown }) {
    super(`${init.request} failed: ${init.detail} (${init.code}${init.status ? `, HTTP ${init.status}` : ''})`, { cause: init.cause });
    this.status = init.status;
    this.code = init.code;
    this.detail = init.detail;
    this.errors = init.errors ?? [];
    this.request = init.request;
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }

  get isUnauthorized(): boolean {
    return this.status === 401;
  }
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}

/** A code for an error answer that did not carry a valid `ErrorBody` (a proxy's HTML page, an empty 502). */
export function codeForStatus(status: number): ErrorCode {
  switch (status) {
    case 400:
      return 'validation_failed';
    case 401:
      return 'unauthorized';
    case 403:
      return 'forbidden';
    case 404:
      return 'not_found';
    case 409:
      return 'conflict';
    case 413:
      return 'payload_too_large';
    case 415:
      return 'unsupported_media_type';
    case 422:
      return 'validation_failed';
    case 429:
      return 'rate_limited';
    case 503:
      return 'shutting_down';
    default:
      return 'internal';
  }
}

/** Builds the ApiError of a non-2xx answer from its body text, which should be an `ErrorBody`. */
export function errorFromResponse(status: number, statusText: string, bodyText: string, request: string): ApiError {
  let json: unknown;
  try {
    json = JSON.parse(bodyText);
  } catch {
    json = undefined;
  }
  const parsed = ErrorBody.safeParse(json);
  if (parsed.success) {
    return new ApiError({ status, code: parsed.data.code, detail: parsed.data.detail, errors: parsed.data.errors, request });
  }
  const snippet = bodyText.trim().slice(0, 200);
  const detail = `HTTP ${status}${statusText ? ` ${statusText}` : ''}${snippet ? `: ${snippet}` : ''}`;
  return new ApiError({ status, code: codeForStatus(status), detail, request });
}
