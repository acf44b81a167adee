#!/usr/bin/env bash
# tools/bench/partitions.sh [NQ [PART...]] — annlab's partitions, quantizers, trees and graphs against the
# peers (FAISS 1.7.3 built from Debian's source with AVX2, hnswlib -O3 -march=native), on the
# seeded Fashion-MNIST split, k = 10, single thread, the same NQ queries. Builds the peers first
# (tools/bench/build-peers), then rewrites docs/benchmarks.md with tools/bench/report.mjs.
set -euo pipefail
# PARTS (all by default): flat ivf pq ivfpq hnsw kdtree peers wasm, or peers-<family> (one FAISS /
# hnswlib family alone into peers-<family>.json, which the report prefers when newer): a quiet
# re-run of one family on both sides, e.g. `partitions.sh 1000 ivfpq peers-ivfpq`.
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" "flat ivf pq ivfpq hnsw kdtree peers wasm" "$@"
run() { local name=$1; shift; bench "$O/part-$name.json" "$@"; }
part flat && run flat --index Flat
part ivf && run ivf --index IVF1024,Flat --sweep nprobe=1,2,4,8,16,32,64,128
part pq && run pq --index PQ16 --sweep rerank=0,20,50,100,200,500
part ivfpq && run ivfpq --index IVF1024,PQ16 --param rerank=100 --sweep nprobe=4,8,16,32,64
part hnsw && run hnsw --index HNSW16 --param efConstruction=200 --sweep efSearch=16,32,64,128,256
part kdtree && run kdtree --index KDTree16 --sweep leaves=1,4,16,64,256
part peers && run_peers "$O/peers.json"
for f in flat ivf sq8 pq ivfpq hnsw; do
  part "peers-$f" && run_peers "$O/peers-$f.json" --families $f
done
# The WebAssembly build, same command line, one configuration per family.
if part wasm; then
  bench "$O/part-wasm-ivf.json" --wasm --index IVF1024,Flat --param nprobe=16
  bench "$O/part-wasm-hnsw.json" --wasm --index HNSW16 --param efConstruction=200 --param efSearch=64
  bench "$O/part-wasm-pq.json" --wasm --index PQ16 --param rerank=100
fi
echo "now: node tools/bench/report.mjs > docs/benchmarks.md"
