/**
 * A successful answer in provider-neutral form: content blocks, why the model stopped, token usage.
 * The Anthropic and OpenAI renderers turn one of these into their wire format (JSON or SSE).
 */
import { estimateTokens } from './request';
import type { RequestView } from './request';
import type { FakeFinalRawTurn, FakeFinalTurn, FakeTextTurn, FakeToolCallsTurn, FakeUsage, TurnKind } from './types';

export type ReplyBlock = { type: 'text'; text: string } | { type: 'tool'; id: string; name: string; input: unknown; json: string };

export interface Reply {
  kind: TurnKind;
  blocks: ReplyBlock[];
  stop: 'end_turn' | 'tool_use' | 'max_tokens';
  usage: FakeUsage;
}

export type ContentTurn = FakeToolCallsTurn | FakeFinalTurn | FakeFinalRawTurn | FakeTextTurn;

/** Per-server counters, so ids are unique and deterministic within one server. */
export interface IdSource {
  next(prefix: string): string;
}

export function createIdSource(): IdSource {
  const counts = new Map<string, number>();
  return {
    next(prefix) {
      const n = (counts.get(prefix) ?? 0) + 1;
      counts.set(prefix, n);
      return `${prefix}${String(n).padStart(24, '0')}`;
    },
  };
}

function parses(raw: string): { ok: true; value: unknown } | { ok: false } {
  try {
    return { ok: true, value: JSON.parse(raw) as unknown };
  } catch {
    return { ok: false };
  }
}

export function buildReply(turn: ContentTurn, view: RequestView, ids: IdSource, inputTokens: number): Reply {
  const toolId = () => ids.next(view.provider === 'anthropic' ? 'toolu_' : 'call_');
  const blocks: ReplyBlock[] = [];
  let stop: Reply['stop'] = 'end_turn';
  let kind: TurnKind;

  if ('toolCalls' in turn) {
    kind = 'tool_calls';
    if (turn.text) blocks.push({ type: 'text', text: turn.text });
    for (const call of turn.toolCalls) {
      blocks.push({ type: 'tool', id: call.id ?? toolId(), name: call.name, input: call.input, json: JSON.stringify(call.input ?? {}) });
    }
    stop = 'tool_use';
  } else if ('final' in turn || 'finalRaw' in turn) {
    const raw = 'final' in turn ? JSON.stringify(turn.final) : turn.finalRaw;
    const parsed = parses(raw);
    const truncated = 'finalRaw' in turn ? (turn.truncated ?? !parsed.ok) : false;
    kind = 'final' in turn ? 'final' : 'final_raw';
    if (view.finalChannel === 'tool' && view.submitTool) {
      const input = parsed.ok && typeof parsed.value === 'object' && parsed.value !== null ? parsed.value : {};
      blocks.push({ type: 'tool', id: toolId(), name: view.submitTool, input, json: raw });
      stop = truncated ? 'max_tokens' : 'tool_use';
    } else {
      blocks.push({ type: 'text', text: raw });
      stop = truncated ? 'max_tokens' : 'end_turn';
    }
  } else {
    kind = 'text';
    blocks.push({ type: 'text', text: turn.text });
  }

  const outputTokens = estimateTokens(blocks.map((b) => (b.type === 'text' ? b.text : `${b.name}${b.json}`)).join(''));
  return { kind, blocks, stop, usage: turn.usage ?? { input_tokens: inputTokens, output_tokens: outputTokens } };
}

/** Splits text into pieces of at most `size` characters (at least one piece, possibly empty). */
export function pieces(text: string, size: number): string[] {
  if (text === '') return [''];
  const out: string[] = [];
  for (let i = 0; i < text.length; i += size) out.push(text.slice(i, i + size));
  return out;
}
