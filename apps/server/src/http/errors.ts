/**
 * One error type, one table from code to HTTP status (a code without a status does not compile),
 * and the handler that turns anything thrown into `{detail, code, errors?}`.
 */
import type { ErrorBody, ErrorCode } from '@specline/protocol';
import type { FastifyError, FastifyInstance, FastifyReply } from 'fastify';
import { hasZodFastifySchemaValidationErrors } from 'fastify-type-provider-zod';
import { classifyDatabaseError, databaseFailureToAppError } from './dbErrors';

export const STATUS: Record<ErrorCode, number> = {
  invalid_json: 400,
  validation_failed: 422,
  payload_too_large: 413,
  unsupported_media_type: 415,
  unauthorized: 401,
  invalid_credentials: 401,
  token_revoked: 401,
  forbidden: 403,
  spec_mismatch: 403,
  not_found: 404,
  conflict: 409,
  email_taken: 409,
  already_running: 409,
  not_running: 409,
  precondition_failed: 409,
  idempotency_conflict: 422,
  repo_not_allowed: 422,
  no_remote: 409,
  no_pull_request_api: 409,
  rate_limited: 429,
  shutting_down: 503,
  unavailable: 503,
  sandbox_launch_failed: 502,
  internal: 500,
};

export type ErrorItem = NonNullable<ErrorBody['errors']>[number];

export class AppError extends Error {
  override name = 'AppError';
  readonly code: ErrorCode;
  readonly errors: ErrorItem[] | undefined;
  readonly headers: Record<string, string> | undefined;
  constructor(code: ErrorCode, detail: string, options: { errors?: ErrorItem[]; cause?: unknown; headers?: Record<string, string> } = {}) {
    super(detail, { cause: options.cause });
    this.code = code;
    this.errors = options.errors;
    this.headers = options.headers;
  }
  get status(): number {
    return STATUS[this.code];
  }
  toBody(): ErrorBody {
    return this.errors ? { detail: this.message, code: this.code, errors: this.errors } : { detail: this.message, code: this.code };
  }
}

export const notFound = (what: string) => new AppError('not_found', `${what} not found`);

function fastifyErrorToAppError(error: FastifyError): AppError | undefined {
  if (hasZodFastifySchemaValidationErrors(error)) {
    const errors = error.validation.map((v) => {
      const where = error.validationContext ?? 'body';
      const sub = v.instancePath.replace(/^\//, '').replaceAll('/', '.');
      return { path: sub ? `${where}.${sub}` : where, message: v.message ?? 'invalid' };
    });
    const detail = `invalid request ${error.validationContext ?? 'body'}: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`;
    return new AppError('validation_failed', detail, { errors });
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return new AppError('invalid_json', `request body is not valid JSON: ${error.message}`);
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return new AppError('payload_too_large', 'request body is larger than the limit (4 MiB)');
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return new AppError('unsupported_media_type', `unsupported content-type; send application/json`);
    default:
      break;
  }
  if (error.statusCode === 429) return new AppError('rate_limited', error.message || 'too many requests');
  if (error instanceof SyntaxError || error.statusCode === 400) return new AppError('invalid_json', error.message);
  return undefined;
}

/**
 * The one mapping from anything thrown to an AppError: our own, Fastify's (validation, body parsing),
 * or a database error that got past the input boundary (422 / 409 / 503 unavailable). `undefined` → a bug.
 * Database errors are logged by SQLSTATE only: never with the query's bound parameters.
 */
export function toAppError(error: unknown, log?: { warn(fields: object, message: string): void }): AppError | undefined {
  if (error instanceof AppError) return error;
  const failure = classifyDatabaseError(error);
  if (failure) {
    log?.warn({ sqlstate: failure.code, condition: failure.condition }, `database error mapped to ${failure.kind}`);
    return databaseFailureToAppError(failure);
  }
  return error instanceof Error ? fastifyErrorToAppError(error as FastifyError) : undefined;
}

/**
 * Fastify's own answers before routing (`frameworkErrors`): a path that is not valid percent-encoded UTF-8
 * (`%FF`, the bytes of a lone surrogate) is 422 naming `url`; a path parameter past the router's limit
 * (100 characters) cannot be an id: 404. Both in the `ErrorBody` shape like every other answer.
 */
export function frameworkError(error: FastifyError): AppError {
  if (error.code === 'FST_ERR_MAX_PARAM_LENGTH') return new AppError('not_found', 'no such resource: a path segment is longer than 100 characters');
  if (error.code === 'FST_ERR_BAD_URL') {
    const message = 'the URL is not valid percent-encoded UTF-8';
    return new AppError('validation_failed', `invalid request: ${message}`, { errors: [{ path: 'url', message }] });
  }
  return new AppError('internal', 'internal server error');
}

/** The `frameworkErrors` option of the Fastify instance: answers {@link frameworkError} as an `ErrorBody`. */
export function answerFrameworkError(error: FastifyError, reply: FastifyReply): void {
  const appError = frameworkError(error);
  void reply.status(appError.status).send(appError.toBody());
}

/** Installs the error and not-found handlers: every failure leaves as `ErrorBody`. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const appError = toAppError(error, request.log);
    if (!appError) {
      request.log.error({ err: error }, 'unhandled error');
      return reply.status(500).send({ detail: 'internal server error', code: 'internal' } satisfies ErrorBody);
    }
    if (appError.code === 'unavailable') request.log.error({ code: appError.code }, appError.message);
    else if (appError.status >= 500) request.log.error({ err: appError.cause ?? appError }, appError.message);
    else request.log.info({ code: appError.code }, appError.message);
    if (appError.headers) void reply.headers(appError.headers);
    return reply.status(appError.status).send(appError.toBody());
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send({ detail: `no route ${request.method} ${request.url.split('?')[0]}`, code: 'not_found' } satisfies ErrorBody),
  );
}
