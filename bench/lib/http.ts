/**
 * A small JSON client over node:http with a keep-alive agent. The benchmark uses it instead of
 * `fetch` so the harness spends as little CPU as possible per request (it shares 2 cores with the
 * server, PostgreSQL and Redis).
 */
import http from 'node:http';

export interface JsonResponse {
  status: number;
  /** Parsed JSON body (`undefined` when the body was empty or not JSON). */
  body: unknown;
  text: string;
}

export class HttpClient {
  readonly agent: http.Agent;
  constructor(
    readonly baseUrl: string,
    maxSockets = 64,
  ) {
    this.agent = new http.Agent({ keepAlive: true, maxSockets });
  }

  /** Sends `body` (already-serialised JSON or a value to serialise) and reads the whole answer. */
  request(method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<JsonResponse> {
    const payload = options.body === undefined ? undefined : typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
    const url = new URL(path, this.baseUrl);
    return new Promise<JsonResponse>((resolve, reject) => {
      const req = http.request(
        url,
        {
          method,
          agent: this.agent,
          headers: {
            accept: 'application/json',
            ...(payload === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(payload) }),
            ...options.headers,
          },
        },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => {
            const text = Buffer.concat(chunks).toString('utf8');
            let body: unknown;
            try {
              body = text ? (JSON.parse(text) as unknown) : undefined;
            } catch {
              body = undefined;
            }
            resolve({ status: res.statusCode ?? 0, body, text });
          });
          res.on('error', reject);
        },
      );
      req.on('error', (error) => reject(new Error(`${method} ${url.pathname} failed: ${error.message}`)));
      if (payload !== undefined) req.write(payload);
      req.end();
    });
  }

  /** Like `request`, but throws (naming the route, status and body) unless the status is `expected`. */
  async expect(expected: number, method: string, path: string, options: { body?: unknown; headers?: Record<string, string> } = {}): Promise<unknown> {
    const res = await this.request(method, path, options);
    if (res.status !== expected) throw new Error(`${method} ${path}: expected HTTP ${expected}, got ${res.status}: ${res.text.slice(0, 500)}`);
    return res.body;
  }

  close(): void {
    this.agent.destroy();
  }
}

/** Monotonic milliseconds (CLOCK_MONOTONIC): the same clock in every thread and process of this machine. */
export function nowMs(): number {
  return Number(process.hrtime.bigint()) / 1e6;
}
