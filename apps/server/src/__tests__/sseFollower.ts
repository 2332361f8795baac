/**
 * An SSE client of one spec that follows it across server restarts (the multi-server fault trials): it
 * reads `id:` frames, and when a connection ends it reconnects — to whichever of the servers answers,
 * in turn — with `Last-Event-ID`. It keeps every spec_seq it was sent, duplicates included, until the
 * run's `agent.completed`, so a test can check "every event once, in order".
 */
export interface SseFollower {
  seqs: number[];
  done: Promise<void>;
  stop: () => void;
}

export function followSse(urls: string[], specId: string, token: string, maxAttempts = 5000): SseFollower {
  const seqs: number[] = [];
  let stopped = false;
  let controller: AbortController | undefined;
  const done = (async () => {
    let last = 0;
    for (let attempt = 0; !stopped && attempt < maxAttempts; attempt++) {
      controller = new AbortController();
      try {
        const res = await fetch(`${urls[attempt % urls.length]!}/specs/${specId}/events/stream`, {
          headers: { authorization: `Bearer ${token}`, ...(last ? { 'last-event-id': String(last) } : {}) },
          signal: controller.signal,
        });
        if (res.status !== 200 || !res.body) throw new Error(`status ${res.status}`);
        let buffer = '';
        const decoder = new TextDecoder();
        for await (const chunk of res.body as unknown as AsyncIterable<Uint8Array>) {
          buffer += decoder.decode(chunk, { stream: true });
          let end: number;
          while ((end = buffer.indexOf('\n\n')) >= 0) {
            const frame = buffer.slice(0, end);
            buffer = buffer.slice(end + 2);
            const id = /^id: (\d+)$/m.exec(frame);
            if (!id) continue;
            last = Number(id[1]);
            seqs.push(last);
            if (frame.includes('"agent.completed"')) return;
          }
        }
      } catch {
        /* a server went away: reconnect */
      }
      await new Promise((resolve) => setTimeout(resolve, 200)); // reconnect backoff
    }
  })();
  return {
    seqs,
    done,
    stop: () => {
      stopped = true;
      controller?.abort();
    },
  };
}
