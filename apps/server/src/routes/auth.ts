import type { App, AppContext } from '../app';

// Scaffold: the routes of this module are being written; see docs/api.md.
export function registerAuthRoutes(_app: App, _ctx: AppContext): void {}
