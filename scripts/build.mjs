// Bundles the library for Node and the browser (ESM, WGSL inlined as text), plus the runnable
// examples, and writes type declarations (skip them with --no-types). The `webgpu` package stays
// external: Node loads it at run time; browsers never need it.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';
import { buildBrowserBundle } from './browser-bundle.mjs';

const shared = {
  bundle: true,
  format: 'esm',
  target: 'es2022',
  loader: { '.wgsl': 'text' },
  external: ['webgpu', 'node:*'],
  sourcemap: true,
  logLevel: 'warning',
};

await build({ ...shared, entryPoints: ['src/index.ts'], outfile: 'dist/index.js', platform: 'neutral' });

// One minified ES module for browsers (package.json's "./browser" export; the page in web/ uses it too).
await buildBrowserBundle('dist/webgpu-aae.browser.js');

// The command-line tool (package.json's bin).
await build({ ...shared, entryPoints: ['src/cli/main.ts'], outfile: 'dist/cli.js', platform: 'node', packages: 'external', banner: { js: '#!/usr/bin/env node' } });

const examples = readdirSync('examples').filter((name) => name.endsWith('.ts'));
await build({
  ...shared,
  entryPoints: examples.map((name) => `examples/${name}`),
  outdir: 'dist/examples',
  platform: 'node',
  packages: 'external',
});

// Type declarations for library users (esbuild does not emit them); the examples do not need them.
if (!process.argv.includes('--no-types')) {
  const { execFileSync } = await import('node:child_process');
  execFileSync(process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.build.json'], { stdio: 'inherit' });
}
