/** The fake Chat Completions API, driven by the official `openai` client. */
import OpenAI, { APIConnectionError, APIError, APIUserAbortError, AuthenticationError, BadRequestError, InternalServerError, RateLimitError } from 'openai';
import type { ChatCompletionChunk, ChatCompletionCreateParamsNonStreaming, ChatCompletionTool } from 'openai/resources/chat/completions';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeError, startFakeLlm } from '../index';
import type { FakeLlm } from '../index';

let fake: FakeLlm;
let client: OpenAI;

const base: ChatCompletionCreateParamsNonStreaming = {
  model: 'gpt-test',
  messages: [
    { role: 'system', content: 'You are a planner.' },
    { role: 'user', content: 'Write the design.' },
  ],
};
const tools: ChatCompletionTool[] = [
  { type: 'function', function: { name: 'list_files', parameters: { type: 'object', properties: { glob: { type: 'string' } } } } },
  { type: 'function', function: { name: 'submit_design', parameters: { type: 'object' } } },
];
const design = { architecture_overview: 'One new module.', components: [{ id: 'DES-001', name: 'Limiter', responsibility: 'Counts attempts.' }] };

beforeEach(async () => {
  fake = await startFakeLlm({ provider: 'openai', apiKey: 'sk-test' });
  client = new OpenAI({ apiKey: 'sk-test', baseURL: fake.openaiBaseUrl, maxRetries: 0 });
});
afterEach(async () => {
  await fake.close();
});

async function collect(stream: AsyncIterable<ChatCompletionChunk>) {
  const chunks: ChatCompletionChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

describe('fake OpenAI Chat Completions API', () => {
  it('answers a non-streaming request with a chat.completion and maps usage (cached tokens included in prompt_tokens)', async () => {
    fake.enqueue({ text: 'Plain answer.', usage: { input_tokens: 100, output_tokens: 12, cache_read_input_tokens: 40 } });
    const completion = await client.chat.completions.create(base);
    expect(completion.object).toBe('chat.completion');
    expect(completion.model).toBe('gpt-test');
    expect(completion.choices[0]).toMatchObject({ index: 0, finish_reason: 'stop', message: { role: 'assistant', content: 'Plain answer.' } });
    expect(completion.usage).toMatchObject({ prompt_tokens: 140, completion_tokens: 12, total_tokens: 152, prompt_tokens_details: { cached_tokens: 40 } });
    expect(fake.requests[0]).toMatchObject({ path: '/v1/chat/completions', provider: 'openai', stream: false, turn: 'text' });
    expect(fake.requests[0]!.headers.authorization).toBe('Bearer sk-test');
  });

  it('streams chunks with stream_options.include_usage: role first, content pieces, finish_reason, a usage chunk with no choices', async () => {
    fake.enqueue({ text: 'A streamed answer in several pieces, longer than one chunk.' });
    const chunks = await collect(await client.chat.completions.create({ ...base, stream: true, stream_options: { include_usage: true } }));
    expect(chunks.every((c) => c.object === 'chat.completion.chunk' && c.id === chunks[0]!.id)).toBe(true);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');
    const text = chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('A streamed answer in several pieces, longer than one chunk.');
    expect(chunks.filter((c) => c.choices[0]?.delta.content).length).toBeGreaterThan(1);
    const finishing = chunks.find((c) => c.choices[0]?.finish_reason);
    expect(finishing?.choices[0]?.finish_reason).toBe('stop');
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage?.completion_tokens).toBeGreaterThan(0);
    expect(chunks.slice(0, -1).every((c) => c.usage === null)).toBe(true);

    fake.enqueue({ text: 'no usage asked' });
    const plain = await collect(await client.chat.completions.create({ ...base, stream: true }));
    expect(plain.every((c) => c.usage === undefined && c.choices.length === 1)).toBe(true);
  });

  it('answers a tool-call turn: tool_calls whose arguments parse, whole and streamed as fragments', async () => {
    const input = { glob: 'src/**/*.ts' };
    fake.enqueue({ toolCalls: [{ name: 'list_files', input }, { name: 'list_files', input: { glob: '*.md' } }] }, { toolCalls: [{ name: 'list_files', input }], text: 'Listing.' });

    const whole = await client.chat.completions.create({ ...base, tools });
    const choice = whole.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    const calls = choice.message.tool_calls!.flatMap((c) => (c.type === 'function' ? [c] : []));
    expect(calls.map((c) => [c.function.name, JSON.parse(c.function.arguments) as unknown])).toEqual([
      ['list_files', input],
      ['list_files', { glob: '*.md' }],
    ]);
    expect(calls[0]!.id).toMatch(/^call_/);
    expect(calls[0]!.id).not.toBe(calls[1]!.id);

    const chunks = await collect(await client.chat.completions.create({ ...base, tools, stream: true, stream_options: { include_usage: true } }));
    const deltas = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(deltas[0]).toMatchObject({ index: 0, type: 'function', function: { name: 'list_files', arguments: '' } });
    expect(deltas[0]!.id).toMatch(/^call_/);
    expect(deltas.length).toBeGreaterThan(1);
    expect(JSON.parse(deltas.map((d) => d.function?.arguments ?? '').join(''))).toEqual(input);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Listing.');
    expect(chunks.find((c) => c.choices[0]?.finish_reason)?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('the SDK stream helper assembles the streamed tool call into finalChatCompletion', async () => {
    fake.enqueue({ toolCalls: [{ name: 'list_files', input: { glob: '**/*' } }] });
    const stream = client.chat.completions.stream({ model: base.model, messages: base.messages, tools, stream_options: { include_usage: true } });
    const completion = await stream.finalChatCompletion();
    const call = completion.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && JSON.parse(call.function.arguments)).toEqual({ glob: '**/*' });
    expect(completion.usage?.prompt_tokens).toBeGreaterThan(0);
  });

  it('sends the final answer as JSON content under response_format json_schema, or as a submit_<phase> call', async () => {
    const response_format = { type: 'json_schema' as const, json_schema: { name: 'design_output', schema: { type: 'object' }, strict: false } };
    fake.enqueue({ final: design }, { final: design }, { final: design });

    const viaFormat = await client.chat.completions.create({ ...base, tools: tools.slice(0, 1), response_format });
    expect(JSON.parse(viaFormat.choices[0]!.message.content!)).toEqual(design);
    expect(viaFormat.choices[0]!.finish_reason).toBe('stop');
    expect(fake.requests[0]).toMatchObject({ phase: 'design', finalChannel: 'response_format', turn: 'final' });

    const streamed = await collect(await client.chat.completions.create({ ...base, response_format, stream: true, stream_options: { include_usage: true } }));
    expect(JSON.parse(streamed.map((c) => c.choices[0]?.delta.content ?? '').join(''))).toEqual(design);

    const viaTool = await client.chat.completions.create({ ...base, tools, tool_choice: { type: 'function', function: { name: 'submit_design' } } });
    const call = viaTool.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && [call.function.name, JSON.parse(call.function.arguments)]).toEqual(['submit_design', design]);
    expect(fake.requests[2]).toMatchObject({ phase: 'design', finalChannel: 'tool' });
  });

  it('sends deliberately broken JSON as is, with finish_reason length', async () => {
    fake.enqueue({ finalRaw: '{"components": [{"id": "DES-0' }, { finalRaw: '{"components": "not a list"}' });
    const cut = await client.chat.completions.create({ ...base, tools });
    const call = cut.choices[0]!.message.tool_calls![0]!;
    expect(call.type === 'function' && call.function.arguments).toBe('{"components": [{"id": "DES-0');
    expect(cut.choices[0]!.finish_reason).toBe('length');

    const wrong = await client.chat.completions.create({ ...base, response_format: { type: 'json_schema', json_schema: { name: 'design_output', schema: {} } } });
    expect(wrong.choices[0]!.message.content).toBe('{"components": "not a list"}');
    expect(wrong.choices[0]!.finish_reason).toBe('stop');
  });

  it('surfaces errors as the SDK typed errors with status, code and headers', async () => {
    fake.enqueue({ error: fakeError('rate_limit') }, { error: fakeError('context_length') }, { error: { status: 500 } }, { error: { status: 503, message: 'busy' } });
    const rate = await client.chat.completions.create(base).catch((e: unknown) => e);
    expect(rate).toBeInstanceOf(RateLimitError);
    expect((rate as RateLimitError).status).toBe(429);
    expect((rate as RateLimitError).code).toBe('rate_limit_exceeded');
    expect((rate as RateLimitError).headers.get('retry-after')).toBe('1');

    const tooLong = await client.chat.completions.create(base).catch((e: unknown) => e);
    expect(tooLong).toBeInstanceOf(BadRequestError);
    expect((tooLong as APIError).code).toBe('context_length_exceeded');
    expect((tooLong as APIError).param).toBe('messages');
    expect((tooLong as APIError).message).toContain("This model's maximum context length is");

    const server = await client.chat.completions.create(base).catch((e: unknown) => e);
    expect(server).toBeInstanceOf(InternalServerError);
    expect((server as APIError).type).toBe('server_error');
    const busy = await client.chat.completions.create(base).catch((e: unknown) => e);
    expect((busy as APIError).status).toBe(503);
    expect((busy as APIError).message).toContain('busy');
  });

  it('answers 401 invalid_api_key to a wrong key without using a scripted turn', async () => {
    fake.enqueue({ text: 'unused' });
    const wrong = new OpenAI({ apiKey: 'sk-wrong', baseURL: fake.openaiBaseUrl, maxRetries: 0 });
    const error = await wrong.chat.completions.create(base).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as APIError).code).toBe('invalid_api_key');
    expect(fake.pending()).toBe(1);
    expect(fake.requests[0]!.turn).toBe('auth_error');
  });

  it('sends an error object in the middle of a stream', async () => {
    fake.enqueue({ error: { status: 500, message: 'stream broke', inStream: true } });
    const stream = await client.chat.completions.create({ ...base, stream: true });
    const error = await collect(stream).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).message).toContain('stream broke');
  });

  it('surfaces dropped connections as errors', async () => {
    fake.enqueue({ drop: 'before_headers' }, { drop: 'mid_stream' }, { drop: 'mid_stream' });
    expect(await client.chat.completions.create(base).catch((e: unknown) => e)).toBeInstanceOf(APIConnectionError);

    const chunks: ChatCompletionChunk[] = [];
    const stream = await client.chat.completions.create({ ...base, stream: true });
    const error = await (async () => {
      for await (const chunk of stream) chunks.push(chunk);
    })().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(chunks).toHaveLength(1);
    expect(chunks[0]!.choices[0]!.delta.role).toBe('assistant');

    // Non-streaming: the body is cut in the middle.
    expect(await client.chat.completions.create(base).catch((e: unknown) => e)).toBeInstanceOf(Error);
    await fake.waitFor((r) => r.length === 3 && r.every((x) => x.done));
    expect(fake.requests.every((r) => r.turn === 'drop' && !r.aborted)).toBe(true);
  });

  it('records a delayed answer the client aborted', async () => {
    fake.enqueue({ delayMs: 60_000, then: { text: 'late' } }, { delayMs: 60_000, then: { text: 'late' } });
    const controller = new AbortController();
    const pending = client.chat.completions.create(base, { signal: controller.signal }).catch((e: unknown) => e);
    await fake.waitForRequests(1);
    controller.abort();
    expect(await pending).toBeInstanceOf(APIUserAbortError);
    await fake.waitFor((r) => r[0]!.aborted);

    const streamController = new AbortController();
    const stream = await client.chat.completions.create({ ...base, stream: true }, { signal: streamController.signal });
    const iterator = stream[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect((first.value as ChatCompletionChunk).choices[0]!.delta.role).toBe('assistant');
    const next = iterator.next().catch((e: unknown) => e);
    streamController.abort();
    await next;
    const [, second] = await fake.waitFor((r) => r[1]?.aborted === true);
    expect(second).toMatchObject({ stream: true, status: 200, aborted: true, done: true });
  });

  it('lists models', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['gpt-fake-1']);
  });
});
