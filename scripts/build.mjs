// Bundles the library for Node and the browser (ESM, WGSL inlined as text), plus the runnable
// examples. The `webgpu` package stays external: Node loads it at run time; browsers never need it.
import { build } from 'esbuild';
import { readdirSync } from 'node:fs';

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

const examples = readdirSync('examples').filter((name) => name.endsWith('.ts'));
await build({
  ...shared,
  entryPoints: examples.map((name) => `examples/${name}`),
  outdir: 'dist/examples',
  platform: 'node',
  packages: 'external',
});
