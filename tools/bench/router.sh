#!/usr/bin/env bash
# tools/bench/router.sh [NQ [PART...]] — the learned router of the emulating-LSH seed (000_* in the
# seeds), rebuilt and evaluated honestly (docs/reproductions.md, "The learned router"):
#   data     Fashion-MNIST's training images split as the lab splits a file (annlab split --seed 42:
#            1,000 held-out queries, never trained on), bases of the first 10k, 20k and 50k of the rest,
#            raw (784-d) and PCA-100 (a PCA fitted on each base, like the seed's 100-d GloVe vectors);
#   train    annlab-train router per (space, base, C in {10, 100}, seed in {1, 2, 3}), the mlp
#            architecture (the lab's), pairs from the base only; the seed's four tables come from the
#            trainer's evaluation of the held-out queries against the GLOBAL exact neighbours, with
#            layer 2 fed layer 1's PREDICTED cell; cached in $ANNLAB_CACHE/trainings/router-<key>/
#            (configuration, data sha256, trainer code);
#   curves   annlab bench: Router<C> (nprobe 1..min(16, C), every member and rerank=100) and
#            IVF<C>,Flat (nprobe 1..min(16, C)) over the same k-means cells (the trainer's k-means is
#            IVF<C>,Flat's, same seed), recall@10 against distances computed (the router's models
#            counted as their multiply-adds / d);
#   seedarch (not by default: about 40 minutes, 4 GB) the seed's convolutional architecture on
#            PCA-100, 10k base, C in {10, 100}, seed 1, at most 8 epochs per layer (for time), tables
#            only (libtorch; too big to export).
# PARTS: train curves seedarch (train curves by default). One thread each: run it alone.
# ROUTER_CURVE_NQ (default NQ) held-out queries for the curves (the tables always use all 1,000).
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" "train curves" "$@"
TRAIN=build/models/annlab-train
R=out/repro/router
mkdir -p "$R"
rm -f "$O/repro-router-models.jsonl.tmp"
CACHE=${ANNLAB_CACHE:-$HOME/.cache/annlab}/trainings
code_sha=$(cat models/*.cpp models/*.h | sha256sum | cut -d' ' -f1)
SIZES="10000 20000 50000"
# The data: one split, three bases, both spaces, exact neighbours of the queries (k = 10) and of the
# bases among themselves (k = 2, for the training pairs).
for n in $SIZES; do
  [ -f "$R/base$n.alds" ] || $NATIVE split --in $B --base-out "$R/base$n.alds" --query-out "$R/query.alds" --seed 42 \
    --base-rows $n > /dev/null
  [ -f "$R/base$n.pca100.fvecs" ] || $TRAIN project --base "$R/base$n.alds" --dim 100 --in "$R/base$n.alds" \
    --out "$R/base$n.pca100.fvecs" --in "$R/query.alds" --out "$R/query$n.pca100.fvecs" > /dev/null
done
files() {  # files SPACE N -> sets base query gt nbrs
  if [ "$1" = raw ]; then base=$R/base$2.alds query=$R/query.alds; else base=$R/base$2.pca100.fvecs query=$R/query$2.pca100.fvecs; fi
  gt=$R/gt-$1-$2.ivecs nbrs=$R/nbrs-$1-$2.ivecs
  [ -f "$gt" ] || $NATIVE gt --base "$base" --query "$query" --k 10 --out "$gt" --threads "$(nproc)" > /dev/null
  [ -f "$nbrs" ] || $NATIVE gt --base "$base" --query "$base" --k 2 --out "$nbrs" --threads "$(nproc)" > /dev/null
}
trained() {  # trained SPACE N C SEED [ARCH] -> prints the manifest, training it if the cache has none
  local arch=${5:-mlp}
  files "$1" "$2"
  local key
  key=$(printf '%s\n' "router $arch C=$3 seed=$4" "$(sha256sum "$base" | cut -d' ' -f1)" "$code_sha" | sha256sum | cut -c1-16)
  local dir=$CACHE/router-$key
  if [ ! -f "$dir/model.json" ]; then
    mkdir -p "$dir"
    echo "router.sh: training $arch router, $1 $2, C = $3, seed $4 into $dir" >&2
    local epochs=30
    [ "$arch" = seed ] && epochs=8
    $TRAIN router --base "$base" --nclusters "$3" --seed "$4" --arch "$arch" --neighbours "$nbrs" --queries "$query" \
      --epochs $epochs --out "$dir/model" --threads 1 > "$dir/train.log"
  fi
  echo "$dir/model.json"
}
index=()
for space in raw pca100; do
  for n in $SIZES; do
    for C in 10 100; do
      for seed in 1 2 3; do
        files $space $n  # base query gt nbrs, here (trained runs in a subshell)
        model=$(trained $space $n $C $seed)
        echo "{\"space\": \"$space\", \"n\": $n, \"nclusters\": $C, \"seed\": $seed, \"arch\": \"mlp\", \"manifest\": \"$model\"}" >> "$O/repro-router-models.jsonl.tmp"
        if part curves; then
          top=$((C < 16 ? C : 16))
          sweep=$(seq -s, 1 $top)
          tag=$space-$n-$C-$seed
          cnq=${ROUTER_CURVE_NQ:-$NQ}
          $NATIVE bench --base "$base" --query "$query" --gt "$gt" --nq "$cnq" --index Router$C --param "model=$model" \
            --sweep nprobe=$sweep --json "$O/repro-router-$tag-router.json" > /dev/null
          $NATIVE bench --base "$base" --query "$query" --gt "$gt" --nq "$cnq" --index Router$C --param "model=$model" \
            --param rerank=100 --sweep nprobe=$sweep --json "$O/repro-router-$tag-rerank.json" > /dev/null
          $NATIVE bench --base "$base" --query "$query" --gt "$gt" --nq "$cnq" --index IVF$C,Flat --param seed=$seed \
            --sweep nprobe=$sweep --json "$O/repro-router-$tag-ivf.json" > /dev/null
          $NATIVE bench --base "$base" --query "$query" --gt "$gt" --nq "$NQ" --k 1 --index Router$C --param "model=$model" \
            --param rerank=0 --json "$O/repro-router-$tag-pick.json" > /dev/null
        fi
      done
    done
  done
done
if part seedarch; then
  for C in 10 100; do
    model=$(trained pca100 10000 $C 1 seed)
    echo "{\"space\": \"pca100\", \"n\": 10000, \"nclusters\": $C, \"seed\": 1, \"arch\": \"seed\", \"manifest\": \"$model\"}" >> "$O/repro-router-models.jsonl.tmp"
  done
fi
mv "$O/repro-router-models.jsonl.tmp" "$O/repro-router-models.jsonl"
ROUTER_CURVE_NQ=${ROUTER_CURVE_NQ:-$NQ} node tools/bench/reproductions.mjs "$NQ"
