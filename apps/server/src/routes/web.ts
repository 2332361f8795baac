import type { App, AppContext } from '../app';

// Scaffold: serving the built web UI (apps/web/dist) comes with the launcher/main work.
export async function registerWebRoutes(_app: App, _ctx: AppContext): Promise<void> {}
