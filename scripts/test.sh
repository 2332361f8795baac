#!/usr/bin/env bash
# The whole test suite: type-check, then every Vitest project. Filled in as parts land.
set -euo pipefail
cd "$(dirname "$0")/.."
npx tsc -b
npx vitest run
