/**
 * Test clients for the live streams, over a real listening server: an SSE reader on node:http (it can
 * pause, to play a slow consumer) and a WebSocket client on `ws`. Both wait on conditions, never on time.
 */
import http from 'node:http';
import type { ServerToClient, StoredEvent, StreamClosed } from '@specline/protocol';
import { WebSocket } from 'ws';

interface Waiter {
  check: () => boolean;
  resolve: () => void;
}

function waiters() {
  const list: Waiter[] = [];
  return {
    until(check: () => boolean): Promise<void> {
      if (check()) return Promise.resolve();
      return new Promise((resolve) => list.push({ check, resolve }));
    },
    poke() {
      for (const w of [...list]) {
        if (w.check()) {
          list.splice(list.indexOf(w), 1);
          w.resolve();
        }
      }
    },
  };
}

export interface SseClient {
  status: number;
  events: StoredEvent[];
  /** `id:` of each spec_event frame, in order. */
  ids: number[];
  closed: StreamClosed | undefined;
  ended: boolean;
  comments: string[];
  until(check: () => boolean): Promise<void>;
  pause(): void;
  resume(): void;
  close(): void;
}

export function openSse(url: string, headers: Record<string, string>): Promise<SseClient> {
  return new Promise((resolve, reject) => {
    const req = http.get(url, { headers: { accept: 'text/event-stream', ...headers } }, (res) => {
      const w = waiters();
      let buffer = '';
      const client: SseClient = {
        status: res.statusCode ?? 0,
        events: [],
        ids: [],
        closed: undefined,
        ended: false,
        comments: [],
        until: w.until,
        pause: () => res.pause(),
        resume: () => res.resume(),
        close: () => req.destroy(),
      };
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          let event = 'message';
          let id: string | undefined;
          const data: string[] = [];
          for (const line of block.split('\n')) {
            if (line.startsWith(':')) client.comments.push(line.slice(1).trim());
            else if (line.startsWith('event: ')) event = line.slice(7);
            else if (line.startsWith('id: ')) id = line.slice(4);
            else if (line.startsWith('data: ')) data.push(line.slice(6));
          }
          if (!data.length) continue;
          if (event === 'spec_event') {
            client.events.push(JSON.parse(data.join('\n')) as StoredEvent);
            client.ids.push(Number(id));
          } else if (event === 'stream_closed') {
            client.closed = JSON.parse(data.join('\n')) as StreamClosed;
          }
        }
        w.poke();
      });
      const ended = () => {
        client.ended = true;
        w.poke();
      };
      res.on('end', ended);
      res.on('close', ended);
      res.on('error', ended);
      resolve(client);
    });
    req.on('error', reject);
  });
}

export interface WsClient {
  socket: WebSocket;
  messages: ServerToClient[];
  events: StoredEvent[];
  closeCode: number | undefined;
  send(message: unknown): void;
  sendRaw(text: string): void;
  until(check: () => boolean): Promise<void>;
  ofType<T extends ServerToClient['type']>(type: T): Extract<ServerToClient, { type: T }>[];
}

export function openWs(url: string, headers: Record<string, string> = {}): Promise<WsClient> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url, { headers });
    const w = waiters();
    const client: WsClient = {
      socket,
      messages: [],
      events: [],
      closeCode: undefined,
      send: (message) => socket.send(JSON.stringify(message)),
      sendRaw: (text) => socket.send(text),
      until: w.until,
      ofType: <T extends ServerToClient['type']>(type: T) => client.messages.filter((m): m is Extract<ServerToClient, { type: T }> => m.type === type),
    };
    socket.on('message', (data: Buffer) => {
      const message = JSON.parse(data.toString('utf8')) as ServerToClient;
      client.messages.push(message);
      if (message.type === 'event') client.events.push(message.event);
      w.poke();
    });
    socket.on('close', (code) => {
      client.closeCode = code;
      w.poke();
    });
    socket.on('open', () => resolve(client));
    socket.on('error', reject);
  });
}
