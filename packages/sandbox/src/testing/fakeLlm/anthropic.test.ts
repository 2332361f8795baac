/** The fake Messages API, driven by the official `@anthropic-ai/sdk` client. */
import Anthropic, {
  APIConnectionError,
  APIError,
  APIUserAbortError,
  AuthenticationError,
  BadRequestError,
  InternalServerError,
  PermissionDeniedError,
  RateLimitError,
} from '@anthropic-ai/sdk';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fakeError, startFakeLlm } from '../index';
import type { FakeLlm } from '../index';

let fake: FakeLlm;
let client: Anthropic;

const base = { model: 'claude-test', max_tokens: 1024, messages: [{ role: 'user' as const, content: 'Write the requirements.' }] };
const tools: Anthropic.Tool[] = [
  { name: 'read_file', description: 'Read a file', input_schema: { type: 'object', properties: { path: { type: 'string' } }, required: ['path'] } },
  { name: 'submit_requirements', description: 'Submit the phase output', input_schema: { type: 'object', properties: { requirements: { type: 'array' } } } },
];
const final = { requirements: [{ id: 'REQ-001', title: 'Lock out', text: 'WHEN five logins fail, THE SYSTEM SHALL answer 429.' }] };

beforeEach(async () => {
  fake = await startFakeLlm({ provider: 'anthropic', apiKey: 'test-key' });
  client = new Anthropic({ apiKey: 'test-key', baseURL: fake.anthropicBaseUrl, maxRetries: 0 });
});
afterEach(async () => {
  await fake.close();
});

describe('fake Anthropic Messages API', () => {
  it('answers a non-streaming request with text and deterministic usage, and records it', async () => {
    fake.enqueue({ text: 'Hello from the fake.' });
    const message = await client.messages.create(base);
    expect(message.type).toBe('message');
    expect(message.role).toBe('assistant');
    expect(message.model).toBe('claude-test');
    expect(message.stop_reason).toBe('end_turn');
    expect(message.content).toEqual([{ type: 'text', text: 'Hello from the fake.' }]);
    expect(message.usage.input_tokens).toBeGreaterThan(0);
    expect(message.usage.output_tokens).toBe(Math.ceil('Hello from the fake.'.length / 4));

    const [request] = fake.requests;
    expect(request).toMatchObject({ method: 'POST', path: '/v1/messages', provider: 'anthropic', stream: false, turn: 'text', status: 200 });
    // SDK 1.14 sends the key as `authorization: Bearer`; older ones as `x-api-key`. The fake takes both.
    expect(request!.headers['x-api-key'] ?? request!.headers.authorization).toMatch(/^(Bearer )?test-key$/);
    expect(request!.headers['anthropic-version']).toBeDefined();
    expect((request!.body as { model: string }).model).toBe('claude-test');
  });

  it('streams text through messages.stream with the event sequence the SDK expects', async () => {
    fake.enqueue({ text: 'A streamed answer that is longer than one delta.', usage: { input_tokens: 120, output_tokens: 30, cache_read_input_tokens: 80 } });
    const stream = client.messages.stream(base);
    const events: string[] = [];
    stream.on('streamEvent', (event) => events.push(event.type));
    const deltas: string[] = [];
    stream.on('text', (text) => deltas.push(text));
    const message = await stream.finalMessage();

    expect(message.content).toEqual([{ type: 'text', text: 'A streamed answer that is longer than one delta.' }]);
    expect(deltas.length).toBeGreaterThan(1);
    expect(deltas.join('')).toBe('A streamed answer that is longer than one delta.');
    expect(events[0]).toBe('message_start');
    expect(events.at(-2)).toBe('message_delta');
    expect(events.at(-1)).toBe('message_stop');
    expect(events).toContain('content_block_start');
    expect(events).toContain('content_block_stop');
    expect(message.stop_reason).toBe('end_turn');
    expect(message.usage).toMatchObject({ input_tokens: 120, output_tokens: 30, cache_read_input_tokens: 80 });
    expect(fake.requests[0]!.stream).toBe(true);
  });

  it('answers a tool-use turn whose input arrives whole (non-streaming) and in partial_json pieces (streaming)', async () => {
    const input = { path: 'src/routes/login.ts', start_line: 1, end_line: 40 };
    fake.enqueue({ toolCalls: [{ name: 'read_file', input }], text: 'Reading the login route.' }, { toolCalls: [{ name: 'read_file', input }] });

    const whole = await client.messages.create({ ...base, tools });
    expect(whole.stop_reason).toBe('tool_use');
    expect(whole.content[0]).toEqual({ type: 'text', text: 'Reading the login route.' });
    const call = whole.content[1] as Anthropic.ToolUseBlock;
    expect(call).toMatchObject({ type: 'tool_use', name: 'read_file', input });
    expect(call.id).toMatch(/^toolu_/);

    const stream = client.messages.stream({ ...base, tools });
    const fragments: string[] = [];
    stream.on('inputJson', (partial) => fragments.push(partial));
    const streamed = await stream.finalMessage();
    expect(streamed.stop_reason).toBe('tool_use');
    expect(fragments.length).toBeGreaterThan(1);
    expect(JSON.parse(fragments.join(''))).toEqual(input);
    expect(streamed.content[0]).toMatchObject({ type: 'tool_use', name: 'read_file', input });
  });

  it('sends the final answer as a call to the submit_<phase> tool of the request', async () => {
    fake.enqueue({ final }, { final });
    const message = await client.messages.create({ ...base, tools, tool_choice: { type: 'tool', name: 'submit_requirements' } });
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content[0]).toMatchObject({ type: 'tool_use', name: 'submit_requirements', input: final });
    expect(fake.requests[0]).toMatchObject({ phase: 'requirements', finalChannel: 'tool', turn: 'final', tools: ['read_file', 'submit_requirements'] });

    const streamed = await client.messages.stream({ ...base, tools }).finalMessage();
    expect(streamed.content[0]).toMatchObject({ type: 'tool_use', name: 'submit_requirements', input: final });
  });

  it('sends deliberately broken JSON as raw partial_json, stopping at max_tokens', async () => {
    const raw = '{"requirements": [{"id": "REQ-001", "title": "Lock o';
    fake.enqueue({ finalRaw: raw }, { finalRaw: raw });
    const stream = await client.messages.create({ ...base, tools, stream: true });
    let json = '';
    let stop: string | null = null;
    for await (const event of stream) {
      if (event.type === 'content_block_delta' && event.delta.type === 'input_json_delta') json += event.delta.partial_json;
      if (event.type === 'message_delta') stop = event.delta.stop_reason;
    }
    expect(json).toBe(raw);
    expect(stop).toBe('max_tokens');

    const whole = await client.messages.create({ ...base, tools });
    expect(whole.stop_reason).toBe('max_tokens');
    expect(whole.content[0]).toMatchObject({ type: 'tool_use', name: 'submit_requirements', input: {} });
    expect(fake.requests[1]!.turn).toBe('final_raw');
  });

  it('surfaces scripted errors as the SDK typed errors with the right status, type and headers', async () => {
    fake.enqueue(
      { error: fakeError('rate_limit') },
      { error: { status: 529, type: 'overloaded_error' } },
      { error: fakeError('context_length') },
      { error: { status: 403 } },
      { error: { status: 500, message: 'boom' } },
    );
    const rate = await client.messages.create(base).catch((e: unknown) => e);
    expect(rate).toBeInstanceOf(RateLimitError);
    expect((rate as RateLimitError).status).toBe(429);
    expect((rate as RateLimitError).headers?.get('retry-after')).toBe('1');
    expect((rate as RateLimitError).error).toMatchObject({ type: 'error', error: { type: 'rate_limit_error' } });

    const overloaded = await client.messages.create(base).catch((e: unknown) => e);
    expect(overloaded).toBeInstanceOf(InternalServerError);
    expect((overloaded as APIError).status).toBe(529);
    expect((overloaded as APIError).type).toBe('overloaded_error');

    const tooLong = await client.messages.create(base).catch((e: unknown) => e);
    expect(tooLong).toBeInstanceOf(BadRequestError);
    expect((tooLong as APIError).message).toContain('prompt is too long: 250000 tokens > 200000 maximum');
    expect((tooLong as APIError).type).toBe('invalid_request_error');

    expect(await client.messages.create(base).catch((e: unknown) => e)).toBeInstanceOf(PermissionDeniedError);
    const server = await client.messages.create(base).catch((e: unknown) => e);
    expect(server).toBeInstanceOf(InternalServerError);
    expect((server as APIError).message).toContain('boom');
    expect((server as APIError).requestID).toMatch(/^req_/);
  });

  it('answers 401 authentication_error to a wrong key without using a scripted turn, and accepts a Bearer key', async () => {
    fake.enqueue({ text: 'ok' });
    const wrong = new Anthropic({ apiKey: 'wrong', baseURL: fake.anthropicBaseUrl, maxRetries: 0 });
    const error = await wrong.messages.create(base).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as APIError).type).toBe('authentication_error');
    expect(fake.pending()).toBe(1);

    const bearer = new Anthropic({ apiKey: null, authToken: 'test-key', baseURL: fake.anthropicBaseUrl, maxRetries: 0 });
    const message = await bearer.messages.create(base);
    expect(message.content).toEqual([{ type: 'text', text: 'ok' }]);
    expect(fake.requests[1]!.headers.authorization).toBe('Bearer test-key');

    fake.enqueue({ text: 'also ok' });
    const viaHeader = await fetch(`${fake.anthropicBaseUrl}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'test-key', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify(base),
    });
    expect(viaHeader.status).toBe(200);
    expect(((await viaHeader.json()) as Anthropic.Message).content).toEqual([{ type: 'text', text: 'also ok' }]);
    expect(fake.requests.map((r) => r.turn)).toEqual(['auth_error', 'text', 'text']);
  });

  it('sends an error event in the middle of a stream', async () => {
    fake.enqueue({ error: { status: 529, type: 'overloaded_error', inStream: true } });
    const error = await client.messages
      .stream(base)
      .finalMessage()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(APIError);
    expect((error as APIError).type).toBe('overloaded_error');
  });

  it('surfaces a dropped connection as an error: before the headers and in the middle of a stream', async () => {
    fake.enqueue({ drop: 'before_headers' }, { drop: 'mid_stream' });
    expect(await client.messages.create(base).catch((e: unknown) => e)).toBeInstanceOf(APIConnectionError);

    const stream = client.messages.stream(base);
    const seen: string[] = [];
    stream.on('streamEvent', (event) => seen.push(event.type));
    const error = await stream.finalMessage().catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(seen).toEqual(['message_start']);
    await fake.waitFor((r) => r.every((x) => x.done));
    expect(fake.requests.map((r) => [r.turn, r.aborted])).toEqual([
      ['drop', false],
      ['drop', false],
    ]);
  });

  it('records a delayed answer the client aborted (non-streaming and streaming)', async () => {
    fake.enqueue({ delayMs: 60_000, then: { text: 'too late' } }, { delayMs: 60_000, then: { text: 'too late' } });
    const controller = new AbortController();
    const pending = client.messages.create(base, { signal: controller.signal }).catch((e: unknown) => e);
    await fake.waitForRequests(1);
    controller.abort();
    expect(await pending).toBeInstanceOf(APIUserAbortError);
    await fake.waitFor((r) => r[0]!.aborted);

    const streamController = new AbortController();
    const stream = client.messages.stream(base, { signal: streamController.signal });
    const started = new Promise<void>((resolve) => stream.on('streamEvent', (event) => event.type === 'message_start' && resolve()));
    const ended = stream.finalMessage().catch((e: unknown) => e);
    await started;
    streamController.abort();
    expect(await ended).toBeInstanceOf(APIUserAbortError);
    const [first, second] = await fake.waitFor((r) => r[1]?.aborted === true);
    expect(first).toMatchObject({ aborted: true, done: true, status: null });
    expect(second).toMatchObject({ aborted: true, done: true, status: 200, stream: true });
  });

  it('answers 500 saying the script ran out, and tells the SDK not to retry', async () => {
    const retrying = new Anthropic({ apiKey: 'test-key', baseURL: fake.anthropicBaseUrl, maxRetries: 3 });
    const error = await retrying.messages.create(base).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(InternalServerError);
    expect((error as APIError).message).toContain('the script ran out');
    expect(fake.requests).toHaveLength(1);
    expect(fake.requests[0]!.turn).toBe('script_exhausted');
  });

  it('lists models and refuses a request that lacks max_tokens without using a turn', async () => {
    const models = await client.models.list();
    expect(models.data.map((m) => m.id)).toEqual(['claude-fake-1']);

    fake.enqueue({ text: 'kept' });
    const response = await fetch(`${fake.url}/v1/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-api-key': 'test-key' },
      body: JSON.stringify({ model: 'claude-test', messages: [] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'max_tokens: Field required' } });
    expect(fake.pending()).toBe(1);
  });
});
