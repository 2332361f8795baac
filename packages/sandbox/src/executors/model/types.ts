/**
 * The provider-neutral seam of the model executors: one model turn (messages + tools in; text, tool
 * calls, usage and a stop reason out). `anthropic.ts` and `openai.ts` adapt the two SDKs to it; the
 * agent loop (`loop.ts`) only ever talks to a {@link ModelClient}.
 */

export type ProviderName = 'anthropic' | 'openai';

/** How the structured answer is asked for: a `submit_<phase>` tool, or OpenAI `response_format: json_schema`. */
export type StructuredOutputMode = 'tool' | 'json_schema';

export interface ToolCall {
  id: string;
  name: string;
  /** The parsed arguments; `undefined` when they were not valid JSON (see `rawArguments`). */
  input: unknown;
  /** The arguments as the model wrote them, when they came as text (OpenAI) or did not parse. */
  rawArguments?: string;
}

export interface ToolResult {
  /** The id of the call it answers. */
  id: string;
  name: string;
  content: string;
  isError?: boolean;
}

/** The conversation, provider-neutral. The system prompt and the repository overview travel apart (the cached prefix). */
export type ChatMessage =
  | { role: 'user'; text: string }
  /** `raw`: the provider's own content blocks of this turn, sent back as they came (Anthropic thinking blocks must be). */
  | { role: 'assistant'; text: string; toolCalls: ToolCall[]; raw?: unknown }
  /** Answers to every tool call of the assistant message before it, then optional user text (a repair note). */
  | { role: 'tool_results'; results: ToolResult[]; text?: string };

export interface ToolSpec {
  name: string;
  description: string;
  /** JSON Schema of the arguments (an object schema). */
  parameters: Record<string, unknown>;
}

export type ToolChoice = { type: 'auto' } | { type: 'tool'; name: string } | { type: 'none' };

export interface ModelRequest {
  model: string;
  /** The system prompt: stable across turns, phases and runs. */
  system: string;
  /** The repository overview: stable across the turns of a phase (cached with the system prompt). */
  overview: string;
  messages: readonly ChatMessage[];
  tools: readonly ToolSpec[];
  toolChoice: ToolChoice;
  /** Set for `response_format: json_schema` (OpenAI only): the final answer is JSON content. */
  responseFormat?: { name: string; schema: Record<string, unknown> };
  maxOutputTokens: number;
  stream: boolean;
  signal: AbortSignal;
  /** Milliseconds before the SDK gives up on the request (real time; the loop's own limits use the injected clock). */
  timeoutMs: number;
}

export interface TurnUsage {
  /** Input tokens not read from or written to the prompt cache. */
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

export type StopReason = 'end_turn' | 'tool_use' | 'max_tokens' | 'refusal' | 'other';

export interface ModelTurn {
  text: string;
  toolCalls: ToolCall[];
  stopReason: StopReason;
  usage: TurnUsage;
  /** The model the server says answered (may carry a date suffix). */
  model?: string;
  /** The provider's content blocks, to send back unchanged in the next request (see ChatMessage). */
  raw?: unknown;
}

/** One model turn through a provider's API. Throws a {@link ModelApiError} (or the abort reason). */
export interface ModelClient {
  readonly provider: ProviderName;
  /** What the user sets to change the key, for messages: `ANTHROPIC_API_KEY`. */
  readonly keySetting: string;
  readonly baseUrlSetting: string;
  /** The endpoint, with any credentials stripped, for messages. */
  readonly baseUrl: string;
  turn(request: ModelRequest): Promise<ModelTurn>;
}

export type ModelErrorKind =
  /** 401/403: the key is missing, wrong or not allowed. Fatal: no retry. */
  | 'auth'
  /** 404 on the model, unknown model: fatal as well. */
  | 'not_found'
  /** 429, 529, 5xx, dropped connection, timeout: retried with backoff. */
  | 'retryable'
  /** The prompt does not fit the context window: shrink the tool results and retry once. */
  | 'context_length'
  /** Anything else the server refused (400, 422): the attempt fails. */
  | 'bad_request';

/** An API failure, classified. Its message never carries the key or a prompt. */
export class ModelApiError extends Error {
  override name = 'ModelApiError';
  constructor(
    message: string,
    readonly kind: ModelErrorKind,
    readonly status: number | null,
    /** Milliseconds the server asked to wait (`retry-after-ms`, `retry-after`), when it did. */
    readonly retryAfterMs: number | null = null,
  ) {
    super(message);
  }
}
