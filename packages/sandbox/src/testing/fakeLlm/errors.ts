/**
 * Error answers as each API writes them.
 * Anthropic: `{"type":"error","error":{"type":"rate_limit_error","message":"…"},"request_id":"req_…"}`.
 * OpenAI: `{"error":{"message":"…","type":"…","param":null,"code":null}}`.
 */
import type { FakeError, FakeErrorPreset, FakeProvider } from './types';

const PRESETS: Record<FakeErrorPreset, FakeError> = {
  auth: { status: 401 },
  permission: { status: 403 },
  not_found: { status: 404 },
  rate_limit: { status: 429, headers: { 'retry-after': '1' } },
  server: { status: 500 },
  overloaded: { status: 529 },
  context_length: { status: 400 },
};

/** A ready-made error turn body: `fakeError('rate_limit')`, `fakeError('context_length')`. */
export function fakeError(preset: FakeErrorPreset, overrides: Partial<FakeError> = {}): FakeError {
  const base = PRESETS[preset];
  return { ...base, ...overrides, preset, headers: { ...base.headers, ...overrides.headers } };
}

const ANTHROPIC_TYPES: Record<number, string> = {
  400: 'invalid_request_error',
  401: 'authentication_error',
  402: 'billing_error',
  403: 'permission_error',
  404: 'not_found_error',
  413: 'request_too_large',
  429: 'rate_limit_error',
  500: 'api_error',
  504: 'timeout_error',
  529: 'overloaded_error',
};

const ANTHROPIC_MESSAGES: Record<string, string> = {
  invalid_request_error: 'invalid request',
  authentication_error: 'invalid x-api-key',
  billing_error: 'Your credit balance is too low to access the Anthropic API.',
  permission_error: 'Your API key does not have permission to use the specified resource.',
  not_found_error: 'Not found',
  request_too_large: 'Request exceeds the maximum allowed number of bytes.',
  rate_limit_error: 'Number of request tokens has exceeded your per-minute rate limit',
  api_error: 'Internal server error',
  timeout_error: 'Request timed out',
  overloaded_error: 'Overloaded',
};

interface OpenAiDefault {
  type: string;
  code: string | null;
  message: string;
}

function openAiDefault(status: number): OpenAiDefault {
  if (status === 401) return { type: 'invalid_request_error', code: 'invalid_api_key', message: 'Incorrect API key provided.' };
  if (status === 403) return { type: 'invalid_request_error', code: 'unsupported_country_region_territory', message: 'Country, region, or territory not supported' };
  if (status === 404) return { type: 'invalid_request_error', code: 'model_not_found', message: 'The model does not exist or you do not have access to it.' };
  if (status === 429) return { type: 'requests', code: 'rate_limit_exceeded', message: 'Rate limit reached for requests. Please try again in 1s.' };
  if (status >= 500) return { type: 'server_error', code: null, message: 'The server had an error while processing your request. Sorry about that!' };
  return { type: 'invalid_request_error', code: null, message: 'Invalid request.' };
}

export interface RenderedError {
  status: number;
  headers: Record<string, string>;
  body: Record<string, unknown>;
}

export function renderError(provider: FakeProvider, error: FakeError, requestId: string): RenderedError {
  const headers = { ...error.headers };
  // Both APIs say when to come back after a 429.
  if (error.status === 429 && !Object.keys(headers).some((h) => h.toLowerCase() === 'retry-after')) headers['retry-after'] = '1';
  if (provider === 'anthropic') {
    let type = error.type ?? ANTHROPIC_TYPES[error.status] ?? (error.status >= 500 ? 'api_error' : 'invalid_request_error');
    let message = error.message;
    if (error.preset === 'context_length') {
      type = error.type ?? 'invalid_request_error';
      message ??= 'prompt is too long: 250000 tokens > 200000 maximum';
    }
    headers['request-id'] = requestId;
    return { status: error.status, headers, body: { type: 'error', error: { type, message: message ?? ANTHROPIC_MESSAGES[type] ?? type }, request_id: requestId } };
  }
  const fallback = openAiDefault(error.status);
  let { type, code, message } = fallback;
  let param: string | null = error.param ?? null;
  if (error.preset === 'context_length') {
    type = 'invalid_request_error';
    code = 'context_length_exceeded';
    param = error.param ?? 'messages';
    message =
      "This model's maximum context length is 128000 tokens. However, your messages resulted in 250000 tokens. Please reduce the length of the messages.";
  }
  headers['x-request-id'] = requestId;
  return {
    status: error.status,
    headers,
    body: { error: { message: error.message ?? message, type: error.type ?? type, param, code: error.code === undefined ? code : error.code } },
  };
}
