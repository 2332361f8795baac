/**
 * The contract of the fake model servers: scripted turns, recorded requests and the handle a test
 * holds. One turn answers one request, in the streaming or non-streaming form the request asked for.
 */
import type { IncomingHttpHeaders } from 'node:http';

export type FakeProvider = 'anthropic' | 'openai';

/** Token counts of one answer, in Anthropic's terms (mapped onto OpenAI's `prompt_tokens` …). */
export interface FakeUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens?: number;
  cache_creation_input_tokens?: number;
}

export interface FakeToolCall {
  name: string;
  input: unknown;
  /** Defaults to a deterministic `toolu_…` / `call_…` id. */
  id?: string;
}

/** Named error shapes, rendered the way each provider answers them. */
export type FakeErrorPreset = 'auth' | 'permission' | 'not_found' | 'rate_limit' | 'server' | 'overloaded' | 'context_length';

export interface FakeError {
  status: number;
  /** Anthropic `error.type` / OpenAI `error.type`; defaults follow the status (and the preset). */
  type?: string;
  message?: string;
  /** OpenAI `error.code` (e.g. `context_length_exceeded`, `rate_limit_exceeded`). */
  code?: string | null;
  /** OpenAI `error.param`. */
  param?: string | null;
  headers?: Record<string, string>;
  preset?: FakeErrorPreset;
  /**
   * For a streaming request: answer 200, start the stream, then send the error as an SSE event
   * (Anthropic `event: error`, OpenAI `data: {"error": …}`), as both APIs do for mid-stream failures.
   */
  inStream?: boolean;
}

interface Answer {
  usage?: FakeUsage;
}

/** The assistant calls tools (`stop_reason: tool_use` / `finish_reason: tool_calls`). */
export interface FakeToolCallsTurn extends Answer {
  toolCalls: FakeToolCall[];
  text?: string;
}
/** The structured answer: a `submit_<phase>` tool call, or JSON content under `response_format: json_schema`. */
export interface FakeFinalTurn extends Answer {
  final: Record<string, unknown>;
}
/**
 * A raw (possibly invalid or cut-off) structured answer, sent through the same channel as `final`.
 * `truncated` (default: whether `finalRaw` fails to parse) answers `max_tokens` / `length`.
 */
export interface FakeFinalRawTurn extends Answer {
  finalRaw: string;
  truncated?: boolean;
}
export interface FakeTextTurn extends Answer {
  text: string;
}
export interface FakeErrorTurn {
  error: FakeError;
}
/** Destroy the socket: before any header, or after the first chunk of the answer. */
export interface FakeDropTurn {
  drop: 'before_headers' | 'mid_stream';
}
/** Hold the answer back: no headers until the delay (streams: `message_start` / first chunk, then a stall). */
export interface FakeDelayTurn {
  delayMs: number;
  then: FakeTurn;
}

export type FakeTurn = FakeToolCallsTurn | FakeFinalTurn | FakeFinalRawTurn | FakeTextTurn | FakeErrorTurn | FakeDropTurn | FakeDelayTurn;

/** What the server answered a request with. */
export type TurnKind =
  | 'tool_calls'
  | 'final'
  | 'final_raw'
  | 'text'
  | 'error'
  | 'drop'
  | 'auth_error'
  | 'invalid_request'
  | 'script_exhausted'
  | 'models'
  | 'not_found';

/** How the request asks for the structured answer. */
export type FinalChannel = 'tool' | 'response_format' | 'text';

export interface RecordedRequest {
  /** 0-based, in arrival order. */
  index: number;
  method: string;
  path: string;
  /** As received (tests may assert the key arrived). Never logged. */
  headers: IncomingHttpHeaders;
  /** The parsed JSON body (`undefined` for none, the raw text when it is not JSON). */
  body: unknown;
  provider: FakeProvider | null;
  stream: boolean;
  /** The phase named by the `submit_<phase>` tool or the `<phase>_output` json_schema, if any. */
  phase: string | null;
  /** Where a `final` turn goes for this request. */
  finalChannel: FinalChannel;
  /** Names of the tools the request offers. */
  tools: string[];
  /** What the server answered; set once the answer is chosen. */
  turn: TurnKind | null;
  /** Whether the answer came from auto mode. */
  auto: boolean;
  status: number | null;
  /** The client went away before the answer was complete. */
  aborted: boolean;
  /** The exchange is over (answered, dropped or aborted). */
  done: boolean;
}

/** One line of the request log (no headers, no keys). */
export interface FakeLlmLogEntry {
  index: number;
  method: string;
  path: string;
  provider: FakeProvider | null;
  phase: string | null;
  turn: TurnKind | null;
  auto: boolean;
  stream: boolean;
  status: number | null;
  aborted: boolean;
  ms: number;
}

export type FakeScript = FakeTurn[] | ((request: RecordedRequest) => FakeTurn | undefined);

export interface FakeLlmOptions {
  provider: FakeProvider | 'both';
  /** 0 (the default) picks a free port. Always bound to 127.0.0.1. */
  port?: number;
  /** When set, any other key is answered 401. */
  apiKey?: string;
  /** Turns answered in order; a function is asked once the queue is empty. */
  script?: FakeScript;
  /** Play a plausible agent when the script has nothing to say. */
  auto?: boolean;
  /** Model name echoed when the request names none. */
  model?: string;
  /** Called once per finished exchange (the CLI prints these). */
  onRequest?: (entry: FakeLlmLogEntry) => void;
}

export interface FakeLlm {
  /** `http://127.0.0.1:PORT` */
  readonly url: string;
  readonly port: number;
  /** For `ANTHROPIC_BASE_URL` / `new Anthropic({ baseURL })`: the SDK appends `/v1/messages`. */
  readonly anthropicBaseUrl: string;
  /** For `OPENAI_BASE_URL` / `new OpenAI({ baseURL })`: `…/v1`. */
  readonly openaiBaseUrl: string;
  readonly requests: readonly RecordedRequest[];
  enqueue(...turns: FakeTurn[]): void;
  /** Scripted turns not yet used. */
  pending(): number;
  /** Resolves once `n` requests have arrived. */
  waitForRequests(n: number): Promise<RecordedRequest[]>;
  /** Resolves once `predicate` holds; re-checked whenever a request arrives or changes state. */
  waitFor(predicate: (requests: readonly RecordedRequest[]) => boolean): Promise<RecordedRequest[]>;
  close(): Promise<void>;
}
