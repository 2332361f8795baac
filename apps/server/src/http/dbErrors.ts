/**
 * Database errors that still get past the input boundary, classified once for the error handler:
 * the database refused a value (SQLSTATE class 22 data exception, 23 integrity, 54 limits) → 422 (409
 * for a unique violation), the database is unreachable or overloaded (class 08, 53, 57P0x, a
 * serialization failure or deadlock, a dropped connection) → 503 `unavailable` with `Retry-After`.
 * Nothing here ever carries the query's bound parameters or the error's `detail` (which quotes row
 * values) into a response or a log line.
 */
import { AppError } from './errors';

export type DatabaseFailureKind = 'invalid_input' | 'conflict' | 'unavailable';

export interface DatabaseFailure {
  kind: DatabaseFailureKind;
  /** The SQLSTATE, or the Node error code of a network failure. */
  code: string;
  /** What went wrong, in words that quote no value. */
  condition: string;
}

/** Seconds a client should wait before retrying after a 503 `unavailable`. */
export const UNAVAILABLE_RETRY_AFTER_SECONDS = 5;

const CONDITIONS: Record<string, string> = {
  '22001': 'a text value is longer than its column allows',
  '22003': 'a number is out of range for its column',
  '22007': 'a date/time value is not valid',
  '22008': 'a date/time value is out of range',
  '22021': 'a text value holds a byte sequence the database cannot store (such as NUL)',
  '22P02': 'a value does not have the type its column expects',
  '22P05': 'a text value holds a character the database cannot store',
  '23502': 'a required value is missing',
  '23503': 'a value refers to something that does not exist',
  '23505': 'a value that must be unique already exists',
  '23514': 'a value breaks a rule of its column',
  '54000': 'a value is too large to store',
  '54001': 'a value is nested too deeply to store',
};

const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH']);
const UNAVAILABLE_MESSAGES = [/connection terminated/i, /timeout exceeded when trying to connect/i, /cannot use a pool after calling end/i, /pglite is closed/i, /client has encountered a connection error/i];

function classifySqlState(code: string): DatabaseFailure | undefined {
  const condition = CONDITIONS[code];
  if (code === '23505') return { kind: 'conflict', code, condition: condition! };
  if (code.startsWith('22') || code.startsWith('23') || code.startsWith('54')) return { kind: 'invalid_input', code, condition: condition ?? 'the database refused a value' };
  if (code.startsWith('08') || code.startsWith('53') || code.startsWith('57P') || code === '40001' || code === '40P01' || code === '55P03' || code === '57014') {
    return { kind: 'unavailable', code, condition: 'the database is unavailable or overloaded' };
  }
  return undefined;
}

/** The database failure somewhere in `error`'s cause chain, or undefined when it is none. */
export function classifyDatabaseError(error: unknown): DatabaseFailure | undefined {
  let e: unknown = error;
  for (let depth = 0; e && typeof e === 'object' && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') {
      if (/^[0-9A-Z]{5}$/.test(code)) {
        const failure = classifySqlState(code);
        if (failure) return failure;
      } else if (NETWORK_CODES.has(code)) {
        return { kind: 'unavailable', code, condition: 'the database cannot be reached' };
      }
    }
    const message = (e as { message?: unknown }).message;
    if (typeof message === 'string' && UNAVAILABLE_MESSAGES.some((m) => m.test(message))) {
      return { kind: 'unavailable', code: 'connection', condition: 'the database connection failed' };
    }
    e = (e as { cause?: unknown }).cause;
  }
  return undefined;
}

/** The answer for a database failure: 422 / 409 / 503 with `Retry-After`. */
export function databaseFailureToAppError(failure: DatabaseFailure): AppError {
  switch (failure.kind) {
    case 'invalid_input':
      return new AppError('validation_failed', `invalid input: ${failure.condition}; nothing was changed`, { errors: [{ path: '(request)', message: failure.condition }] });
    case 'conflict':
      return new AppError('conflict', `${failure.condition}; nothing was changed`);
    case 'unavailable':
      return new AppError('unavailable', `${failure.condition}; retry in a few seconds`, { headers: { 'retry-after': String(UNAVAILABLE_RETRY_AFTER_SECONDS) } });
  }
}
