#!/usr/bin/env bash
# tools/bench/partitions.sh [NQ [PART...]] — annlab's partitions, quantizers, trees and graphs against the
# peers (FAISS 1.7.3 built from Debian's source with AVX2, hnswlib -O3 -march=native), on the
# seeded Fashion-MNIST split, k = 10, single thread, the same NQ queries. Builds the peers first
# (tools/bench/build-peers), then rewrites docs/benchmarks.md with tools/bench/report.mjs.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
NQ=${1:-1000}
shift || true
# PARTS (all by default): flat ivf pq ivfpq hnsw kdtree peers wasm, or peers-<family> (one FAISS /
# hnswlib family alone into peers-<family>.json, which the report prefers when newer): a quiet
# re-run of one family on both sides, e.g. `partitions.sh 1000 ivfpq peers-ivfpq`.
PARTS=" ${*:-flat ivf pq ivfpq hnsw kdtree peers wasm} "
part() { [[ "$PARTS" == *" $1 "* ]]; }
A=assets/data O=out/bench
mkdir -p "$O"
B=$A/fashion-mnist-base.alds Q=$A/fashion-mnist-query.alds G=$O/fashion-gt100.ivecs
[ -f "$G" ] || build/tools/annlab gt --base $B --query $Q --k 100 --out "$G" --threads "$(nproc)"
[ -x build-peers/peers ] || tools/bench/build-peers
NATIVE=build/tools/annlab
WASM="node --no-experimental-fetch build-wasm/tools/annlab.js"
run() {  # run NAME annlab-bench-args...
  local name=$1; shift
  "$NATIVE" bench --base $B --query $Q --gt "$G" --nq "$NQ" "$@" --json "$O/part-$name.json"
}
part flat && run flat --index Flat
part ivf && run ivf --index IVF1024,Flat --sweep nprobe=1,2,4,8,16,32,64,128
part pq && run pq --index PQ16 --sweep rerank=0,20,50,100,200,500
part ivfpq && run ivfpq --index IVF1024,PQ16 --param rerank=100 --sweep nprobe=4,8,16,32,64
part hnsw && run hnsw --index HNSW16 --param efConstruction=200 --sweep efSearch=16,32,64,128,256
part kdtree && run kdtree --index KDTree16 --sweep leaves=1,4,16,64,256
part peers && build-peers/peers --base $B --query $Q --gt "$G" --nq "$NQ" --json "$O/peers.json"
for f in flat ivf sq8 pq ivfpq hnsw; do
  part "peers-$f" && build-peers/peers --base $B --query $Q --gt "$G" --nq "$NQ" --families $f --json "$O/peers-$f.json"
done
# The WebAssembly build, same command line, one configuration per family.
if part wasm; then
  $WASM bench --base $B --query $Q --gt "$G" --nq "$NQ" --index IVF1024,Flat --param nprobe=16 --json "$O/part-wasm-ivf.json"
  $WASM bench --base $B --query $Q --gt "$G" --nq "$NQ" --index HNSW16 --param efConstruction=200 --param efSearch=64 --json "$O/part-wasm-hnsw.json"
  $WASM bench --base $B --query $Q --gt "$G" --nq "$NQ" --index PQ16 --param rerank=100 --json "$O/part-wasm-pq.json"
fi
echo "now: node tools/bench/report.mjs > docs/benchmarks.md"
