#!/usr/bin/env bash
# tools/bench/train-cached.sh BASE BITS SEED — prints the manifest of an NPhash model trained with
# the committed models' configuration (CONFIG below) on BASE at BITS bits with SEED, training it
# only if the cache does not hold it yet. The cache ($ANNLAB_CACHE/trainings/<key>/) is keyed by
# the configuration, BASE's sha256 and the trainer's code version (the sha256 of models/*.cpp and
# *.h), so a changed trainer, data file or setting trains again and nothing stale is reused.
# The committed models (models/nphash<bits>.json) are seed 1 of this configuration on the
# Fashion-MNIST base; they are used as they are (cli.train_end_to_end tests that the same seed, data
# and threads give the same weights). One thread: never run it beside a benchmark.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
BASE=${1:?usage: train-cached.sh BASE BITS SEED}
BITS=${2:?usage: train-cached.sh BASE BITS SEED}
SEED=${3:?usage: train-cached.sh BASE BITS SEED}
CONFIG="--epochs 8 --batch 1024 --proxies 4000 --hidden 512,512 --pca 128 --threads 1"
TRAIN=${ANNLAB_TRAIN:-$ROOT/build/models/annlab-train}
[ -x "$TRAIN" ] || { echo "train-cached: $TRAIN is missing: run scripts/build-native" >&2; exit 1; }
data_sha=$(sha256sum "$BASE" | cut -d' ' -f1)
code_sha=$(cat "$ROOT"/models/*.cpp "$ROOT"/models/*.h | sha256sum | cut -d' ' -f1)
committed="$ROOT/models/nphash$BITS.json"
if [ "$SEED" = 1 ] && [ -f "$committed" ] && grep -q "\"sha256\": \"$data_sha\"" "$committed"; then
  echo "$committed"
  exit 0
fi
key=$(printf '%s\n' "nphash bits=$BITS seed=$SEED $CONFIG" "$data_sha" "$code_sha" | sha256sum | cut -c1-16)
DIR=${ANNLAB_CACHE:-$HOME/.cache/annlab}/trainings/$key
if [ ! -f "$DIR/model.json" ]; then
  mkdir -p "$DIR"
  echo "train-cached: training NPhash$BITS seed $SEED on $BASE into $DIR" >&2
  # An interrupted training continues from its last epoch's checkpoint.
  resume=()
  [ -f "$DIR/model.ckpt.state.txt" ] && resume=(--resume)
  "$TRAIN" nphash --base "$BASE" --bits "$BITS" --seed "$SEED" --out "$DIR/model" $CONFIG "${resume[@]}" >&2
fi
echo "$DIR/model.json"
