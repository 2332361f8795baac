/**
 * `GET /api/v1/metrics/streams`, only when `SPECLINE_STREAM_METRICS=true`, for logged-in users: the
 * event loop's delay (perf_hooks `monitorEventLoopDelay`, 10 ms resolution) since the last reset,
 * memory, and the stream hub's counters. The benchmarks read it; `?reset=true` starts a new window.
 * Nothing here names a spec or a user.
 */
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { z } from 'zod';
import type { App, AppContext } from '../app';
import { sessionLookupStats } from '../services/sessions';
import type { StreamHub } from './hub';

const ms = (ns: number) => Math.round(ns / 1e4) / 100;

export function registerStreamMetrics(app: App, ctx: AppContext, hub: StreamHub): void {
  if (!ctx.config.streams.metrics) return;
  const delay = monitorEventLoopDelay({ resolution: 10 });
  delay.enable();
  let rssPeak = 0;
  const sampler = setInterval(() => {
    rssPeak = Math.max(rssPeak, process.memoryUsage.rss());
  }, 100);
  sampler.unref();
  app.addHook('onClose', (_app, done) => {
    delay.disable();
    clearInterval(sampler);
    done();
  });
  app.get(
    '/api/v1/metrics/streams',
    {
      schema: {
        tags: ['events'],
        summary: 'Stream and event-loop metrics (SPECLINE_STREAM_METRICS)',
        querystring: z.object({ reset: z.enum(['true', 'false']).optional() }),
      },
      preHandler: ctx.requireUser,
    },
    (request, reply) => {
      const memory = process.memoryUsage();
      rssPeak = Math.max(rssPeak, memory.rss);
      const body = {
        event_loop_delay_ms: { p50: ms(delay.percentile(50)), p99: ms(delay.percentile(99)), max: ms(delay.max), mean: ms(delay.mean), samples: delay.count },
        memory: { rss_bytes: memory.rss, rss_peak_bytes: rssPeak, heap_used_bytes: memory.heapUsed },
        hub: hub.snapshot(),
        /** The batched session lookups of every request (services/batcher.ts). */
        sessions: sessionLookupStats(ctx.db),
      };
      if (request.query.reset === 'true') {
        delay.reset();
        rssPeak = memory.rss;
      }
      return reply.send(body);
    },
  );
}
