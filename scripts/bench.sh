#!/usr/bin/env bash
# `npm run bench`: benchmarks (reports, not tests). Needs PostgreSQL and Redis on loopback
# (scripts/ensure-services.sh starts them when stopped). Each benchmark writes its own report into
# bench/results/ (`<name>-<date>.md` + `<name>-latest.json`); at the end scripts/bench-report.mjs joins the
# newest report of each into bench/results/REPORT.md.
#
#   npm run bench                         every benchmark, reports into bench/results/
#   npm run bench -- --quick              small runs, reports to temp directories (never over the committed ones)
#   npm run bench -- --only=streams,history   just these (server, streams, history, ingest, workers, timeline, codeindex)
# Other arguments go to bench/server.ts (--profile, --phases=batched,original,latency, --out=DIR).
set -uo pipefail
cd "$(dirname "$0")/.."

SKIP_BROWSER=1 bash scripts/ensure-services.sh || exit 1

only=""
quick=()
rest=()
for arg in "$@"; do
  case "$arg" in
    --only=*) only="${arg#--only=}" ;;
    --quick) quick=(--quick); rest+=("$arg") ;;
    *) rest+=("$arg") ;;
  esac
done
wanted() { [ -z "$only" ] || [[ ",$only," == *",$1,"* ]]; }

# The issue-14 benchmarks run the commit before that work side by side with this tree.
before=$(bash scripts/bench-before.sh) || { echo "bench: could not make the before tree; those benchmarks run this tree only" >&2; before=""; }
if [ -n "$before" ]; then
  before_ingest=(--before="$before"); before_history=(--before="$before"); before_streams=(--before-root="$before")
else
  before_ingest=(--trees=after); before_history=(); before_streams=()
fi

status=0
run() {
  local name="$1"; shift
  wanted "$name" || return 0
  if [ ! -f "bench/$name.ts" ]; then
    echo "bench: bench/$name.ts does not exist; skipped"
    return 0
  fi
  echo "== bench $name"
  npx --no-install tsx "bench/$name.ts" "$@" || { echo "bench $name failed (exit $?)" >&2; status=1; }
}

# The server: batched vs one-POST-per-event ingest, SSE latency at 100 subscribers, RSS.
run server "${rest[@]}"
# Ingest on PGlite and PostgreSQL, before/after (issue 14).
run ingest "${quick[@]}" "${before_ingest[@]}"
# Stream fan-out: the 1,000-client reconnect storm and steady fan-out (issue 14).
run streams "${quick[@]}" "${before_streams[@]}"
# History reads at 1M events in one spec (issue 14).
run history "${quick[@]}" "${before_history[@]}"
# Runs on the BullMQ queue with 1, 2 and 4 workers (issue 11).
run workers "${quick[@]}"
# The web timeline in Chromium (time to first row / to the oldest event).
run timeline
# The code index: a generated 20,000-file multi-language tree and this repository (no services needed).
run codeindex

[ ${#quick[@]} -eq 0 ] && node scripts/bench-report.mjs
exit "$status"
