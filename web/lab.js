// The page's loader and the lab's JavaScript API (docs/js-api.md).
// 1. downloads the lab's WebAssembly and the default data set, showing bytes and stages;
// 2. starts the module, puts the data in its file system and starts the frame loop;
// 3. exposes window.annlab: the JS API, whose calls throw Error with the core's message.
// Works with and without cross-origin isolation (the lab is single-threaded).
import { makeModelService } from './model-service.js';

const stageEl = document.getElementById('stage');
const bytesEl = document.getElementById('bytes');
const barEl = document.querySelector('#bar div');
const errorEl = document.getElementById('error');
const t0 = performance.now();
const mb = (n) => (n / 1e6).toFixed(1) + ' MB';

// The files of each data set: assets/manifest.json (written by `annlab prepare-assets`, read by the
// lab and scripts/bundle-web too); blobs are generated and need none.
const DATASETS = { 'blobs': [] };
// Their spaces besides raw pixels (CNN-64, PCA-64): id -> {default, spaces: {id: files}}.
const SPACES = {};
let assetManifestBytes = null;

let manifest = { sizes: {} };
let received = 0, expected = 0;
function progress() {
  barEl.style.width = expected ? Math.min(100, 100 * received / expected).toFixed(1) + '%' : '0%';
  bytesEl.textContent = `${mb(received)} of ${mb(expected)}`;
}

// Fetches a file, counting its (decompressed) bytes into the progress bar.
async function fetchBytes(url) {
  const res = await fetch(url);
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status}`);
  const reader = res.body.getReader();
  const chunks = [];
  let n = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    chunks.push(value);
    n += value.length;
    received += value.length;
    progress();
  }
  const out = new Uint8Array(n);
  let o = 0;
  for (const c of chunks) { out.set(c, o); o += c.length; }
  return out;
}

function loadScript(src) {
  return new Promise((resolve, reject) => {
    const s = document.createElement('script');
    s.src = src;
    s.onload = resolve;
    s.onerror = () => reject(new Error(`cannot load ${src}`));
    document.head.appendChild(s);
  });
}

let Module = null;
const pending = new Map();  // asset name -> promise

// Downloads one asset into the module's /assets folder (once).
function fetchAsset(name) {
  if (!pending.has(name)) {
    pending.set(name, fetchBytes('assets/' + name).then((bytes) => {
      Module.FS.writeFile('/assets/' + name, bytes);
    }));
  }
  return pending.get(name);
}

// The files a data set needs in a space ('default': the manifest's default space; 'raw'; an id).
function datasetFiles(name, space = 'default') {
  const files = DATASETS[name];
  if (!files) throw new Error(`unknown data set '${name}': expected one of ${Object.keys(DATASETS).join(', ')}`);
  const sp = SPACES[name];
  const id = space === 'default' ? sp?.default : space;
  return [...files, ...(sp && id && sp.spaces[id] ? sp.spaces[id] : [])];
}

async function ensureDataset(name, space) {
  await Promise.all(datasetFiles(name, space).map(fetchAsset));
}

// Writes bytes to /upload/<name> (the module's working folder, so messages name the file as the
// person called it), runs f(name), and removes the file.
function withUpload(name, bytes, f) {
  const file = String(name).replace(/[^A-Za-z0-9._-]/g, '_');
  Module.FS.writeFile('/upload/' + file, bytes instanceof Uint8Array ? bytes
    : typeof bytes === 'string' ? new TextEncoder().encode(bytes) : new Uint8Array(bytes));
  try { return unwrap(f(file)); } finally { Module.FS.unlink('/upload/' + file); }
}

const unwrap = (r) => {
  if (!r.ok) throw new Error(r.error);
  delete r.ok;
  return r;
};

function makeApi() {
  return {
    /** Loads 'blobs', 'fashion-mnist' or 'mnist' (downloading it first if needed); an image set in
     *  `space`: 'default' (the manifest's: CNN-64 for Fashion-MNIST), 'raw', 'cnn64' or 'pca64'
     *  (left out: as the Data panel is set). */
    async loadDataset(name, space) {
      await ensureDataset(name, space ?? 'default');
      return unwrap(Module.loadDataset(name, space));
    },
    /** The drawing pad: shows or hides it → padState(). */
    showPad(on = true) { return unwrap(Module.showPad(on)); },
    /** What became of the drawing: {shown, serial, searched, drawing, empty, status, embedMs,
     *  latencyMs, isQuery, x, y, cell (the pad's place on the canvas), pixels}. */
    padState() { return unwrap(Module.padState()); },
    /** Puts a 28 x 28 picture (pixels 0..255) on the pad, as a drawing. */
    padSetImage(pixels) { return unwrap(Module.padSetImage(Array.from(pixels))); },
    padClear() { return unwrap(Module.padClear()); },
    padUndo() { return unwrap(Module.padUndo()); },
    /** Loads your own vectors: a file name (its extension picks the format), its bytes, optional labels. */
    loadVectors(name, bytes, labels = null) {
      return withUpload(name, bytes, (file) => Module.loadFile(file, labels));
    },
    /** Loads an annlab index file (saved by the CLI, the desktop app or saveIndex) for the current data. */
    loadIndex(name, bytes) { return withUpload(name, bytes, (file) => Module.loadIndexFile(file)); },
    /** Labels for the data set on screen: .ivecs (d = 1), .npy of integers, .csv / .txt, one per row. */
    loadLabels(name, bytes) { return withUpload(name, bytes, (file) => Module.loadLabelsFile(file)); },
    /** What dropping a file on the page does: an .annlab index, a labels file, an .onnx model (the
     *  learned encoder's: kept under models/user/, then Build), or vectors. */
    loadFile(name, bytes) {
      if (/\.onnx$/i.test(name)) return this.loadModel(name, bytes);
      return withUpload(name, bytes, (file) => Module.loadDropped(file));
    },
    /** Keeps an ONNX model (one float input [N, d], one float output [N, bits]) as
     *  models/user/<name> and makes it NPhash's model in the Index panel → {path, note}. */
    loadModel(name, bytes) {
      const file = String(name).replace(/[^A-Za-z0-9._-]/g, '_');
      try { Module.FS.mkdir('/models/user'); } catch { /* there */ }
      Module.FS.writeFile('/models/user/' + file, bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes));
      const r = unwrap(Module.loadDropped('models/user/' + file));
      return { path: 'models/user/' + file, note: r.note };
    },
    /** The current index as an annlab index file (Uint8Array); it names the data set's base vectors
     *  it re-ranks with (n, d, sha256) unless embedBase, which writes them in (a standalone file). */
    saveIndex(embedBase = false) { return unwrap(Module.saveIndex(!!embedBase)).bytes; },
    /** Seeded Gaussian blobs (n vectors, d dimensions) as the data set; refused if they would not fit. */
    generateBlobs(n, d = 2, centers = 8, seed = 1) { return unwrap(Module.generateBlobs(n, d, centers, seed)); },
    /** Every method of the registry: name, grammar, label, family, its numbers and parameters. */
    methods() { return unwrap(Module.methods()).methods; },
    /** Builds an index from a factory description and build parameters ("seed=7 bucket_size=16"),
     *  in steps between frames as the Build button does: a promise of {index, bytes, baseBytes,
     *  seconds, workSeconds}, rejected with the core's message (at once for a bad description). */
    async build(spec, params = '') {
      const { ticket } = unwrap(Module.startBuild(String(spec), String(params)));
      for (;;) {
        const st = Module.buildState(ticket);
        if (st.done) {
          if (st.error) throw new Error(st.error);
          delete st.ok; delete st.done; delete st.stage;
          return st;
        }
        await new Promise((r) => requestAnimationFrame(r));
      }
    },
    /** Searches the built index (or the exact one when none is built). */
    search(query, k = 10, params = '') { return unwrap(Module.search(query, k, params)); },
    /** Exact k nearest neighbours. */
    exact(query, k = 10) { return unwrap(Module.exact(query, k)); },
    /** Held-out query i of the current data set, as an array. */
    queryVector(i) { return unwrap(Module.queryVector(i)).vector; },
    /** Held-out query i as an image (28 x 28 pixels 0..255), whatever space the data are in. */
    queryImage(i) { return unwrap(Module.queryImage(i)).image; },
    /** Evaluate (the Results panel's button): the built index over the first n held-out queries, in
     *  steps between frames → a promise of {report, history}: history is every evaluation on this
     *  data set, oldest first (methods side by side). */
    async evaluate(n = 200) {
      unwrap(Module.startEvaluation(n));
      for (;;) {
        const st = unwrap(Module.evaluationState());
        if (!st.running) {
          if (!st.report) throw new Error(st.error || 'the evaluation did not finish');
          return { report: st.report, history: st.history };
        }
        await new Promise((r) => requestAnimationFrame(r));
      }
    },
    /** The build in progress: {running, stage, progress} (the progress bar's text and fraction). */
    buildProgress() {
      const st = Module.buildState(1e9);
      return { running: Module.info().building, stage: st.stage || '', progress: st.progress };
    },
    /** Cancels the build in progress (the Cancel button): a learned method's model run stops too. */
    cancelBuild() { unwrap(Module.cancelBuild()); },
    /** Makes held-out query i the lab's query (as R does) and returns the results panel's content;
     *  while a learned method's query is encoded by ONNX Runtime Web, a promise of it. */
    setQuery(i) {
      const r = unwrap(Module.setQuery(i));
      return r.pending ? this.settled() : r;
    },
    /** A promise of results() once the query is no longer being encoded. */
    async settled() {
      for (;;) {
        const r = unwrap(Module.results());
        if (!r.pending) {
          const err = Module.info().error;
          if (!r.valid && err) throw new Error(err);
          return r;
        }
        await new Promise((res) => requestAnimationFrame(res));
      }
    },
    /** Computes ahead the codes of the first n held-out queries for a learned method (ONNX Runtime
     *  Web in the page), so search() can take them at once: a promise of {frames}. */
    async prepareHeldOut(n) {
      unwrap(Module.prepareHeldOut(n));
      let frames = 0;
      for (;;) {
        const st = unwrap(Module.prepareState());
        if (st.done) return { frames };
        frames += 1;
        await new Promise((res) => requestAnimationFrame(res));
      }
    },
    /** What the results panel shows now. */
    results() { return unwrap(Module.results()); },
    /** The structure and the ordered events of one query. */
    explain(query, k = 10) { return unwrap(Module.explain(query, k)); },
    info() { return unwrap(Module.info()); },
    /** The view as a link {query, link} (what the page's address shows); throws why there is none. */
    link() { return unwrap(Module.viewLink()); },
    /** Opens a link's query part ("v=1&data=blobs&..."): rebuilds and restores; a promise. */
    async openView(query) {
      unwrap(Module.openView(String(query).replace(/^[^?]*\?/, '')));
      while (Module.info().viewPending) await new Promise((r) => requestAnimationFrame(r));
      const err = Module.info().error;
      if (err.startsWith('the link could not be restored')) throw new Error(err);
      return this.results();
    },
    /** The results table as CSV text (the Export CSV button downloads the same). */
    resultsCsv() { return unwrap(Module.resultsCsv()).csv; },
    /** Downloads the results table as CSV (the Export CSV button). */
    downloadCsv() { unwrap(Module.saveResultsDownload()); },
    /** Downloads the map as a PNG after the next frame (the PNG button). */
    saveMapPng() { unwrap(Module.saveMapPng()); },
    /** Downloads the built index (the Download index button). */
    downloadIndex(embedBase = false) { return unwrap(Module.saveIndexDownload(!!embedBase)); },
    /** The model service: whether ONNX Runtime Web was loaded, its runs and their pieces (tests). */
    modelStats() { return Module.annlabModels.stats(); },
    /** The outputs of an ONNX file under /models/ for n rows of d floats, run by ONNX Runtime Web
     *  directly (a promise; tests compare them with libtorch's and ONNX Runtime's). */
    async runModelFile(path, input, n, d) {
      for (;;) {
        const f = Module.annlabModels.file(path);
        if (f.state === 'ready') break;
        if (f.state === 'failed') throw new Error(f.error);
        await new Promise((r) => setTimeout(r, 20));
      }
      return Module.annlabModels.direct(path, Float32Array.from(input), n, d);
    },
    /** What the last frame's layout hid, in pixels (tests). */
    layout() { return unwrap(Module.layout()); },
    /** The map: {kind: 'pca'|'umap', hasLayout, pending, stage, fraction, seconds, cap, cx, cy,
     *  scale, queryX, queryY, panes: [{x, y, width, height}], legend}. */
    mapState() { return unwrap(Module.mapState()); },
    /** Shows the PCA map or the neighbour-preserving layout ('umap'): shipped with the bundled
     *  sets; computed between frames for your own file (resolves when shown; throws above the cap). */
    async setMap(kind) {
      unwrap(Module.setMap(kind));
      for (;;) {
        const st = unwrap(Module.mapState());
        if (!st.pending) {
          const err = Module.info().error;
          if (st.kind !== kind && err) throw new Error(err);
          return st;
        }
        await new Promise((r) => requestAnimationFrame(r));
      }
    },
    /** The Fit button: the map fitted to the data on the next frame. */
    mapFit() { Module.mapFit(); },
    /** Map coordinates of base points [begin, begin + count) as [x0, y0, x1, y1, ...]. */
    mapPoints(begin, count) { return Module.mapPoints(begin, count); },
    /** The stepper over the query's trace: action 'start' | 'step' | 'seek' (arg: event) | 'play'
     *  (arg: events per second, 0 = auto) | 'pause' | 'stop' → stepperState(). */
    stepper(action, arg = 0) { return unwrap(Module.stepper(action, arg)); },
    /** {active, playing, position, events, bestIds, counts: {distances, cells, buckets, nodes, codes}, last}. */
    stepperState() { return unwrap(Module.stepperState()); },
    /** Why each true neighbour was missed: [{id, trueRank, stage, sentence, where, table, fix: [{name, value}], checked}]. */
    misses() { return Module.misses(); },
    /** Highlights the i-th missed neighbour and where it was lost (-1: none). */
    focusMiss(i) { Module.focusMiss(i); },
    /** Pins the built index beside the next one (side by side); pinned() lists them with their answers. */
    pinIndex() { return unwrap(Module.pinIndex()); },
    unpin(i) { Module.unpin(i); },
    pinned() { return Module.pinned(); },
    loadStats: null,
  };
}

/** A message at the top of the page that does not stop the lab (window.annlabNotice for tests). */
function showNotice(text) {
  const el = document.createElement('div');
  el.id = 'notice';
  el.textContent = text;
  el.style.cssText = 'position:fixed;top:0;left:0;right:0;z-index:10;padding:6px 12px;background:#5a4a10;' +
    'color:#fff;font:14px sans-serif';
  el.addEventListener('click', () => el.remove());
  document.body.appendChild(el);
  window.annlabNotice = text;
}

async function main() {
  const params = new URLSearchParams(location.search);
  let dataset = params.get('data') || 'fashion-mnist';
  try {
    manifest = await (await fetch('web-manifest.json')).json();
  } catch (e) { /* sizes unknown: the bar shows bytes only */ }
  assetManifestBytes = await fetchBytes('assets/manifest.json');
  const assets = JSON.parse(new TextDecoder().decode(assetManifestBytes));
  for (const [id, d] of Object.entries(assets.datasets || {})) {
    DATASETS[id] = d.files;
    if (d.spaces) {
      SPACES[id] = { default: d.default_space, spaces: {} };
      for (const [sid, sp] of Object.entries(d.spaces)) SPACES[id].spaces[sid] = sp.files;
    }
  }
  const space = params.get('space') || 'default';
  // An unknown value in the address is said on the page, and the default view opens.
  const known = ['blobs', ...Object.keys(DATASETS)];
  if (!known.includes(dataset)) {
    showNotice(`The address asks for the data set '${dataset}', which this lab does not have (it has ${
      known.join(', ')}): showing fashion-mnist instead.`);
    dataset = 'fashion-mnist';
  }
  const wanted = ['annlab-lab.wasm', 'annlab-lab.js', ...datasetFiles(dataset, space)];
  expected = wanted.reduce((s, f) => s + (manifest.sizes[f] || manifest.sizes['assets/' + f] || 0), 0);

  stageEl.textContent = 'downloading the lab (WebAssembly)…';
  const [wasmBinary] = await Promise.all([fetchBytes('annlab-lab.wasm'), loadScript('annlab-lab.js')]);
  stageEl.textContent = 'starting…';
  Module = await createAnnlabModule({
    wasmBinary,
    canvas: document.getElementById('canvas'),
    print: (t) => console.log(t),
    printErr: (t) => console.warn(t),
  });
  // Learned methods: ONNX Runtime Web, loaded when one is first opened (web/model-service.js).
  Module.annlabModels = makeModelService(Module);
  // A drawing's embedding that arrives between frames is searched at once (shown on the next frame).
  Module.annlabRunDone = () => Module.padStep();
  Module.FS.mkdir('/assets');
  Module.FS.writeFile('/assets/manifest.json', assetManifestBytes);
  Module.FS.mkdir('/upload');
  Module.FS.mkdir('/models');
  Module.FS.symlink('/models', '/upload/models');  // "models/..." from the working folder
  Module.FS.chdir('/upload');
  Module.annlabFetchAsset = (name) => { fetchAsset(name).catch((e) => console.warn(String(e))); };
  // A file the lab saves (Download index, Export CSV, PNG) becomes a download.
  Module.annlabDownload = (name, bytes) => {
    const url = URL.createObjectURL(new Blob([bytes], { type: name.endsWith('.png') ? 'image/png'
      : name.endsWith('.csv') ? 'text/csv' : 'application/octet-stream' }));
    const a = document.createElement('a');
    a.href = url;
    a.download = name;
    document.body.appendChild(a);
    a.click();
    a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    window.annlabLastDownload = { name, size: bytes.length };
  };
  stageEl.textContent = `downloading ${dataset}…`;
  await ensureDataset(dataset, space);
  stageEl.textContent = 'building the map…';
  await new Promise((r) => setTimeout(r, 0));
  if (Module.start(dataset, space) !== 0) throw new Error('the lab could not start (see the console)');
  document.getElementById('loading').remove();
  document.getElementById('canvas').focus();
  const api = makeApi();
  const transfer = performance.getEntriesByType('resource').reduce((s, e) => s + (e.transferSize || 0), 0);
  api.loadStats = {
    ms: performance.now() - t0,
    bytes: received,
    transferBytes: transfer,
    crossOriginIsolated: self.crossOriginIsolated === true,
  };
  window.annlab = api;
  // Drop a file on the page: an .annlab index file, a labels file, or vectors.
  window.addEventListener('dragover', (e) => e.preventDefault());
  window.addEventListener('drop', async (e) => {
    e.preventDefault();
    const file = e.dataTransfer?.files?.[0];
    if (!file) return;
    try { api.loadFile(file.name, new Uint8Array(await file.arrayBuffer())); }
    catch (err) { console.warn(String(err)); }  // the lab shows the message in its Index panel
  });
  // A link in the address: rebuild and restore its view (the address then follows the view).
  if (params.get('v') !== null) {
    const opened = Module.openView(location.search.slice(1));
    if (!opened.ok) showNotice(`This link cannot be opened: ${opened.error}. Showing ${dataset} instead.`);
  }
  window.annlabReady = true;
}

main().catch((e) => {
  errorEl.textContent = String(e && e.stack || e);
  stageEl.textContent = 'failed';
  window.annlabError = String(e);
});
