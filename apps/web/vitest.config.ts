import react from '@vitejs/plugin-react';
import { defineProject } from 'vitest/config';

export default defineProject({
  plugins: [react()],
  test: {
    name: 'web',
    root: import.meta.dirname,
    environment: 'jsdom',
    include: ['src/**/*.test.{ts,tsx}'],
    setupFiles: ['./src/test/setup.ts'],
    // Safety nets, not timing assertions: a loaded 2-core machine renders a big page slowly.
    testTimeout: 60_000,
    hookTimeout: 60_000,
  },
});
