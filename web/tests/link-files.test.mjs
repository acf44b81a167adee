// A link that reopens the view, files in and out, a build that keeps the page drawing, and the
// layout at 1,024 x 768: what a newcomer does, in headless Chromium.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { BUNDLE, browser, decodePng, openLab, serve, saveArtifact, report } from './harness.mjs';

let server, b;
before(async () => {
  server = await serve(BUNDLE, 8771);
  b = await browser();
});
after(async () => { await b?.close(); server?.close(); });

const settle = (page) => page.waitForFunction(() => !window.annlab.info().viewPending && !window.annlab.info().building &&
  window.annlab.results().valid, null, { timeout: 240000 });
const frames = (page, n) => page.evaluate((k) => new Promise((r) => {
  let left = k;
  const f = () => (--left <= 0 ? r() : requestAnimationFrame(f));
  requestAnimationFrame(f);
}), n);

// The map area of a screenshot: the share of its pixels that differ between two screenshots.
function mapDifference(pngA, pngB, l) {
  const a = decodePng(pngA), c = decodePng(pngB);
  let differ = 0, total = 0;
  for (let y = Math.ceil(l.mapTop); y < Math.floor(l.mapTop + l.mapHeight); ++y) {
    for (let x = Math.ceil(l.mapLeft); x < Math.floor(l.mapLeft + l.mapWidth); ++x) {
      const i = (y * a.width + x) * a.channels, j = (y * c.width + x) * c.channels;
      ++total;
      if (Math.abs(a.data[i] - c.data[j]) + Math.abs(a.data[i + 1] - c.data[j + 1]) + Math.abs(a.data[i + 2] - c.data[j + 2]) > 24) ++differ;
    }
  }
  return differ / total;
}

test('a link reopens the view: the same controls, query, answer ids and map', async () => {
  const viewport = { width: 1280, height: 800 };
  const a = await openLab(b, `${server.url}?data=blobs`, viewport);
  try {
    // A view set up as a person would: data, index with its build and search values, k, a query.
    await a.evaluate(() => window.annlab.openView(
      'v=1&data=blobs&points=3000&blobs=6&data_seed=5&index=IVF16,Flat&seed=4&nprobe=3&k=7&q=h12&show=structure'));
    await settle(a);
    // Zoom the map with the wheel: the framing is part of the view.
    const l = await a.evaluate(() => window.annlab.layout());
    await a.mouse.move(l.mapLeft + l.mapWidth * 0.4, l.mapTop + l.mapHeight * 0.45);
    await a.mouse.wheel(0, -240);
    await frames(a, 10);
    const href = await a.evaluate(() => location.href);
    const linkA = await a.evaluate(() => window.annlab.link());
    assert.equal(href, linkA.link, 'the address is the link of what is on screen');
    assert.match(linkA.query, /^v=1&data=blobs&points=3000&blobs=6&data_seed=5&index=IVF16,Flat&seed=4&nprobe=3&k=7&q=h12&map=[-0-9.e,]+&show=structure&table=0$/);
    const zoomA = Number(linkA.query.match(/map=[^,]+,[^,]+,([^&]+)/)[1]);
    assert.ok(zoomA > 1.2, `the wheel zoomed in (zoom ${zoomA})`);
    const resA = await a.evaluate(() => window.annlab.results());
    const shotA = await a.screenshot();
    saveArtifact('link-before.png', shotA);

    // The link opened in a new page: it rebuilds and restores everything.
    const c = await openLab(b, href, viewport);
    try {
      await settle(c);
      const resC = await c.evaluate(() => window.annlab.results());
      assert.equal(resC.query, 'held-out query 12');
      assert.equal(resC.k, 7);
      assert.deepEqual(resC.method, resA.method, 'the same answer ids');
      assert.deepEqual(resC.exact, resA.exact);
      assert.equal(resC.stats.cells, 3, 'nprobe 3: three cells probed');
      const info = await c.evaluate(() => window.annlab.info());
      assert.equal(info.index, 'IVF16,Flat');
      assert.equal(info.n, 3000);
      const linkC = await c.evaluate(() => window.annlab.link());
      const noMap = (q) => q.replace(/&map=[^&]+/, '');
      assert.equal(noMap(linkC.query), noMap(linkA.query), 'every control restored');
      const zoomC = Number(linkC.query.match(/map=[^,]+,[^,]+,([^&]+)/)[1]);
      assert.ok(Math.abs(zoomC - zoomA) < 1e-3, `the same zoom (${zoomC} vs ${zoomA})`);
      await frames(c, 5);
      const shotC = await c.screenshot();
      saveArtifact('link-after.png', shotC);
      const diff = mapDifference(shotA, shotC, await c.evaluate(() => window.annlab.layout()));
      report(`link round trip: the reopened map differs from the original in ${(100 * diff).toFixed(2)} % of its pixels`);
      assert.ok(diff < 0.01, `the reopened map looks the same (${(100 * diff).toFixed(2)} % of pixels differ)`);
      assert.deepEqual(c.errors, []);
    } finally {
      await c.close();
    }
    assert.deepEqual(a.errors, []);
  } finally {
    await a.close();
  }
});

test('a Fashion-MNIST link with a clicked image restores it, left out of both answers', async () => {
  const a = await openLab(b, server.url);
  try {
    await a.evaluate(() => window.annlab.build('LSH12x8', 'seed=7'));
    const l = await a.evaluate(() => window.annlab.layout());
    await a.mouse.click(l.mapLeft + l.mapWidth * 0.5, l.mapTop + l.mapHeight * 0.5);
    await a.waitForFunction(() => /^base point/.test(window.annlab.results().query));
    const resA = await a.evaluate(() => window.annlab.results());
    const linkA = await a.evaluate(() => window.annlab.link());
    assert.match(linkA.query, /^v=1&data=fashion-mnist&space=cnn64&index=LSH12x8&seed=7&probes=1&k=10&q=b\d+&map=/);
    const c = await openLab(b, linkA.link);
    try {
      await settle(c);
      const resC = await c.evaluate(() => window.annlab.results());
      assert.equal(resC.query, resA.query);
      assert.equal(resC.selfExcluded, resA.selfExcluded);
      assert.deepEqual(resC.method, resA.method);
      assert.deepEqual(resC.exact, resA.exact);
      assert.ok(!resC.method.includes(resC.selfExcluded) && !resC.exact.includes(resC.selfExcluded));
      assert.deepEqual(c.errors, []);
    } finally {
      await c.close();
    }
  } finally {
    await a.close();
  }
});

test('a bad link says why on the page and opens the default view', async () => {
  const p = await openLab(b, `${server.url}?v=1&data=blobs&index=LSH8x4&nprobe=2`);
  try {
    const notice = await p.evaluate(() => window.annlabNotice);
    assert.equal(notice, "This link cannot be opened: the link sets 'nprobe', which LSH8x4 does not take. Showing blobs instead.");
    assert.equal((await p.evaluate(() => window.annlab.info())).index, '');
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
  }
});

async function download(page, action) {
  const [d] = await Promise.all([page.waitForEvent('download'), page.evaluate(action)]);
  return { name: d.suggestedFilename(), bytes: readFileSync(await d.path()) };
}

async function drop(page, name, bytes) {
  await page.evaluate(([n, data]) => {
    const dt = new DataTransfer();
    dt.items.add(new File([new Uint8Array(data)], n));
    window.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
  }, [name, Array.from(bytes)]);
  await frames(page, 5);
}

test('files out (index, CSV, PNG) and in (the index file and a labels file, dropped on the page)', async () => {
  const p = await openLab(b, `${server.url}?data=blobs`);
  try {
    await p.evaluate(() => window.annlab.build('LSH8x4', 'seed=3'));
    await p.evaluate(() => window.annlab.setQuery(4));
    const res = await p.evaluate(() => window.annlab.results());
    const idx = await download(p, () => window.annlab.downloadIndex());
    assert.equal(idx.name, 'annlab-2-D_blobs-LSH8x4.annlab');
    assert.equal(idx.bytes.subarray(0, 8).toString('latin1'), 'ANNLABIX');
    const csv = await download(p, () => window.annlab.downloadCsv());
    assert.equal(csv.name, 'annlab-2-D_blobs-LSH8x4-results.csv');
    const rows = csv.bytes.toString('utf8').trim().split('\n');
    assert.equal(rows.length, 1 + 10);
    assert.equal(rows[1].split(',')[3], String(res.exact[0]), 'the first row is the first exact neighbour');
    assert.equal(rows[1].split(',')[6], String(res.method[0]), 'beside the method\'s first answer');
    assert.equal(csv.bytes.toString('utf8'), await p.evaluate(() => window.annlab.resultsCsv()));
    const png = await download(p, () => window.annlab.saveMapPng());
    assert.equal(png.name, 'annlab-2-D_blobs-LSH8x4-map.png');
    const img = decodePng(png.bytes);
    const l = await p.evaluate(() => window.annlab.layout());
    assert.equal(img.width, Math.floor(l.mapWidth));
    assert.equal(img.height, Math.floor(l.mapHeight));
    const colours = new Set();
    for (let i = 0; i < img.data.length; i += img.channels * 7) colours.add(img.data.readUIntBE(i, 3));
    assert.ok(colours.size > 20, `the PNG is the drawn map (${colours.size} colours)`);
    saveArtifact('map-export.png', png.bytes);

    // Dropped back: the index file is the index (no build), answering the same.
    await p.evaluate(() => window.annlab.build('Flat'));
    await drop(p, idx.name, idx.bytes);
    const info = await p.evaluate(() => window.annlab.info());
    assert.equal(info.index, 'LSH8x4');
    assert.equal(info.fileNote, 'loaded annlab-2-D_blobs-LSH8x4.annlab: LSH8x4');
    assert.deepEqual((await p.evaluate(() => window.annlab.setQuery(4))).method, res.method);
    // A labels file: one integer per row, in the data set's row order (2,000 base, then 200 queries).
    const labels = 'label\n' + Array.from({ length: 2200 }, (_, i) => (i < 1000 ? 0 : 1)).join('\n') + '\n';
    await drop(p, 'halves.csv', Buffer.from(labels));
    assert.equal((await p.evaluate(() => window.annlab.info())).fileNote, 'labels from halves.csv: 2 classes over 2200 rows');
    await drop(p, 'short.csv', Buffer.from('1\n2\n'));
    assert.equal((await p.evaluate(() => window.annlab.info())).dataError,
      "short.csv: 2 labels, but 2-D blobs has 2200 rows (2000 base vectors and 200 held-out queries): a labels file has one label per row, in the file's order");
    saveArtifact('labels-dropped.png', await p.screenshot());
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
  }
});

test('annlab.build is a promise that builds between frames, as the Build button does', async () => {
  const p = await openLab(b, server.url + '?space=raw');
  try {
    const r = await p.evaluate(async () => {
      let drawn = 0, longest = 0, last = performance.now(), going = true;
      const tick = () => {
        const now = performance.now();
        longest = Math.max(longest, now - last);
        last = now;
        ++drawn;
        if (going) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
      const f0 = window.annlab.info().frame;
      const promise = window.annlab.build('SimHash64', 'seed=2');
      const pending = window.annlab.info().building;
      const built = await promise;
      going = false;
      return { pending, built, frames: window.annlab.info().frame - f0, drawn, longest };
    });
    assert.equal(r.pending, true, 'build() returns while the build goes on');
    assert.equal(r.built.index, 'SimHash64');
    assert.ok(r.frames >= 3, `the lab drew ${r.frames} frames during the build`);
    report(`annlab.build('SimHash64') on Fashion-MNIST: ${r.frames} lab frames during the build, longest gap between ` +
           `frames ${r.longest.toFixed(0)} ms, build ${r.built.seconds.toFixed(2)} s wall`);
    // A bad description is refused at once (a rejected promise), and a newer build supersedes an older one.
    const errs = await p.evaluate(async () => {
      const out = [];
      try { await window.annlab.build('PQ9'); } catch (e) { out.push(e.message); }
      const first = window.annlab.build('LSH8x4', 'seed=1');
      const second = window.annlab.build('LSH6x4', 'seed=1');
      try { await first; } catch (e) { out.push(e.message); }
      out.push((await second).index);
      return out;
    });
    assert.deepEqual(errs, ['PQ9: dimension 784 is not divisible by M = 9', 'superseded by a later build', 'LSH6x4']);
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
  }
});

test('at 1,024 x 768 every panel fits, the whole method list shows, and the layout follows a resize', async () => {
  const p = await openLab(b, `${server.url}?data=blobs`, { width: 1024, height: 768 });
  try {
    await p.evaluate(() => window.annlab.build('LSH8x4', 'seed=3'));
    await p.evaluate(() => window.annlab.setQuery(3));
    await frames(p, 5);
    let l = await p.evaluate(() => window.annlab.layout());
    assert.equal(l.dataHidden, 0, 'the Data panel needs no scrolling');
    assert.equal(l.indexHidden, 0, 'the Index panel needs no scrolling');
    await p.mouse.click(l.methodListX, l.methodListY);
    await frames(p, 5);
    l = await p.evaluate(() => window.annlab.layout());
    assert.equal(l.methodListOpen, true, 'the method list opened');
    assert.equal(l.methodListHidden, 0, 'and every method shows without scrolling');
    saveArtifact('layout-1024x768.png', await p.screenshot());
    await p.keyboard.press('Escape');
    const before = l.mapWidth;
    await p.setViewportSize({ width: 1600, height: 900 });
    await frames(p, 10);
    l = await p.evaluate(() => window.annlab.layout());
    assert.ok(l.mapWidth > before + 200, `the map widened with the window (${before} -> ${l.mapWidth})`);
    assert.equal(l.indexHidden, 0);
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
  }
});
