/**
 * OpenAI Chat Completions behind {@link ModelClient}, through the official SDK: OpenAI itself and the
 * OpenAI-compatible servers (Ollama, vLLM, llama.cpp server, LM Studio, OpenRouter). Streaming by
 * default (chunks accumulated here, usage from `stream_options.include_usage`). The SDK's retries
 * are off; the loop backs off itself. The key is optional: local servers need none.
 */
import OpenAI, { APIConnectionError, APIError, APIUserAbortError, OpenAIError } from 'openai';
import type { ChatCompletion, ChatCompletionCreateParamsBase, ChatCompletionMessageParam, ChatCompletionTool, ChatCompletionToolChoiceOption } from 'openai/resources/chat/completions/completions';
import { abortReason } from '../../clock';
import { displayUrl, isNetworkError, networkError, toModelError, type ErrorContext } from './errors';
import type { ChatMessage, ModelClient, ModelRequest, ModelTurn, StopReason, ToolCall, TurnUsage } from './types';

export const OPENAI_DEFAULT_BASE_URL = 'https://api.openai.com/v1';

export interface OpenAiClientOptions {
  /** Optional: local servers need none (no Authorization header is sent then). */
  apiKey?: string | null;
  /** Default `https://api.openai.com/v1`; for others the `/v1` root (`http://localhost:11434/v1`). */
  baseUrl?: string;
  now?: () => number;
  fetch?: typeof fetch;
}

const silentSdkLogger = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

function toParams(system: string, messages: readonly ChatMessage[]): ChatCompletionMessageParam[] {
  const out: ChatCompletionMessageParam[] = [{ role: 'system', content: system }];
  for (const m of messages) {
    switch (m.role) {
      case 'user':
        out.push({ role: 'user', content: m.text });
        break;
      case 'assistant':
        out.push({
          role: 'assistant',
          content: m.text === '' && m.toolCalls.length > 0 ? null : m.text,
          ...(m.toolCalls.length > 0
            ? { tool_calls: m.toolCalls.map((c) => ({ id: c.id, type: 'function' as const, function: { name: c.name, arguments: c.rawArguments ?? JSON.stringify(c.input ?? {}) } })) }
            : {}),
        });
        break;
      case 'tool_results':
        for (const r of m.results) out.push({ role: 'tool', tool_call_id: r.id, content: r.isError ? `ERROR: ${r.content}` : r.content });
        if (m.text !== undefined && m.text !== '') out.push({ role: 'user', content: m.text });
        break;
    }
  }
  return out;
}

function stopReason(reason: string | null | undefined, hasToolCalls: boolean): StopReason {
  if (reason === 'length') return 'max_tokens';
  if (reason === 'content_filter') return 'refusal';
  if (hasToolCalls || reason === 'tool_calls' || reason === 'function_call') return 'tool_use';
  if (reason === 'stop' || reason === null || reason === undefined) return 'end_turn';
  return 'other';
}

function parseCall(id: string, name: string, args: string): ToolCall {
  try {
    return { id, name, input: args.trim() === '' ? {} : (JSON.parse(args) as unknown), rawArguments: args };
  } catch {
    return { id, name, input: undefined, rawArguments: args };
  }
}

function usageOf(usage: ChatCompletion['usage'] | null | undefined): TurnUsage {
  const prompt = usage?.prompt_tokens ?? 0;
  const cached = usage?.prompt_tokens_details?.cached_tokens ?? 0;
  return { input_tokens: Math.max(0, prompt - cached), output_tokens: usage?.completion_tokens ?? 0, cache_read_input_tokens: cached, cache_creation_input_tokens: 0 };
}

export function createOpenAiClient(options: OpenAiClientOptions): ModelClient {
  const baseUrl = options.baseUrl ?? OPENAI_DEFAULT_BASE_URL;
  const now = options.now ?? Date.now;
  const apiKey = options.apiKey && options.apiKey !== '' ? options.apiKey : null;
  const sdk = new OpenAI({
    // The SDK insists on a credential; without a key a placeholder satisfies it and the header is dropped below.
    apiKey: apiKey ?? 'no-key',
    baseURL: baseUrl,
    organization: null,
    project: null,
    adminAPIKey: null,
    maxRetries: 0,
    logger: silentSdkLogger,
    logLevel: 'off',
    // Without a key (a local server), send no Authorization header at all.
    ...(apiKey === null ? { defaultHeaders: { Authorization: null } } : {}),
    ...(options.fetch ? { fetch: options.fetch } : {}),
  });
  const label = displayUrl(baseUrl);
  // OpenAI itself wants max_completion_tokens (reasoning models refuse max_tokens); compatible servers know max_tokens.
  const isOpenAi = /(^|\.)openai\.com$/i.test(safeHost(baseUrl));

  return {
    provider: 'openai',
    keySetting: 'OPENAI_API_KEY',
    baseUrlSetting: 'OPENAI_BASE_URL',
    baseUrl: label,
    async turn(request: ModelRequest): Promise<ModelTurn> {
      const system = request.overview.trim() === '' ? request.system : `${request.system}\n\n${request.overview}`;
      const tools: ChatCompletionTool[] = request.tools.map((t) => ({ type: 'function', function: { name: t.name, description: t.description, parameters: t.parameters } }));
      const toolChoice: ChatCompletionToolChoiceOption =
        request.toolChoice.type === 'tool' ? { type: 'function', function: { name: request.toolChoice.name } } : request.toolChoice.type === 'none' ? 'none' : 'auto';
      const params: ChatCompletionCreateParamsBase = {
        model: request.model,
        messages: toParams(system, request.messages),
        ...(isOpenAi ? { max_completion_tokens: request.maxOutputTokens } : { max_tokens: request.maxOutputTokens }),
        ...(tools.length > 0 ? { tools, tool_choice: toolChoice } : {}),
        ...(request.responseFormat
          ? { response_format: { type: 'json_schema', json_schema: { name: request.responseFormat.name, schema: request.responseFormat.schema, strict: false } } }
          : {}),
      };
      const ctx: ErrorContext = {
        providerLabel: 'OpenAI-compatible',
        keySetting: 'OPENAI_API_KEY',
        baseUrlSetting: 'OPENAI_BASE_URL',
        baseUrl: label,
        model: request.model,
        secrets: [apiKey],
        now: now(),
      };
      const requestOptions = { signal: request.signal, timeout: request.timeoutMs, maxRetries: 0 };
      try {
        if (!request.stream) {
          const completion = await sdk.chat.completions.create({ ...params, stream: false }, requestOptions);
          const choice = completion.choices[0];
          const calls = (choice?.message.tool_calls ?? []).flatMap((c) => (c.type === 'function' ? [parseCall(c.id, c.function.name, c.function.arguments)] : []));
          return {
            text: choice?.message.content ?? '',
            toolCalls: calls,
            stopReason: stopReason(choice?.finish_reason, calls.length > 0),
            usage: usageOf(completion.usage),
            model: completion.model,
          };
        }
        const stream = await sdk.chat.completions.create({ ...params, stream: true, stream_options: { include_usage: true } }, requestOptions);
        let text = '';
        let finish: string | null = null;
        let model: string | undefined;
        let usage: TurnUsage = usageOf(null);
        const partial = new Map<number, { id: string; name: string; args: string }>();
        for await (const chunk of stream) {
          model ??= chunk.model;
          if (chunk.usage) usage = usageOf(chunk.usage);
          const choice = chunk.choices[0];
          if (!choice) continue;
          if (typeof choice.delta.content === 'string') text += choice.delta.content;
          for (const delta of choice.delta.tool_calls ?? []) {
            const entry = partial.get(delta.index) ?? { id: '', name: '', args: '' };
            if (delta.id) entry.id = delta.id;
            if (delta.function?.name) entry.name += delta.function.name;
            if (delta.function?.arguments) entry.args += delta.function.arguments;
            partial.set(delta.index, entry);
          }
          if (choice.finish_reason) finish = choice.finish_reason;
        }
        const calls = [...partial.entries()].sort((a, b) => a[0] - b[0]).map(([index, c]) => parseCall(c.id || `call_${index}`, c.name, c.args));
        return { text, toolCalls: calls, stopReason: stopReason(finish, calls.length > 0), usage, ...(model ? { model } : {}) };
      } catch (error) {
        if (request.signal.aborted) throw abortReason(request.signal);
        if (error instanceof APIUserAbortError) throw new DOMException('The request was aborted', 'AbortError');
        if (error instanceof APIConnectionError) throw networkError(error, { ...ctx, now: now() });
        if (error instanceof APIError) {
          const status = error.status as number | undefined;
          const headers = error.headers as Headers | undefined;
          const body = error.error as { message?: unknown; type?: unknown; code?: unknown } | undefined;
          const message = typeof body?.message === 'string' ? body.message : error.message;
          const code = error.code ?? (typeof body?.code === 'string' ? body.code : null);
          const type = error.type ?? (typeof body?.type === 'string' ? body.type : null);
          throw toModelError({ status: status ?? null, type, code, message, headers: headers ?? null }, { ...ctx, now: now() });
        }
        if (error instanceof OpenAIError || isNetworkError(error)) throw networkError(error, { ...ctx, now: now() });
        throw error;
      }
    },
  };
}

function safeHost(url: string): string {
  try {
    return new URL(url).hostname;
  } catch {
    return '';
  }
}
