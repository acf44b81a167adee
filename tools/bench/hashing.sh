#!/usr/bin/env bash
# tools/bench/hashing.sh [NQ [PART...]] — annlab's hashing methods against the peers on the seeded
# Fashion-MNIST split, k = 10, single thread, the same NQ queries:
#   binary codes end to end: annlab ITQ64 / ITQ128 / SimHash64 / SimHash128 against FAISS
#     ITQ64,LSH / ITQ128,LSH / IndexLSH with rotation + trained thresholds (64 / 128 bits);
#   the Hamming scan alone on the same codes (annlab kernel vs FAISS IndexBinaryFlat);
#   multi-probe LSH against plain multi-table LSH at equal memory (the same L = 8 tables), and
#     plain LSH with more tables (more memory) for reference; p-stable LSH with probes;
#   LSH tokens (BM25 / TF-IDF, rerank);
#   OPQ: annlab OPQ16,IVF1024,PQ16 and LOPQ against FAISS OPQ16,IVF1024,PQ16,RFlat;
#   the WebAssembly build under node on one configuration per family (the binary codes in three
#   back-to-back native / wasm pairs).
# PARTS (all by default): peers codes lsh tokens opq wasm — to re-run one part quietly.
# Writes out/bench/hash-*.json and peers-hash.json; then `node tools/bench/report.mjs` renders them.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" "peers codes lsh tokens opq wasm" "$@"
run() { local name=$1; shift; bench "$O/hash-$name.json" "$@"; }
wrun() { local name=$1; shift; bench "$O/hash-wasm-$name.json" --wasm "$@"; }
if part peers; then
  run_peers "$O/peers-hash.json" --families hash,binary
fi
if part codes; then
  run codes --index ITQ64 --index ITQ128 --index SimHash64 --index SimHash128 --sweep rerank=0,100,500
  # The same codes with the AVX2 kernels forced (FAISS is built for AVX2; on an AVX-512 CPU annlab's
  # default level scans with VPOPCNTQ): both are reported.
  ANNLAB_SIMD=avx2 run codes-avx2 --index ITQ64 --index ITQ128 --index SimHash64 --index SimHash128 --param rerank=0
fi
if part lsh; then
  run lsh-plain --index LSH6x8 --index LSH7x8 --index LSH8x8 --index LSH10x8 --index LSH12x8 --index LSH14x8 --index LSH16x8
  run lsh-multiprobe --index LSH16x8 --sweep probes=1,2,4,8,16,32,64,128,256,512
  run lsh-tables --index LSH16x16 --index LSH16x32 --index LSH14x16 --index LSH14x32
  run e2lsh --index E2LSH8x8 --sweep probes=1,4,16,64
fi
if part tokens; then
  run tokens --index Tokens16x256 --sweep rerank=0,100,500,1000
  run tokens-tfidf --index Tokens16x256 --param scoring=tfidf --sweep rerank=0,500
fi
if part opq; then
  # FAISS's OPQ training takes minutes (448 s here): its own part and file.
  run_peers "$O/peers-opq.json" --families opq
  run opq --index OPQ16,IVF1024,PQ16 --param rerank=100 --sweep nprobe=4,8,16,32,64
fi
if part wasm; then
  # The binary codes in three native / wasm pairs, each pair run back to back: on this shared
  # machine the same run moves by up to 2x within minutes, so one native run minutes before one
  # wasm run can put the ratio anywhere from 0.4 to 0.9. The report gives each pair's ratio.
  # All 10,000 queries (a timed window of about 0.5 s rather than 40 ms) for the same reason.
  for r in 1 2 3; do
    NQ=10000 run pair-native-$r --index ITQ64 --index ITQ128 --index SimHash64 --index SimHash128 --param rerank=0
    NQ=10000 wrun pair-$r --index ITQ64 --index ITQ128 --index SimHash64 --index SimHash128 --param rerank=0
  done
  # One configuration per other family, native then wasm, back to back.
  run native-lsh --index LSH16x8 --param probes=64
  wrun lsh --index LSH16x8 --param probes=64
  run native-tokens --index Tokens16x256 --param rerank=500
  wrun tokens --index Tokens16x256 --param rerank=500
fi
echo "now: node tools/bench/report.mjs > docs/benchmarks.md"
