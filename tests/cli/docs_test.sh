#!/usr/bin/env bash
# The method and parameter tables of README.md and docs/cli.md are the registry's: regenerate them
# into a copy and compare (tools/gen-docs rewrites them in place).
set -euo pipefail
CLI=$1 ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
mkdir -p "$T/tools" "$T/docs"
cp "$ROOT/tools/gen-docs" "$T/tools/"
cp "$ROOT/README.md" "$T/"
cp "$ROOT/docs/cli.md" "$T/docs/"
bash "$T/tools/gen-docs" "$CLI"
ok=1
for f in README.md docs/cli.md; do
  if ! diff -u "$ROOT/$f" "$T/$f"; then
    echo "FAIL: $f's generated tables are stale: run tools/gen-docs"
    ok=0
  fi
done
((ok)) && echo "docs tables match the registry"
((ok))
