/**
 * Anthropic Messages API wire format.
 * Non-streaming: one `message` object. Streaming (SSE, `event:` + `data:` per frame):
 * message_start → per block (content_block_start, ping after the first, content_block_delta with
 * text_delta / input_json_delta partial_json, content_block_stop) → message_delta (stop_reason,
 * usage) → message_stop. Errors mid-stream are `event: error`.
 */
import type { RenderedError } from './errors';
import { pieces } from './reply';
import type { Reply } from './reply';
import type { FakeUsage } from './types';

export interface AnthropicEnvelope {
  id: string;
  model: string;
  /** Input-token estimate for `message_start` when the answer is not known yet. */
  inputTokens: number;
}

export function sseFrame(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

function usageOf(usage: FakeUsage): Record<string, unknown> {
  return {
    input_tokens: usage.input_tokens,
    output_tokens: usage.output_tokens,
    cache_creation_input_tokens: usage.cache_creation_input_tokens ?? 0,
    cache_read_input_tokens: usage.cache_read_input_tokens ?? 0,
    service_tier: 'standard',
  };
}

function content(reply: Reply): Record<string, unknown>[] {
  return reply.blocks.map((b) => (b.type === 'text' ? { type: 'text', text: b.text } : { type: 'tool_use', id: b.id, name: b.name, input: b.input }));
}

export function anthropicMessage(reply: Reply, env: AnthropicEnvelope): Record<string, unknown> {
  return {
    id: env.id,
    type: 'message',
    role: 'assistant',
    model: env.model,
    content: content(reply),
    stop_reason: reply.stop,
    stop_sequence: null,
    usage: usageOf(reply.usage),
  };
}

/** The first frame: `message_start` with an empty message. */
export function anthropicStart(env: AnthropicEnvelope, usage?: FakeUsage): string {
  const start = usage ?? { input_tokens: env.inputTokens, output_tokens: 1 };
  return sseFrame('message_start', {
    type: 'message_start',
    message: {
      id: env.id,
      type: 'message',
      role: 'assistant',
      model: env.model,
      content: [],
      stop_reason: null,
      stop_sequence: null,
      usage: usageOf({ ...start, output_tokens: 1 }),
    },
  });
}

/** The frames after `message_start`. */
export function anthropicFrames(reply: Reply): string[] {
  const frames: string[] = [];
  reply.blocks.forEach((block, index) => {
    if (block.type === 'text') {
      frames.push(sseFrame('content_block_start', { type: 'content_block_start', index, content_block: { type: 'text', text: '' } }));
      if (index === 0) frames.push(sseFrame('ping', { type: 'ping' }));
      for (const text of pieces(block.text, 24)) {
        frames.push(sseFrame('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'text_delta', text } }));
      }
    } else {
      frames.push(
        sseFrame('content_block_start', { type: 'content_block_start', index, content_block: { type: 'tool_use', id: block.id, name: block.name, input: {} } }),
      );
      if (index === 0) frames.push(sseFrame('ping', { type: 'ping' }));
      // The API opens a tool input with an empty fragment, then sends the JSON in pieces.
      for (const partial_json of ['', ...pieces(block.json, 24)]) {
        frames.push(sseFrame('content_block_delta', { type: 'content_block_delta', index, delta: { type: 'input_json_delta', partial_json } }));
      }
    }
    frames.push(sseFrame('content_block_stop', { type: 'content_block_stop', index }));
  });
  const u = reply.usage;
  frames.push(
    sseFrame('message_delta', {
      type: 'message_delta',
      delta: { stop_reason: reply.stop, stop_sequence: null },
      usage: {
        input_tokens: u.input_tokens,
        output_tokens: u.output_tokens,
        cache_creation_input_tokens: u.cache_creation_input_tokens ?? 0,
        cache_read_input_tokens: u.cache_read_input_tokens ?? 0,
      },
    }),
  );
  frames.push(sseFrame('message_stop', { type: 'message_stop' }));
  return frames;
}

export function anthropicStreamError(error: RenderedError): string {
  return sseFrame('error', { type: 'error', error: (error.body as { error: unknown }).error });
}

export function anthropicModels(ids: readonly string[]): Record<string, unknown> {
  const data = ids.map((id) => ({ type: 'model', id, display_name: id, created_at: '2025-01-01T00:00:00Z' }));
  return { data, has_more: false, first_id: ids[0] ?? null, last_id: ids.at(-1) ?? null };
}
