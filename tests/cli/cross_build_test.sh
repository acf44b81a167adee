#!/usr/bin/env bash
# The native and the WebAssembly annlab give byte-identical outputs: the same random draws
# (generate), the same exact neighbours (gt), the same LSH index file and answers, and an index
# file written by one build loads in the other and answers the same.
# Usage: cross_build_test.sh NATIVE_CLI "WASM_CLI_COMMAND"
set -u
NATIVE=$1
WASM=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0
same() {  # same DESCRIPTION FILE_A FILE_B
  if cmp -s "$2" "$3"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $1 ($2 vs $3)"; fi
}
run() {  # run BUILD args... (BUILD is native or wasm)
  local who=$1
  shift
  if [ "$who" = native ]; then "$NATIVE" "$@" > /dev/null; else $WASM "$@" > /dev/null; fi || { echo "FAIL: $who annlab $*"; fail=$((fail + 1)); }
}
for b in native wasm; do
  run $b generate --kind blobs --n 3000 --d 24 --centers 12 --seed 77 --out "$T/$b-base.fvecs"
  run $b generate --kind uniform --n 200 --d 24 --seed 78 --out "$T/$b-query.fvecs"
done
same "Gaussian blobs from one seed" "$T/native-base.fvecs" "$T/wasm-base.fvecs"
same "uniform draws from one seed" "$T/native-query.fvecs" "$T/wasm-query.fvecs"
for b in native wasm; do
  run $b gt --base "$T/native-base.fvecs" --query "$T/native-query.fvecs" --k 20 --out "$T/$b-gt.ivecs"
  run $b search --base "$T/native-base.fvecs" --query "$T/native-query.fvecs" --index LSH9x6 --param seed=5 --k 20 \
      --out "$T/$b-lsh.ivecs" --save-index "$T/$b-lsh.annlab"
  run $b search --base "$T/native-base.fvecs" --query "$T/native-query.fvecs" --index LSHx3 --param bucket_size=20 \
      --k 20 --out "$T/$b-lshauto.ivecs"
  run $b search --base "$T/native-base.fvecs" --query "$T/native-query.fvecs" --index Flat --k 20 \
      --out "$T/$b-flat.ivecs" --save-index "$T/$b-flat.annlab"
done
same "Flat index files" "$T/native-flat.annlab" "$T/wasm-flat.annlab"
run wasm search --load-index "$T/native-flat.annlab" --query "$T/native-query.fvecs" --k 20 --out "$T/wasm-loads-native-flat.ivecs"
run native search --load-index "$T/wasm-flat.annlab" --query "$T/native-query.fvecs" --k 20 --out "$T/native-loads-wasm-flat.ivecs"
same "wasm answers from a native Flat file" "$T/native-gt.ivecs" "$T/wasm-loads-native-flat.ivecs"
same "native answers from a wasm Flat file" "$T/native-gt.ivecs" "$T/native-loads-wasm-flat.ivecs"
same "exact neighbours" "$T/native-gt.ivecs" "$T/wasm-gt.ivecs"
# Bytes (a .bvecs of seeded pseudo-random bytes, ties included): batched exact search runs an integer
# product (VNNI, int16 madd in wasm, scalar) or, at avx2, the float product with an exact re-check;
# every level and both builds give the same neighbours.
bytes() {  # bytes N D SEED: N vectors of D bytes
  LC_ALL=C awk -v n="$1" -v d="$2" -v s="$3" 'BEGIN { x = s; for (i = 0; i < n; i++) { printf "%c%c%c%c", d, 0, 0, 0;
    for (j = 0; j < d; j++) { x = (x * 1103515245 + 12345) % 2147483648; printf "%c", int(x / 65536) % 256 } } }'
}
bytes 3000 40 1 > "$T/bytes-base.bvecs"
bytes 200 40 2 > "$T/bytes-query.bvecs"
run wasm gt --base "$T/bytes-base.bvecs" --query "$T/bytes-query.bvecs" --k 20 --out "$T/wasm-bytes-gt.ivecs"
for level in $("$NATIVE" info | sed -n 's/^SIMD levels: \(.*\) (active.*/\1/p'); do
  run native --simd "$level" gt --base "$T/bytes-base.bvecs" --query "$T/bytes-query.bvecs" --k 20 --out "$T/native-$level-bytes-gt.ivecs"
  same "exact neighbours of bytes, native $level and wasm" "$T/native-$level-bytes-gt.ivecs" "$T/wasm-bytes-gt.ivecs"
done
same "LSH answers" "$T/native-lsh.ivecs" "$T/wasm-lsh.ivecs"
same "LSH index files" "$T/native-lsh.annlab" "$T/wasm-lsh.annlab"
same "LSH with b from the bucket size" "$T/native-lshauto.ivecs" "$T/wasm-lshauto.ivecs"
run wasm search --load-index "$T/native-lsh.annlab" --query "$T/native-query.fvecs" --k 20 --out "$T/wasm-loads-native.ivecs"
run native search --load-index "$T/wasm-lsh.annlab" --query "$T/native-query.fvecs" --k 20 --out "$T/native-loads-wasm.ivecs"
same "wasm answers from a native index file" "$T/native-lsh.ivecs" "$T/wasm-loads-native.ivecs"
same "native answers from a wasm index file" "$T/native-lsh.ivecs" "$T/native-loads-wasm.ivecs"
# Every partition, quantizer, tree and graph: the same index file and the same answers in both builds.
# And every hash: the rotations of OPQ / LOPQ / SimHash / ITQ come from annlab's own RNG and
# scalar Eigen, so they too are bit-identical; Tokens come from the same k-means as IVF and PQ.
for spec in "IVF16,Flat" "PQ4" "IVF8,PQ6" "KDTree16" "HNSW8" "OPQ4,IVF8,PQ4" "LOPQ8,PQ4" "E2LSH4x4" "SimHash64" "Tokens8x16"; do
  tag=${spec//,/_}
  for b in native wasm; do
    run $b search --base "$T/native-base.fvecs" --query "$T/native-query.fvecs" --index "$spec" --param seed=11 \
        --k 10 --out "$T/$b-$tag.ivecs" --save-index "$T/$b-$tag.annlab"
  done
  same "$spec index files" "$T/native-$tag.annlab" "$T/wasm-$tag.annlab"
  same "$spec answers" "$T/native-$tag.ivecs" "$T/wasm-$tag.ivecs"
  run wasm search --load-index "$T/native-$tag.annlab" --query "$T/native-query.fvecs" --k 10 --out "$T/wasm-loads-$tag.ivecs"
  same "$spec: wasm answers from the native file" "$T/native-$tag.ivecs" "$T/wasm-loads-$tag.ivecs"
done
# 144-d bytes: where wasm takes its integer paths (k-means assignment and ranking with 512+ cells,
# the ITQ / SimHash projections of a byte query) and native the float ones, the files and answers
# are still the same.
bytes 6000 144 3 > "$T/bytes144-base.bvecs"
bytes 200 144 4 > "$T/bytes144-query.bvecs"
for spec in "IVF512,Flat" "IVF512,PQ8" "SimHash64" "ITQ64"; do
  tag=b144-${spec//,/_}
  probe=()
  [[ "$spec" == IVF* ]] && probe=(--param nprobe=5)
  for b in native wasm; do
    run $b search --base "$T/bytes144-base.bvecs" --query "$T/bytes144-query.bvecs" --index "$spec" --param seed=11 \
        "${probe[@]}" --k 10 --out "$T/$b-$tag.ivecs" --save-index "$T/$b-$tag.annlab"
  done
  same "$spec on 144-d bytes: index files" "$T/native-$tag.annlab" "$T/wasm-$tag.annlab"
  same "$spec on 144-d bytes: answers" "$T/native-$tag.ivecs" "$T/wasm-$tag.ivecs"
done
# ITQ needs bits <= d: 40-d blobs for ITQ32.
for b in native wasm; do
  run $b generate --kind blobs --n 1000 --d 40 --centers 8 --seed 79 --out "$T/$b-base40.fvecs"
  run $b search --base "$T/native-base40.fvecs" --query "$T/native-base40.fvecs" --index ITQ32 --param seed=11 --param rerank=20 \
      --k 10 --out "$T/$b-itq.ivecs" --save-index "$T/$b-itq.annlab"
done
same "ITQ32 index files" "$T/native-itq.annlab" "$T/wasm-itq.annlab"
same "ITQ32 answers" "$T/native-itq.ivecs" "$T/wasm-itq.ivecs"
# The neighbour-preserving layout (float blobs, HNSW k-NN graph, seeded SGD): the same map, bit for bit.
for b in native wasm; do
  run $b layout --base "$T/native-base40.fvecs" --out "$T/$b-layout.fvecs" --epochs 100
done
same "UMAP layouts" "$T/native-layout.fvecs" "$T/wasm-layout.fvecs"
echo "cross-build: $pass passed, $fail failed"
[ "$fail" = 0 ]
