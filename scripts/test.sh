#!/usr/bin/env bash
# The whole test suite (`npm test`): services, type-check, unit + integration tests on both database
# backends (PGlite + in-process bus, PostgreSQL + Redis), then the browser tests in Debian's Chromium.
# Every step runs even when an earlier one fails; ends with one line: `tests: N passed, N failed`,
# and exits non-zero when any step failed.
set -uo pipefail
cd "$(dirname "$0")/.."
rm -f test-results/vitest.json test-results/playwright.json
status=0
step() {
  echo "== $*"
  "$@" || { echo "test step failed (exit $?): $*" >&2; status=1; }
}
bash scripts/ensure-services.sh || exit 1
step npx tsc -b
step npx vitest run --reporter=default --reporter=json --outputFile.json=test-results/vitest.json
if npm run build -w @specline/web; then
  step npx playwright test
else
  echo "the web app did not build: the browser tests cannot run" >&2
  status=1
fi
node scripts/test-summary.mjs || status=1
exit "$status"
