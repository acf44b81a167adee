// The static bundle (scripts/demo --bundle) works without cross-origin isolation, as on most hosts.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { browser, openLab, serve } from './harness.mjs';

test('the bundle runs single-threaded without COOP/COEP headers', async () => {
  const server = await serve(process.env.ANNLAB_STATIC_BUNDLE || process.env.ANNLAB_BUNDLE, 8766, false);
  const b = await browser();
  try {
    const page = await openLab(b, server.url + '?data=mnist');
    assert.equal(await page.evaluate(() => self.crossOriginIsolated), false);
    const r = await page.evaluate(() => {
      const q = window.annlab.queryVector(3);
      return { exact: window.annlab.exact(q, 10).ids, flat: window.annlab.search(q, 10).ids };
    });
    assert.deepEqual(r.flat, r.exact);
    assert.deepEqual(page.errors, []);
  } finally {
    await b.close();
    server.close();
  }
});
