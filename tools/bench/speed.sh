#!/usr/bin/env bash
# tools/bench/speed.sh [NQ [PART...]] — the speed targets, each measured side by side in one run on
# the seeded Fashion-MNIST split (single thread, k = 10):
#   exact   batched exact search (all 10,000 queries in one call) against FAISS IndexFlatL2: three
#           rounds alternating FAISS / annlab bytes / annlab floats, medians (peers --families exact)
#   hnsw    HNSW16 efConstruction 200: build time and recall curve against hnswlib
#   codes   ITQ / SimHash at 64 and 128 bits with ANNLAB_SIMD=avx2 against FAISS end to end, and the
#           Hamming scan alone against IndexBinaryFlat (peers --families hash,binary): CODES_ROUNDS (3)
#           rounds alternating the two, medians
#   wasm    wasm / native search, one query at a time: each index built once natively and saved
#           (out/speed/*.idx, kept), then WASM_ROUNDS (7) back-to-back pairs native / wasm on the same file
#   builds  wasm / native build time of every k-means method and HNSW, same command line, in
#           BUILD_ROUNDS (3) back-to-back pairs
# Writes out/bench/speed-*.json; `node tools/bench/speed-report.mjs > docs/speed.md` renders them.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" "exact hnsw codes wasm builds" "$@"
S=out/speed
mkdir -p "$S"
if part exact; then
  run_peers "$O/speed-exact.json" --families exact --nq 10000
fi
if part hnsw; then
  bench "$O/speed-hnsw.json" --index HNSW16 --param efConstruction=200 --sweep efSearch=16,32,64,128
  run_peers "$O/speed-peers-hnsw.json" --families hnsw
fi
if part codes; then
  # CODES_ROUNDS (3) rounds alternating FAISS and annlab; the report takes the median of the rounds' ratios
  # (one round's ratio moved from 1.2x to 0.8x when other load came and went on this shared machine).
  rm -f "$O"/speed-peers-codes-*.json "$O"/speed-codes-avx2-*.json  # no round left from a longer run
  for round in $(seq 1 "${CODES_ROUNDS:-3}"); do
    run_peers "$O/speed-peers-codes-$round.json" --families hash,binary
    ANNLAB_SIMD=avx2 bench "$O/speed-codes-avx2-$round.json" --index ITQ64 --index ITQ128 --index SimHash64 --index SimHash128 --param rerank=0
  done
fi
# name|spec|build params|search params
WASM_SPECS=(
  "Flat|Flat||"
  "IVF1024|IVF1024,Flat||nprobe=8"
  "PQ16|PQ16||rerank=100"
  "IVF1024,PQ16|IVF1024,PQ16||nprobe=8 rerank=100"
  "HNSW16|HNSW16|efConstruction=200|efSearch=64"
  "ITQ128|ITQ128||rerank=0"
  "SimHash64|SimHash64||rerank=0"
)
params() { for p in $1; do printf -- '--param %s ' "$p"; done; }
if part wasm; then
  for row in "${WASM_SPECS[@]}"; do
    IFS='|' read -r name spec bparams sparams <<< "$row"
    f="$S/${name//,/_}.idx"
    # Files that name the shared base vectors where the index reads them (IVF-Flat keeps its own).
    refer=(--refer-to-base)
    [[ "$spec" == *",Flat" ]] && refer=()
    [ -f "$f" ] || $NATIVE search --base $B --query $Q --index "$spec" $(params "$bparams") --k 10 --out "$S/tmp.ivecs" \
      --save-index "$f" "${refer[@]}" > /dev/null
  done
  rm -f "$O"/speed-wasm-native-*.json "$O"/speed-wasm-wasm-*.json  # no round left from a longer run
  for round in $(seq 1 "${WASM_ROUNDS:-7}"); do
    for row in "${WASM_SPECS[@]}"; do
      IFS='|' read -r name spec bparams sparams <<< "$row"
      f="$S/${name//,/_}.idx"
      bench "$O/speed-wasm-native-$round-${name//,/_}.json" --load-index "$f" $(params "$sparams") > /dev/null
      bench "$O/speed-wasm-wasm-$round-${name//,/_}.json" --wasm --load-index "$f" $(params "$sparams") > /dev/null
    done
  done
fi
BUILD_SPECS=("IVF1024,Flat" "PQ16" "IVF1024,PQ16" "OPQ16,IVF256,PQ16" "LOPQ64,PQ16" "Tokens16x256" "HNSW16")
# Builds: BUILD_ROUNDS (default 3) back-to-back native / wasm pairs of each spec; the report takes
# the median of the pairs' ratios (one pair varied by 1.5x on this shared machine).
if part builds; then
  rm -f "$O"/speed-build-native-*.json "$O"/speed-build-wasm-*.json  # no round left from a longer run
  for round in $(seq 1 "${BUILD_ROUNDS:-3}"); do
    for spec in "${BUILD_SPECS[@]}"; do
      extra=()
      [ "$spec" = HNSW16 ] && extra=(--param efConstruction=200)
      $NATIVE bench --base $B --query $Q --gt "$G" --nq 10 --index "$spec" "${extra[@]}" --json "$O/speed-build-native-$round-${spec//,/_}.json" > /dev/null
      $WASM bench --base $B --query $Q --gt "$G" --nq 10 --index "$spec" "${extra[@]}" --json "$O/speed-build-wasm-$round-${spec//,/_}.json" > /dev/null
    done
  done
fi
echo "now: node tools/bench/speed-report.mjs > docs/speed.md"
