#!/usr/bin/env bash
# The fresh-machine check: runs README's two commands N times (default 3)
# as a newcomer would, each on a fresh clone of this repository's HEAD with
# an empty DENO_DIR, a PATH without hand-installed toolchains (cargo, go,
# pyenv) and another process keeping one core busy; prints one summary line
# per run and exits non-zero if any run failed.
# Usage: scripts/newcomer_runs.sh [N]
set -uo pipefail
repo=$(cd "$(dirname "$0")/.." && pwd)
runs=${1:-3}
status=0
for n in $(seq 1 "$runs"); do
  work=$(mktemp -d)
  git clone -q "$repo" "$work/clone"
  ( while :; do :; done ) &
  busy=$!
  start=$(date +%s)
  (cd "$work/clone" && env DENO_DIR="$work/deno" PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
    bash -c "deno run -R cli.ts call testdata/test_plugin.wasm prime_sieve '[1000]' && deno task test") \
    > "$work/log" 2>&1
  code=$?
  kill "$busy"
  summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$work/log" | tail -n 1)
  echo "run $n: exit $code in $(($(date +%s) - start)) s; ${summary:-no summary} (log: $work/log)"
  [ "$code" -eq 0 ] || status=1
done
exit $status
