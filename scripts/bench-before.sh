#!/usr/bin/env bash
# Makes the "before" tree the issue-14 benchmarks compare against: a git worktree of the commit before
# that work (BENCH_BEFORE_COMMIT, default 132e96f) at BENCH_BEFORE_ROOT (default /tmp/specline-before),
# runnable without an install: its node_modules are symlinks into this checkout's, except @specline/*,
# which point at the worktree's own packages. Prints the tree's path. Idempotent.
set -euo pipefail
cd "$(dirname "$0")/.."
main=$(pwd)
root="${BENCH_BEFORE_ROOT:-/tmp/specline-before}"
commit="${BENCH_BEFORE_COMMIT:-132e96f}"
if [ ! -d "$root/.git" ] && [ ! -f "$root/.git" ]; then
  git worktree prune
  git worktree add --detach "$root" "$commit" >/dev/null 2>&1
fi
link_modules() { # $1: node_modules of this checkout, $2: node_modules in the worktree
  mkdir -p "$2"
  for entry in "$1"/* "$1"/.bin; do
    [ -e "$entry" ] || continue
    name=$(basename "$entry")
    [ "$name" = "@specline" ] && continue
    [ -e "$2/$name" ] || ln -s "$entry" "$2/$name"
  done
}
link_modules "$main/node_modules" "$root/node_modules"
mkdir -p "$root/node_modules/@specline"
for pkg in packages/protocol packages/sandbox packages/client apps/server apps/web; do
  [ -e "$root/node_modules/@specline/$(basename $pkg)" ] || ln -s "../../$pkg" "$root/node_modules/@specline/$(basename $pkg)"
done
for ws in packages/protocol packages/sandbox packages/client apps/server apps/web; do
  [ -d "$main/$ws/node_modules" ] && link_modules "$main/$ws/node_modules" "$root/$ws/node_modules"
done
echo "$root"
