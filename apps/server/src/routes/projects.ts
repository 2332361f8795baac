import type { App, AppContext } from '../app';

// Scaffold: the routes of this module are being written; see docs/api.md.
export function registerProjectRoutes(_app: App, _ctx: AppContext): void {}
