/**
 * OpenAI Chat Completions wire format.
 * Non-streaming: one `chat.completion`. Streaming: `data: <chat.completion.chunk>` frames — the
 * role first, content pieces, tool_calls deltas (index + id + function.name first, then
 * function.arguments fragments), a chunk with finish_reason, with `stream_options.include_usage` a
 * last chunk with `choices: []` and the usage (earlier chunks carry `usage: null`), then `data: [DONE]`.
 * Errors mid-stream are `data: {"error": …}`.
 */
import type { RenderedError } from './errors';
import { pieces } from './reply';
import type { Reply } from './reply';
import type { FakeUsage } from './types';

export interface OpenAiEnvelope {
  id: string;
  model: string;
  created: number;
  includeUsage: boolean;
}

const FINISH: Record<Reply['stop'], string> = { end_turn: 'stop', tool_use: 'tool_calls', max_tokens: 'length' };
const FINGERPRINT = 'fp_fakellm';

export function dataFrame(data: unknown): string {
  return `data: ${typeof data === 'string' ? data : JSON.stringify(data)}\n\n`;
}

/** Anthropic-style counts → OpenAI's: `prompt_tokens` includes cached tokens, which are also reported apart. */
export function openAiUsage(usage: FakeUsage): Record<string, unknown> {
  const cached = usage.cache_read_input_tokens ?? 0;
  const prompt = usage.input_tokens + cached + (usage.cache_creation_input_tokens ?? 0);
  return {
    prompt_tokens: prompt,
    completion_tokens: usage.output_tokens,
    total_tokens: prompt + usage.output_tokens,
    prompt_tokens_details: { cached_tokens: cached, audio_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: 0, audio_tokens: 0, accepted_prediction_tokens: 0, rejected_prediction_tokens: 0 },
  };
}

function textOf(reply: Reply): string | null {
  const texts = reply.blocks.flatMap((b) => (b.type === 'text' ? [b.text] : []));
  return texts.length === 0 ? null : texts.join('');
}

export function openAiCompletion(reply: Reply, env: OpenAiEnvelope): Record<string, unknown> {
  const calls = reply.blocks.flatMap((b) => (b.type === 'tool' ? [{ id: b.id, type: 'function', function: { name: b.name, arguments: b.json } }] : []));
  return {
    id: env.id,
    object: 'chat.completion',
    created: env.created,
    model: env.model,
    choices: [
      {
        index: 0,
        message: { role: 'assistant', content: textOf(reply), refusal: null, annotations: [], ...(calls.length > 0 ? { tool_calls: calls } : {}) },
        logprobs: null,
        finish_reason: FINISH[reply.stop],
      },
    ],
    usage: openAiUsage(reply.usage),
    service_tier: 'default',
    system_fingerprint: FINGERPRINT,
  };
}

function chunk(env: OpenAiEnvelope, delta: Record<string, unknown>, finish: string | null = null): string {
  return dataFrame({
    id: env.id,
    object: 'chat.completion.chunk',
    created: env.created,
    model: env.model,
    system_fingerprint: FINGERPRINT,
    choices: [{ index: 0, delta, logprobs: null, finish_reason: finish }],
    ...(env.includeUsage ? { usage: null } : {}),
  });
}

/** The first chunk: the assistant role (content `null` when the answer opens with a tool call). */
export function openAiStart(env: OpenAiEnvelope, reply?: Reply): string {
  const opensWithTool = reply?.blocks[0]?.type === 'tool';
  return chunk(env, { role: 'assistant', content: opensWithTool ? null : '', refusal: null });
}

/** The frames after the first chunk, through `[DONE]`. */
export function openAiFrames(reply: Reply, env: OpenAiEnvelope): string[] {
  const frames: string[] = [];
  let toolIndex = 0;
  for (const block of reply.blocks) {
    if (block.type === 'text') {
      for (const text of pieces(block.text, 24)) if (text !== '') frames.push(chunk(env, { content: text }));
    } else {
      const index = toolIndex++;
      frames.push(chunk(env, { tool_calls: [{ index, id: block.id, type: 'function', function: { name: block.name, arguments: '' } }] }));
      for (const fragment of pieces(block.json, 24)) frames.push(chunk(env, { tool_calls: [{ index, function: { arguments: fragment } }] }));
    }
  }
  frames.push(chunk(env, {}, FINISH[reply.stop]));
  if (env.includeUsage) {
    frames.push(
      dataFrame({
        id: env.id,
        object: 'chat.completion.chunk',
        created: env.created,
        model: env.model,
        system_fingerprint: FINGERPRINT,
        choices: [],
        usage: openAiUsage(reply.usage),
      }),
    );
  }
  frames.push(dataFrame('[DONE]'));
  return frames;
}

export function openAiStreamError(error: RenderedError): string {
  return dataFrame(error.body);
}

export function openAiModels(ids: readonly string[]): Record<string, unknown> {
  return { object: 'list', data: ids.map((id) => ({ id, object: 'model', created: 1_735_689_600, owned_by: 'fake-llm' })) };
}
