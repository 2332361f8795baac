/** Test helper: builds a directory tree in a fresh temp directory from `{ "path/to/file": "content" }`. */
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

export async function makeTree(files: Record<string, string>): Promise<{ root: string; cleanup: () => Promise<void> }> {
  const root = await mkdtemp(path.join(os.tmpdir(), 'planner-test-'));
  for (const [rel, content] of Object.entries(files)) {
    const file = path.join(root, rel);
    await mkdir(path.dirname(file), { recursive: true });
    await writeFile(file, content);
  }
  return { root, cleanup: () => rm(root, { recursive: true, force: true }) };
}

/** A small TypeScript npm-workspaces monorepo: a Fastify server, a React web app, vitest. */
export const TS_MONOREPO: Record<string, string> = {
  'package.json': JSON.stringify({
    name: 'acme',
    private: true,
    type: 'module',
    workspaces: ['packages/*', 'apps/server'],
    scripts: { test: 'vitest run', start: 'tsx apps/server/src/main.ts' },
    devDependencies: { vitest: '4.1.12', typescript: '^5.8.0', eslint: '^9.0.0' },
  }),
  'package-lock.json': '{}',
  'README.md': '# Acme\n',
  'tsconfig.base.json': '{\n  // shared settings\n  "compilerOptions": { "strict": true, "module": "ESNext", "paths": { "@/*": ["./src/*"] }, },\n}\n',
  'vitest.config.ts': 'export default {};\n',
  'eslint.config.js': 'export default [];\n',
  'apps/server/package.json': JSON.stringify({ name: '@acme/server', main: 'dist/main.js', dependencies: { fastify: '^5.0.0', zod: '^4.0.0', ioredis: '^5.0.0' } }),
  'apps/server/tsconfig.json': '{ "extends": "../../tsconfig.base.json" }',
  'apps/server/src/main.ts': 'export {};\n',
  'apps/server/src/app.ts': 'export {};\n',
  'apps/server/src/plugins/authGuard.ts': 'export {};\n',
  'apps/server/src/routes/userRoutes.ts': 'export {};\n',
  'apps/server/src/routes/userRoutes.test.ts': 'export {};\n',
  'apps/server/src/services/userService.ts': 'export {};\n',
  'apps/server/src/services/userService.test.ts': 'export {};\n',
  'packages/web/package.json': JSON.stringify({ name: '@acme/web', dependencies: { react: '^19.0.0' }, devDependencies: { vite: '^8.0.0' } }),
  'packages/web/src/App.tsx': 'export {};\n',
  'packages/web/src/main.tsx': 'export {};\n',
  'packages/web/src/userList.tsx': 'export {};\n',
  'packages/web/src/App.test.tsx': 'export {};\n',
  'packages/shared/package.json': JSON.stringify({ name: '@acme/shared', exports: { '.': './src/index.ts' }, dependencies: { zod: '^4.0.0' } }),
  'packages/shared/src/index.ts': 'export {};\n',
  'packages/shared/src/ids.ts': 'export {};\n',
  'packages/shared/src/ids.test.ts': 'export {};\n',
  'e2e/login.spec.ts': 'export {};\n',
  // Never scanned:
  'node_modules/fastify/package.json': JSON.stringify({ name: 'fastify' }),
  'node_modules/fastify/lib/server.js': '',
  'apps/server/node_modules/x/index.js': '',
  'dist/main.js': '',
  'apps/server/dist/main.js': '',
  '.git/HEAD': 'ref: refs/heads/main\n',
  'coverage/index.html': '',
};
