import { z } from 'zod';

/**
 * Every error code the API answers with. The server maps each to an HTTP status in one table
 * (`apps/server/src/http/errors.ts`); `docs/errors.md` explains each one.
 */
export const ErrorCode = {
  invalid_json: 'invalid_json',
  validation_failed: 'validation_failed',
  payload_too_large: 'payload_too_large',
  unsupported_media_type: 'unsupported_media_type',
  unauthorized: 'unauthorized',
  invalid_credentials: 'invalid_credentials',
  token_revoked: 'token_revoked',
  forbidden: 'forbidden',
  spec_mismatch: 'spec_mismatch',
  not_found: 'not_found',
  conflict: 'conflict',
  email_taken: 'email_taken',
  already_running: 'already_running',
  not_running: 'not_running',
  precondition_failed: 'precondition_failed',
  idempotency_conflict: 'idempotency_conflict',
  repo_not_allowed: 'repo_not_allowed',
  no_remote: 'no_remote',
  no_pull_request_api: 'no_pull_request_api',
  rate_limited: 'rate_limited',
  shutting_down: 'shutting_down',
  unavailable: 'unavailable',
  sandbox_launch_failed: 'sandbox_launch_failed',
  internal: 'internal',
} as const;
export type ErrorCode = (typeof ErrorCode)[keyof typeof ErrorCode];

export const ErrorCodeSchema = z.enum(Object.values(ErrorCode) as [ErrorCode, ...ErrorCode[]]);

/** Every error response: `{detail, code, errors?}`. */
export const ErrorBody = z.object({
  detail: z.string(),
  code: ErrorCodeSchema,
  errors: z.array(z.object({ path: z.string(), message: z.string(), index: z.number().int().optional() })).optional(),
});
export type ErrorBody = z.infer<typeof ErrorBody>;
