// tools/bench/page-search.mjs [BUNDLE...] — one-query search time in the page (headless Chromium)
// beside the native CLI's, on Fashion-MNIST in raw pixels (60,000 x 784): the lab's exact search (Flat,
// what answers a picked or drawn query) and any SPECS built in the page. Several bundles (one built
// before a change and one after) are measured in the same run, ROUNDS (3) times alternating. Each
// figure is the median over NQ (50) held-out queries of a query's median of 3 searches. Prints a
// Markdown table with the page / native ratios.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { NATIVE_CLI, ROOT, browser, openLab, serve } from '../../web/tests/harness.mjs';

const SPECS = (process.env.SPECS || 'Flat').split(';');
const NQ = Number(process.env.NQ || 50), ROUNDS = Number(process.env.ROUNDS || 3);
const bundles = process.argv.slice(2).length ? process.argv.slice(2) : [join(ROOT, 'build-wasm/lab')];
const names = process.env.NAMES ? process.env.NAMES.split(',') : bundles.map((x, i) => `page ${i + 1}`);
const A = (f) => join(ROOT, 'assets/data', f);
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

// The native CLI, one query at a time over the first 1,000 held-out queries: ms a query.
function native(spec) {
  execFileSync(NATIVE_CLI, ['bench', '--base', A('fashion-mnist-base.alds'), '--query', A('fashion-mnist-query.alds'),
    '--gt', join(ROOT, 'out/bench/fashion-gt100.ivecs'), '--nq', '1000', '--index', spec, '--json', '/tmp/annlab-page-search.json']);
  return 1000 / JSON.parse(readFileSync('/tmp/annlab-page-search.json', 'utf8'))[0].qps_single;
}

const rows = SPECS.map((spec) => ({ spec, native: [], page: bundles.map(() => []) }));
const b = await browser();
let port = 8795;
for (let round = 0; round < ROUNDS; ++round) {
  for (const r of rows) r.native.push(native(r.spec));
  for (let bi = 0; bi < bundles.length; ++bi) {
    const server = await serve(bundles[bi], port++);
    const page = await openLab(b, server.url + '?space=raw');
    for (const r of rows) {
      const ms = await page.evaluate(async ([spec, nq]) => {
        if (spec !== 'Flat') await window.annlab.build(spec, '');
        const per = [];
        for (let i = 0; i < nq; ++i) {
          const q = window.annlab.queryVector(i), t = [];
          for (let rep = 0; rep < 3; ++rep) {
            const t0 = performance.now();
            window.annlab.search(q, 10);
            t.push(performance.now() - t0);
          }
          per.push(t.sort((a, b) => a - b)[1]);
        }
        return per.sort((a, b) => a - b)[Math.floor(nq / 2)];
      }, [r.spec, NQ]);
      r.page[bi].push(ms);
    }
    await page.close();
    server.close();
  }
}
await b.close();
console.log(`| index | native ms (median of ${ROUNDS}) | ${names.map((n) => `${n}: ms (median of ${ROUNDS}) | native / page`).join(' | ')} |`);
console.log(`|---|---:|${names.map(() => '---:|---:').join('|')}|`);
for (const r of rows) {
  const nat = median(r.native);
  console.log(`| ${r.spec} | ${nat.toFixed(2)} | ${r.page.map((p) => `${median(p).toFixed(2)} | ${(nat / median(p)).toFixed(2)}`).join(' | ')} |`);
}
console.log(`\nbundles: ${bundles.join(', ')}. Page: window.annlab.search, one query at a time, ${NQ} held-out queries, `
  + 'the median of 3 searches each; native: annlab bench, 1,000 queries one at a time (qps_single).');
