#!/usr/bin/env bash
# The whole test suite (`npm test`): services, type-check, unit + integration tests on both database
# backends, then the browser tests in Debian's Chromium.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/ensure-services.sh
npx tsc -b
npx vitest run
if [ -f playwright.config.ts ]; then
  npm run build -w @specline/web
  npx playwright test
fi
