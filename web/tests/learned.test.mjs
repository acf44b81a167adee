// Learned models in the page: NPhash run by ONNX Runtime Web behind the core's model interface.
// ONNX Runtime Web is fetched only when a learned method is opened; the base is encoded in a
// stage of its own with progress and Cancel while the page keeps drawing; answers, index files and
// pre-sign values agree with the native build (ONNX Runtime through onnxruntime-node, the same
// library the native core links) and with libtorch (the trainer's reference outputs).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { createRequire } from 'node:module';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, BUNDLE, NATIVE_CLI, ROOT, browser, openLab, readFvecs, readIvecs, report, saveArtifact, serve } from './harness.mjs';

const ortNode = createRequire(join(ROOT, 'package.json'))('onnxruntime-node');
const NQ = 1000;  // held-out queries compared
let server, b, page;
// Without cross-origin isolation, as a plain static host serves it: single-threaded ONNX Runtime Web.
before(async () => {
  server = await serve(BUNDLE, 8772, false);
  b = await browser();
  page = await openLab(b, server.url + '?space=raw');  // the committed models read raw pixels
  page.requests = [];
  page.on('request', (r) => page.requests.push(new URL(r.url()).pathname));
});
after(async () => { await b?.close(); server?.close(); });

const ortFiles = () => page.requests.filter((p) => p.startsWith('/ort/'));
const modelFiles = () => page.requests.filter((p) => p.startsWith('/models/'));

const B = join(ROOT, 'assets/data/fashion-mnist-base.alds'), Q = join(ROOT, 'assets/data/fashion-mnist-query.alds');
function nativeIds(args) {
  const out = join(ARTIFACTS, 'np-native.ivecs');
  execFileSync(NATIVE_CLI, ['search', '--query', Q, '--k', '10', '--out', out, ...args], { cwd: ROOT });
  return readIvecs(out, 10).slice(0, NQ);
}

test('ONNX Runtime Web is fetched only when a learned method is opened; NPhash encodes the base with progress while the page draws', async () => {
  // SimHash and ITQ first, each evaluated on 200 held-out queries: the lab keeps them for comparison.
  await page.evaluate(async () => {
    for (const m of ['SimHash64', 'ITQ64']) { await window.annlab.build(m, 'seed=1'); await window.annlab.evaluate(200); }
  });
  assert.deepEqual(ortFiles(), [], 'a classical method fetches nothing of ONNX Runtime Web');
  assert.deepEqual(modelFiles(), []);
  assert.equal((await page.evaluate(() => window.annlab.modelStats())).ortRequested, false);

  const run = await page.evaluate(async () => {
    const api = window.annlab, t0 = performance.now();
    const seen = [];
    let frames = 0, last = performance.now(), longest = 0, done = false;
    const tick = () => {
      const now = performance.now();
      longest = Math.max(longest, now - last);
      last = now;
      frames += 1;
      const st = api.buildProgress();
      if (st.stage) seen.push([st.stage, st.progress]);
      if (!done) requestAnimationFrame(tick);
    };
    requestAnimationFrame(tick);
    const built = await api.build('NPHash64');
    done = true;
    return { built, seen, frames, longest, ms: performance.now() - t0, stats: api.modelStats() };
  });
  assert.equal(run.built.index, 'NPHash64');
  const encoding = run.seen.filter(([s]) => /^step 2 of 3, encoding 60000 vectors with ONNX Runtime Web 1\.30\.0 \(in the page, 1 thread\): \d+ %/.test(s));
  assert.ok(encoding.length >= 3, `the encoding stage shows its progress (${run.seen.slice(0, 5).map((s) => s[0]).join(' | ')})`);
  assert.ok(encoding.some(([, f]) => f > 0.1 && f < 0.9), 'the progress moves through the stage');
  assert.ok(run.seen.some(([s]) => s.startsWith('step 3 of 3, adding vectors')) || run.frames > 0);
  assert.deepEqual(ortFiles().sort(), ['/ort/ort-wasm-simd-threaded.mjs', '/ort/ort-wasm-simd-threaded.wasm', '/ort/ort.wasm.min.mjs']);
  assert.deepEqual(modelFiles().sort(), ['/models/nphash64.json', '/models/nphash64.onnx']);
  assert.equal(run.stats.rows, 60000);
  assert.equal(run.stats.threads, 1);
  report(`NPHash64 built in the page in ${(run.ms / 1000).toFixed(1)} s over ${run.frames} frames (longest gap ${
    run.longest.toFixed(0)} ms; ONNX Runtime Web loaded in ${run.stats.ortLoadMs.toFixed(0)} ms; ${run.stats.pieces} pieces, the longest ${
    run.stats.maxPieceMs.toFixed(1)} ms)`);
  assert.ok(run.frames >= 20, `the page kept drawing (${run.frames} frames)`);

  // The query: encoded across frames, its code bits, the Hamming histogram with the true neighbours.
  const r = await page.evaluate(() => window.annlab.setQuery(5));
  assert.equal(r.valid, true);
  assert.equal(r.pending, false);
  assert.equal(r.codeBits, 64);
  assert.match(r.queryCode, /^[0-9a-f]{16}$/);
  assert.equal(r.hammingTrue.length, 10);
  assert.equal(r.hammingHistogram.reduce((s, v) => s + v, 0), 60000);
  assert.ok(r.encodeMs > 0 && r.encodeMs <= 2, `one query encodes in <= 2 ms in the page (${r.encodeMs} ms)`);
  report(`one query encoded by ONNX Runtime Web in ${r.encodeMs.toFixed(2)} ms (median of repeats)`);
  // NPhash beside ITQ and SimHash at the same bits: the evaluations side by side.
  const ev = await page.evaluate(() => window.annlab.evaluate(200));
  assert.deepEqual(ev.history.map((h) => h.index), ['SimHash64 rerank=0', 'ITQ64 rerank=0', 'NPHash64 rerank=0']);
  assert.deepEqual(ev.history.map((h) => h.encodedElsewhere), [false, false, true]);
  const [sh, itq, np] = ev.history.map((h) => h.oneRecall);
  report(`1-recall@10 on 200 held-out queries in the page: SimHash64 ${sh.toFixed(3)}, ITQ64 ${itq.toFixed(3)}, NPHash64 ${np.toFixed(3)}`);
  assert.ok(np >= itq + 0.05 && np >= sh + 0.10, 'NPhash ranks well above ITQ and SimHash at 64 bits');
  await page.screenshot({ path: join(ARTIFACTS, 'nphash-web.png') });  // docs/screenshot-nphash-web.png is one
  assert.deepEqual(page.errors, []);
});

test(`the page's NPhash answers ${NQ} held-out queries as the native build does, and its index file loads natively`, async () => {
  const prep = await page.evaluate((n) => window.annlab.prepareHeldOut(n), NQ);
  const ids = await page.evaluate((n) => {
    const api = window.annlab, out = [];
    for (let i = 0; i < n; ++i) out.push(api.search(api.queryVector(i), 10).ids);
    return out;
  }, NQ);
  const native = nativeIds(['--base', B, '--index', 'NPHash64', '--param', 'model=models/nphash64.json']);
  const differ = ids.filter((row, i) => row.join() !== native[i].join()).length;
  report(`NPHash64: ${NQ - differ} of ${NQ} held-out queries answered identically in the page and natively (codes prepared over ${prep.frames} frames)`);
  assert.equal(differ, 0);
  // The page's index file (codes + the model's sha256) searched by the native CLI: the same ids.
  const bytes = await page.evaluate(() => Array.from(window.annlab.saveIndex()));
  const file = join(ARTIFACTS, 'nphash64-from-page.annlab');
  writeFileSync(file, Buffer.from(bytes));
  assert.deepEqual(nativeIds(['--base', B, '--load-index', file]), ids);
  // And a native index file opened in the page (its model opens when the first query needs it).
  const nativeFile = join(ARTIFACTS, 'nphash64-native.annlab');
  execFileSync(NATIVE_CLI, ['search', '--base', B, '--query', Q, '--index', 'NPHash64', '--param', 'model=models/nphash64.json',
    '--k', '10', '--out', join(ARTIFACTS, 'np-n2.ivecs'), '--save-index', nativeFile, '--refer-to-base'], { cwd: ROOT });
  const loaded = await page.evaluate(async (arr) => {
    window.annlab.loadIndex('nphash64-native.annlab', new Uint8Array(arr));
    return window.annlab.setQuery(7);
  }, Array.from(readFileSync(nativeFile)));
  assert.equal(loaded.valid, true);
  assert.deepEqual(loaded.method, native[7]);
  assert.deepEqual(page.errors, []);
});

test(`pre-sign values of the committed models: libtorch, ONNX Runtime and ONNX Runtime Web agree within 1e-4 over ${NQ} held-out queries`, async () => {
  // The queries once into the page (kept there for the three models), and out to node.
  const queries = await page.evaluate((n) => {
    window.heldOut = Float32Array.from(Array.from({ length: n }, (_, i) => window.annlab.queryVector(i)).flat());
    return Array.from(window.heldOut);
  }, NQ);
  const x = Float32Array.from(queries), d = x.length / NQ;
  const rows = [];
  for (const bits of [64, 128, 256]) {
    const web = Float32Array.from(await page.evaluate(async ([n, dd, bb]) =>
      Array.from(await window.annlab.runModelFile(`/models/nphash${bb}.onnx`, window.heldOut, n, dd)), [NQ, d, bits]));
    const session = await ortNode.InferenceSession.create(join(ROOT, `models/nphash${bits}.onnx`), { intraOpNumThreads: 1 });
    const native = (await session.run({ [session.inputNames[0]]: new ortNode.Tensor('float32', x, [NQ, d]) }))[session.outputNames[0]].data;
    const torch = readFvecs(join(ROOT, `models/nphash${bits}.reference.fvecs`));
    assert.equal(torch.d, bits);
    assert.ok(torch.n >= NQ);
    const worst = { webNative: 0, webTorch: 0, nativeTorch: 0 };
    let near = 0, flips = 0, flipsAway = 0;
    for (let i = 0; i < NQ * bits; ++i) {
      const w = web[i], n = native[i], t = torch.data[i];
      worst.webNative = Math.max(worst.webNative, Math.abs(w - n));
      worst.webTorch = Math.max(worst.webTorch, Math.abs(w - t));
      worst.nativeTorch = Math.max(worst.nativeTorch, Math.abs(n - t));
      const isNear = Math.abs(t) < 1e-4;
      if (isNear) near += 1;
      const differs = (w >= 0) !== (n >= 0) || (w >= 0) !== (t >= 0);
      if (differs) { flips += 1; if (!isNear) flipsAway += 1; }
    }
    rows.push({ bits, ...worst, valuesWithin1e4OfZero: near, codeBitsThatDiffer: flips });
    for (const [k, v] of Object.entries(worst)) assert.ok(v <= 1e-4, `${bits} bits: max |${k}| = ${v}`);
    assert.equal(flipsAway, 0, `${bits} bits: a code bit differs where no value is within 1e-4 of zero`);
    report(`nphash${bits}: max |web - native| ${worst.webNative.toExponential(1)}, |web - libtorch| ${worst.webTorch.toExponential(1)}, ` +
      `|native - libtorch| ${worst.nativeTorch.toExponential(1)}; ${near} of ${NQ * bits} values within 1e-4 of zero; ${flips} code bits differ`);
  }
  saveArtifact('ort-agreement.json', JSON.stringify({ queries: NQ, rows }, null, 1));
});

test('Cancel stops the model run; a model that cannot be had or does not fit the data is named, and the lab keeps working', async () => {
  const cancelled = await page.evaluate(async () => {
    const api = window.annlab;
    const p = api.build('NPHash128').then(() => 'built', (e) => e.message);
    for (;;) {
      const st = api.buildProgress();
      if (/encoding/.test(st.stage || '') && st.progress > 0.05) break;
      await new Promise((r) => requestAnimationFrame(r));
    }
    api.cancelBuild();
    const message = await p;
    const rows0 = api.modelStats().rows;
    for (let i = 0; i < 20; ++i) await new Promise((r) => requestAnimationFrame(r));
    return { message, stats: api.modelStats(), rows0, index: api.info().index };
  });
  assert.equal(cancelled.message, 'cancelled');
  assert.equal(cancelled.stats.activeRuns, 0);
  assert.ok(cancelled.stats.rows - cancelled.rows0 <= 4096, 'at most the piece under way finishes after Cancel');
  assert.equal(cancelled.index, 'NPHash64', 'the index built before stays');

  const missing = await page.evaluate(() => window.annlab.build('NPHash64', 'model=models/missing.json').then(() => 'built', (e) => e.message));
  assert.equal(missing, 'build failed: /models/missing.json: cannot fetch models/missing.json: HTTP 404 Not Found');
  const blobs = await page.evaluate(async () => {
    await window.annlab.loadDataset('blobs');
    return window.annlab.build('NPHash64').then(() => 'built', (e) => e.message);
  });
  assert.equal(blobs, 'build failed: models/nphash64.json: the model takes vectors of dimension 784; the data has 2');
  assert.equal((await page.evaluate(() => window.annlab.build('LSH8x4', 'seed=1'))).index, 'LSH8x4');
  assert.equal((await page.evaluate(() => window.annlab.setQuery(3))).valid, true);
  // The browser itself logs the 404 of the missing model; nothing else went wrong.
  assert.deepEqual(page.errors.filter((e) => !/status of 404/.test(e)), []);
});

test('an ONNX file of your own dropped on the page becomes the learned encoder, checked against the data', async () => {
  const bytes = Array.from(readFileSync(join(ROOT, 'models/nphash64.onnx')));
  const out = await page.evaluate(async (arr) => {
    const api = window.annlab;
    const loaded = api.loadFile('my model.onnx', new Uint8Array(arr));
    const built = await api.build('NPHash64', `model=${loaded.path}`).then(() => 'built', (e) => e.message);
    return { loaded, built, data: api.info().dataset };
  }, bytes);
  assert.equal(out.loaded.path, 'models/user/my_model.onnx');
  assert.equal(out.loaded.note, 'my_model.onnx: the model of NPHash64 (its bits must be the model\'s outputs): press Build');
  // A bare ONNX file has no manifest: its shape comes from the file itself, and it does not fit 2-D blobs.
  assert.equal(out.data, '2-D blobs');
  assert.equal(out.built, 'build failed: models/user/my_model.onnx: the model takes vectors of dimension 784; the data has 2');
  assert.deepEqual(page.errors.filter((e) => !/status of 404/.test(e)), []);
});

test('where the page is cross-origin isolated ONNX Runtime Web uses threads, and answers the same', async () => {
  const isolated = await serve(BUNDLE, 8773, true);
  const p = await openLab(b, isolated.url + '?space=raw');
  try {
    const r = await p.evaluate(async () => {
      const built = await window.annlab.build('NPHash64');
      const q = await window.annlab.setQuery(5);
      return { isolated: self.crossOriginIsolated, cores: navigator.hardwareConcurrency, built: built.index, stats: window.annlab.modelStats(), method: q.method };
    });
    assert.equal(r.isolated, true);
    assert.equal(r.built, 'NPHash64');
    assert.equal(r.stats.threads, Math.max(1, Math.min(4, r.cores)));
    const native = nativeIds(['--base', B, '--index', 'NPHash64', '--param', 'model=models/nphash64.json']);
    assert.deepEqual(r.method, native[5]);
    report(`cross-origin isolated page: ONNX Runtime Web on ${r.stats.threads} threads, the same answer`);
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
    isolated.close();
  }
});
