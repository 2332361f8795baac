// Type-aware lint for every workspace. Exceptions go in named lists, never blanket disables.
import js from '@eslint/js';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: ['**/node_modules/**', '**/dist/**', '**/dist-types/**', 'apps/web/dist/**', 'test-results/**', 'playwright-report/**', '.specline/**', '**/*.js', '**/*.mjs', '!eslint.config.js', 'apps/server/drizzle/**', '**/.scratch/**', 'packages/sandbox/fixtures/repos/**', 'examples/**'],
  },
  js.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: { allowDefaultProject: ['*.config.ts', 'eslint.config.js', 'apps/server/drizzle.config.ts'] }, tsconfigRootDir: import.meta.dirname },
      globals: { ...globals.node },
    },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    rules: {
      '@typescript-eslint/switch-exhaustiveness-check': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/ban-ts-comment': ['error', { 'ts-expect-error': 'allow-with-description' }],
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true, allowBoolean: true }],
    },
  },
  { files: ['eslint.config.js'], ...tseslint.configs.disableTypeChecked },
  {
    // Packages never print: they take a logger. The CLI is the one place that talks to a terminal.
    files: ['packages/**/*.ts'],
    ignores: ['packages/sandbox/src/cli/**', 'packages/sandbox/src/reporters/consoleReporter.ts', '**/*.test.ts'],
    rules: { 'no-console': 'error' },
  },
  {
    files: ['packages/protocol/**/*.ts'],
    ignores: ['**/*.test.ts', '**/*.test-d.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^(?!zod$)(?!\\.)', message: 'protocol depends on zod only: it is the contract.' }] }] },
  },
  {
    files: ['packages/sandbox/**/*.ts'],
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^(pg|ioredis|fastify|react|@specline/server|@electric-sql/.*)$', message: 'the sandbox reaches the server only over HTTP.' }] }] },
  },
  {
    files: ['apps/web/**/*.{ts,tsx}'],
    languageOptions: { globals: { ...globals.browser } },
    rules: { 'no-restricted-imports': ['error', { patterns: [{ regex: '^(@specline/server|@specline/sandbox|pg|ioredis|fastify)', message: 'web talks to the server through @specline/client.' }] }] },
  },
  {
    files: ['**/*.test.ts', '**/*.test.tsx', '**/*.test-d.ts', 'e2e/**', 'bench/**', '**/__tests__/**'],
    rules: {
      '@typescript-eslint/no-non-null-assertion': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
);
