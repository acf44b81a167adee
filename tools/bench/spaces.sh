#!/usr/bin/env bash
# tools/bench/spaces.sh [NQ] — Fashion-MNIST in its three spaces (raw pixels, PCA-64, CNN-64, as
# scripts/setup ships them), one run, held-out queries:
#   1. label precision@10 of the exact 10 nearest base images in each space (and CNN-64 before its
#      byte rounding: the model's float embedding, from annlab embed);
#   2. recall@10 and QPS (one query at a time) of the main indexes in CNN-64 and in raw pixels, with
#      the same settings side by side (recall is against exact search in the same space);
#   3. the model's time for one image natively (annlab embed --time-rows, median).
# Writes out/bench/spaces/*.json and prints the Markdown section of docs/methods/learned.md.
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$ROOT"
NQ=${1:-1000}
A=assets/data O=out/bench/spaces CLI=build/tools/annlab
mkdir -p "$O"
declare -A BASE=([raw]=$A/fashion-mnist-base.alds [pca64]=$A/fashion-mnist-base.pca64.alds
                 [cnn64]=$A/fashion-mnist-base.cnn64.alds [cnn64f]=$O/base.cnn64f.alds)
declare -A QUERY=([raw]=$A/fashion-mnist-query.alds [pca64]=$A/fashion-mnist-query.pca64.alds
                  [cnn64]=$A/fashion-mnist-query.cnn64.alds [cnn64f]=$O/query.cnn64f.alds)
# The model's float embedding (no byte rounding), and its time per image.
$CLI embed --model models/embed64.json --in "${QUERY[raw]}" --out "${QUERY[cnn64f]}" --time-rows 1000 > "$O/embed.log"
$CLI embed --model models/embed64.json --in "${BASE[raw]}" --out "${BASE[cnn64f]}" >> "$O/embed.log"
for s in raw pca64 cnn64 cnn64f; do
  $CLI gt --base "${BASE[$s]}" --query "${QUERY[$s]}" --k 10 --out "$O/gt-$s.ivecs" --threads "$(nproc)" > /dev/null
  $CLI eval --result "$O/gt-$s.ivecs" --gt "$O/gt-$s.ivecs" --base "${BASE[$s]}" --query "${QUERY[$s]}" --k 10 \
    --base-labels "${BASE[$s]}" --query-labels "${QUERY[$s]}" > "$O/precision-$s.txt"
done
# The main indexes, the same settings in both spaces (PQ's M divides both 64 and 784: 16).
for s in cnn64 raw; do
  $CLI bench --base "${BASE[$s]}" --query "${QUERY[$s]}" --gt "$O/gt-$s.ivecs" --nq "$NQ" --json "$O/bench-$s.json" \
    --index Flat --index IVF256,Flat --index HNSW16 --index PQ16 --index IVF256,PQ16 --index LSH12x16 --param seed=1 \
    > "$O/bench-$s.txt"
  $CLI bench --base "${BASE[$s]}" --query "${QUERY[$s]}" --gt "$O/gt-$s.ivecs" --nq "$NQ" --json "$O/sweep-$s.json" \
    --index IVF256,Flat --param seed=1 --sweep nprobe=1,4,16 > /dev/null
done
node - "$O" "$NQ" <<'EOF'
const fs = require('fs');
const [O, NQ] = process.argv.slice(2);
const prec = (s) => Number(/label precision@10 ([0-9.]+)/.exec(fs.readFileSync(`${O}/precision-${s}.txt`, 'utf8'))[1]);
const ms = Number(/median ([0-9.]+) ms/.exec(fs.readFileSync(`${O}/embed.log`, 'utf8'))[1]);
const rows = (s) => [...JSON.parse(fs.readFileSync(`${O}/bench-${s}.json`)), ...JSON.parse(fs.readFileSync(`${O}/sweep-${s}.json`))];
const key = (r) => `${r.index}${r.params ? ' ' + r.params : ''}`;
const raw = new Map(rows('raw').map((r) => [key(r), r]));
console.log('Label precision@10 of the exact 10 nearest base images, all 10,000 held-out queries:\n');
console.log('| space | d | label precision@10 |\n|---|---:|---:|');
console.log(`| raw pixels | 784 | ${prec('raw').toFixed(4)} |`);
console.log(`| PCA-64 | 64 | ${prec('pca64').toFixed(4)} |`);
console.log(`| CNN-64 (shipped: bytes) | 64 | ${prec('cnn64').toFixed(4)} |`);
console.log(`| CNN-64 (the model's floats) | 64 | ${prec('cnn64f').toFixed(4)} |`);
console.log(`\nThe main indexes in CNN-64 and in raw pixels, ${NQ} held-out queries, one query at a time, recall@10 against exact search in the same space:\n`);
console.log('| index | CNN-64 recall@10 | CNN-64 QPS | raw recall@10 | raw QPS | QPS CNN-64 / raw | CNN-64 MB (index + base) |\n|---|---:|---:|---:|---:|---:|---:|');
for (const r of rows('cnn64')) {
  const q = raw.get(key(r));
  const qps = r.qps_single ?? r.qps;
  const rq = q ? (q.qps_single ?? q.qps) : NaN;
  console.log(`| ${key(r)} | ${r.recall.toFixed(4)} | ${Math.round(qps)} | ${q ? q.recall.toFixed(4) : ''} | ${q ? Math.round(rq) : ''} | ${q ? (qps / rq).toFixed(1) + 'x' : ''} | ${((r.index_bytes + r.base_bytes) / 1e6).toFixed(1)} |`);
}
console.log(`\nThe model's time for one image natively (ONNX Runtime, one thread, median of 1,000): ${ms.toFixed(3)} ms.`);
EOF
