// Preloaded into the server under test (NODE_OPTIONS=--import …/loopProbe.mjs, BENCH_LOOP_FILE=<path>):
// the event loop's delay (perf_hooks monitorEventLoopDelay, 10 ms resolution) written as JSON to
// BENCH_LOOP_FILE every 200 ms; a `<file>.reset` file starts a new window. Only in the process that
// runs main.ts (npx and the tsx launcher get NODE_OPTIONS too), so any commit can be measured alike.
import { existsSync, rmSync, writeFileSync } from 'node:fs';
import { monitorEventLoopDelay } from 'node:perf_hooks';

const file = process.env.BENCH_LOOP_FILE;
if (file && (process.argv[1] ?? '').endsWith('main.ts')) {
  const h = monitorEventLoopDelay({ resolution: 10 });
  h.enable();
  const ms = (ns) => Math.round(ns / 1e4) / 100;
  const timer = setInterval(() => {
    if (existsSync(`${file}.reset`)) {
      rmSync(`${file}.reset`, { force: true });
      h.reset();
    }
    const snapshot = { p50: ms(h.percentile(50)), p99: ms(h.percentile(99)), max: ms(h.max), mean: ms(h.mean), samples: h.count, at: Date.now() };
    writeFileSync(file, JSON.stringify(snapshot));
  }, 200);
  timer.unref();
}
