// A small static server for the lab: right MIME types, gzip, and (unless --no-isolation)
// cross-origin isolation headers (COOP/COEP). Serves 127.0.0.1 only.
//   node web/server.mjs --dir DIR [--port 8080] [--no-isolation]
import { createServer } from 'node:http';
import { readFile, stat } from 'node:fs/promises';
import { extname, join, normalize, resolve } from 'node:path';
import { gzipSync } from 'node:zlib';

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(name);
  return i >= 0 && i + 1 < args.length ? args[i + 1] : fallback;
};
const root = resolve(opt('--dir', '.'));
const port = Number(opt('--port', '8080'));
const isolation = !args.includes('--no-isolation');
const quiet = args.includes('--quiet');

const TYPES = {
  '.html': 'text/html; charset=utf-8', '.js': 'text/javascript; charset=utf-8', '.mjs': 'text/javascript; charset=utf-8',
  '.wasm': 'application/wasm', '.json': 'application/json', '.css': 'text/css', '.png': 'image/png',
  '.alds': 'application/octet-stream', '.fvecs': 'application/octet-stream', '.ivecs': 'application/octet-stream',
};
const gzipCache = new Map();
let bytesSent = 0;

const server = createServer(async (req, res) => {
  try {
    const url = new URL(req.url, 'http://localhost');
    if (url.pathname === '/__bytes') {  // for tests: bytes sent so far
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ bytesSent }));
      return;
    }
    let path = normalize(join(root, decodeURIComponent(url.pathname)));
    if (!path.startsWith(root)) { res.writeHead(403); res.end('forbidden'); return; }
    if ((await stat(path).catch(() => null))?.isDirectory()) path = join(path, 'index.html');
    const body = await readFile(path).catch(() => null);
    if (!body) { res.writeHead(404, { 'content-type': 'text/plain' }); res.end('not found'); return; }
    const headers = { 'content-type': TYPES[extname(path)] || 'application/octet-stream', 'cache-control': 'no-cache' };
    if (isolation) {
      headers['cross-origin-opener-policy'] = 'same-origin';
      headers['cross-origin-embedder-policy'] = 'require-corp';
    }
    let out = body;
    if (/\bgzip\b/.test(req.headers['accept-encoding'] || '') && body.length > 1024) {
      if (!gzipCache.has(path)) gzipCache.set(path, gzipSync(body, { level: 6 }));
      out = gzipCache.get(path);
      headers['content-encoding'] = 'gzip';
    }
    headers['content-length'] = out.length;
    res.writeHead(200, headers);
    res.end(out);
    bytesSent += out.length;
  } catch (e) {
    res.writeHead(500);
    res.end(String(e));
  }
});
server.listen(port, '127.0.0.1', () => {
  if (!quiet) console.log(`annlab lab at http://127.0.0.1:${port}/  (serving ${root}${isolation ? ', cross-origin isolated' : ''})`);
});
