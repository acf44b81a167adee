// The browser lab in headless Chromium (offline, WebGL2 through SwiftShader).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, BUNDLE, NATIVE_CLI, ROOT, browser, bytesSent, decodePng, nativeSearch, openLab, pngVariety,
         report, saveArtifact, serve } from './harness.mjs';

let server, b, page;

before(async () => {
  server = await serve(BUNDLE, 8765);
  b = await browser();
  const t0 = Date.now();
  page = await openLab(b, server.url + '?space=raw');  // the native CLI's raw-pixel base
  const first = await page.evaluate(() => window.annlab.setQuery(0));
  report(`navigation to first result: ${Date.now() - t0} ms (page ready after ${page.readyMs} ms)`);
  report(`downloaded: ${(await bytesSent(server) / 1e6).toFixed(1)} MB gzip (${(
    (await page.evaluate(() => window.annlab.loadStats.bytes)) / 1e6).toFixed(1)} MB uncompressed)`);
  assert.equal(first.valid, true);
});

after(async () => {
  await b?.close();
  server?.close();
});

test('the page loads Fashion-MNIST and reports its build', async () => {
  const info = await page.evaluate(() => window.annlab.info());
  assert.equal(info.dataset, 'Fashion-MNIST');
  assert.equal(info.n, 60000);
  assert.equal(info.d, 784);
  assert.equal(info.simd, 'simd128');
  assert.equal(await page.evaluate(() => window.annlab.loadStats.crossOriginIsolated), true);
});

test('a search through the JS API equals the native CLI for the same query and index', async () => {
  for (const [spec, params] of [['LSH12x8', ['seed=7']], ['Flat', []], ['LSHx4', ['seed=3', 'bucket_size=30']],
                                ['Tokens16x16', ['seed=3']], ['ITQ64', ['seed=5']]]) {
    const web = await page.evaluate(async ([s, p]) => {
      await window.annlab.build(s, p.join(' '));
      const q = window.annlab.queryVector(5);
      return { q, r: window.annlab.search(q, 10) };
    }, [spec, params]);
    const native = nativeSearch(web.q, spec, params, 10);
    assert.deepEqual(web.r.ids, native, `${spec}: browser ${web.r.ids} vs native ${native}`);
  }
});

test('the JS API lists the same method registry as the native CLI, and says what distances are', async () => {
  const methods = await page.evaluate(() => window.annlab.methods());
  const cli = execFileSync(NATIVE_CLI, ['methods'], { encoding: 'utf8' });
  const grammars = cli.split('\n').filter((l) => /^[A-Z]/.test(l)).map((l) => l.split(' ')[0]);
  assert.deepEqual(methods.map((m) => m.grammar), grammars);
  const ivfpq = methods.find((m) => m.name === 'IVFPQ');
  assert.equal(ivfpq.grammar, 'IVF<nlist>,PQ<M>');
  assert.deepEqual(ivfpq.search.map((p) => p.name), ['nprobe', 'rerank']);
  const router = methods.find((m) => m.name === 'Router');
  assert.equal(router.implemented, true);
  assert.deepEqual(router.search.map((p) => p.name), ['nprobe', 'rerank']);
  assert.deepEqual(methods.find((m) => m.name === 'NPHash').build.map((p) => [p.name, p.type]), [['model', 'text']]);
  const kinds = await page.evaluate(async () => {
    const q = window.annlab.queryVector(3);
    await window.annlab.build('SimHash64', 'seed=2');
    const ham = window.annlab.search(q, 5).distanceKind;
    const l2 = window.annlab.search(q, 5, 'rerank=50').distanceKind;
    const built = await window.annlab.build('PQ16', 'seed=2');
    const pq = window.annlab.search(q, 5).distanceKind;
    await window.annlab.build('ITQ64', 'seed=5');  // the index the tests before this one left
    return { ham, l2, pq, bytes: built };
  });
  assert.deepEqual([kinds.ham, kinds.l2, kinds.pq], ['Hamming', 'squared L2', 'estimated squared L2']);
  // PQ16 owns its codes and codebooks (60,000 x 16 bytes, 16 x 256 x 49 floats); the base vectors
  // are the data set's, shown beside.
  assert.equal(kinds.bytes.bytes, 60000 * 16 + 16 * 256 * 49 * 4);
  assert.equal(kinds.bytes.baseBytes, 60000 * 784);
  report(`PQ16 in the browser: ${(kinds.bytes.bytes / 1e6).toFixed(2)} MB own, ${(kinds.bytes.baseBytes / 1e6).toFixed(1)} MB base vectors shared`);
});

test('a click on the map changes the results panel', async () => {
  const before = await page.evaluate(() => window.annlab.results());
  await page.mouse.click(560, 420);
  await page.waitForFunction((s) => window.annlab.results().serial > s, before.serial, { timeout: 10000 });
  const afterClick = await page.evaluate(() => window.annlab.results());
  assert.equal(afterClick.valid, true);
  assert.match(afterClick.query, /^base point \d+$/);
  // The clicked image is the query: it is left out of both answers (not its own neighbour).
  const self = Number(afterClick.query.split(' ')[2]);
  assert.equal(afterClick.selfExcluded, self);
  assert.ok(!afterClick.exact.includes(self) && !afterClick.method.includes(self), 'the clicked image is in neither answer');
  assert.ok(afterClick.timedRuns >= 5 || afterClick.tooFastToTime, `a median over ${afterClick.timedRuns} runs`);
  await page.keyboard.press('r');
  await page.waitForFunction((s) => window.annlab.results().serial > s, afterClick.serial, { timeout: 10000 });
  assert.match(await page.evaluate(() => window.annlab.results().query), /^held-out query \d+$/);
});

test('JS API errors are Errors with the core message, and the page keeps working', async () => {
  const errors = await page.evaluate(async () => {
    const out = [];
    for (const f of [() => window.annlab.build('Foo'), () => window.annlab.search([1, 2, 3], 10),
                     () => window.annlab.build('LSH8x4', 'seed=-1'), () => window.annlab.search(window.annlab.queryVector(0), 0),
                     () => window.annlab.queryVector(10000)]) {
      try { await f(); out.push('no error'); } catch (e) { out.push(`${e.constructor.name}: ${e.message}`); }
    }
    return out;
  });
  assert.match(errors[0], /^Error: unknown index description 'Foo': expected one of Flat, LSH<b>x<L>/);
  assert.equal(errors[1], 'Error: query dimension 3 != data dimension 784');
  assert.equal(errors[2], "Error: parameter seed: '-1' is not an unsigned 64-bit integer");
  assert.equal(errors[3], 'Error: k = 0: ask for at least one neighbour');
  assert.equal(errors[4], 'Error: query 10000 is outside 0..9999');
  const r = await page.evaluate(() => window.annlab.search(window.annlab.queryVector(1), 10));
  assert.equal(r.ids.length, 10);
});

test('MNIST downloads on demand and the lab switches data sets', async () => {
  const info = await page.evaluate(() => window.annlab.loadDataset('mnist'));
  assert.equal(info.dataset, 'MNIST');
  assert.equal(info.n, 9000);
  const back = await page.evaluate(() => window.annlab.loadDataset('fashion-mnist'));
  assert.equal(back.n, 60000);
});

test('Flat QPS in the browser against native on the same queries', async () => {
  const nq = 200;
  const web = await page.evaluate(async (n) => {
    await window.annlab.build('Flat');
    const qs = Array.from({ length: n }, (_, i) => new Float32Array(window.annlab.queryVector(i)));
    const t0 = performance.now();
    for (const q of qs) window.annlab.search(q, 10);
    return { qps: n / ((performance.now() - t0) / 1000), qs: qs.map((q) => Array.from(q)) };
  }, nq);
  // The same queries, written for the native CLI.
  const d = web.qs[0].length, buf = Buffer.alloc(nq * (4 + 4 * d));
  web.qs.forEach((q, i) => { buf.writeInt32LE(d, i * (4 + 4 * d)); q.forEach((v, j) => buf.writeFloatLE(v, i * (4 + 4 * d) + 4 + 4 * j)); });
  const qf = join(ARTIFACTS, 'queries-200.fvecs'), gf = join(ARTIFACTS, 'gt-200.ivecs');
  writeFileSync(qf, buf);
  const base = join(ROOT, 'assets/data/fashion-mnist-base.alds');
  execFileSync(NATIVE_CLI, ['gt', '--base', base, '--query', qf, '--k', '10', '--out', gf]);
  const line = execFileSync(NATIVE_CLI, ['bench', '--base', base, '--query', qf, '--gt', gf, '--index', 'Flat'],
    { encoding: 'utf8' }).split('\n').find((l) => l.startsWith('Flat'));
  const native = Number(line.trim().split(/\s+/)[5]);
  report(`Flat QPS one query at a time (${nq} queries): browser ${web.qps.toFixed(1)}, native ${native.toFixed(1)}, ` +
         `browser/native ${(web.qps / native).toFixed(2)}`);
  assert.ok(web.qps > 0 && native > 0);
});

test('the canvas is drawn: a screenshot that is not blank', async () => {
  await page.evaluate(async () => { await window.annlab.build('LSH12x8', 'seed=7'); window.annlab.setQuery(5); });
  await page.waitForTimeout(500);
  const png = await page.screenshot();
  saveArtifact('browser.png', png);
  const v = pngVariety(decodePng(png));
  assert.ok(v.colours > 50, `only ${v.colours} colours`);
  assert.ok(v.nonBackground > 0.3, `only ${(100 * v.nonBackground).toFixed(1)}% drawn`);
  assert.deepEqual(page.errors, []);
});
