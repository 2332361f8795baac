/**
 * A provider-neutral reading of a Messages / Chat Completions request body: the tools offered, where
 * a structured answer goes (and so the phase), and the conversation so far (prompt text, the tool
 * calls the assistant made and the results it got back).
 */
import { asArray, asRecord } from '../../analysis/shape';
import type { FakeProvider, FinalChannel } from './types';

export interface ToolExchange {
  id: string;
  name: string;
  input: unknown;
  /** The tool result sent back, as text; `undefined` when none came back. */
  result: string | undefined;
}

export interface RequestView {
  provider: FakeProvider;
  model: string | undefined;
  stream: boolean;
  /** OpenAI `stream_options.include_usage`. */
  includeUsage: boolean;
  tools: string[];
  phase: string | null;
  finalChannel: FinalChannel;
  /** The tool a `final` answer calls, when `finalChannel` is `tool`. */
  submitTool: string | null;
  /** The tool `tool_choice` forces, if any. */
  forcedTool: string | null;
  /** `tool_choice: none`: the answer may not call a tool. */
  toolsDisabled: boolean;
  system: string;
  /** User text, tool results excluded. */
  prompt: string;
  exchanges: ToolExchange[];
}

const SUBMIT = /^submit_([a-z0-9_]+)$/i;

function textOf(content: unknown): string {
  if (typeof content === 'string') return content;
  return asArray(content)
    .map((part) => {
      const p = asRecord(part);
      if (typeof p?.['text'] === 'string') return p['text'];
      if (p?.['type'] === 'tool_result') return textOf(p['content']);
      return '';
    })
    .filter((t) => t !== '')
    .join('\n');
}

function submitPhase(name: string | null): string | null {
  if (name === null) return null;
  return SUBMIT.exec(name)?.[1]?.toLowerCase() ?? null;
}

function pickSubmit(tools: string[], forced: string | undefined): string | null {
  if (forced !== undefined && SUBMIT.test(forced)) return forced;
  return tools.find((t) => SUBMIT.test(t)) ?? null;
}

export function readAnthropicRequest(body: Record<string, unknown>): RequestView {
  const tools = asArray(body['tools']).flatMap((t) => {
    const name = asRecord(t)?.['name'];
    return typeof name === 'string' ? [name] : [];
  });
  const choice = asRecord(body['tool_choice']);
  const forced = choice?.['type'] === 'tool' && typeof choice['name'] === 'string' ? choice['name'] : undefined;
  const toolsDisabled = choice?.['type'] === 'none';
  const submitTool = toolsDisabled ? null : pickSubmit(tools, forced);

  const exchanges: ToolExchange[] = [];
  const prompt: string[] = [];
  for (const message of asArray(body['messages'])) {
    const m = asRecord(message);
    const content = m?.['content'];
    if (m?.['role'] === 'assistant') {
      for (const block of asArray(content)) {
        const b = asRecord(block);
        if (b?.['type'] === 'tool_use' && typeof b['name'] === 'string') {
          exchanges.push({ id: typeof b['id'] === 'string' ? b['id'] : '', name: b['name'], input: b['input'], result: undefined });
        }
      }
    } else if (m?.['role'] === 'user') {
      if (typeof content === 'string') prompt.push(content);
      for (const block of asArray(content)) {
        const b = asRecord(block);
        if (b?.['type'] === 'tool_result') {
          const exchange = exchanges.find((e) => e.id === b['tool_use_id']);
          if (exchange) exchange.result = textOf(b['content']);
        } else if (typeof b?.['text'] === 'string') prompt.push(b['text']);
      }
    }
  }
  return {
    provider: 'anthropic',
    model: typeof body['model'] === 'string' ? body['model'] : undefined,
    stream: body['stream'] === true,
    includeUsage: false,
    tools,
    phase: submitPhase(submitTool ?? pickSubmit(tools, undefined)),
    finalChannel: submitTool ? 'tool' : 'text',
    submitTool,
    forcedTool: forced ?? null,
    toolsDisabled,
    system: textOf(body['system']),
    prompt: prompt.join('\n\n'),
    exchanges,
  };
}

export function readOpenAiRequest(body: Record<string, unknown>): RequestView {
  const tools = asArray(body['tools']).flatMap((t) => {
    const name = asRecord(asRecord(t)?.['function'])?.['name'];
    return typeof name === 'string' ? [name] : [];
  });
  const choice = asRecord(body['tool_choice']);
  const forcedName = asRecord(choice?.['function'])?.['name'];
  const forced = typeof forcedName === 'string' ? forcedName : undefined;
  const toolsDisabled = body['tool_choice'] === 'none';
  const format = asRecord(body['response_format']);
  const schemaName = format?.['type'] === 'json_schema' ? asRecord(format['json_schema'])?.['name'] : undefined;
  const submitTool = toolsDisabled ? null : pickSubmit(tools, forced);

  let finalChannel: FinalChannel;
  let phase: string | null;
  if (forced !== undefined && submitTool === forced) {
    finalChannel = 'tool';
    phase = submitPhase(submitTool);
  } else if (typeof schemaName === 'string') {
    finalChannel = 'response_format';
    phase = schemaName.replace(/_output$/i, '').toLowerCase();
  } else if (submitTool) {
    finalChannel = 'tool';
    phase = submitPhase(submitTool);
  } else {
    finalChannel = format?.['type'] === 'json_object' ? 'response_format' : 'text';
    phase = submitPhase(pickSubmit(tools, undefined));
  }

  const exchanges: ToolExchange[] = [];
  const system: string[] = [];
  const prompt: string[] = [];
  for (const message of asArray(body['messages'])) {
    const m = asRecord(message);
    const role = m?.['role'];
    if (role === 'system' || role === 'developer') system.push(textOf(m?.['content']));
    else if (role === 'user') prompt.push(textOf(m?.['content']));
    else if (role === 'assistant') {
      for (const call of asArray(m?.['tool_calls'])) {
        const c = asRecord(call);
        const fn = asRecord(c?.['function']);
        if (typeof fn?.['name'] !== 'string') continue;
        let input: unknown = fn['arguments'];
        try {
          input = typeof fn['arguments'] === 'string' ? (JSON.parse(fn['arguments']) as unknown) : fn['arguments'];
        } catch {
          // keep the raw arguments
        }
        exchanges.push({ id: typeof c?.['id'] === 'string' ? c['id'] : '', name: fn['name'], input, result: undefined });
      }
    } else if (role === 'tool') {
      const exchange = exchanges.find((e) => e.id === m?.['tool_call_id']);
      if (exchange) exchange.result = textOf(m?.['content']);
    }
  }
  const streamOptions = asRecord(body['stream_options']);
  return {
    provider: 'openai',
    model: typeof body['model'] === 'string' ? body['model'] : undefined,
    stream: body['stream'] === true,
    includeUsage: streamOptions?.['include_usage'] === true,
    tools,
    phase,
    finalChannel,
    submitTool: finalChannel === 'tool' ? submitTool : null,
    forcedTool: forced ?? null,
    toolsDisabled,
    system: system.join('\n\n'),
    prompt: prompt.join('\n\n'),
    exchanges,
  };
}

/** A deterministic stand-in for a token count: about four characters a token. */
export function estimateTokens(value: unknown): number {
  const text = typeof value === 'string' ? value : (JSON.stringify(value) ?? '');
  return Math.max(1, Math.ceil(text.length / 4));
}

/** The input-token estimate of a request: what it sends the model (system, messages, tools). */
export function estimateInputTokens(body: Record<string, unknown>): number {
  return estimateTokens({ system: body['system'], messages: body['messages'], tools: body['tools'] });
}
