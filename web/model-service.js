// The page's model service: ONNX Runtime Web for the lab's learned methods. The WebAssembly core
// reaches it as Module.annlabModels (wasm/model_bridge.cpp) and never waits on it: every call
// returns at once, the work goes on in the page's event loop, and the core polls across frames.
//   file(path)        a model file in the module's file system: fetched from the lab's models/ folder
//   open(path)        a session for an ONNX file (ONNX Runtime Web is loaded the first time)
//   run(h, x, ...)    the model over n rows, in pieces of about 20 ms with the page drawing between
//   poll(id)          how far a run is, with the outputs that arrived since the last poll
// ONNX Runtime Web's files are fetched only when a learned method is first opened; it runs
// single-threaded unless the page is cross-origin isolated.

export const ORT_VERSION = '1.30.0';  // package.json pins onnxruntime-web to it
const PIECE_MS = 20;

export function makeModelService(Module, { ortBase = 'ort/', modelsBase = 'models/' } = {}) {
  const threads = self.crossOriginIsolated ? Math.max(1, Math.min(4, navigator.hardwareConcurrency || 1)) : 1;
  let ortPromise = null;
  const files = new Map();     // path -> {state, error}
  const sessions = new Map();  // handle -> {state, error, session, busy, ...}
  const runs = new Map();      // id -> run
  let nextHandle = 1, nextRun = 1;
  const stats = { ortRequested: false, ortLoadMs: 0, opened: 0, runs: 0, pieces: 0, maxPieceMs: 0, rows: 0 };

  function loadOrt() {
    if (!ortPromise) {
      stats.ortRequested = true;
      const t0 = performance.now();
      const base = new URL(ortBase, location.href).href;
      ortPromise = import(base + 'ort.wasm.min.mjs').then((ort) => {
        ort.env.wasm.wasmPaths = base;
        ort.env.wasm.numThreads = threads;
        ort.env.wasm.proxy = false;
        ort.env.logLevel = 'error';
        stats.ortLoadMs = performance.now() - t0;
        return ort;
      });
      ortPromise.catch(() => { ortPromise = null; });  // a failed load can be retried
    }
    return ortPromise;
  }

  const exists = (path) => { try { Module.FS.stat(path); return true; } catch { return false; } };
  const yieldToPage = () => new Promise((r) => setTimeout(r, 0));

  // One piece at a time per session: a query's run slips in between the base's pieces.
  async function exclusive(entry, f) {
    const prev = entry.busy;
    let release;
    entry.busy = new Promise((r) => { release = r; });
    await prev;
    try { return await f(); } finally { release(); }
  }

  async function work(entry, run) {
    const { ort, session } = entry;
    const feed = (x, m) => ({ [entry.inName]: new ort.Tensor('float32', x, [m, run.d]) });
    let rows = 16;
    // Pieces of about PIECE_MS; between yields to the page, as much work as the page itself took
    // since the last yield (at least one piece, at most a quarter of a second): where frames are
    // cheap the page stays fluid, where they are slow (software WebGL) the model still gets half.
    let budget = PIECE_MS;
    try {
      while (run.next < run.n && !run.cancelled) {
        const slot0 = performance.now();
        do {
          const m = Math.min(rows, run.n - run.next);
          const x = run.input.subarray(run.next * run.d, (run.next + m) * run.d);
          const ms = await exclusive(entry, async () => {
            const t0 = performance.now();
            const out = await session.run(feed(x, m));
            const t = performance.now() - t0;
            if (!run.cancelled) run.arrived.push(new Float32Array(out[entry.outName].data));
            run.computeMs += t;
            return t;
          });
          if (run.cancelled) return;
          run.next += m;
          stats.pieces += 1;
          stats.rows += m;
          stats.maxPieceMs = Math.max(stats.maxPieceMs, ms);
          if (ms < PIECE_MS / 2 && rows < 4096) rows *= 2;
          else if (ms > 2 * PIECE_MS && rows > 1) rows = Math.max(1, rows >> 1);
        } while (run.next < run.n && performance.now() - slot0 < budget);
        if (run.next < run.n) {
          const y0 = performance.now();
          await yieldToPage();
          budget = Math.min(250, Math.max(PIECE_MS, performance.now() - y0));
        }
      }
      if (run.timed && !run.cancelled) {
        // The lab's timing rule: the median of at least 5 runs lasting 10 ms in all (at most 200
        // runs or a quarter of a second), after the run whose outputs are used.
        const x = run.input.subarray(0, run.n * run.d);
        const times = [];
        let total = 0;
        await exclusive(entry, async () => {
          while ((times.length < 5 || total < 10) && times.length < 200 && total < 250) {
            const t0 = performance.now();
            await session.run(feed(x, run.n));
            const t = performance.now() - t0;
            times.push(t);
            total += t;
          }
        });
        times.sort((a, b) => a - b);
        run.ms = times[times.length >> 1];
        run.timedRuns = times.length;
      } else {
        run.ms = run.computeMs;  // an untimed run: the runtime's own time for it (its pieces added)
      }
      run.done = true;
      // Whoever waits on it may take it now rather than at the next frame (the drawing pad).
      if (Module.annlabRunDone) Module.annlabRunDone();
    } catch (e) {
      run.error = String(e && e.message || e);
    }
  }

  return {
    name() { return `ONNX Runtime Web ${ORT_VERSION} (in the page, ${threads} thread${threads > 1 ? 's' : ''})`; },

    // 'ready' once `path` is in the module's file system; files under /models/ are fetched from
    // the lab's models/ folder (the page cannot list a folder: a manifest names its files).
    file(path) {
      // The lab names its models relative to its folder ("models/nphash64.json", as natively, so an
      // index file saved in either build names the same model); /upload/models links to /models.
      path = String(path).replace(/^(\.\/)?models\//, '/models/');
      if (exists(path)) return { state: 'ready' };
      const known = files.get(path);
      if (known) return known;
      if (!path.startsWith('/models/')) {
        return { state: 'failed', error: `${path}: no such file in the page (the lab's models are under /models/; ` +
          'a file of your own must be loaded first)' };
      }
      const entry = { state: 'pending' };
      files.set(path, entry);
      const url = modelsBase + path.slice('/models/'.length);
      fetch(url).then(async (res) => {
        if (!res.ok) throw new Error(`HTTP ${res.status} ${res.statusText}`.trim());
        const bytes = new Uint8Array(await res.arrayBuffer());
        const dir = path.slice(0, path.lastIndexOf('/'));
        if (!exists(dir)) Module.FS.mkdirTree(dir);
        Module.FS.writeFile(path, bytes);
        files.delete(path);
      }).catch((e) => {
        entry.state = 'failed';
        entry.error = `${path}: cannot fetch ${url}: ${e.message || e}`;
      });
      return entry;
    },

    open(path) {
      const handle = nextHandle++;
      const entry = { state: 'opening', error: '', busy: Promise.resolve() };
      sessions.set(handle, entry);
      stats.opened += 1;
      (async () => {
        try {
          const ort = await loadOrt();
          const bytes = Module.FS.readFile(String(path));
          const session = await ort.InferenceSession.create(bytes, { executionProviders: ['wasm'], graphOptimizationLevel: 'all' });
          const meta = (m) => (m && m.isTensor ? m : { type: 'not a tensor', shape: [] });
          const i = meta(session.inputMetadata[0]), o = meta(session.outputMetadata[0]);
          const width = (s) => (s.length === 2 && typeof s[1] === 'number' ? s[1] : -1);
          Object.assign(entry, {
            ort, session, state: 'ready',
            inputs: session.inputNames.length, outputs: session.outputNames.length,
            inName: session.inputNames[0], outName: session.outputNames[0],
            inType: i.type, outType: o.type,
            inWidth: width(i.shape), outWidth: width(o.shape),
            inWidthText: JSON.stringify(i.shape), outWidthText: JSON.stringify(o.shape),
          });
          if (!sessions.has(handle)) session.release();  // closed while opening
        } catch (e) {
          entry.state = 'failed';
          entry.error = String(e && e.message || e);
        }
      })();
      return handle;
    },

    state(handle) {
      const e = sessions.get(handle);
      if (!e) return { state: 'failed', error: `no model session ${handle}` };
      return e;
    },

    run(handle, input, n, d, width, timed) {
      const id = nextRun++;
      const entry = sessions.get(handle);
      const run = { n, d, width, timed, input, next: 0, arrived: [], done: false, error: '', ms: 0, computeMs: 0,
                    cancelled: false };
      runs.set(id, run);
      stats.runs += 1;
      if (!entry || entry.state !== 'ready') run.error = `the model session ${handle} is not open`;
      else work(entry, run);
      return id;
    },

    poll(id) {
      const run = runs.get(id);
      if (!run) return { done: true, error: `no such run (${id})`, out: null, ms: 0 };
      let out = null;
      if (run.arrived.length) {
        const total = run.arrived.reduce((s, a) => s + a.length, 0);
        out = new Float32Array(total);
        let o = 0;
        for (const a of run.arrived) { out.set(a, o); o += a.length; }
        run.arrived = [];
      }
      const answer = { done: run.done, error: run.error, out, ms: run.ms, rows: run.next };
      if (run.done || run.error) runs.delete(id);
      return answer;
    },

    cancel(id) {
      const run = runs.get(id);
      if (run) run.cancelled = true;
      runs.delete(id);
    },

    close(handle) {
      const e = sessions.get(handle);
      sessions.delete(handle);
      if (e && e.session) e.session.release();
    },

    // For tests and the console: whether ONNX Runtime Web was requested, pieces and their times.
    stats() { return { ...stats, threads, sessions: sessions.size, activeRuns: runs.size }; },
    // Runs a model file of the page directly (tests compare its outputs with libtorch's): a
    // promise of the outputs of n rows.
    async direct(path, input, n, d) {
      const ort = await loadOrt();
      const session = await ort.InferenceSession.create(Module.FS.readFile(path), { executionProviders: ['wasm'] });
      try {
        const out = await session.run({ [session.inputNames[0]]: new ort.Tensor('float32', input, [n, d]) });
        return out[session.outputNames[0]].data;
      } finally { session.release(); }
    },
  };
}
