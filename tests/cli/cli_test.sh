#!/usr/bin/env bash
# The annlab CLI as a user meets it: usage errors exit 2 with a message, bad data exits 1 with a
# message naming the file and offset, and gt / search / eval / bench agree with each other.
# Usage: cli_test.sh "<command that runs annlab>"   (a native path, or "node ... annlab.js")
set -u
CLI=$1
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
pass=0 fail=0

# expect CODE SUBSTRING -- args...: exit code and a substring of stdout+stderr.
expect() {
  local code=$1 want=$2
  shift 3
  local out rc
  out=$($CLI "$@" 2>&1)
  rc=$?
  if [ "$rc" = "$code" ] && [[ "$out" == *"$want"* ]]; then
    pass=$((pass + 1))
  else
    fail=$((fail + 1))
    printf 'FAIL: annlab %s\n  expected exit %s and "%s"\n  got exit %s: %s\n' "$*" "$code" "$want" "$rc" "$out"
  fi
}
check() {  # check DESCRIPTION COMMAND...
  local what=$1
  shift
  if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "FAIL: $what"; fi
}

expect 2 "usage: annlab [--simd LEVEL] <command>" --
expect 0 "usage: annlab search" -- search --help
expect 2 "unknown command 'frobnicate'" -- frobnicate
expect 2 "annlab search: missing required option --query" -- search --base x.fvecs
expect 2 "annlab gt: unknown option '--foo'" -- gt --foo 1
expect 2 "annlab gt: error: --k = 0 is out of range [1, 1048576]" -- gt --base a --query b --k 0 --out c
expect 2 "annlab: unknown SIMD level 'sse9'" -- --simd sse9 info

expect 0 "blobs-2000x16" -- generate --kind blobs --n 2000 --d 16 --centers 8 --seed 3 --out "$T/base.fvecs"
expect 0 "blobs-100x16" -- generate --kind blobs --n 100 --d 16 --centers 8 --seed 3 --out "$T/query.fvecs"
# split: the lab's held-out rule (min(1,000, 10 %), seed 42), reproducible, and no query in the base.
expect 0 "1800 base vectors" -- split --in "$T/base.fvecs" --base-out "$T/sb.fvecs" --query-out "$T/sq.fvecs"
expect 0 "200 held-out queries" -- split --in "$T/base.fvecs" --base-out "$T/sb2.fvecs" --query-out "$T/sq2.fvecs"
check "split is reproducible" cmp -s "$T/sq.fvecs" "$T/sq2.fvecs"
expect 2 "annlab split: error: --base-out $T/sb.csv: expected a .fvecs or .alds output file" -- split --in "$T/base.fvecs" --base-out "$T/sb.csv" --query-out "$T/sq.fvecs"
expect 0 "ground truth: 100 queries x k=10" -- gt --base "$T/base.fvecs" --query "$T/query.fvecs" --k 10 --out "$T/gt.ivecs"
expect 0 "Flat: 2000 vectors" -- search --base "$T/base.fvecs" --query "$T/query.fvecs" --index Flat --k 10 --out "$T/flat.ivecs"
check "Flat search equals the ground truth" cmp -s "$T/gt.ivecs" "$T/flat.ivecs"
expect 0 "recall@10 1.0000" -- eval --result "$T/flat.ivecs" --gt "$T/gt.ivecs" --base "$T/base.fvecs" --query "$T/query.fvecs" --k 10
expect 0 "Flat: 2000 vectors" -- --simd scalar search --base "$T/base.fvecs" --query "$T/query.fvecs" --index Flat --k 10 --out "$T/flat-scalar.ivecs"
check "scalar kernels give the same answer" cmp -s "$T/gt.ivecs" "$T/flat-scalar.ivecs"

expect 0 "LSH8x4: 2000 vectors" -- search --base "$T/base.fvecs" --query "$T/query.fvecs" --index LSH8x4 --param seed=9 \
  --k 10 --out "$T/lsh.ivecs" --save-index "$T/lsh.annlab"
expect 0 "loaded in" -- search --load-index "$T/lsh.annlab" --query "$T/query.fvecs" --k 10 --out "$T/lsh2.ivecs"
# An index that re-ranks with the base vectors: a small file naming them, loaded only with them.
expect 0 "PQ4: 2000 vectors" -- search --base "$T/base.fvecs" --query "$T/query.fvecs" --index PQ4 --param rerank=50 \
  --k 10 --out "$T/pq.ivecs" --save-index "$T/pq-ref.annlab" --refer-to-base
expect 0 "PQ4: 2000 vectors" -- search --base "$T/base.fvecs" --query "$T/query.fvecs" --index PQ4 --param rerank=50 \
  --k 10 --out "$T/pq-own.ivecs" --save-index "$T/pq-own.annlab"
check "the file naming the base is smaller than the standalone one by the vectors" \
  test $(( $(stat -c %s "$T/pq-own.annlab") - $(stat -c %s "$T/pq-ref.annlab") )) -gt $((2000 * 16 * 4 - 200))
expect 1 "the index re-ranks with the 2000 base vectors of dimension 16 (float32, sha256 " -- \
  search --load-index "$T/pq-ref.annlab" --query "$T/query.fvecs" --k 10 --out "$T/x.ivecs"
expect 1 "it was built on; the base vectors given are 100 of dimension 16 (float32): other vectors" -- \
  search --load-index "$T/pq-ref.annlab" --base "$T/query.fvecs" --query "$T/query.fvecs" --k 10 --out "$T/x.ivecs"
expect 0 "loaded in" -- search --load-index "$T/pq-ref.annlab" --base "$T/base.fvecs" --query "$T/query.fvecs" \
  --param rerank=50 --k 10 --out "$T/pq2.ivecs"
check "a loaded PQ that names its base gives the same answers" cmp -s "$T/pq.ivecs" "$T/pq2.ivecs"
check "sharing the base changes no answer" cmp -s "$T/pq.ivecs" "$T/pq-own.ivecs"
expect 2 "--refer-to-base: IVF16,Flat keeps its vectors in its own lists" -- search --base "$T/base.fvecs" \
  --query "$T/query.fvecs" --index IVF16,Flat --k 10 --out "$T/x.ivecs" --refer-to-base
expect 0 "IVF<nlist>,PQ<M>" -- methods
check "a saved and reloaded LSH index answers the same" cmp -s "$T/lsh.ivecs" "$T/lsh2.ivecs"
expect 2 "build parameter 'seed=3' does not apply to a loaded index" -- search --load-index "$T/lsh.annlab" --query "$T/query.fvecs" --k 10 --out "$T/x.ivecs" --param seed=3
expect 0 "recall@10" -- eval --result "$T/lsh.ivecs" --gt "$T/gt.ivecs" --base "$T/base.fvecs" --query "$T/query.fvecs" --k 10

expect 0 "LSH8x4" -- bench --base "$T/base.fvecs" --query "$T/query.fvecs" --gt "$T/gt.ivecs" --index Flat --index LSH8x4 --sweep seed=1,2 --json "$T/b.json"
check "bench JSON has the documented fields" grep -q '"index": "LSH8x4", "params": "seed=2", "k": 10, "recall": ' "$T/b.json"
check "bench JSON has qps, build time and bytes" grep -q '"qps_single": .*"qps_batch": .*"build_s": .*"index_bytes": ' "$T/b.json"
# A saved index measured as it is: the recall of the index that was built, build time 0.
expect 0 "LSH" -- bench --base "$T/base.fvecs" --query "$T/query.fvecs" --gt "$T/gt.ivecs" --load-index "$T/lsh.annlab" --json "$T/bl.json"
check "bench --load-index: build time 0" grep -q '"build_s": 0.0000' "$T/bl.json"
recall_of() { sed -n 's/.*"recall": \([0-9.]*\).*/\1/p' "$1" | head -1; }
$CLI eval --result "$T/lsh.ivecs" --gt "$T/gt.ivecs" --base "$T/base.fvecs" --query "$T/query.fvecs" --k 10 > "$T/ev.txt" 2>&1
LOADED_RECALL=$(recall_of "$T/bl.json" | cut -c1-6)
check "bench --load-index gives the saved index's recall" grep -qx "recall@10 ${LOADED_RECALL:-missing}" "$T/ev.txt"
expect 2 "give --index SPEC or --load-index F (or several)" -- bench --base "$T/base.fvecs" --query "$T/query.fvecs" --gt "$T/gt.ivecs"
expect 2 "--sweep seed rebuilds the index: it cannot apply to --load-index" -- bench --base "$T/base.fvecs" --query "$T/query.fvecs" --gt "$T/gt.ivecs" --load-index "$T/lsh.annlab" --sweep seed=1,2

# Bad input: exact messages, exit 1.
head -c 100 "$T/base.fvecs" > "$T/cut.fvecs"
expect 1 "cut.fvecs: offset 72 (vector 1): truncated: the vector needs 64 bytes, 28 left" -- gt --base "$T/cut.fvecs" --query "$T/query.fvecs" --k 1 --out "$T/x.ivecs"
printf '1,2,3\n4,5\n' > "$T/ragged.csv"
expect 1 "ragged.csv:2: expected 3 values (as in the first row), found 2" -- info --file "$T/ragged.csv"
printf 'x,y\n0.5,1\n2,3\n' > "$T/ok.csv"
expect 0 "2 vectors x 2 dimensions, stored as float32" -- info --file "$T/ok.csv"
expect 2 "unknown index description 'IVF'" -- search --base "$T/base.fvecs" --query "$T/query.fvecs" --index IVF --k 1 --out "$T/x.ivecs"
expect 2 "search: error: parameter nprobe = 0 is out of range" -- search --base "$T/base.fvecs" --query "$T/query.fvecs" --index Flat --param nprobe=0 --k 1 --out "$T/x.ivecs"
expect 1 "search parameter 'nprobe' does not apply to Flat (it takes none)" -- search --base "$T/base.fvecs" --query "$T/query.fvecs" --index Flat --param nprobe=2 --k 1 --out "$T/x.ivecs"
expect 1 "k = 2001 exceeds the number of indexed vectors (2000)" -- search --base "$T/base.fvecs" --query "$T/query.fvecs" --index Flat --k 2001 --out "$T/x.ivecs"
expect 1 "query dimension 2 != index dimension 16" -- search --base "$T/base.fvecs" --query "$T/ok.csv" --index Flat --k 1 --out "$T/x.ivecs"
expect 1 "not an annlab index file: expected the magic 'ANNLABIX'" -- search --load-index "$T/base.fvecs" --query "$T/query.fvecs" --k 1 --out "$T/x.ivecs"
expect 1 "cannot open '$T/missing.fvecs'" -- info --file "$T/missing.fvecs"

# annlab embed: usage errors, PCA-N in both builds, and a model where the build cannot run one.
expect 2 "annlab embed: error: 2 --in files but 1 --out files: they pair up" -- embed --pca 4 --fit "$T/base.fvecs" --in "$T/query.fvecs" --in "$T/query.fvecs" --out "$T/q4.fvecs"
expect 2 "annlab embed: error: --out $T/q4.csv: expected a .fvecs or .alds file" -- embed --pca 4 --fit "$T/base.fvecs" --in "$T/query.fvecs" --out "$T/q4.csv"
expect 2 "annlab embed: error: give either --model M.json or --pca N --fit BASE" -- embed --in "$T/query.fvecs" --out "$T/q4.fvecs"
expect 2 "annlab embed: error: --pca needs --fit BASE" -- embed --pca 4 --in "$T/query.fvecs" --out "$T/q4.fvecs"
expect 2 "annlab embed: error: --pca 17 exceeds $T/base.fvecs's dimension 16" -- embed --pca 17 --fit "$T/base.fvecs" --in "$T/query.fvecs" --out "$T/q4.fvecs"
expect 2 "annlab embed: error: --bytes is the byte form of a model's l2-normalised embedding: give --model" -- embed --pca 4 --fit "$T/base.fvecs" --bytes --in "$T/query.fvecs" --out "$T/q4.alds"
expect 0 "100 x 4 by PCA-4 of" -- embed --pca 4 --fit "$T/base.fvecs" --in "$T/query.fvecs" --out "$T/q4.fvecs" --in "$T/base.fvecs" --out "$T/b4.fvecs"
check "a PCA-4 file is 100 rows of 4 floats" test "$(wc -c < "$T/q4.fvecs")" = $((100 * 20))
expect 1 "annlab embed: error: cannot open '$T/none.json'" -- embed --model "$T/none.json" --in "$T/query.fvecs" --out "$T/e.fvecs"
expect 2 "annlab eval: error: --base-labels and --query-labels go together" -- eval --result "$T/gt.ivecs" --gt "$T/gt.ivecs" --base "$T/base.fvecs" --query "$T/query.fvecs" --k 10 --base-labels "$T/base.fvecs"
expect 1 "annlab eval: error: $T/base.fvecs: unknown labels file extension '.fvecs': expected .ivecs, .npy, .csv or .txt" -- eval --result "$T/gt.ivecs" --gt "$T/gt.ivecs" --base "$T/base.fvecs" --query "$T/query.fvecs" --k 10 --base-labels "$T/base.fvecs" --query-labels "$T/query.fvecs"

# annlab layout: the neighbour-preserving map, placed queries, reproducible, measured, bad input.
expect 0 "layout umap of $T/sb.fvecs: 1800 points -> $T/xy.fvecs" -- layout --base "$T/sb.fvecs" --out "$T/xy.fvecs" --queries "$T/sq.fvecs" --query-out "$T/qxy.fvecs"
check "a layout is 1800 rows of 2 floats" test "$(wc -c < "$T/xy.fvecs")" = $((1800 * 12))
check "200 queries placed" test "$(wc -c < "$T/qxy.fvecs")" = $((200 * 12))
expect 0 "layout umap" -- layout --base "$T/sb.fvecs" --out "$T/xy2.fvecs"
check "one seed, one layout" cmp -s "$T/xy.fvecs" "$T/xy2.fvecs"
expect 0 "layout pca" -- layout --base "$T/sb.fvecs" --method pca --out "$T/pxy.fvecs"
um=$($CLI layout --base "$T/sb.fvecs" --xy "$T/xy.fvecs" --report 10 2>&1 | sed -n 's/.*: \([0-9.]*\) (.*/\1/p')
pc=$($CLI layout --base "$T/sb.fvecs" --xy "$T/pxy.fvecs" --report 10 2>&1 | sed -n 's/.*: \([0-9.]*\) (.*/\1/p')
check "the layout keeps more neighbours than PCA (UMAP $um, PCA $pc)" awk -v u="$um" -v p="$pc" 'BEGIN { exit !(u > 1.5 * p) }'
expect 2 "annlab layout: error: --method: layout method 'tsne' is not one of pca, umap" -- layout --base "$T/sb.fvecs" --method tsne --out "$T/x.fvecs"
expect 1 "annlab layout: error: $T/xy.fvecs: expected 2000 2-D float vectors, found 1800 x 2" -- layout --base "$T/base.fvecs" --xy "$T/xy.fvecs" --report 10
expect 2 "annlab layout: error: --queries and --query-out go together" -- layout --base "$T/sb.fvecs" --out "$T/x.fvecs" --queries "$T/sq.fvecs"

echo "cli: $pass passed, $fail failed"
[ "$fail" = 0 ]
