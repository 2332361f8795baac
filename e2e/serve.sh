#!/usr/bin/env bash
# The server the browser tests run against: a fresh PostgreSQL database, Redis, the local sandbox
# provider with a paced planner (so a run lasts long enough to watch), heartbeats every 5 s with a 30 s
# tolerance (a sandbox starting on a loaded machine is not reaped before its first heartbeat), and SSE
# streams rotated every few seconds (so every test also exercises resume across a server-side close).
set -euo pipefail
cd "$(dirname "$0")/.."
DB="${E2E_DB:-specline_e2e}"
psql -h 127.0.0.1 -U postgres -q -c "drop database if exists $DB with (force)" -c "create database $DB" >/dev/null
DATA_DIR=$(mktemp -d /tmp/specline-e2e.XXXXXX)
export PORT="${E2E_PORT:-8123}" HOST=127.0.0.1
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$DB" REDIS_URL="redis://127.0.0.1:6379"
export SPECLINE_DATA_DIR="$DATA_DIR" DEMO_USER=true LOG_LEVEL=warn
export SANDBOX_HEARTBEAT_INTERVAL=5 SANDBOX_MISSED_HEARTBEATS=6 SANDBOX_ENV_PLANNER_STEP_DELAY_MS="${E2E_STEP_DELAY_MS:-1500}"
export SSE_MAX_STREAM_SECONDS="${E2E_SSE_MAX_STREAM_SECONDS:-3}"
exec npx tsx apps/server/src/main.ts
