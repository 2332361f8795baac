/**
 * What the server may write to its log. One list of redacted paths (authorization headers, cookies,
 * passwords and hashes, tokens) and three serializers: `req` logs the URL with the values of
 * credential query parameters (`?token=`) replaced, `res` only the status, and `err` never carries a
 * failed query's bound parameters (Drizzle puts them in the message, the stack and `params`) nor a
 * PostgreSQL error's `detail`/`where` (which quote row values, e.g. a password hash).
 * `deps.ts` builds the process logger with {@link loggerOptions}; `buildApp` hardens whatever logger
 * it is given with {@link hardenLogger}, so tests and embedders get the same guarantees.
 */
import { pino, type DestinationStream, type Logger, type LoggerOptions } from 'pino';

const SECRET_KEYS = ['password', 'passwordHash', 'password_hash', 'token', 'access_token', 'refresh_token', 'accessToken', 'refreshToken', 'SANDBOX_TOKEN', 'JWT_SECRET', 'secret'];

/** pino redaction paths: headers, and the secret keys at the top level and up to three levels down. */
export const REDACT_PATHS: string[] = [
  'req.headers.authorization',
  'req.headers.cookie',
  'req.headers["set-cookie"]',
  'res.headers["set-cookie"]',
  'headers.authorization',
  'headers.cookie',
  'headers["set-cookie"]',
  '*.headers.authorization',
  '*.headers.cookie',
  'err.params',
  ...SECRET_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`, `*.*.*.${key}`]),
];

/** Query parameters whose values are credentials. */
const SECRET_QUERY = /([?&](?:token|access_token|refresh_token|password|sandbox_token)=)[^&#]*/gi;

/** The URL with the values of credential query parameters replaced by `[Redacted]`. */
export function redactUrl(url: string): string {
  return url.replace(SECRET_QUERY, '$1[Redacted]');
}

/** Error fields that are safe to log; anything else (params, detail, where, internalQuery, …) is dropped. */
const SAFE_ERROR_FIELDS = ['code', 'statusCode', 'severity', 'routine', 'table', 'column', 'constraint', 'schema', 'dataType', 'validationContext', 'errno', 'syscall'];

interface SerializedError {
  type: string;
  message: string;
  stack?: string;
  cause?: SerializedError | string;
  [field: string]: unknown;
}

const isSqlState = (code: unknown): boolean => typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);

/** A failed query's message without its bound parameters; a database error's without the values it quotes. */
function safeMessage(error: Error): string {
  const raw = typeof error.message === 'string' ? error.message : String(error.message);
  // PostgreSQL quotes the offending input: `invalid input syntax for type integer: "…"`.
  const message = isSqlState((error as { code?: unknown }).code) ? raw.replace(/"[^"]*"/g, '"…"') : raw;
  const query = (error as { query?: unknown }).query;
  if ('params' in error || message.startsWith('Failed query:')) {
    const at = message.indexOf('\nparams:');
    const base = at >= 0 ? message.slice(0, at) : typeof query === 'string' ? `Failed query: ${query}` : message;
    return `${base}\nparams: [Redacted]`;
  }
  return message;
}

export function serializeError(error: unknown, depth = 0): SerializedError | string {
  if (!(error instanceof Error)) return typeof error === 'string' ? error : JSON.stringify(error) ?? String(error);
  const message = safeMessage(error);
  const out: SerializedError = { type: error.name || error.constructor?.name || 'Error', message };
  if (typeof error.stack === 'string') out.stack = message === error.message ? error.stack : error.stack.split(error.message).join(message);
  for (const field of SAFE_ERROR_FIELDS) {
    const value = (error as unknown as Record<string, unknown>)[field];
    if (value !== undefined && (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean')) out[field] = value;
  }
  if (error.cause !== undefined && depth < 4) out.cause = serializeError(error.cause, depth + 1);
  return out;
}

interface LoggedRequest {
  method?: string;
  url?: string;
  host?: string;
  ip?: string;
  socket?: { remotePort?: number };
}

export const logSerializers = {
  req: (request: LoggedRequest) => ({
    method: request.method,
    url: typeof request.url === 'string' ? redactUrl(request.url) : request.url,
    host: request.host,
    remoteAddress: request.ip,
    remotePort: request.socket?.remotePort,
  }),
  res: (reply: { statusCode?: number }) => ({ statusCode: reply.statusCode }),
  err: (error: unknown) => serializeError(error),
};

const redact = { paths: REDACT_PATHS, censor: '[Redacted]' };

export function loggerOptions(level: string): LoggerOptions {
  return { level, redact, serializers: logSerializers };
}

/** The process logger (stdout), or one writing to `destination` (tests capture it). */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  return destination ? pino(loggerOptions(level), destination) : pino(loggerOptions(level));
}

/** A child of `logger` with the redaction list and the safe serializers, whatever `logger` was built with. */
export function hardenLogger(logger: Logger): Logger {
  return logger.child({}, { redact, serializers: logSerializers });
}
