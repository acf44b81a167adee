// 1,000 seeded random UI actions (clicks, drags, wheel, keys, parameter changes, builds, cancels):
// nothing reaches the console as an error and the page still answers a query correctly. In a small
// laptop's window, 960 x 600: the panels are at their tightest, and each frame (software WebGL in
// headless Chromium) costs about half of what 1280 x 800 does, which halves this test's time.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { BUNDLE, browser, openLab, report, serve } from './harness.mjs';

function mulberry32(seed) {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('1,000 random UI actions leave the lab working', async () => {
  const server = await serve(BUNDLE, 8768);
  const b = await browser();
  try {
    const W = 960, H = 600;
    const page = await openLab(b, server.url + '?data=blobs', { width: W, height: H });
    const rnd = mulberry32(20261121);
    const pick = (a) => a[Math.floor(rnd() * a.length)];
    const counts = {};
    for (let i = 0; i < 1000; ++i) {
      const x = Math.floor(rnd() * W), y = Math.floor(rnd() * H);
      const action = pick(['click', 'click', 'click', 'left-panel', 'left-panel', 'drag', 'wheel', 'key', 'api-build', 'api-query']);
      counts[action] = (counts[action] || 0) + 1;
      if (action === 'click') await page.mouse.click(x, y);
      else if (action === 'left-panel') await page.mouse.click(Math.floor(rnd() * 240), Math.floor(rnd() * H));
      else if (action === 'drag') {
        await page.mouse.move(x, y);
        await page.mouse.down();
        await page.mouse.move(x + (rnd() - 0.5) * 300, y + (rnd() - 0.5) * 300, { steps: 3 });
        await page.mouse.up();
      } else if (action === 'wheel') {
        await page.mouse.move(x, y);
        await page.mouse.wheel(0, (rnd() - 0.5) * 600);
      } else if (action === 'key') await page.keyboard.press(pick(['r', 'R', 'Tab', 'Enter', 'Escape', 'ArrowUp', '5', 'Backspace', ' ']));
      else if (action === 'api-build') {
        const spec = pick(['Flat', 'LSH4x2', 'LSH8x8', 'LSHx3', 'LSH99x1', 'Nope']);
        // Not awaited: builds overlap, and each started one ends (built, refused or superseded).
        await page.evaluate((s) => { window.annlab.build(s, 'seed=' + (s.length * 7)).catch(() => { /* bad specs, superseded */ }); }, spec);
      } else {
        await page.evaluate((k) => { try { window.annlab.setQuery(k); } catch (e) { /* no data yet */ } }, Math.floor(rnd() * 300));
      }
      if (i % 100 === 99) await page.waitForTimeout(50);
    }
    report(`abuse: 1000 actions in ${W} x ${H} ${JSON.stringify(counts)}`);
    // Back to a known state, then a correct answer.
    await page.evaluate(() => window.annlab.loadDataset('fashion-mnist'));
    const ok = await page.evaluate(async () => {
      await window.annlab.build('Flat');
      const q = window.annlab.queryVector(7);
      return JSON.stringify(window.annlab.search(q, 10).ids) === JSON.stringify(window.annlab.exact(q, 10).ids);
    });
    assert.equal(ok, true);
    assert.deepEqual(page.errors, []);
  } finally {
    await b.close();
    server.close();
  }
});
