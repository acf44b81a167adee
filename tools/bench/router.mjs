// tools/bench/router.mjs — the learned router's section of docs/reproductions.md, from what
// tools/bench/router.sh wrote: the trainers' manifests (the seed's four tables, measured on held-out
// queries) and annlab bench's records (recall@10 against distances computed, Router<C> and
// IVF<C>,Flat on the same cells). Imported by reproductions.mjs.
import { readFileSync, existsSync } from 'node:fs';

const SIZES = [10000, 20000, 50000], CELLS = [10, 100], SPACES = ['raw', 'pca100'];
const SPACE_NAME = { raw: 'raw 784-d', pca100: 'PCA-100' };
// The seed paper's tables (GloVe, 100-d; its evaluation: see the text).
const SEED = {
  '10,10000': { scann: 3.062, random: 7.185, ml: 5.723, l1: 0.98, l2: 0.05, scannS: 0.000313, mlS: 0.080705 },
  '100,10000': { scann: 2.975, random: 7.034, ml: 0.540, l1: 0.97, l2: 0.94, scannS: 0.000325, mlS: 0.074219 },
  '10,20000': { scann: 3.202, random: 7.241, ml: 0.950, l1: 0.91, l2: 0.86, scannS: 0.000307, mlS: 0.095159 },
  '100,20000': { scann: 3.226, random: 7.214, ml: 5.89, l1: 0.99, l2: 0.02, scannS: 0.000325, mlS: 0.070852 },
  '10,50000': { scann: 3.346, random: 7.540, ml: 2.001, l1: 0.87, l2: 0.6, scannS: 0.000304, mlS: 0.087592 },
  '100,50000': { scann: 3.424, random: 7.459, ml: 1.104, l1: 0.99, l2: 0.76, scannS: 0.000323, mlS: 0.077589 },
};

const read = (f) => (existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : null);
const mean = (v) => v.reduce((s, x) => s + x, 0) / v.length;
const sd = (v) => { const m = mean(v); return Math.sqrt(v.reduce((s, x) => s + (x - m) * (x - m), 0) / Math.max(1, v.length - 1)); };
const pm = (v, digits = 3) => (v.length ? `${mean(v).toFixed(digits)} ± ${sd(v).toFixed(digits)}` : '—');
const k = (n) => `${n / 1000}k`;

// Recall of the IVF curve at `dist` distances (linear between its points; null outside them).
function ivfAt(curve, dist) {
  for (let i = 0; i + 1 < curve.length; ++i) {
    const a = curve[i], b = curve[i + 1];
    if (dist >= a.distances_per_query && dist <= b.distances_per_query) {
      const t = (dist - a.distances_per_query) / Math.max(1e-9, b.distances_per_query - a.distances_per_query);
      return a.recall + t * (b.recall - a.recall);
    }
  }
  return null;
}

export function routerSection(nq) {
  const lines = existsSync('out/bench/repro-router-models.jsonl')
    ? readFileSync('out/bench/repro-router-models.jsonl', 'utf8').trim().split('\n').map((l) => JSON.parse(l)) : [];
  if (!lines.length) return '\n## The learned router\n\nNot run yet: `tools/bench/router.sh`.\n';
  const runs = lines.map((l) => ({ ...l, m: read(l.manifest) })).filter((r) => r.m);
  const pick = (space, n, C, arch = 'mlp') => runs.filter((r) => r.space === space && r.n === n && r.nclusters === C && r.arch === arch);
  const bench = (space, n, C, seed, what) => read(`out/bench/repro-router-${space}-${n}-${C}-${seed}-${what}.json`) || [];
  let out = `
## The learned router (the emulating-LSH seed), rebuilt and evaluated honestly

The seed (\`000_*\`) trains a layer-1 network to pick the k-means cluster of a query's nearest
neighbour and one layer-2 network per cluster to pick the neighbour, and reports it beating ScaNN
in 4 of 6 tests at about 100x ScaNN's time. Its evaluation differs from this one: its ScaNN column
is a dot-product score, the "true" neighbour is searched only inside the query's own cluster, its
test queries come from the indexed set, and layer 2 is fed the query's true centroid. Here: Fashion-MNIST
(the seed's GloVe is not available), bases of the first 10k, 20k and 50k training images after a seeded
split (\`annlab split --seed 42\`), ${nq} held-out queries never trained on, the GLOBAL exact neighbours,
layer 2 fed layer 1's PREDICTED cell; the k-means is IVF<C>,Flat's own (same seed, identical cells, a
test checks it); training pairs are each base row and its nearest other base row. Architecture: the lab's
MLP (layer 1: PCA-64 inside the graph, 256 hidden, softmax over C; each layer 2: the query's and the
centroid's PCA-64, 32 hidden, softmax over its members), Adam, the seed's stopping rule (best of a 10 %
held-back slice, patience 3). Mean ± sd over seeds 1, 2, 3. Distances are Euclidean, in each space's
own units (pixels 0..255, or PCA-100 coordinates), so the raw and PCA columns are not comparable to each
other or to GloVe's; compare each row's router against its IVF and random columns.
Reproduce: \`tools/bench/router.sh\` (trainings cached in \`$ANNLAB_CACHE/trainings/router-*\`).

### Mean distance between the predicted and the true nearest neighbour (the seed's table 1)

| C, base | space | router (layer 1 + layer 2) | IVF, 1 probe | random | the seed: ML / ScaNN / random |
|---|---|---|---|---|---|
`;
  for (const C of CELLS) for (const n of SIZES) for (const s of SPACES) {
    const r = pick(s, n, C), e = r.map((x) => x.m.evaluation), sd0 = SEED[`${C},${n}`];
    if (!e.length) continue;
    out += `| ${C}, ${k(n)} | ${SPACE_NAME[s]} | ${pm(e.map((x) => x.mean_distance_router), 1)} | ${pm(e.map((x) => x.mean_distance_ivf_one_probe), 1)} | ${pm(e.map((x) => x.mean_distance_random), 1)} | ${sd0.ml} / ${sd0.scann} / ${sd0.random} |\n`;
  }
  out += `
### Layer 1's accuracy, layer 2's accuracy (the seed's tables 2 and 3)

Layer 1: the predicted cell holds the query's nearest neighbour. Layer 2, at layer 1's cell: top-1
(its pick is the nearest neighbour), top-5 (the nearest neighbour among its 5 most probable), and the
seed's own metric (its pick among the true 5 nearest).

| C, base | space | layer 1 | layer 2 top-1 | layer 2 top-5 | the seed's metric | the seed: layer 1 / layer 2 |
|---|---|---|---|---|---|---|
`;
  for (const C of CELLS) for (const n of SIZES) for (const s of SPACES) {
    const e = pick(s, n, C).map((x) => x.m.evaluation), sd0 = SEED[`${C},${n}`];
    if (!e.length) continue;
    out += `| ${C}, ${k(n)} | ${SPACE_NAME[s]} | ${pm(e.map((x) => x.layer1_accuracy))} | ${pm(e.map((x) => x.layer2_top1))} | ${pm(e.map((x) => x.layer2_top5))} | ${pm(e.map((x) => x.seed_metric))} | ${sd0.l1} / ${sd0.l2} |\n`;
  }
  out += `
### Prediction time per query (the seed's table 4)

One query at a time, one thread: libtorch in the trainer (both layers, median over 200 queries) and
ONNX Runtime natively through the index (\`Router<C>\` with nprobe = 1, rerank = 0, k = 1: layer 1,
layer 2 of its cell and one exact distance; 1 / single-query QPS over ${nq} queries). Target <= 0.2 ms.

| C, base | space | libtorch (ms) | ONNX Runtime, the index (ms) | the seed: ML / ScaNN (ms) |
|---|---|---|---|---|
`;
  for (const C of CELLS) for (const n of SIZES) for (const s of SPACES) {
    const r = pick(s, n, C), sd0 = SEED[`${C},${n}`];
    if (!r.length) continue;
    const ort = r.map((x) => bench(s, n, C, x.seed, 'pick')[0]).filter(Boolean).map((b) => 1000 / b.qps_single);
    out += `| ${C}, ${k(n)} | ${SPACE_NAME[s]} | ${pm(r.map((x) => x.m.evaluation.prediction_ms_libtorch), 3)} | ${pm(ort, 3)} | ${(sd0.mlS * 1000).toFixed(1)} / ${(sd0.scannS * 1000).toFixed(2)} |\n`;
  }
  // The seed's architecture (tables only).
  const seedRuns = runs.filter((r) => r.arch === 'seed');
  if (seedRuns.length) {
    out += `
### The seed's convolutional architecture (PCA-100, 10k base, seed 1; libtorch only)

Three 1-D convolutions (128, 128, 256 channels, kernel 3, ReLU), max-pooling after the first, flatten,
a dense softmax; layer 2 the same over the query and the centroid concatenated. Its dense layers make
it far larger than the lab's budget (parameters below), so it is trained and evaluated by libtorch in the
trainer and not exported; same data, pairs, stopping rule and held-out evaluation as above.

| C | parameters (layer 1 + all layer 2) | multiply-adds per query | layer 1 | layer 2 top-1 | top-5 | the seed's metric | mean distance (IVF 1 probe) | libtorch ms |
|---|---|---|---|---|---|---|---|---|
`;
    for (const r of seedRuns) {
      const m = r.m, e = m.evaluation;
      out += `| ${r.nclusters} | ${((m.layer1.parameters + m.layer2.parameters) / 1e6).toFixed(1)} M | ${((m.layer1.multiply_adds_per_query + m.layer2.multiply_adds_per_query) / 1e6).toFixed(1)} M | ${e.layer1_accuracy.toFixed(3)} | ${e.layer2_top1.toFixed(3)} | ${e.layer2_top5.toFixed(3)} | ${e.seed_metric.toFixed(3)} | ${e.mean_distance_router.toFixed(1)} (${e.mean_distance_ivf_one_probe.toFixed(1)}) | ${e.prediction_ms_libtorch.toFixed(2)} |\n`;
    }
  }
  // Beyond the seed: who picks the cells.
  out += `
### Beyond the seed: recall@10 against distances computed, the router against the nearest-centroid rule

The same cells and lists; only who picks the cells differs; ${process.env.ROUTER_CURVE_NQ || nq} held-out queries. Distances per query include each method's
routing cost: IVF's C centroid distances, the router's layer-1 multiply-adds / d (and, with rerank, layer
2's per probed cell). Seed 1 shown; "at equal distances" compares each router point with IVF's curve
interpolated at the same number of distances, over all three seeds.

`;
  let verdicts = '';
  for (const s of SPACES) for (const n of SIZES) for (const C of CELLS) {
    const r = pick(s, n, C);
    if (!r.length) continue;
    const b1 = (w) => bench(s, n, C, 1, w);
    const rt = b1('router'), rr = b1('rerank'), iv = b1('ivf');
    if (!rt.length || !iv.length) continue;
    out += `#### ${SPACE_NAME[s]}, ${k(n)} base, C = ${C}\n\n| nprobe | router: recall@10 / distances | router, rerank=100 | IVF${C},Flat |\n|---|---|---|---|\n`;
    for (let i = 0; i < rt.length; ++i) {
      const f = (x) => (x ? `${x.recall.toFixed(3)} / ${Math.round(x.distances_per_query)}` : '—');
      if (i < 8 || i === rt.length - 1) out += `| ${i + 1} | ${f(rt[i])} | ${f(rr[i])} | ${f(iv[i])} |\n`;
    }
    out += '\n';
    const cells = [];
    for (const w of ['router', 'rerank']) {
      let better = 0, worse = 0, outside = 0;
      const gain = [];
      for (const x of r) {
        const ivc = bench(s, n, C, x.seed, 'ivf');
        for (const p of bench(s, n, C, x.seed, w)) {
          const at = ivfAt(ivc, p.distances_per_query);
          if (at === null) { outside += 1; continue; }
          gain.push(p.recall - at);
          if (p.recall > at + 0.005) better += 1; else if (p.recall < at - 0.005) worse += 1;
        }
      }
      const g = gain.length ? `${mean(gain) >= 0 ? '+' : ''}${mean(gain).toFixed(3)}` : '—';
      cells.push(`${better} / ${worse} / ${gain.length - better - worse} / ${outside} | ${g}`);
    }
    verdicts += `| ${SPACE_NAME[s]} | ${k(n)} | ${C} | ${cells.join(' | ')} |\n`;
  }
  out += `### At equal distances computed: where the router beats the nearest-centroid rule

Router points (every nprobe, three seeds) counted as above / below / within 0.005 of IVF's recall@10 at
the same distances / outside IVF's range of distances (not compared), and the mean recall difference
over the compared points; "every member" compares the cells' members as IVF does (only layer 1 differs),
"rerank=100" only layer 2's 100 most probable members of each probed cell.

| space | base | C | every member: above / below / within / outside | mean difference | rerank=100: above / below / within / outside | mean difference |
|---|---|---|---|---|---|---|
${verdicts}`;
  return out;
}
