// The learned router in the page: Router100 (models/router100.*, trained on the bundled
// Fashion-MNIST base) run by ONNX Runtime Web behind the core's model interface. The lab shows
// layer 1's cells, layer 2's pick and IVF on the same cells; answers agree with the native build
// and both layers' outputs with ONNX Runtime natively (onnxruntime-node) and libtorch (the
// trainer's reference outputs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { ARTIFACTS, BUNDLE, NATIVE_CLI, ROOT, browser, openLab, readFvecs, readIvecs, report, serve } from './harness.mjs';

const ortNode = createRequire(join(ROOT, 'package.json'))('onnxruntime-node');
const NQ = 1000;
let server, b, page;
before(async () => {
  server = await serve(BUNDLE, 8774, false);
  b = await browser();
  page = await openLab(b, server.url + '?space=raw');  // Router100's cells are raw-pixel k-means
  page.requests = [];
  page.on('request', (r) => page.requests.push(new URL(r.url()).pathname));
});
after(async () => { await b?.close(); server?.close(); });

const B = join(ROOT, 'assets/data/fashion-mnist-base.alds'), Q = join(ROOT, 'assets/data/fashion-mnist-query.alds');
function nativeIds(k, params) {
  const out = join(ARTIFACTS, 'router-native.ivecs');
  execFileSync(NATIVE_CLI, ['search', '--base', B, '--query', Q, '--k', String(k), '--out', out, '--index', 'Router100',
    '--param', 'model=models/router100.json', ...params.flatMap((p) => ['--param', p])], { cwd: ROOT });
  return readIvecs(out, k).slice(0, NQ);
}

test('Router100 builds in the page from its manifest, cells and two layers; a query shows layer 1, layer 2 and IVF on the same cells', async () => {
  const built = await page.evaluate(async () => {
    const t0 = performance.now();
    const r = await window.annlab.build('Router100');
    return { ...r, ms: performance.now() - t0 };
  });
  assert.equal(built.index, 'Router100');
  const models = page.requests.filter((p) => p.startsWith('/models/')).sort();
  assert.deepEqual(models, ['/models/router100.cells.fvecs', '/models/router100.json', '/models/router100.layer1.onnx',
    '/models/router100.layer2.onnx']);
  report(`Router100 built in the page in ${(built.ms / 1000).toFixed(1)} s (no k-means: the cells come with the model)`);
  const r = await page.evaluate(() => window.annlab.setQuery(5));
  assert.equal(r.valid, true);
  assert.equal(r.pending, false);
  assert.equal(r.cellProbabilities.length, 100);
  const sum = r.cellProbabilities.reduce((s, v) => s + v, 0);
  assert.ok(Math.abs(sum - 1) < 1e-3, `layer 1's probabilities sum to 1 (${sum})`);
  assert.equal(r.layer2Picks.length, 1, 'layer 2 picks a member of the probed cell (nprobe = 1, the default)');
  const top = r.cellProbabilities.indexOf(Math.max(...r.cellProbabilities));
  assert.equal(r.layer2Picks[0].cell, top, 'the probed cell is layer 1\'s most probable');
  assert.equal(r.ivf.cells.length, 1);
  assert.ok(r.ivf.recall >= 0 && r.ivf.recall <= 1);
  assert.ok(r.encodeMs > 0 && r.encodeMs <= 2, `layer 1 and layer 2 for one query in <= 2 ms in the page (${r.encodeMs} ms)`);
  report(`one query's prediction (layer 1 + layer 2 of its cell) by ONNX Runtime Web: ${r.encodeMs.toFixed(2)} ms (median of repeats)`);
  await page.screenshot({ path: join(ARTIFACTS, 'router-web.png') });
  assert.deepEqual(page.errors, []);
});

test(`the page's Router100 answers ${NQ} held-out queries as the native build does (every member, rerank=50, rerank=0)`, async () => {
  await page.evaluate((n) => window.annlab.prepareHeldOut(n), NQ);
  for (const [k, params] of [[10, ['nprobe=2']], [10, ['nprobe=4', 'rerank=50']], [1, ['nprobe=1', 'rerank=0']]]) {
    const ids = await page.evaluate(([n, kk, p]) => {
      const api = window.annlab, out = [];
      for (let i = 0; i < n; ++i) out.push(api.search(api.queryVector(i), kk, p).ids);
      return out;
    }, [NQ, k, params.join(' ')]);
    const native = nativeIds(k, params);
    const differ = ids.filter((row, i) => row.join() !== native[i].join()).length;
    report(`Router100 ${params.join(' ')}, k = ${k}: ${NQ - differ} of ${NQ} held-out queries answered identically in the page and natively`);
    assert.equal(differ, 0, params.join(' '));
  }
  // Beyond the cells the page prepared, layer 2 is refused with the reason.
  const err = await page.evaluate(() => {
    try { window.annlab.search(window.annlab.queryVector(0), 10, 'nprobe=20 rerank=10'); return 'searched'; } catch (e) { return e.message; }
  });
  assert.match(err, /in the page layer 2 is computed ahead for the 16 most probable cells of each query; nprobe = 20 with rerank needs nprobe <= 16/);
});

test(`both layers: libtorch, ONNX Runtime and ONNX Runtime Web agree within 1e-4`, async () => {
  const torch1 = readFvecs(join(ROOT, 'models/router100.reference1.fvecs'));
  const torch2 = readFvecs(join(ROOT, 'models/router100.reference2.fvecs'));
  const n = torch1.n, C = torch1.d, M = torch2.d;
  const x = Float32Array.from(await page.evaluate((nn) => Array.from({ length: nn }, (_, i) => window.annlab.queryVector(i)).flat(), n));
  const d = x.length / n;
  // Layer 2's inputs: each query followed by layer 1's most probable cell (as the trainer wrote it).
  const x2 = new Float32Array(n * (d + 1));
  for (let i = 0; i < n; ++i) {
    x2.set(x.subarray(i * d, (i + 1) * d), i * (d + 1));
    let best = 0;
    for (let c = 1; c < C; ++c) if (torch1.data[i * C + c] > torch1.data[i * C + best]) best = c;
    x2[i * (d + 1) + d] = best;
  }
  const worst = {};
  for (const [layer, input, width, ref] of [['layer1', x, d, torch1], ['layer2', x2, d + 1, torch2]]) {
    const web = Float32Array.from(await page.evaluate(async ([file, arr, nn, w]) =>
      Array.from(await window.annlab.runModelFile(file, Float32Array.from(arr), nn, w)), [`/models/router100.${layer}.onnx`, Array.from(input), n, width]));
    const session = await ortNode.InferenceSession.create(join(ROOT, `models/router100.${layer}.onnx`), { intraOpNumThreads: 1 });
    const native = (await session.run({ x: new ortNode.Tensor('float32', input, [n, width]) })).probs.data;
    let wn = 0, wt = 0, nt = 0;
    for (let i = 0; i < ref.data.length; ++i) {
      wn = Math.max(wn, Math.abs(web[i] - native[i]));
      wt = Math.max(wt, Math.abs(web[i] - ref.data[i]));
      nt = Math.max(nt, Math.abs(native[i] - ref.data[i]));
    }
    worst[layer] = { wn, wt, nt };
    report(`router100 ${layer} over ${n} held-out queries: max |web - native| ${wn.toExponential(1)}, |web - libtorch| ${wt.toExponential(1)}, |native - libtorch| ${nt.toExponential(1)}`);
    for (const v of [wn, wt, nt]) assert.ok(v <= 1e-4, `${layer}: ${v}`);
  }
  assert.equal(M > 0, true);
});
