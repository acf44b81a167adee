// Watching every method think, in headless Chromium: the map that keeps neighbours together
// (shipped with Fashion-MNIST; computed in the page for a person's file, equal to the native CLI's;
// refused above the page's cap), the stepper through a query of each family, "why was it missed"
// with the parameter it names, and indexes side by side under one view. Screenshots go to
// out/test-artifacts (docs/lab.md shows them).
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { ARTIFACTS, BUNDLE, NATIVE_CLI, ROOT, browser, openLab, readFvecs, report, serve } from './harness.mjs';

let server, b, page;
before(async () => {
  server = await serve(BUNDLE, 8776);
  b = await browser();
  page = await openLab(b, server.url, { width: 1440, height: 860 });
  page.requests = [];
  page.on('request', (r) => page.requests.push(new URL(r.url()).pathname));
});
after(async () => { await b?.close(); server?.close(); });

const frames = (n) => page.evaluate((k) => new Promise((r) => {
  let left = k;
  const f = () => (--left <= 0 ? r() : requestAnimationFrame(f));
  requestAnimationFrame(f);
}), n);
const A = (f) => join(ROOT, 'assets/data', f);
// Zooms the map in around the query (the wheel, as a person does), for screenshots that show it.
async function zoomToQuery(clicks = 4) {
  await page.evaluate(() => window.annlab.mapFit());
  await frames(2);
  const st = await page.evaluate(() => window.annlab.mapState());
  const p = st.panes[0];
  const x = p.x + p.width / 2 + (st.queryX - st.cx) * st.scale, y = p.y + p.height / 2 - (st.queryY - st.cy) * st.scale;
  await page.mouse.move(x, y);
  for (let i = 0; i < clicks; ++i) {
    await page.mouse.wheel(0, -120);
    await frames(2);
  }
  await page.mouse.move(2, 850);  // no hover tooltip over the map
  await frames(2);
}

test('the layout ships with Fashion-MNIST: shown at once, nothing downloaded, and it keeps far more neighbours than PCA', async () => {
  const before = page.requests.length;
  await page.screenshot({ path: join(ARTIFACTS, 'map-pca.png') });
  const st = await page.evaluate(() => window.annlab.setMap('umap'));
  assert.equal(st.kind, 'umap');
  assert.equal(st.hasLayout, true);
  assert.deepEqual(page.requests.slice(before), [], 'switching the map downloads nothing');
  const pts = await page.evaluate(() => window.annlab.mapPoints(0, 500));
  const shipped = readFvecs(A('fashion-mnist-base.cnn64.umap.fvecs'));
  assert.deepEqual(pts, Array.from(shipped.data.slice(0, 1000)), 'the page shows the shipped layout');
  await frames(3);
  await page.screenshot({ path: join(ARTIFACTS, 'map-umap.png') });
  // Neighbour preservation@10 of the shipped maps (2,000 points sampled), in each space.
  const kept = (base, xy) => Number(execFileSync(NATIVE_CLI, ['layout', '--base', A(base), '--xy', A(xy), '--report', '10'],
    { encoding: 'utf8' }).match(/: ([0-9.]+) \(/)[1]);
  const raw = { umap: kept('fashion-mnist-base.alds', 'fashion-mnist-base.umap.fvecs'),
                pca: kept('fashion-mnist-base.alds', 'fashion-mnist-base.pca2.fvecs') };
  const cnn = { umap: kept('fashion-mnist-base.cnn64.alds', 'fashion-mnist-base.cnn64.umap.fvecs') };
  report(`neighbour preservation@10 on Fashion-MNIST raw pixels: layout ${raw.umap}, PCA ${raw.pca} ` +
         `(${(raw.umap / raw.pca).toFixed(1)}x); CNN-64 layout ${cnn.umap}`);
  assert.ok(raw.umap > 3 * raw.pca, `the layout keeps well over 3x PCA's neighbours (${raw.umap} vs ${raw.pca})`);
  assert.deepEqual(page.errors, []);
});

// Byte-valued vectors (distances exact in float, as for images): the page's layout must equal the
// native CLI's bit for bit.
function byteFile(n, d, seed) {
  let s = seed >>> 0;
  const rnd = () => ((s = (Math.imul(s, 1664525) + 1013904223) >>> 0) / 4294967296);
  const centres = Array.from({ length: 6 }, () => Array.from({ length: d }, () => 40 + rnd() * 175));
  const buf = Buffer.alloc(n * (4 + 4 * d));
  for (let i = 0; i < n; ++i) {
    buf.writeInt32LE(d, i * (4 + 4 * d));
    const c = centres[i % 6];
    for (let j = 0; j < d; ++j) {
      const v = Math.max(0, Math.min(255, Math.round(c[j] + (rnd() + rnd() + rnd() - 1.5) * 50)));
      buf.writeFloatLE(v, i * (4 + 4 * d) + 4 + 4 * j);
    }
  }
  return buf;
}

test('a layout of your own file is computed in the page in steps, equals the native CLI\'s, and is refused above the cap', async () => {
  const file = join(ARTIFACTS, 'bytes-2500x24.fvecs');
  writeFileSync(file, byteFile(2500, 24, 9));
  const bytes = Array.from(byteFile(2500, 24, 9));
  await page.evaluate(async (b) => window.annlab.loadVectors('bytes-2500x24.fvecs', new Uint8Array(b)), bytes);
  const t0 = Date.now();
  const st = await page.evaluate(() => window.annlab.setMap('umap'));
  const ms = Date.now() - t0;
  assert.equal(st.kind, 'umap');
  assert.equal(st.cap, 20000);
  const info = await page.evaluate(() => window.annlab.info());
  const web = await page.evaluate((n) => window.annlab.mapPoints(0, n), info.n);
  // The native CLI on the same split (the lab's: annlab split) and the same default parameters.
  const sb = join(ARTIFACTS, 'bytes-base.alds'), xy = join(ARTIFACTS, 'bytes-base.umap.fvecs');
  execFileSync(NATIVE_CLI, ['split', '--in', file, '--base-out', sb, '--query-out', join(ARTIFACTS, 'bytes-query.alds')]);
  execFileSync(NATIVE_CLI, ['layout', '--base', sb, '--out', xy]);
  const native = readFvecs(xy);
  assert.equal(native.n, info.n);
  assert.deepEqual(web, Array.from(native.data), 'the page\'s layout equals the native one bit for bit');
  report(`layout of ${info.n} points (d = 24) computed in the page in ${(ms / 1000).toFixed(1)} s between frames; equal to the native CLI's`);
  await page.screenshot({ path: join(ARTIFACTS, 'map-own-file-umap.png') });
  // Over the cap: refused with the reason, and the PCA map stays.
  // A 3-d file (2-D data are their own map).
  const big3 = Buffer.alloc(22000 * 16);  // 21,000 base rows after the held-out 1,000
  for (let i = 0; i < 22000; ++i) {
    big3.writeInt32LE(3, i * 16);
    big3.writeFloatLE(i % 97, i * 16 + 4);
    big3.writeFloatLE(i % 89, i * 16 + 8);
    big3.writeFloatLE(i % 83, i * 16 + 12);
  }
  await page.evaluate(async (b) => window.annlab.loadVectors('big.fvecs', new Uint8Array(b)), Array.from(big3));
  const err = await page.evaluate(async () => {
    try { await window.annlab.setMap('umap'); return 'no error'; } catch (e) { return e.message; }
  });
  assert.match(err, /^a layout of 21000 points is over this page's limit of 20000 .* compute it with `annlab layout --base big\.fvecs --out XY\.fvecs` natively/);
  assert.equal((await page.evaluate(() => window.annlab.mapState())).kind, 'pca');
  assert.deepEqual(page.errors, []);
});

// One method per family, with a query that misses at a low setting: the stepper replays its trace
// to the search's answer and counts; screenshots mid-trace.
const FAMILIES = [
  ['cells', 'IVF64,Flat', 'seed=1', 'nprobe=1'],
  ['buckets', 'LSH14x4', 'seed=3', 'probes=1'],
  ['graph', 'HNSW8', '', 'efSearch=4'],
  ['tree', 'KDTree16', '', 'leaves=4'],
  ['codes', 'SimHash64', 'seed=2', 'rerank=0'],
  ['pq', 'PQ8', 'seed=2', 'rerank=0'],
  ['tokens', 'Tokens8x64', 'seed=3', 'rerank=0'],
  // The learned router (ONNX Runtime Web in the page): its cells are raw-pixel k-means.
  ['learned', 'Router100', '', 'nprobe=1', 'raw'],
];
const linkOf = (spec, build, search, q, space = 'cnn64') =>
  `v=1&data=fashion-mnist${space === 'raw' ? '' : '&space=' + space}&layout=umap&index=${encodeURIComponent(spec)}&` +
  `${build ? build + '&' : ''}${search}&k=10&q=h${q}`;

test('the stepper replays a query of each family to the search\'s answer and counts', async () => {
  await page.evaluate(() => window.annlab.loadDataset('fashion-mnist'));
  await page.evaluate(() => window.annlab.setMap('umap'));
  for (const [family, spec, build, search, space] of FAMILIES) {
    const r = await page.evaluate(async (link) => {
      await window.annlab.openView(link);
      return window.annlab.settled();
    }, linkOf(spec, build, search, 3, space));
    assert.equal(r.valid, true, spec);
    const st = await page.evaluate(() => {
      window.annlab.stepper('start');
      window.annlab.stepper('step');
      window.annlab.stepper('step');
      return window.annlab.stepperState();
    });
    assert.equal(st.active, true);
    assert.ok(st.position >= 2 && st.position < st.events, `${spec}: two steps are inside the trace`);
    const mid = Math.floor(st.events * 0.4);
    await page.evaluate((m) => window.annlab.stepper('seek', m), mid);
    await zoomToQuery();
    await page.screenshot({ path: join(ARTIFACTS, `step-${family}.png`) });
    const end = await page.evaluate(() => window.annlab.stepper('seek', 1e9));
    assert.deepEqual(end.bestIds, r.method.filter((id) => id >= 0), `${spec}: the replay ends with the search's answer`);
    assert.equal(end.counts.distances, r.stats.distances, `${spec}: and its distances`);
    assert.equal(end.counts.cells, r.stats.cells);
    assert.equal(end.counts.buckets, r.stats.buckets);
    assert.equal(end.counts.nodes, r.stats.nodes);
    // Play advances by itself over frames.
    await page.evaluate(() => { window.annlab.stepper('seek', 0); window.annlab.stepper('play', 0); });
    await frames(10);
    const played = await page.evaluate(() => window.annlab.stepperState());
    assert.ok(played.position > 0, `${spec}: Play advanced (${played.position})`);
    await page.evaluate(() => window.annlab.stepper('stop'));
  }
  assert.deepEqual(page.errors, []);
});

test('why was it missed: a reason per missed neighbour, and the parameter it names finds it', async () => {
  const seen = new Set();
  for (const [family, spec, build, search, space] of FAMILIES) {
    const found = await page.evaluate(async (link) => {
      await window.annlab.openView(link);
      for (let q = 0; q < 40; ++q) {
        await window.annlab.setQuery(q);
        const r = await window.annlab.settled();
        const m = window.annlab.misses();
        if (m.length) return { q, misses: m, vector: window.annlab.queryVector(q), method: r.method };
      }
      return null;
    }, linkOf(spec, build, search, 0, space));
    assert.ok(found, `${spec}: some query of the first 40 misses at ${search}`);
    const m = found.misses[0];
    seen.add(m.stage);
    assert.ok(m.sentence.startsWith(`true #${m.trueRank} (id ${m.id})`), m.sentence);
    assert.ok(!found.method.includes(m.id));
    report(`${spec} ${search}, held-out query ${found.q}: ${m.sentence}`);
    if (m.stage !== 'tie' && m.fix.length) {
      // Set the parameters it names, as a person would (a link with them), and search the query again.
      const set = new Map(search.split('&').map((kv) => kv.split('=')));
      for (const f of m.fix) set.set(f.name, String(f.value));
      const params = [...set].map(([k, v]) => `${k}=${v}`).join('&');
      const again = await page.evaluate(async (link) => {
        await window.annlab.openView(link);
        return window.annlab.settled();
      }, linkOf(spec, build, params, found.q, space));
      assert.ok(again.method.includes(m.id), `${spec}: re-running with ${params} finds ${m.id}`);
      await page.evaluate(async (link) => { await window.annlab.openView(link); return window.annlab.settled(); },
                          linkOf(spec, build, search, found.q, space));
    }
    await page.evaluate(() => window.annlab.focusMiss(0));
    await zoomToQuery(4);
    const legend = (await page.evaluate(() => window.annlab.mapState())).legend;
    assert.ok(legend.includes('the missed neighbour and where it was lost'), `${spec}: the clicked reason is on the map`);
    await page.screenshot({ path: join(ARTIFACTS, `why-${family}.png`) });
  }
  for (const stage of ['cell', 'bucket', 'graph', 'leaf', 'code rank', 'tokens'])
    assert.ok(seen.has(stage), `a '${stage}' reason was met (${[...seen]})`);
  assert.deepEqual(page.errors, []);
});

test('side by side: two methods on one query, split panes under one view, one table', async () => {
  await page.evaluate(async () => {
    await window.annlab.openView('v=1&data=fashion-mnist&space=cnn64&layout=umap&index=IVF64,Flat&seed=1&nprobe=2&k=10&q=h7');
    window.annlab.pinIndex();
    await window.annlab.build('HNSW16');
    window.annlab.setQuery(7);
  });
  await frames(4);
  const pinned = await page.evaluate(() => window.annlab.pinned());
  assert.equal(pinned.length, 1);
  assert.match(pinned[0].title, /^IVF64,Flat nprobe=2/);
  assert.equal(pinned[0].valid, true);
  const st = await page.evaluate(() => window.annlab.mapState());
  assert.equal(st.panes.length, 2);
  assert.equal(st.panes[0].width, st.panes[1].width);
  assert.equal(st.panes[0].height, st.panes[1].height);
  // A point's place relative to its pane's centre is the same in both: one view transform.
  const at = (p, x, y) => [p.x + p.width / 2 + (x - st.cx) * st.scale - p.x, p.y + p.height / 2 - (y - st.cy) * st.scale - p.y];
  const [x0, y0] = await page.evaluate(() => window.annlab.mapPoints(0, 1));
  assert.deepEqual(at(st.panes[0], x0, y0), at(st.panes[1], x0, y0));
  await page.screenshot({ path: join(ARTIFACTS, 'side-by-side.png') });
  // Dragging in the second pane pans both.
  const p = st.panes[1];
  await page.mouse.move(p.x + p.width / 2, p.y + p.height / 2);
  await page.mouse.down();
  for (let i = 1; i <= 6; ++i) await page.mouse.move(p.x + p.width / 2 + 15 * i, p.y + p.height / 2 + 5 * i);
  await page.mouse.up();
  await frames(3);
  const after = await page.evaluate(() => window.annlab.mapState());
  assert.ok(after.cx < st.cx, `the drag moved the shared view (${st.cx} -> ${after.cx})`);
  assert.equal(after.panes.length, 2);
  await page.screenshot({ path: join(ARTIFACTS, 'side-by-side-panned.png') });
  assert.deepEqual(page.errors, []);
});
