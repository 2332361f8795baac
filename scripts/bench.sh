#!/usr/bin/env bash
# `npm run bench`: benchmarks (reports, not tests). Needs PostgreSQL and Redis on loopback
# (scripts/ensure-services.sh starts them when stopped). Extra arguments go to bench/server.ts
# (--quick, --profile, --phases=batched,original,latency, --out=DIR).
set -euo pipefail
cd "$(dirname "$0")/.."

SKIP_BROWSER=1 bash scripts/ensure-services.sh

# 1. The server: ingest throughput (batched vs one POST per event), SSE latency, RSS.
npx --no-install tsx bench/server.ts "$@"

# 2. The web timeline (time to first row / to the oldest event in Chromium), written separately:
#    run it only once bench/timeline.ts exists.
if [ -f bench/timeline.ts ]; then
  npx --no-install tsx bench/timeline.ts
else
  echo "bench: bench/timeline.ts (web timeline benchmark) does not exist yet; skipped"
fi

# 3. The code index: a generated 20,000-file multi-language tree and this repository (no services needed).
npx --no-install tsx bench/codeindex.ts
