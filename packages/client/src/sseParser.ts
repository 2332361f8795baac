/**
 * Server-sent events: the incremental frame parser (WHATWG "event stream interpretation"), with no
 * knowledge of what the frames carry.
 */

/** One dispatched SSE frame (WHATWG "event stream interpretation"). */
export interface SseFrame {
  event: string;
  data: string;
  /** The last event id in effect when the frame was dispatched ('' when none was ever sent). */
  id: string;
}

export interface SseParser {
  /** Feeds decoded text; calls `onFrame` for every complete frame. Chunks may split lines anywhere. */
  push(text: string): void;
  /** The latest `retry:` value in ms, if the server sent one. */
  readonly retryMs: number | undefined;
}

/**
 * Incremental SSE parser: `data:` lines joined by `\n`, comments (`:`) ignored, `id:` persists across
 * frames (an id containing NUL is ignored), `retry:` only when all digits, CR / LF / CRLF line ends,
 * a frame with no data is not dispatched.
 */
export function createSseParser(onFrame: (frame: SseFrame) => void): SseParser {
  let buffer = '';
  let eventType = '';
  let data: string[] = [];
  let lastId = '';
  let retryMs: number | undefined;
  let pendingCr = false;

  const dispatch = () => {
    if (data.length > 0) onFrame({ event: eventType || 'message', data: data.join('\n'), id: lastId });
    data = [];
    eventType = '';
  };

  const line = (text: string) => {
    if (text === '') return dispatch();
    if (text.startsWith(':')) return;
    const colon = text.indexOf(':');
    const field = colon === -1 ? text : text.slice(0, colon);
    let value = colon === -1 ? '' : text.slice(colon + 1);
    if (value.startsWith(' ')) value = value.slice(1);
    switch (field) {
      case 'event':
        eventType = value;
        return;
      case 'data':
        data.push(value);
        return;
      case 'id':
        if (!value.includes('\0')) lastId = value;
        return;
      case 'retry':
        if (/^\d+$/.test(value)) retryMs = Number(value);
        return;
      default:
        return;
    }
  };

  return {
    push(text: string) {
      let start = 0;
      let chunk = text;
      // A CR at the end of the previous chunk followed by LF here is one line end, not two.
      if (pendingCr && chunk.startsWith('\n')) chunk = chunk.slice(1);
      pendingCr = false;
      buffer += chunk;
      for (let i = 0; i < buffer.length; i++) {
        const ch = buffer[i];
        if (ch !== '\n' && ch !== '\r') continue;
        line(buffer.slice(start, i));
        if (ch === '\r') {
          if (i + 1 === buffer.length) pendingCr = true;
          else if (buffer[i + 1] === '\n') i++;
        }
        start = i + 1;
      }
      buffer = buffer.slice(start);
    },
    get retryMs() {
      return retryMs;
    },
  };
}
