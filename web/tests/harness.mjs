// Shared by the browser tests: a served bundle, a headless Chromium, a PNG reader, the native CLI.
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { inflateSync } from 'node:zlib';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const BUNDLE = process.env.ANNLAB_BUNDLE || join(ROOT, 'build-wasm/lab');
export const ARTIFACTS = join(ROOT, 'out/test-artifacts');
export const NATIVE_CLI = join(ROOT, 'build/tools/annlab');
mkdirSync(ARTIFACTS, { recursive: true });

export async function serve(dir, port, isolation = true) {
  const args = [join(ROOT, 'web/server.mjs'), '--dir', dir, '--port', String(port), '--quiet'];
  if (!isolation) args.push('--no-isolation');
  const proc = spawn(process.execPath, args, { stdio: 'inherit' });
  for (let i = 0; i < 100; ++i) {
    try {
      await fetch(`http://127.0.0.1:${port}/__bytes`);
      return { proc, url: `http://127.0.0.1:${port}/`, close: () => proc.kill() };
    } catch { await new Promise((r) => setTimeout(r, 100)); }
  }
  proc.kill();
  throw new Error(`the server on port ${port} did not start`);
}

export async function bytesSent(server) {
  return (await (await fetch(server.url + '__bytes')).json()).bytesSent;
}

export async function browser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM || '/usr/bin/chromium',
    args: ['--no-sandbox', '--disable-quic', '--no-first-run', '--disable-background-networking',
           '--disable-component-update', '--disable-sync', '--use-gl=angle', '--use-angle=swiftshader',
           '--enable-unsafe-swiftshader'],
  });
}

// Opens the lab and waits until it is ready; console errors are collected in page.errors.
export async function openLab(b, url, viewport = { width: 1280, height: 800 }) {
  const page = await b.newPage({ viewport });
  page.errors = [];
  page.on('console', (m) => { if (m.type() === 'error') page.errors.push(m.text()); });
  page.on('pageerror', (e) => page.errors.push(String(e)));
  const t0 = Date.now();
  await page.goto(url);
  await page.waitForFunction(() => window.annlabReady || window.annlabError, null, { timeout: 240000 });
  const failed = await page.evaluate(() => window.annlabError);
  if (failed) throw new Error(`the lab failed to load: ${failed}`);
  page.readyMs = Date.now() - t0;
  return page;
}

// Decodes an 8-bit RGB/RGBA PNG (what Chromium writes) into {width, height, channels, data}.
export function decodePng(buf) {
  let pos = 8, width = 0, height = 0, channels = 0;
  const idat = [];
  while (pos < buf.length) {
    const len = buf.readUInt32BE(pos), type = buf.toString('ascii', pos + 4, pos + 8);
    const body = buf.subarray(pos + 8, pos + 8 + len);
    if (type === 'IHDR') {
      width = body.readUInt32BE(0); height = body.readUInt32BE(4);
      channels = { 2: 3, 6: 4 }[body[9]];
      if (body[8] !== 8 || !channels) throw new Error('unsupported PNG');
    } else if (type === 'IDAT') idat.push(body);
    pos += 12 + len;
  }
  const raw = inflateSync(Buffer.concat(idat));
  const stride = width * channels, out = Buffer.alloc(height * stride);
  for (let y = 0; y < height; ++y) {
    const f = raw[y * (stride + 1)], line = raw.subarray(y * (stride + 1) + 1, (y + 1) * (stride + 1));
    for (let x = 0; x < stride; ++x) {
      const a = x >= channels ? out[y * stride + x - channels] : 0, b = y ? out[(y - 1) * stride + x] : 0;
      const c = x >= channels && y ? out[(y - 1) * stride + x - channels] : 0;
      let p = line[x];
      if (f === 1) p += a; else if (f === 2) p += b; else if (f === 3) p += (a + b) >> 1;
      else if (f === 4) { const q = a + b - c, pa = Math.abs(q - a), pb = Math.abs(q - b), pc = Math.abs(q - c);
        p += pa <= pb && pa <= pc ? a : pb <= pc ? b : c; }
      out[y * stride + x] = p & 255;
    }
  }
  return { width, height, channels, data: out };
}

// Distinct colours among a grid of samples, and the fraction of samples unlike the top-left one.
export function pngVariety(png) {
  const seen = new Set();
  let differ = 0, n = 0;
  const at = (x, y) => { const i = (y * png.width + x) * png.channels; return png.data.readUIntBE(i, 3); };
  const bg = at(0, 0);
  for (let y = 0; y < png.height; y += 4) for (let x = 0; x < png.width; x += 4) {
    const c = at(x, y); seen.add(c); differ += c !== bg; ++n;
  }
  return { colours: seen.size, nonBackground: differ / n };
}

export function saveArtifact(name, bytes) { writeFileSync(join(ARTIFACTS, name), bytes); }

// Runs the native CLI's search for one query vector; returns its k ids.
export function nativeSearch(vector, spec, params, k) {
  const d = vector.length, q = Buffer.alloc(4 + 4 * d);
  q.writeInt32LE(d, 0);
  vector.forEach((v, i) => q.writeFloatLE(v, 4 + 4 * i));
  const qf = join(ARTIFACTS, 'query.fvecs'), rf = join(ARTIFACTS, 'native-result.ivecs');
  writeFileSync(qf, q);
  const args = ['search', '--base', join(ROOT, 'assets/data/fashion-mnist-base.alds'), '--query', qf, '--index', spec,
                '--k', String(k), '--out', rf];
  for (const p of params) args.push('--param', p);
  execFileSync(NATIVE_CLI, args);
  const r = readFileSync(rf);
  return Array.from({ length: k }, (_, i) => r.readInt32LE(4 + 4 * i));
}

// .fvecs as {n, d, data: Float32Array}; .ivecs as rows of k ids.
export function readFvecs(file) {
  const buf = readFileSync(file);
  const d = buf.readInt32LE(0), n = buf.length / (4 + 4 * d), out = new Float32Array(n * d);
  for (let i = 0; i < n; ++i) for (let j = 0; j < d; ++j) out[i * d + j] = buf.readFloatLE(i * (4 + 4 * d) + 4 + 4 * j);
  return { n, d, data: out };
}
export function readIvecs(file, k) {
  const buf = readFileSync(file), n = buf.length / (4 + 4 * k), rows = [];
  for (let i = 0; i < n; ++i) rows.push(Array.from({ length: k }, (_, j) => buf.readInt32LE(i * (4 + 4 * k) + 4 + 4 * j)));
  return rows;
}

export function report(line) { console.log(`REPORT: ${line}`); }
