#!/usr/bin/env bash
# annlab-train end to end on a small data set: one short training writes a manifest and an ONNX
# model that ONNX Runtime loads and the CLI searches with; the same seed gives the same model; an
# interrupted training resumed from its checkpoint gives the same model as an uninterrupted one.
#   train_test.sh ANNLAB_TRAIN ANNLAB
set -euo pipefail
TRAIN=$1 CLI=$2
T=$(mktemp -d)
trap 'rm -rf "$T"' EXIT
fail() { echo "FAIL: $*"; exit 1; }
"$CLI" generate --kind blobs --n 600 --d 16 --centers 6 --seed 3 --out "$T/base.fvecs" >/dev/null
"$CLI" generate --kind blobs --n 50 --d 16 --centers 6 --seed 4 --out "$T/query.fvecs" >/dev/null
"$CLI" gt --base "$T/base.fvecs" --query "$T/query.fvecs" --k 10 --out "$T/gt.ivecs" >/dev/null
args=(nphash --base "$T/base.fvecs" --bits 32 --seed 7 --epochs 2 --hidden 32 --pca 0 --proxies 300 --k 20
      --holdout 100 --batch 64)
"$TRAIN" "${args[@]}" --out "$T/a" --reference "$T/query.fvecs" > "$T/a.log" || { cat "$T/a.log"; fail "training"; }
grep -q '^epoch 2/2  loss ' "$T/a.log" || fail "no progress lines: $(cat "$T/a.log")"
for f in a.json a.onnx a.reference.fvecs; do [ -s "$T/$f" ] || fail "$f was not written"; done
grep -q '"format": "annlab-model"' "$T/a.json" || fail "a.json is not a model manifest"
grep -q "\"sha256\": \"$(sha256sum "$T/base.fvecs" | cut -c1-64)\"" "$T/a.json" || fail "the manifest names the training data's sha256"
grep -q "\"onnx_sha256\": \"$(sha256sum "$T/a.onnx" | cut -c1-64)\"" "$T/a.json" || fail "the manifest names the model's sha256"
# The same seed, data and thread count: the same model, byte for byte.
"$TRAIN" "${args[@]}" --out "$T/b" > /dev/null
cmp -s "$T/a.onnx" "$T/b.onnx" || fail "two trainings with seed 7 differ"
# Interrupted after epoch 1, resumed: the same model as the uninterrupted training.
if "$TRAIN" "${args[@]}" --out "$T/c" --stop-after 1 > "$T/c.log" 2>&1; then fail "--stop-after 1 did not stop"; fi
grep -q 'stopped after epoch 1' "$T/c.log" || fail "the interruption is not said: $(cat "$T/c.log")"
"$TRAIN" "${args[@]}" --out "$T/c" --resume > "$T/c2.log"
grep -q 'resuming after epoch 1 of 2' "$T/c2.log" || fail "no resume line: $(cat "$T/c2.log")"
cmp -s "$T/a.onnx" "$T/c.onnx" || fail "the resumed training differs from the uninterrupted one"
# ONNX Runtime runs it: the CLI builds NPHash32 with this model and searches.
out=$("$CLI" bench --base "$T/base.fvecs" --query "$T/query.fvecs" --gt "$T/gt.ivecs" --index NPHash32 \
      --param "model=$T/a.json")
echo "$out" | grep -q '^NPHash32 ' || fail "the CLI did not search with the model: $out"
# A model of another width is a clear error.
err=$("$CLI" bench --base "$T/base.fvecs" --query "$T/query.fvecs" --gt "$T/gt.ivecs" --index NPHash64 \
      --param "model=$T/a.json" 2>&1 || true)
echo "$err" | grep -q "a.json: the model gives 32 values per vector; NPHash64 needs 64" || fail "wrong width: $err"
# The learned router: the same seed gives the same models; the seed tables the trainer measured
# (libtorch) are what the index answers through ONNX Runtime: layer 2's top-1 on the held-out queries
# is Router<C>'s 1-recall@1 with nprobe = 1, rerank = 0.
# Held-out queries from the same blobs: the last 50 of 650 rows (68 bytes each at d = 16).
"$CLI" generate --kind blobs --n 650 --d 16 --centers 6 --seed 3 --out "$T/all.fvecs" >/dev/null
head -c $((600 * 68)) "$T/all.fvecs" > "$T/rbase.fvecs"
tail -c $((50 * 68)) "$T/all.fvecs" > "$T/rquery.fvecs"
rargs=(router --base "$T/rbase.fvecs" --nclusters 6 --seed 3 --pca 0 --hidden1 16 --hidden2 8 --epochs 30 --batch 32
       --lr 0.01 --queries "$T/rquery.fvecs")
"$TRAIN" "${rargs[@]}" --out "$T/r" > "$T/r.log" || { cat "$T/r.log"; fail "router training"; }
"$TRAIN" "${rargs[@]}" --out "$T/r2" > /dev/null
for f in r.json r.layer1.onnx r.layer2.onnx r.cells.fvecs; do [ -s "$T/$f" ] || fail "$f was not written"; done
cmp -s "$T/r.layer2.onnx" "$T/r2.layer2.onnx" || fail "two router trainings with seed 3 differ"
top1=$(node -e 'console.log(require(process.argv[1]).evaluation.layer2_top1.toFixed(6))' "$T/r.json")
"$CLI" gt --base "$T/rbase.fvecs" --query "$T/rquery.fvecs" --k 1 --out "$T/gt1.ivecs" >/dev/null
"$CLI" bench --base "$T/rbase.fvecs" --query "$T/rquery.fvecs" --gt "$T/gt1.ivecs" --k 1 --index Router6 \
  --param "model=$T/r.json" --param nprobe=1 --param rerank=0 --json "$T/rb.json" > /dev/null
got=$(node -e 'console.log(require(process.argv[1])[0].one_recall.toFixed(6))' "$T/rb.json")
[ "$got" != "0.000000" ] || fail "layer 2 never found the neighbour: the test would not tell"
[ "$got" = "$top1" ] || fail "the index's 1-recall@1 at rerank=0 ($got) is not the trainer's layer 2 top-1 ($top1)"
l1=$(node -e 'console.log(require(process.argv[1]).evaluation.layer1_accuracy)' "$T/r.json")
# The metric-learning CNN on 3,000 bundled Fashion-MNIST images (one epoch): a manifest and an ONNX
# file; the same seed gives the same model; ONNX Runtime (annlab embed) gives libtorch's embeddings;
# labels are required and counted.
A="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)/assets/data"
"$CLI" split --in "$A/fashion-mnist-base.alds" --base-out "$T/fb.alds" --query-out "$T/fq.alds" --base-rows 3000 \
  --max-queries 200 > /dev/null
eargs=(embed --base "$T/fb.alds" --dim 16 --seed 5 --epochs 1 --batch 128 --holdout 500 --threads 1)
"$TRAIN" "${eargs[@]}" --out "$T/e" --reference "$T/fq.alds" --reference-rows 200 > "$T/e.log" || { cat "$T/e.log"; fail "embed training"; }
grep -q '^epoch 1/1  loss .* precision@10 0\.' "$T/e.log" || fail "no progress line: $(cat "$T/e.log")"
grep -q '"method": "Embed"' "$T/e.json" || fail "e.json is not an Embed manifest"
grep -q "\"onnx_sha256\": \"$(sha256sum "$T/e.onnx" | cut -c1-64)\"" "$T/e.json" || fail "the manifest names the model's sha256"
"$TRAIN" "${eargs[@]}" --out "$T/e2" > /dev/null
cmp -s "$T/e.onnx" "$T/e2.onnx" || fail "two CNN trainings with seed 5 differ"
"$CLI" embed --model "$T/e.json" --in "$T/fq.alds" --out "$T/fq16.fvecs" > /dev/null
diff=$(node -e '
  const fs = require("fs");
  const rd = (p) => { const b = fs.readFileSync(p), d = b.readInt32LE(0), n = b.length / (4 + 4 * d), v = [];
    for (let i = 0; i < n; ++i) for (let j = 0; j < d; ++j) v.push(b.readFloatLE(i * (4 + 4 * d) + 4 + 4 * j)); return v; };
  const a = rd(process.argv[1]), r = rd(process.argv[2]);
  if (a.length !== r.length) { console.log("lengths " + a.length + " " + r.length); process.exit(); }
  console.log(Math.max(...a.map((x, i) => Math.abs(x - r[i]))));' "$T/fq16.fvecs" "$T/e.reference.fvecs")
node -e 'process.exit(Number(process.argv[1]) <= 1e-4 ? 0 : 1)' "$diff" || fail "ONNX Runtime vs libtorch: $diff"
seq 0 49 > "$T/labels50.txt"
err=$("$TRAIN" embed --base "$T/fb.alds" --labels "$T/labels50.txt" --dim 16 --seed 5 --out "$T/x" 2>&1 || true)
echo "$err" | grep -q "50 labels for 3000 rows: the triplet loss needs one label per row" || fail "wrong labels: $err"
err=$("$TRAIN" embed --base "$T/base.fvecs" --dim 16 --seed 5 --out "$T/x" 2>&1 || true)
echo "$err" | grep -q "base.fvecs: has no labels: give them with --labels FILE" || fail "no labels: $err"
# annlab eval's label precision in the learned space.
"$CLI" embed --model "$T/e.json" --in "$T/fb.alds" --out "$T/fb16.alds" --in "$T/fq.alds" --out "$T/fq16.alds" > /dev/null
"$CLI" gt --base "$T/fb16.alds" --query "$T/fq16.alds" --k 10 --out "$T/egt.ivecs" > /dev/null
prec=$("$CLI" eval --result "$T/egt.ivecs" --gt "$T/egt.ivecs" --base "$T/fb16.alds" --query "$T/fq16.alds" --k 10 \
       --base-labels "$T/fb16.alds" --query-labels "$T/fq16.alds" | sed -n 's/^label precision@10 //p')
[ -n "$prec" ] || fail "eval printed no label precision"
echo "annlab-train: trains, exports, reproduces with a seed, resumes to the same model; ONNX Runtime runs it; the router's layer 2 top-1 $top1 (layer 1 $l1) is what Router6 answers; the CNN (1 epoch, 3,000 images) ONNX vs libtorch $diff, label precision@10 $prec"
