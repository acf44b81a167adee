#!/usr/bin/env bash
# tools/bench/answers.sh CLI OUTDIR — the .ivecs answers of every method with fixed parameters, on
# seeded 2-D blobs and on Fashion-MNIST (1,000 held-out queries), for a byte-for-byte comparison of
# two builds or two versions (a refactoring must not change an answer):
#   tools/bench/answers.sh old/annlab /tmp/a; tools/bench/answers.sh build/tools/annlab /tmp/b
#   cmp -s ... (the script prints one sha256 per answer file; diff the two listings)
set -euo pipefail
CLI=$1 OUT=$2
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
A=$ROOT/assets/data
mkdir -p "$OUT"
"$CLI" generate --kind blobs --n 3000 --d 2 --centers 8 --seed 7 --out "$OUT/blobs-base.fvecs" >/dev/null
"$CLI" generate --kind blobs --n 200 --d 2 --centers 8 --seed 8 --out "$OUT/blobs-query.fvecs" >/dev/null
run() {  # NAME BASE QUERY SPEC PARAMS...
  local name=$1 base=$2 query=$3 spec=$4; shift 4
  local p=(); for x in "$@"; do p+=(--param "$x"); done
  "$CLI" search --base "$base" --query "$query" --index "$spec" "${p[@]}" --k 10 --out "$OUT/$name.ivecs" >/dev/null
  printf '%s  %s\n' "$(sha256sum < "$OUT/$name.ivecs" | cut -c1-16)" "$name"
}
B=$OUT/blobs-base.fvecs Q=$OUT/blobs-query.fvecs
run blobs-flat "$B" "$Q" Flat
run blobs-lsh "$B" "$Q" LSH6x4 seed=3 probes=4
run blobs-lshauto "$B" "$Q" LSHx4 seed=3 bucket_size=20
run blobs-e2lsh "$B" "$Q" E2LSH2x4 seed=3 probes=3
run blobs-kdtree "$B" "$Q" KDTree8 leaves=4
run blobs-ivf "$B" "$Q" IVF32,Flat seed=3 nprobe=3
run blobs-pq "$B" "$Q" PQ2 seed=3
run blobs-pqr "$B" "$Q" PQ2 seed=3 rerank=30
run blobs-ivfpq "$B" "$Q" IVF16,PQ2 seed=3 nprobe=4 rerank=20
run blobs-opq "$B" "$Q" OPQ2,IVF16,PQ2 seed=3 nprobe=4
run blobs-lopq "$B" "$Q" LOPQ16,PQ2 seed=3 nprobe=4
run blobs-hnsw "$B" "$Q" HNSW8 seed=3 efConstruction=40 efSearch=12
run blobs-tokens "$B" "$Q" Tokens2x16 seed=3
run blobs-tokensr "$B" "$Q" Tokens2x16 seed=3 rerank=40 scoring=tfidf
run blobs-simhash "$B" "$Q" SimHash32 seed=3
run blobs-itqr "$B" "$Q" SimHash64 seed=3 rerank=50
B=$A/fashion-mnist-base.alds Q=$A/fashion-mnist-query.alds
# The first 1,000 held-out queries, as bytes (.bvecs: per row an int32 d, then d uint8).
Q=$OUT/fashion-query-1000.bvecs
node -e '
  const fs = require("fs"), [src, dst] = process.argv.slice(1), b = fs.readFileSync(src);
  const d = b.readUInt32LE(24), n = 1000, out = Buffer.alloc(n * (4 + d));
  if (b.readUInt32LE(12) !== 1) throw new Error(src + ": expected uint8 vectors");
  for (let i = 0; i < n; ++i) { out.writeUInt32LE(d, i * (4 + d)); b.copy(out, i * (4 + d) + 4, 40 + i * d, 40 + (i + 1) * d); }
  fs.writeFileSync(dst, out);' "$A/fashion-mnist-query.alds" "$Q"
run fashion-flat "$B" "$Q" Flat
run fashion-lsh "$B" "$Q" LSH12x8 seed=7 probes=8
run fashion-e2lsh "$B" "$Q" E2LSH8x8 seed=7 probes=4
run fashion-kdtree "$B" "$Q" KDTree32 leaves=50
run fashion-ivf "$B" "$Q" IVF256,Flat seed=7 nprobe=8
run fashion-pq "$B" "$Q" PQ16 seed=7 rerank=100
run fashion-ivfpq "$B" "$Q" IVF256,PQ16 seed=7 nprobe=8 rerank=50
run fashion-opq "$B" "$Q" OPQ16,IVF64,PQ16 seed=7 nprobe=4
run fashion-lopq "$B" "$Q" LOPQ64,PQ16 seed=7 nprobe=4
run fashion-hnsw "$B" "$Q" HNSW8 seed=7 efConstruction=40 efSearch=32
run fashion-tokens "$B" "$Q" Tokens16x64 seed=7 rerank=100
run fashion-simhash "$B" "$Q" SimHash64 seed=7
run fashion-itq "$B" "$Q" ITQ64 seed=7 rerank=100
