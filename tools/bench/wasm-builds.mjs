// tools/bench/wasm-builds.mjs [BUNDLE...] — index build times in the page (headless Chromium, one
// thread) beside the native CLI's, for the k-means methods and HNSW on Fashion-MNIST in raw pixels
// (60,000 x 784), one run each, side by side. Several bundles (e.g. one built before a change and one
// after) are measured in the same run. Prints a Markdown table with the wasm / native ratios.
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { NATIVE_CLI, ROOT, browser, openLab, serve } from '../../web/tests/harness.mjs';

const SPECS = (process.env.SPECS || 'IVF256,Flat;PQ16;IVF256,PQ16;HNSW16').split(';');
const bundles = process.argv.slice(2).length ? process.argv.slice(2) : [join(ROOT, 'build-wasm/lab')];
const A = (f) => join(ROOT, 'assets/data', f);

function native(spec) {
  const out = execFileSync(NATIVE_CLI, ['search', '--base', A('fashion-mnist-base.alds'), '--query',
    A('fashion-mnist-query.alds'), '--index', spec, '--k', '10', '--out', '/tmp/annlab-wasm-builds.ivecs',
    '--param', 'seed=1'].concat(spec.startsWith('HNSW') ? ['--param', 'efConstruction=100'] : []), { encoding: 'utf8' });
  return Number(out.match(/built in ([0-9.]+) s/)[1]);
}

const rows = SPECS.map((spec) => ({ spec, native: native(spec), page: [], work: [] }));
const b = await browser();
let port = 8790;
for (const bundle of bundles) {
  const server = await serve(bundle, port++);
  const page = await openLab(b, server.url + '?space=raw');
  for (const r of rows) {
    const [ms, work] = await page.evaluate(async (spec) => {
      const t0 = performance.now();
      const b = await window.annlab.build(spec, spec.startsWith('HNSW') ? 'efConstruction=100' : 'seed=1');
      return [performance.now() - t0, b.workSeconds];
    }, r.spec);
    r.page.push(ms / 1000);
    r.work.push(work);
  }
  await page.close();
  server.close();
}
await b.close();
const names = process.env.NAMES ? process.env.NAMES.split(',') : bundles.map((x, i) => `page ${i + 1}`);
console.log(`| index | native (s) | ${names.map((n) => `${n}: wall s (building s) | wall / native`).join(' | ')} |`);
console.log(`|---|---:|${names.map(() => '---:|---:').join('|')}|`);
for (const r of rows)
  console.log(`| ${r.spec} | ${r.native.toFixed(2)} | ${r.page.map((p, i) => `${p.toFixed(2)} (${r.work[i].toFixed(2)}) | ${(p / r.native).toFixed(2)}x`).join(' | ')} |`);
console.log(`\nbundles: ${bundles.join(', ')}. Wall: annlab.build's promise in the page, frames drawn between steps; `
  + 'building: the part of it spent in build steps (workSeconds).');
