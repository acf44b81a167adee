#!/usr/bin/env bash
# tools/bench/layout.sh — the neighbour-preserving layout of Fashion-MNIST's 60,000 base images in
# each of its spaces (raw pixels, PCA-64, CNN-64), as scripts/setup ships it: wall time of
# `annlab layout` (one thread, seed 42) and the neighbour preservation@10 of the layout and of the
# 2-D PCA map (2,000 points sampled, seed 7). Prints a Markdown table (docs/lab.md).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
A=assets/data O=out/bench/layout CLI=build/tools/annlab
mkdir -p "$O"
kept() { "$CLI" layout --base "$1" --xy "$2" --report 10 | sed -n 's/.*: \([0-9.]*\) (.*/\1/p'; }
echo "| space | layout time (60,000 points, 1 thread) | preservation@10: layout | preservation@10: PCA | ratio |"
echo "|---|---:|---:|---:|---:|"
for s in raw pca64 cnn64; do
  if [ "$s" = raw ]; then base=$A/fashion-mnist-base.alds shipped=$A/fashion-mnist-base.umap.fvecs
  else base=$A/fashion-mnist-base.$s.alds shipped=$A/fashion-mnist-base.$s.umap.fvecs; fi
  start=$(date +%s.%N)
  "$CLI" layout --base "$base" --out "$O/$s.umap.fvecs" > "$O/$s.log"
  secs=$(echo "$(date +%s.%N) - $start" | bc)
  cmp -s "$O/$s.umap.fvecs" "$shipped" \
    || echo "note: $s differs from the shipped layout" >&2
  "$CLI" layout --base "$base" --method pca --out "$O/$s.pca.fvecs" > /dev/null
  u=$(kept "$base" "$O/$s.umap.fvecs") p=$(kept "$base" "$O/$s.pca.fvecs")
  printf "| %s | %.1f s | %s | %s | %.1fx |\n" "$s" "$secs" "$u" "$p" "$(echo "$u / $p" | bc -l)"
done
