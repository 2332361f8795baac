import { describe, expect, it } from 'vitest';
import { createSseParser, type SseFrame } from './sseParser';

describe('createSseParser', () => {
  it('joins multi-line data, skips comments, keeps the id across frames and reads retry', () => {
    const frames: SseFrame[] = [];
    const parser = createSseParser((f) => frames.push(f));
    parser.push(': keepalive\n\nretry: 1500\nid: 7\nevent: spec_event\ndata: {"a":\ndata: 1}\n\ndata: second\n\nretry: 12x\n');
    expect(frames).toEqual([
      { event: 'spec_event', data: '{"a":\n1}', id: '7' },
      { event: 'message', data: 'second', id: '7' },
    ]);
    expect(parser.retryMs).toBe(1500);
  });

  it('gives the same frames whatever the chunking and line endings (CRLF split across chunks)', () => {
    const text = 'id: 1\r\nevent: spec_event\r\ndata: x\r\ndata:y\r\n\r\n: c\rid: 2\rdata:  z\r\r';
    const whole: SseFrame[] = [];
    createSseParser((f) => whole.push(f)).push(text);
    const bytewise: SseFrame[] = [];
    const parser = createSseParser((f) => bytewise.push(f));
    for (const ch of text) parser.push(ch);
    expect(whole).toEqual([
      { event: 'spec_event', data: 'x\ny', id: '1' },
      { event: 'message', data: ' z', id: '2' },
    ]);
    expect(bytewise).toEqual(whole);
  });

  it('does not dispatch a frame without data, and an unterminated frame waits for its blank line', () => {
    const frames: SseFrame[] = [];
    const parser = createSseParser((f) => frames.push(f));
    parser.push('event: spec_event\nid: 3\n\ndata: pending');
    expect(frames).toEqual([]);
    parser.push('\n\n');
    expect(frames).toEqual([{ event: 'message', data: 'pending', id: '3' }]);
  });
});
