#!/usr/bin/env bash
# tools/bench/reproductions.sh [NQ [PART...]] — the neural-hashing seed's table on our data
# (docs/reproductions.md): 1-recall@10 of FAISS's LSH (the seed's baseline, from the peers program),
# SimHash, ITQ and NPhash at 64, 128 and 256 bits on the seeded Fashion-MNIST split (NQ held-out
# queries, k = 10, one thread), recall@10 against re-rank depth, and PQ at the same bytes per vector.
# NPhash uses the committed models (models/nphash<bits>.json, trained on the base set only).
# PARTS (all by default): peers codes pq. Then renders docs/reproductions.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" "peers codes pq" "$@"
if part peers; then run_peers "$O/repro-peers.json" --families hash; fi
if part codes; then
  idx=()
  for b in 64 128 256; do idx+=(--index SimHash$b --index ITQ$b --index NPHash$b); done
  bench "$O/repro-codes.json" "${idx[@]}" --sweep rerank=0,50,100,200,500
fi
if part pq; then
  bench "$O/repro-pq.json" --index PQ8 --index PQ16 --index PQ28 --index PQ49 --param seed=1 --sweep rerank=0,50,100,200,500
fi
node tools/bench/reproductions.mjs "$NQ"
