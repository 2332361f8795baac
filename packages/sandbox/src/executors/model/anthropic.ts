/**
 * The Anthropic Messages API behind {@link ModelClient}, through the official SDK. Streaming by
 * default (`messages.stream` → `finalMessage()`), so a long answer never meets an idle timeout.
 * The SDK's own retries are off (`maxRetries: 0`): the agent loop backs off through the injected
 * clock and honours `retry-after` exactly. The system prompt and the repository overview carry a
 * `cache_control` breakpoint (the stable prefix), and so does the newest user turn.
 */
import Anthropic, { APIConnectionError, APIError, APIUserAbortError, AnthropicError } from '@anthropic-ai/sdk';
import type { Message, MessageCreateParamsNonStreaming, MessageParam, TextBlockParam, ContentBlockParam, Tool } from '@anthropic-ai/sdk/resources/messages/messages';
import { abortReason } from '../../clock';
import { displayUrl, isNetworkError, networkError, toModelError, type ErrorContext } from './errors';
import type { ChatMessage, ModelClient, ModelRequest, ModelTurn, StopReason } from './types';

export const ANTHROPIC_DEFAULT_BASE_URL = 'https://api.anthropic.com';

export interface AnthropicClientOptions {
  apiKey: string;
  /** Default `https://api.anthropic.com` (the SDK appends `/v1/messages`). */
  baseUrl?: string;
  /** Milliseconds since the epoch, for `retry-after` dates. */
  now?: () => number;
  /** For tests: a fetch to use instead of the global one. */
  fetch?: typeof fetch;
}

const silentSdkLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

type Block = ContentBlockParam;

function toParams(messages: readonly ChatMessage[]): MessageParam[] {
  const out: { role: 'user' | 'assistant'; content: Block[] }[] = [];
  const push = (role: 'user' | 'assistant', blocks: Block[]) => {
    const last = out[out.length - 1];
    // Consecutive turns of one role are merged (tool results followed by a repair note, say).
    if (last && last.role === role) last.content.push(...blocks);
    else out.push({ role, content: blocks });
  };
  for (const m of messages) {
    switch (m.role) {
      case 'user':
        push('user', [{ type: 'text', text: m.text }]);
        break;
      case 'assistant': {
        // The answer's own blocks go back unchanged: thinking blocks (and their signatures) must.
        if (Array.isArray(m.raw) && m.raw.length > 0) {
          push('assistant', [...(m.raw as Block[])]);
          break;
        }
        const blocks: Block[] = [];
        if (m.text.trim() !== '') blocks.push({ type: 'text', text: m.text });
        for (const call of m.toolCalls) {
          const input = call.input !== null && typeof call.input === 'object' && !Array.isArray(call.input) ? (call.input as Record<string, unknown>) : {};
          blocks.push({ type: 'tool_use', id: call.id, name: call.name, input });
        }
        if (blocks.length === 0) blocks.push({ type: 'text', text: '(no answer)' });
        push('assistant', blocks);
        break;
      }
      case 'tool_results': {
        const blocks: Block[] = m.results.map((r) => ({ type: 'tool_result', tool_use_id: r.id, content: r.content, ...(r.isError ? { is_error: true } : {}) }));
        if (m.text !== undefined && m.text !== '') blocks.push({ type: 'text', text: m.text });
        push('user', blocks);
        break;
      }
    }
  }
  // A moving cache breakpoint on the newest user turn: the next turn reads the conversation so far from the cache.
  const lastUser = [...out].reverse().find((m) => m.role === 'user');
  const lastBlock = lastUser?.content[lastUser.content.length - 1];
  if (lastBlock && (lastBlock.type === 'text' || lastBlock.type === 'tool_result')) lastBlock.cache_control = { type: 'ephemeral' };
  return out;
}

function stopReason(reason: Message['stop_reason']): StopReason {
  switch (reason) {
    case 'tool_use':
      return 'tool_use';
    case 'end_turn':
    case 'stop_sequence':
      return 'end_turn';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'max_tokens';
    case 'refusal':
      return 'refusal';
    case 'pause_turn':
    case null:
      return 'other';
  }
}

export function createAnthropicClient(options: AnthropicClientOptions): ModelClient {
  const baseUrl = options.baseUrl ?? ANTHROPIC_DEFAULT_BASE_URL;
  const now = options.now ?? Date.now;
  const sdk = new Anthropic({
    apiKey: options.apiKey,
    baseURL: baseUrl,
    maxRetries: 0,
    logger: silentSdkLogger,
    logLevel: 'off',
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const label = displayUrl(baseUrl);

  return {
    provider: 'anthropic',
    keySetting: 'ANTHROPIC_API_KEY',
    baseUrlSetting: 'ANTHROPIC_BASE_URL',
    baseUrl: label,
    async turn(request: ModelRequest): Promise<ModelTurn> {
      const system: TextBlockParam[] = [{ type: 'text', text: request.system }];
      if (request.overview.trim() !== '') system.push({ type: 'text', text: request.overview });
      system[system.length - 1]!.cache_control = { type: 'ephemeral' };
      const tools: Tool[] = request.tools.map((t) => ({ name: t.name, description: t.description, input_schema: t.parameters as Tool['input_schema'] }));
      const params: MessageCreateParamsNonStreaming = {
        model: request.model,
        max_tokens: request.maxOutputTokens,
        system,
        messages: toParams(request.messages),
        ...(tools.length > 0 ? { tools } : {}),
        ...(tools.length > 0
          ? { tool_choice: request.toolChoice.type === 'tool' ? { type: 'tool', name: request.toolChoice.name } : request.toolChoice.type === 'none' ? { type: 'none' } : { type: 'auto' } }
          : {}),
      };
      const ctx: ErrorContext = {
        providerLabel: 'Anthropic',
        keySetting: 'ANTHROPIC_API_KEY',
        baseUrlSetting: 'ANTHROPIC_BASE_URL',
        baseUrl: label,
        model: request.model,
        secrets: [options.apiKey],
        now: now(),
      };
      const requestOptions = { signal: request.signal, timeout: request.timeoutMs, maxRetries: 0 };
      let message: Message;
      try {
        message = request.stream ? await sdk.messages.stream(params, requestOptions).finalMessage() : await sdk.messages.create(params, requestOptions);
      } catch (error) {
        if (request.signal.aborted) throw abortReason(request.signal);
        if (error instanceof APIUserAbortError) throw new DOMException('The request was aborted', 'AbortError');
        if (error instanceof APIConnectionError) throw networkError(error, { ...ctx, now: now() });
        if (error instanceof APIError) {
          const status = error.status as number | undefined;
          const headers = error.headers as Headers | undefined;
          const body = error.error as { error?: { type?: unknown; message?: unknown } } | undefined;
          const type = error.type ?? (typeof body?.error?.type === 'string' ? body.error.type : null);
          const text = error.apiMessage ?? (typeof body?.error?.message === 'string' ? body.error.message : error.message);
          throw toModelError({ status: status ?? null, type, code: error.errorCode, message: text, headers: headers ?? null }, { ...ctx, now: now() });
        }
        if (error instanceof AnthropicError || isNetworkError(error)) throw networkError(error, { ...ctx, now: now() });
        throw error;
      }
      const text = message.content.flatMap((b) => (b.type === 'text' ? [b.text] : [])).join('');
      const toolCalls = message.content.flatMap((b) => (b.type === 'tool_use' ? [{ id: b.id, name: b.name, input: b.input }] : []));
      const usage = message.usage;
      return {
        text,
        toolCalls,
        stopReason: stopReason(message.stop_reason),
        usage: {
          input_tokens: usage.input_tokens ?? 0,
          output_tokens: usage.output_tokens ?? 0,
          cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
          cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
        },
        model: message.model,
        raw: message.content,
      };
    },
  };
}
