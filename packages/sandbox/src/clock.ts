/**
 * Clocks: the real one, and a manual one for tests where time moves only when the test says so.
 */
import type { Clock } from './types';

/** The abort reason as an Error (a non-Error reason is wrapped in an AbortError naming it). */
export function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  if (reason instanceof Error) return reason;
  return new DOMException(typeof reason === 'string' ? reason : 'The operation was aborted', 'AbortError');
}

/** Wall-clock time and real timers. */
export const systemClock: Clock = {
  now: () => Date.now(),
  sleep(ms, signal) {
    return new Promise<void>((resolve, reject) => {
      if (signal?.aborted) {
        reject(abortReason(signal));
        return;
      }
      const onAbort = () => {
        clearTimeout(timer);
        reject(abortReason(signal!));
      };
      const timer = setTimeout(() => {
        signal?.removeEventListener('abort', onAbort);
        resolve();
      }, Math.max(0, ms));
      signal?.addEventListener('abort', onAbort, { once: true });
    });
  },
  every(ms, fn) {
    const timer = setInterval(fn, Math.max(1, ms));
    return () => clearInterval(timer);
  },
};

interface Timer {
  id: number;
  at: number;
  /** Repeat period for `every`, undefined for a one-shot sleep. */
  period?: number;
  fire: () => void;
}

/** A clock whose time moves only through {@link ManualClock.advance}. */
export interface ManualClock extends Clock {
  /** Moves time forward by `ms`, firing due sleeps and intervals in time order, letting the code they wake run between firings. */
  advance(ms: number): Promise<void>;
  /** Moves time to the next pending timer and fires it; false when nothing is pending. */
  advanceToNext(): Promise<boolean>;
  /** Number of pending sleeps and intervals. */
  pending(): number;
  /** Advances to each next timer until `promise` settles (at most `maxSteps` timers), then returns its result. */
  settle<T>(promise: Promise<T>, maxSteps?: number): Promise<T>;
}

/** Whether file-system requests are in flight (so a test should let real I/O finish before moving fake time). */
function fileIoPending(): boolean {
  return process.getActiveResourcesInfo().some((resource) => /^(FSReq|CloseReq|FileHandle)/.test(resource));
}

/** Lets promise callbacks and pending I/O callbacks run (one macrotask turn, no timer involved). */
export function flushMicrotasks(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export function createManualClock(start = 0): ManualClock {
  let now = start;
  let nextId = 1;
  let timers: Timer[] = [];

  const add = (timer: Omit<Timer, 'id'>): number => {
    const id = nextId++;
    timers.push({ ...timer, id });
    return id;
  };
  const remove = (id: number) => {
    timers = timers.filter((t) => t.id !== id);
  };
  const earliest = (): Timer | undefined => timers.reduce<Timer | undefined>((a, t) => (a === undefined || t.at < a.at || (t.at === a.at && t.id < a.id) ? t : a), undefined);

  const fireNext = (limit: number): boolean => {
    const timer = earliest();
    if (!timer || timer.at > limit) return false;
    now = Math.max(now, timer.at);
    if (timer.period === undefined) remove(timer.id);
    else timer.at += timer.period;
    timer.fire();
    return true;
  };

  const clock: ManualClock = {
    now: () => now,
    sleep(ms, signal) {
      return new Promise<void>((resolve, reject) => {
        if (signal?.aborted) {
          reject(abortReason(signal));
          return;
        }
        const onAbort = () => {
          remove(id);
          reject(abortReason(signal!));
        };
        const id = add({
          at: now + Math.max(0, ms),
          fire: () => {
            signal?.removeEventListener('abort', onAbort);
            resolve();
          },
        });
        signal?.addEventListener('abort', onAbort, { once: true });
      });
    },
    every(ms, fn) {
      const period = Math.max(1, ms);
      const id = add({ at: now + period, period, fire: fn });
      return () => remove(id);
    },
    async advance(ms) {
      const target = now + Math.max(0, ms);
      await flushMicrotasks();
      while (fireNext(target)) await flushMicrotasks();
      now = Math.max(now, target);
      await flushMicrotasks();
    },
    async advanceToNext() {
      await flushMicrotasks();
      const fired = fireNext(Number.POSITIVE_INFINITY);
      await flushMicrotasks();
      return fired;
    },
    pending: () => timers.length,
    async settle<T>(promise: Promise<T>, maxSteps = 10_000): Promise<T> {
      let settled = false;
      const tracked = promise.finally(() => {
        settled = true;
      });
      tracked.catch(() => undefined);
      for (let step = 0; step < maxSteps; step++) {
        // Let real I/O (file writes) finish before moving fake time: idle turns first, and more while files are being written.
        for (let turn = 0; !settled && (turn < 20 || (fileIoPending() && turn < 100_000)); turn++) await flushMicrotasks();
        if (settled) return tracked;
        if (!(await clock.advanceToNext())) {
          for (let turn = 0; turn < 200 && !settled; turn++) await flushMicrotasks();
          if (settled) return tracked;
        }
      }
      throw new Error(`ManualClock.settle: the promise did not settle after ${maxSteps} timer steps`);
    },
  };
  return clock;
}
