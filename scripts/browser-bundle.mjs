// The engine as one browser ES module: no runtime dependencies, WGSL inlined as text, minified.
// Node-only corners of the library (loadMnist, the `webgpu` package) are dynamic imports that a browser
// never reaches, so they stay external.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export async function buildBrowserBundle(outfile) {
  await build({
    entryPoints: ['src/index.ts'],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    loader: { '.wgsl': 'text' },
    external: ['webgpu', 'node:*'],
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
  const bytes = readFileSync(outfile);
  return { outfile, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
}
