#!/usr/bin/env bash
# The whole test suite (`npm test`): services, type-check, unit + integration tests on both database
# backends (PGlite + in-process bus, PostgreSQL + Redis), then the browser tests in Debian's Chromium.
# Ends with one line: `tests: N passed, N failed`.
set -euo pipefail
cd "$(dirname "$0")/.."
rm -f test-results/vitest.json test-results/playwright.json
bash scripts/ensure-services.sh
npx tsc -b
npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
npm run build -w @specline/web
npx playwright test
node scripts/test-summary.mjs
