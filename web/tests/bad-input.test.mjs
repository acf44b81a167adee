// The bad-input matrix, JS API side: every bad input throws an Error with the core's exact message,
// the page keeps running, and the data set and index loaded before still answer.
import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { BUNDLE, browser, openLab, serve } from './harness.mjs';

let server, b, page;
before(async () => {
  server = await serve(BUNDLE, 8767);
  b = await browser();
  page = await openLab(b, server.url + '?space=raw');  // raw pixels: d = 784 in the messages
  await page.evaluate(() => window.annlab.build('LSH10x4', 'seed=3'));
});
after(async () => { await b?.close(); server?.close(); });

// Each case runs in the page; bytes are built there (little-endian like the files).
const CASES = [
  ['empty file', "api.loadVectors('empty.fvecs', new Uint8Array(0))",
   'empty.fvecs: empty file (0 bytes): expected at least one vector'],
  ['d = 784 with a short row', "api.loadVectors('short.fvecs', fvecs(784, 700))",
   'short.fvecs: offset 4 (vector 0): truncated: the vector needs 3136 bytes, 2800 left'],
  ['d = 0', "api.loadVectors('d0.fvecs', fvecs(0, 0))",
   'd0.fvecs: offset 0 (vector 0): dimension header is 0, expected a positive dimension'],
  ['d = 2^31', "api.loadVectors('big.fvecs', fvecs(-2147483648, 1))",
   'big.fvecs: offset 0 (vector 0): dimension header is -2147483648, expected a positive dimension'],
  ['NaN', "api.loadVectors('nan.fvecs', fvecs(2, 2, [1, NaN]))",
   'nan.fvecs: offset 8 (vector 0, component 1): NaN is not a valid coordinate'],
  ['Inf', "api.loadVectors('inf.csv', '1,2\\n3,Infinity\\n')",
   "inf.csv:2: column 2: 'Infinity' is infinite or outside the float32 range, not a valid coordinate"],
  ['labels count != vectors count', "api.loadVectors('v.csv', '1,2\\n3,4\\n5,6\\n', [0, 1])",
   'v.csv: labels count 2 != vectors count 3'],
  ['k = 0', 'api.search(api.queryVector(0), 0)', 'k = 0: ask for at least one neighbour'],
  ['k > n', 'api.search(api.queryVector(0), 60001)', 'k = 60001 exceeds the number of indexed vectors (60000)'],
  ['query dimension', 'api.search([1, 2, 3], 10)', 'query dimension 3 != data dimension 784'],
  ['index file of another type', "api.loadIndex('v.annlab', fvecs(2, 2, [1, 2]))",
   "v.annlab: offset 0: not an annlab index file: expected the magic 'ANNLABIX'"],
  ['truncated index file', "api.loadIndex('cut.annlab', saved.slice(0, 30))",
   'cut.annlab: offset 24: truncated while reading vector count: need 8 bytes, 6 left'],
  ['bit-flipped index file', "api.loadIndex('flip.annlab', flip(saved, 300))", 'flip.annlab: offset SIZE-4: checksum mismatch'],
  ['future format version', "api.loadIndex('future.annlab', setByte(saved, 8, 5))",
   'future.annlab: offset 8: format version 5 is newer than this build reads (2): update annlab'],
  ['unknown factory string', "api.build('HSNW32')",
   "unknown index description 'HSNW32': expected one of Flat, LSH<b>x<L>, E2LSH<k>x<L>, KDTree<leaf>, IVF<nlist>,Flat, PQ<M>, IVF<nlist>,PQ<M>, OPQ<M>,IVF<nlist>,PQ<M>, LOPQ<nlist>,PQ<M>, HNSW<M>, Tokens<g>x<m>, SimHash<bits>, ITQ<bits>, NPHash<bits>, Router<nclusters>"],
  ['parameter out of range', "api.build('LSHx4', 'bucket_size=0')", 'parameter bucket_size = 0 is out of range [1, 2147483648]'],
  ['CSV with a ragged row', "api.loadVectors('r.csv', '1,2\\n3\\n')", 'r.csv:2: expected 2 values (as in the first row), found 1'],
  ['unknown extension', "api.loadVectors('x.txt', '1,2')", "x.txt: unknown file extension '.txt': expected .fvecs, .ivecs, .bvecs, .npy, .csv or .alds"],
  ['too big for memory', 'api.generateBlobs(50000000, 128)', 'generating 50000000 x 128 vectors needs 25600.0 MB, '],
  ['labels of the wrong length', "api.loadLabels('y.csv', 'label\\n1\\n2\\n')",
   "y.csv: 2 labels, but Fashion-MNIST has 70000 rows (60000 base vectors and 10000 held-out queries): a labels file has one label per row, in the file's order"],
  ['labels that are not integers', "api.loadLabels('y.csv', '1\\n2.5\\n')", 'y.csv:2: 2.5 is not a label: expected a whole number from 0 to 2147483647'],
  ['a dropped file of no known kind', "api.loadFile('notes.md', 'hello')", "notes.md: unknown file extension '.md': expected .fvecs, .ivecs, .bvecs, .npy, .csv or .alds"],
  ['a link of a newer format', "api.openView('v=2&data=blobs')", 'the link is of format version 2; this lab reads version 1'],
  ['a link with a parameter the method does not take', "api.openView('v=1&data=fashion-mnist&index=HNSW16&nprobe=4')",
   "the link sets 'nprobe', which HNSW16 does not take"],
];

test('every bad input gets its exact message and nothing loaded is lost', async () => {
  const results = await page.evaluate(async (cases) => {
    const api = window.annlab;
    const fvecs = (d, n, values = []) => {
      const b = new DataView(new ArrayBuffer(4 + 4 * n));
      b.setInt32(0, d, true);
      values.forEach((v, i) => b.setFloat32(4 + 4 * i, v, true));
      return new Uint8Array(b.buffer);
    };
    const saved = api.saveIndex();
    const flip = (bytes, at) => { const c = bytes.slice(); c[at] ^= 0x10; return c; };
    const setByte = (bytes, at, v) => { const c = bytes.slice(); c[at] = v; return c; };
    const otherIndex = null;
    const out = [];
    const q0 = api.queryVector(0);
    const before = api.search(q0, 10).ids.join(',');
    for (const [name, code, expected] of cases) {
      let message = 'no error';
      try { await new Function('api', 'fvecs', 'saved', 'flip', 'setByte', 'otherIndex', `return ${code};`)(api, fvecs, saved, flip, setByte, otherIndex); }
      catch (e) { message = e instanceof Error ? e.message : `not an Error: ${e}`; }
      const still = api.search(q0, 10).ids.join(',') === before && api.info().n === 60000;
      out.push({ name, message, expected: expected.replace('SIZE-4', String(saved.length - 4)), still });
    }
    return out;
  }, CASES);
  let passed = 0;
  for (const r of results) {
    const ok = r.message.startsWith(r.expected) && (r.message === r.expected || r.expected.endsWith(', ') || r.expected.endsWith('mismatch'));
    assert.ok(ok, `${r.name}: got "${r.message}", expected "${r.expected}"`);
    assert.ok(r.still, `${r.name}: the data set or index was lost`);
    passed += ok;
  }
  console.log(`REPORT: bad-input matrix (JS API): ${passed} of ${results.length} cases give their exact message`);
  assert.deepEqual(page.errors, []);
});

// An unknown data set in the address: a message on the page and the default view, not a dead page.
test('?data=bogus says so on the page and opens Fashion-MNIST', async () => {
  const p = await openLab(b, `${server.url}?data=bogus`);
  try {
    const notice = await p.evaluate(() => window.annlabNotice);
    assert.match(notice, /asks for the data set 'bogus', which this lab does not have/);
    assert.match(notice, /showing fashion-mnist instead/);
    assert.equal(await p.evaluate(() => document.getElementById('notice')?.textContent), notice);
    assert.equal((await p.evaluate(() => window.annlab.info())).dataset, 'Fashion-MNIST');
    assert.deepEqual(p.errors, []);
  } finally {
    await p.close();
  }
});
