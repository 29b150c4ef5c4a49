#!/usr/bin/env bash
# Checks the projects `cli.ts new` writes: for each language (or those
# given), writes one into a temporary directory, builds it with its own
# build.sh, runs its own test (deno task test: the plugin called through
# the host library), and calls it through the CLI.
# Usage: scripts/check_templates.sh [rust] [c] [go] [assemblyscript]
# Needs the toolchains of scripts/build_examples.sh. Rust builds share
# target/templates (the first one builds std from source: minutes).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
langs=("$@")
[ ${#langs[@]} -gt 0 ] || langs=(rust c go assemblyscript)
command -v go > /dev/null || PATH="$PATH:/usr/local/go/bin"
export CARGO_TARGET_DIR="$root/target/templates"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cli=(deno run -R "$root/cli.ts")

expect() { # expect WHAT EXPECTED ACTUAL
  if [ "$2" != "$3" ]; then
    echo "check_templates: $1: expected $2, got $3" >&2
    exit 1
  fi
}

for lang in "${langs[@]}"; do
  dir="$work/my-$lang-plugin"
  echo "check_templates: $lang: new, build, test, call" >&2
  deno run -R -W "$root/cli.ts" new "$lang" "$dir" > /dev/null
  (cd "$dir" && sh build.sh > "$work/$lang.build.log" 2>&1) || {
    cat "$work/$lang.build.log" >&2
    echo "check_templates: $lang: build.sh failed" >&2
    exit 1
  }
  (cd "$dir" && deno task --quiet test > "$work/$lang.test.log" 2>&1) || {
    cat "$work/$lang.test.log" >&2
    echo "check_templates: $lang: its test failed" >&2
    exit 1
  }
  expect "$lang add" 5 "$("${cli[@]}" call "$dir/plugin.wasm" add '[2, 3]')"
  expect "$lang greet" '"Hello, Ada!"' \
    "$("${cli[@]}" call --host examples/hosts/echo.ts "$dir/plugin.wasm" greet '["Ada"]')"
done
echo "check_templates: ${langs[*]}: ok" >&2
