import type { AppDeps } from '../app';
import { AppError } from '../http/errors';
import type { RunManager } from '../services/runs';

// Scaffold: replaced by the real run manager (launch, cancel, reaper, reconcile).
export function createRunManager(_deps: AppDeps): RunManager {
  const notYet = () => Promise.reject(new AppError('sandbox_launch_failed', 'run manager not implemented yet'));
  return { start: notYet, cancel: notYet, reconcile: () => Promise.resolve(0), reap: () => Promise.resolve(0), finished: () => Promise.resolve(), close: () => Promise.resolve() };
}
