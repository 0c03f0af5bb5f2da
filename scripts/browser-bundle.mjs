// The engine as one browser ES module: no runtime dependencies, WGSL inlined as text, minified.
// Node-only corners of the library (loadMnist, the `webgpu` package) are dynamic imports that a browser
// never reaches. Node's built-in modules among them become a module that throws when imported, so that a
// user's bundler (esbuild, Vite) finds nothing left to resolve; `webgpu` is imported by a name held in a
// variable, which bundlers leave alone.
import { build } from 'esbuild';
import { readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';

export const nodeBuiltinsThrow = {
  name: 'node-builtins-throw',
  setup(builder) {
    builder.onResolve({ filter: /^node:/ }, (args) => ({ path: args.path, namespace: 'node-only' }));
    builder.onLoad({ filter: /.*/, namespace: 'node-only' }, (args) => ({
      contents: `throw new Error(${JSON.stringify(`webgpu-aae: ${args.path} exists only in Node; this part of the library cannot run in a browser.`)});`,
      loader: 'js',
    }));
  },
};

export async function buildBrowserBundle(outfile) {
  await build({
    entryPoints: ['src/index.ts'],
    outfile,
    bundle: true,
    format: 'esm',
    platform: 'browser',
    target: 'es2022',
    loader: { '.wgsl': 'text' },
    external: ['webgpu'],
    plugins: [nodeBuiltinsThrow],
    minify: true,
    sourcemap: true,
    logLevel: 'warning',
  });
  const bytes = readFileSync(outfile);
  return { outfile, bytes: bytes.length, gzipBytes: gzipSync(bytes, { level: 9 }).length };
}
