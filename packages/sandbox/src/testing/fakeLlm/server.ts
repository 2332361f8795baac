/**
 * `startFakeLlm`: a real HTTP server (node:http on 127.0.0.1) speaking Anthropic's Messages API
 * and/or OpenAI's Chat Completions, answering each request with the next scripted turn (or the auto
 * agent), recording every request, and noticing when a client goes away.
 */
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { isRecord } from '../../analysis/shape';
import { anthropicFrames, anthropicMessage, anthropicModels, anthropicStart, anthropicStreamError } from './anthropic';
import type { AnthropicEnvelope } from './anthropic';
import { autoTurn } from './auto/agent';
import { renderError } from './errors';
import { openAiCompletion, openAiFrames, openAiModels, openAiStart, openAiStreamError } from './openai';
import type { OpenAiEnvelope } from './openai';
import { buildReply, createIdSource } from './reply';
import type { ContentTurn, IdSource, Reply } from './reply';
import { estimateInputTokens, readAnthropicRequest, readOpenAiRequest } from './request';
import type { RequestView } from './request';
import type { FakeError, FakeLlm, FakeLlmOptions, FakeProvider, FakeTurn, RecordedRequest, TurnKind } from './types';

const DEFAULT_MODELS: Record<FakeProvider, string> = { anthropic: 'claude-fake-1', openai: 'gpt-fake-1' };

interface Exchange {
  record: RecordedRequest;
  res: ServerResponse;
  view: RequestView;
  env: { anthropic: AnthropicEnvelope; openai: OpenAiEnvelope };
  /** Headers and the first stream frame are out. */
  started: boolean;
  /** The server destroyed the socket on purpose (a `drop` turn). */
  dropped: boolean;
  closed: boolean;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function header(req: IncomingMessage, name: string): string | undefined {
  const value = req.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function providerOfPath(path: string): FakeProvider | null {
  if (path === '/v1/messages') return 'anthropic';
  if (path === '/v1/chat/completions') return 'openai';
  return null;
}

export async function startFakeLlm(options: FakeLlmOptions): Promise<FakeLlm> {
  const queue: FakeTurn[] = Array.isArray(options.script) ? [...options.script] : [];
  const scriptFn = typeof options.script === 'function' ? options.script : undefined;
  let scripted = queue.length;
  const requests: RecordedRequest[] = [];
  const waiters = new Set<{ check: () => boolean; reject: (e: Error) => void }>();
  const timers = new Set<NodeJS.Timeout>();
  const ids: IdSource = createIdSource();
  let closing = false;

  const serves = (p: FakeProvider) => options.provider === 'both' || options.provider === p;
  const notify = () => {
    for (const waiter of [...waiters]) if (waiter.check()) waiters.delete(waiter);
  };

  const authorized = (req: IncomingMessage, provider: FakeProvider): boolean => {
    if (options.apiKey === undefined) return true;
    const bearer = header(req, 'authorization') === `Bearer ${options.apiKey}`;
    return provider === 'anthropic' ? header(req, 'x-api-key') === options.apiKey || bearer : bearer;
  };

  const sendJson = (ex: Exchange, status: number, body: unknown, headers: Record<string, string> = {}) => {
    ex.record.status = status;
    const text = JSON.stringify(body);
    ex.res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    ex.res.end(text);
  };

  const requestId = (provider: FakeProvider) => ids.next(provider === 'anthropic' ? 'req_' : 'req-');

  const sendError = (ex: Exchange, error: FakeError, kind: TurnKind) => {
    const provider = ex.view.provider;
    const rendered = renderError(provider, error, requestId(provider));
    ex.record.turn ??= kind;
    if (ex.started || (error.inStream === true && ex.view.stream)) {
      startStream(ex);
      write(ex, provider === 'anthropic' ? anthropicStreamError(rendered) : openAiStreamError(rendered));
      ex.res.end();
      return;
    }
    sendJson(ex, rendered.status, rendered.body, rendered.headers);
  };

  const write = (ex: Exchange, frame: string) => {
    if (!ex.closed) ex.res.write(frame);
  };

  const startStream = (ex: Exchange, reply?: Reply, flushed?: () => void) => {
    if (ex.started) return;
    ex.started = true;
    ex.record.status = 200;
    const provider = ex.view.provider;
    ex.res.writeHead(200, {
      'content-type': 'text/event-stream; charset=utf-8',
      'cache-control': 'no-cache',
      connection: 'keep-alive',
      [provider === 'anthropic' ? 'request-id' : 'x-request-id']: requestId(provider),
    });
    ex.res.flushHeaders();
    const first = provider === 'anthropic' ? anthropicStart(ex.env.anthropic, reply?.usage) : openAiStart(ex.env.openai, reply);
    if (!ex.closed) ex.res.write(first, flushed);
  };

  /** Resolves true after `ms`, or false as soon as the client is gone. */
  const pause = (ex: Exchange, ms: number) =>
    new Promise<boolean>((resolve) => {
      if (ex.closed) return resolve(false);
      const timer = setTimeout(() => {
        timers.delete(timer);
        ex.res.off('close', onClose);
        resolve(!ex.closed);
      }, ms);
      const onClose = () => {
        clearTimeout(timer);
        timers.delete(timer);
        resolve(false);
      };
      timers.add(timer);
      ex.res.once('close', onClose);
    });

  const drop = (ex: Exchange, when: 'before_headers' | 'mid_stream') => {
    ex.record.turn ??= 'drop';
    ex.dropped = true;
    if (when === 'before_headers' && !ex.started) {
      ex.res.socket?.destroy();
      return;
    }
    if (ex.view.stream) {
      // After the first frame has reached the socket.
      if (ex.started) ex.res.socket?.destroy();
      else startStream(ex, undefined, () => ex.res.socket?.destroy());
      return;
    }
    // A non-streaming answer cut in the middle of its body.
    const text = JSON.stringify({ id: ex.env.anthropic.id, type: 'message', role: 'assistant', content: [{ type: 'text', text: 'cut off here' }] });
    ex.record.status = 200;
    ex.res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    ex.res.write(text.slice(0, Math.floor(text.length / 2)), () => ex.res.socket?.destroy());
  };

  const answer = (ex: Exchange, turn: ContentTurn) => {
    const body = ex.record.body as Record<string, unknown>;
    const reply = buildReply(turn, ex.view, ids, estimateInputTokens(body));
    ex.record.turn ??= reply.kind;
    const provider = ex.view.provider;
    if (!ex.view.stream) {
      sendJson(ex, 200, provider === 'anthropic' ? anthropicMessage(reply, ex.env.anthropic) : openAiCompletion(reply, ex.env.openai), {
        [provider === 'anthropic' ? 'request-id' : 'x-request-id']: requestId(provider),
      });
      return;
    }
    startStream(ex, reply);
    for (const frame of provider === 'anthropic' ? anthropicFrames(reply) : openAiFrames(reply, ex.env.openai)) write(ex, frame);
    ex.res.end();
  };

  const play = async (ex: Exchange, turn: FakeTurn): Promise<void> => {
    if (ex.closed) return;
    if ('delayMs' in turn) {
      if (ex.view.stream) startStream(ex);
      if (await pause(ex, turn.delayMs)) await play(ex, turn.then);
      return;
    }
    if ('drop' in turn) return drop(ex, turn.drop);
    if ('error' in turn) return sendError(ex, turn.error, 'error');
    answer(ex, turn);
  };

  const nextTurn = (record: RecordedRequest, view: RequestView): FakeTurn | undefined => {
    const queued = queue.shift();
    if (queued) return queued;
    const fromScript = scriptFn?.(record);
    if (fromScript) return fromScript;
    if (options.auto) {
      record.auto = true;
      return autoTurn(view);
    }
    return undefined;
  };

  const invalid = (view: RequestView, body: Record<string, unknown>): string | undefined => {
    if (typeof body['model'] !== 'string' || body['model'] === '') return 'model: Field required';
    if (!Array.isArray(body['messages'])) return 'messages: Field required';
    if (view.provider === 'anthropic' && typeof body['max_tokens'] !== 'number') return 'max_tokens: Field required';
    return undefined;
  };

  const handle = async (req: IncomingMessage, res: ServerResponse) => {
    const startedAt = Date.now();
    const path = (req.url ?? '/').split('?')[0] ?? '/';
    const method = req.method ?? 'GET';
    const raw = await readBody(req);
    let body: unknown = undefined;
    if (raw !== '') {
      try {
        body = JSON.parse(raw) as unknown;
      } catch {
        body = raw;
      }
    }
    const pathProvider = providerOfPath(path);
    const bodyRecord = isRecord(body) ? body : {};
    const provider: FakeProvider | null =
      pathProvider ??
      (path === '/v1/models'
        ? options.provider !== 'both'
          ? options.provider
          : header(req, 'anthropic-version') !== undefined || header(req, 'x-api-key') !== undefined
            ? 'anthropic'
            : 'openai'
        : null);
    const view = provider === 'openai' ? readOpenAiRequest(bodyRecord) : readAnthropicRequest(bodyRecord);
    const record: RecordedRequest = {
      index: requests.length,
      method,
      path,
      headers: req.headers,
      body,
      provider,
      stream: pathProvider !== null && view.stream,
      phase: pathProvider !== null ? view.phase : null,
      finalChannel: view.finalChannel,
      tools: view.tools,
      turn: null,
      auto: false,
      status: null,
      aborted: false,
      done: false,
    };
    const model = view.model ?? options.model ?? DEFAULT_MODELS[provider ?? 'anthropic'];
    const ex: Exchange = {
      record,
      res,
      view: { ...view, stream: record.stream },
      env: {
        anthropic: { id: ids.next('msg_'), model, inputTokens: estimateInputTokens(bodyRecord) },
        openai: { id: ids.next('chatcmpl-'), model, created: Math.floor(startedAt / 1000), includeUsage: view.includeUsage },
      },
      started: false,
      dropped: false,
      closed: false,
    };
    res.on('close', () => {
      ex.closed = true;
      record.aborted = !res.writableFinished && !ex.dropped;
      record.done = true;
      options.onRequest?.({
        index: record.index,
        method,
        path,
        provider,
        phase: record.phase,
        turn: record.turn,
        auto: record.auto,
        stream: record.stream,
        status: record.status,
        aborted: record.aborted,
        ms: Date.now() - startedAt,
      });
      notify();
    });
    requests.push(record);
    notify();

    const known = (pathProvider !== null && method === 'POST' && serves(pathProvider)) || (path === '/v1/models' && method === 'GET');
    if (!known || provider === null) {
      record.turn = 'not_found';
      const p = provider ?? (options.provider === 'openai' ? 'openai' : 'anthropic');
      sendJson(ex, 404, renderError(p, { status: 404, message: `fake-llm: no route ${method} ${path}` }, requestId(p)).body);
      return;
    }
    if (!authorized(req, provider)) return sendError(ex, { status: 401 }, 'auth_error');
    if (path === '/v1/models') {
      record.turn = 'models';
      const modelIds = [...new Set([options.model ?? DEFAULT_MODELS[provider]])];
      return sendJson(ex, 200, provider === 'anthropic' ? anthropicModels(modelIds) : openAiModels(modelIds));
    }
    const problem = isRecord(body) ? invalid(view, body) : 'the body is not a JSON object';
    if (problem !== undefined) return sendError(ex, { status: 400, message: problem }, 'invalid_request');

    const turn = nextTurn(record, ex.view);
    if (turn === undefined) {
      const message =
        `fake-llm: the script ran out: request #${record.index + 1} (${method} ${path}, phase ${record.phase ?? 'unknown'}) ` +
        `has no turn left (${scripted} scripted); enqueue more turns or start with auto: true`;
      return sendError(ex, { status: 500, message, headers: { 'x-should-retry': 'false' } }, 'script_exhausted');
    }
    await play(ex, turn);
  };

  const server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ type: 'error', error: { type: 'api_error', message: `fake-llm: ${String(error)}` } }));
      } else res.destroy();
    });
  });
  server.keepAliveTimeout = 1_000;

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}`;

  const waitFor = (predicate: (r: readonly RecordedRequest[]) => boolean): Promise<RecordedRequest[]> =>
    new Promise((resolve, reject) => {
      if (closing) return reject(new Error('fake-llm: the server is closed'));
      const waiter = {
        check: () => {
          if (!predicate(requests)) return false;
          resolve([...requests]);
          return true;
        },
        reject,
      };
      if (!waiter.check()) waiters.add(waiter);
    });

  return {
    url,
    port,
    anthropicBaseUrl: url,
    openaiBaseUrl: `${url}/v1`,
    requests,
    enqueue(...turns) {
      queue.push(...turns);
      scripted += turns.length;
    },
    pending: () => queue.length,
    waitForRequests: (n) => waitFor((r) => r.length >= n),
    waitFor,
    close: async () => {
      if (closing) return;
      closing = true;
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const waiter of waiters) waiter.reject(new Error('fake-llm: the server closed before the awaited requests came'));
      waiters.clear();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeAllConnections();
      await closed;
    },
  };
}
