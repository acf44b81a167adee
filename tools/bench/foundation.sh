#!/usr/bin/env bash
# tools/bench/foundation.sh — the foundation benchmarks on the seeded Fashion-MNIST split (k=10):
# Flat QPS natively and as wasm under node (same queries, same command line), and the LSH sweep
# (recall@10 against QPS and distances computed). Writes JSON to out/bench/ and the tables to
# docs/benchmarks.md. Single-threaded. Usage: tools/bench/foundation.sh [NQ_FLAT]
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
NQ_FLAT=${1:-2000}
A=assets/data
O=out/bench
mkdir -p "$O"
NATIVE=build/tools/annlab
WASM="node --no-experimental-fetch build-wasm/tools/annlab.js"
[ -x "$NATIVE" ] && [ -f build-wasm/tools/annlab.js ] || { echo "build first: scripts/test"; exit 1; }
B=$A/fashion-mnist-base.alds Q=$A/fashion-mnist-query.alds G=$O/fashion-gt100.ivecs
[ -f "$G" ] || "$NATIVE" gt --base $B --query $Q --k 100 --out "$G" --threads "$(nproc)"

"$NATIVE" bench --base $B --query $Q --gt "$G" --index Flat --nq "$NQ_FLAT" --json $O/flat-native.json
$WASM bench --base $B --query $Q --gt "$G" --index Flat --nq "$NQ_FLAT" --json $O/flat-wasm.json
LSH=()
for spec in LSH8x1 LSH8x4 LSH8x16 LSH10x4 LSH10x16 LSH10x32 LSH12x4 LSH12x16 LSH12x32 LSH12x64 LSH14x32 LSH14x64 LSH16x64; do
  LSH+=(--index "$spec")
done
"$NATIVE" bench --base $B --query $Q --gt "$G" "${LSH[@]}" --json $O/lsh-native.json
$WASM bench --base $B --query $Q --gt "$G" --index LSH12x16 --index LSH12x64 --json $O/lsh-wasm.json
node tools/bench/report.mjs "$NQ_FLAT" > docs/benchmarks.md
echo "wrote docs/benchmarks.md"
