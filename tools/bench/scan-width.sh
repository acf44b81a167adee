#!/usr/bin/env bash
# tools/bench/scan-width.sh — builds tools/bench/scan_width.cpp natively (SSE and AVX2) and to wasm
# simd128 (node, optimizing tier only) and runs both: the byte scan's speed by vector width, the
# bound on Flat's wasm / native ratio (docs/speed.md). Output in out/bench/scan-width.txt.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
T=$ROOT/out/bench/scan-width
mkdir -p "$T"
c++ -O3 -std=c++20 "$ROOT/tools/bench/scan_width.cpp" -o "$T/native"
NODE_PATH=/usr/share/nodejs em++ -O3 -msimd128 -std=c++20 -sINITIAL_MEMORY=128MB "$ROOT/tools/bench/scan_width.cpp" -o "$T/wasm.js"
{
  "$T/native"
  node --no-experimental-fetch --no-liftoff "$T/wasm.js"
} | tee "$ROOT/out/bench/scan-width.txt"
