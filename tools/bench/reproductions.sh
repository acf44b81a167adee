#!/usr/bin/env bash
# tools/bench/reproductions.sh [NQ [PART...]] — the neural-hashing seed's table on our data
# (docs/reproductions.md): 1-recall@10 of FAISS's LSH (the seed's baseline, from the peers program),
# SimHash, ITQ and NPhash at 64, 128 and 256 bits on the seeded Fashion-MNIST split (NQ held-out
# queries, k = 10, one thread), recall@10 against re-rank depth, and PQ at the same bytes per vector.
# NPhash uses the committed models (models/nphash<bits>.json, trained on the base set only).
# Part `seeds`: the three codes at each width with seeds 1, 2, 3 on Fashion-MNIST and on MNIST
# (the lab's seeded 9,000 / 1,000 split, `annlab split --seed 42`), NPhash trained per seed on the
# base set only by tools/bench/train-cached.sh (cached by configuration, data sha256 and trainer
# code: a training runs once; run this with nothing else on the machine, trainings included).
# Part `bigger` (not by default: about 15 minutes of training): the seed's own network size, two
# hidden layers of 1024 on the raw 784 pixels, 64 bits, 4 epochs, trained into out/repro/ (not
# committed: 10 MB, and 2.5 M multiply-adds per query).
# Part `cosine` (not by default: about 6 minutes on two threads): the committed 64-bit configuration
# trained with the seed's cosine similarity in the loss instead of the squared L2 distance.
# PARTS (all but bigger and cosine by default): peers codes pq seeds bigger cosine. Then renders docs/reproductions.md.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/common.sh" "peers codes pq seeds" "$@"
if part peers; then run_peers "$O/repro-peers.json" --families hash; fi
if part codes; then
  idx=()
  for b in 64 128 256; do idx+=(--index SimHash$b --index ITQ$b --index NPHash$b); done
  bench "$O/repro-codes.json" "${idx[@]}" --sweep rerank=0,50,100,200,500
fi
if part pq; then
  bench "$O/repro-pq.json" --index PQ8 --index PQ16 --index PQ28 --index PQ49 --param seed=1 --sweep rerank=0,50,100,200,500
fi
if part seeds; then
  MB=out/repro/mnist-base.alds MQ=out/repro/mnist-query.alds MG=out/repro/mnist-gt100.ivecs
  [ -f "$MB" ] || build/tools/annlab split --in $A/mnist.alds --base-out "$MB" --query-out "$MQ" --seed 42 --max-queries 1000
  [ -f "$MG" ] || build/tools/annlab gt --base "$MB" --query "$MQ" --k 100 --out "$MG" --threads "$(nproc)"
  build-peers/peers --base "$MB" --query "$MQ" --gt "$MG" --nq "$NQ" --families hash --json "$O/repro-mnist-peers.json"
  for data in fashion mnist; do
    if [ $data = fashion ]; then base=$B query=$Q gt=$G; else base=$MB query=$MQ gt=$MG; fi
    for seed in 1 2 3; do
      idx=()
      for b in 64 128 256; do idx+=(--index SimHash$b --index ITQ$b); done
      $NATIVE bench --base "$base" --query "$query" --gt "$gt" --nq "$NQ" "${idx[@]}" --param seed=$seed \
        --json "$O/repro-$data-classic-$seed.json"
      for b in 64 128 256; do
        model=$(tools/bench/train-cached.sh "$base" $b $seed)
        $NATIVE bench --base "$base" --query "$query" --gt "$gt" --nq "$NQ" --index NPHash$b --param "model=$model" \
          --json "$O/repro-$data-nphash$b-$seed.json"
      done
    done
  done
fi
if part cosine; then  # the seed's cosine similarity in the loss instead of annlab's L2 (same configuration)
  [ -f out/repro/cosine64.json ] || build/models/annlab-train nphash --base $B --bits 64 --seed 1 --out out/repro/cosine64 \
    --epochs 8 --batch 1024 --proxies 4000 --hidden 512,512 --pca 128 --similarity cosine --threads 2
  bench "$O/repro-cosine64.json" --index NPHash64 --param model=out/repro/cosine64.json
  # Cosine similarities of pixel vectors are close together: a ten times sharper original softmax.
  [ -f out/repro/cosine64t.json ] || build/models/annlab-train nphash --base $B --bits 64 --seed 1 --out out/repro/cosine64t \
    --epochs 8 --batch 1024 --proxies 4000 --hidden 512,512 --pca 128 --similarity cosine --temp-orig 0.005 --threads 2
  bench "$O/repro-cosine64t.json" --index NPHash64 --param model=out/repro/cosine64t.json
fi
if part bigger; then
  [ -f out/repro/bigger64.json ] || build/models/annlab-train nphash --base $B --bits 64 --seed 1 --out out/repro/bigger64 \
    --epochs 4 --batch 1024 --proxies 4000 --hidden 1024,1024 --pca 0 --threads 1
  bench "$O/repro-bigger64.json" --index NPHash64 --param model=out/repro/bigger64.json
fi
node tools/bench/reproductions.mjs "$NQ"
