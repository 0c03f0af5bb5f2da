import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { build } from 'esbuild';
import { createEngine } from '../../src/device/create-engine.js';
import { defineKernel } from '../../src/kernels/kernel.js';
import { fill } from '../../src/launch/fill.js';
import { matmul } from '../../src/ops/matmul.js';
import { mulScalar } from '../../src/ops/arithmetic.js';
import { useEngine } from '../helpers/engine.js';

const gpu = useEngine();

describe('tensors', () => {
  it('uploads and reads back f32 and u32', async () => {
    const { engine } = gpu;
    const values = engine.tensor([1, 2, 3, 4.5], [2, 2]);
    expect(Array.from(await values.read())).toEqual([1, 2, 3, 4.5]);
    const indices = engine.tensor(new Uint32Array([7, 0, 4294967295]), [3]);
    expect(indices.dtype).toBe('u32');
    expect(Array.from(await indices.read())).toEqual([7, 0, 4294967295]);
    values.dispose();
    indices.dispose();
  });

  it('fills shapes that are not multiples of the workgroup', async () => {
    const t = fill(gpu.engine, [7, 33], 2.5);
    const values = await t.read();
    expect(values.length).toBe(231);
    expect(values.every((v) => v === 2.5)).toBe(true);
    t.dispose();
  });

  it('rejects uploads of the wrong size or type, naming the tensor', () => {
    const { engine } = gpu;
    const liveBefore = engine.memory().liveTensors;
    expect(() => engine.tensor([1, 2, 3], [2, 2])).toThrow(/3 values given for \[2, 2\] f32, which holds 4/);
    expect(() => engine.tensor(new Int32Array(4), [2, 2], 'f32')).toThrow(/integer data \(Int32Array\) given for f32 tensor/);
    expect(() => engine.tensor([1.5], [1], 'u32')).toThrow(/1\.5 at index 0 is not an unsigned 32-bit integer/);
    expect(() => engine.tensor([1], [0])).toThrow(/shape \[0\] is not a list of positive integers/);
    const t = engine.tensor([1, 2], [2]);
    expect(() => t.write([1, 2, 3])).toThrow(/3 values given for \[2\] f32/);
    t.dispose();
    // A rejected upload leaves no tensor behind.
    expect(engine.memory().liveTensors).toBe(liveBefore);
  });

  it('refuses a tensor over the adapter binding limit, saying what to do', () => {
    const { engine } = gpu;
    const tooMany = Math.floor(engine.limits.maxStorageBufferBindingSize / 4) + 1;
    expect(() => engine.empty([tooMany])).toThrow(/over this adapter's maxStorageBufferBindingSize/);
  });

  it('makes use after dispose a clear error', async () => {
    const t = gpu.engine.tensor([1], [1]);
    t.name = 'weights';
    t.dispose();
    expect(t.disposed).toBe(true);
    expect(() => t.buffer).toThrow(/Tensor 'weights' \[1\] f32 was used after dispose\(\)/);
    await expect(t.read()).rejects.toThrow(/used after dispose/);
    expect(() => fill(gpu.engine, [1], 0).write([1, 2])).toThrow(/2 values given/);
  });

  it('writes are ordered after the work recorded before them', async () => {
    const { engine } = gpu;
    const target = engine.tensor([0, 0], [2]);
    const snapshot = engine.empty([2]);
    engine.copy(target, snapshot); // recorded, not yet submitted
    target.write([5, 6]); // must not overtake the copy
    expect(Array.from(await snapshot.read())).toEqual([0, 0]);
    expect(Array.from(await target.read())).toEqual([5, 6]);
    target.dispose();
    snapshot.dispose();
  });
});

describe('scopes and memory', () => {
  it('disposes what a scope made, except what it returns', () => {
    const { engine } = gpu;
    const before = engine.memory().liveTensors;
    let inner!: ReturnType<typeof fill>;
    const kept = engine.scope(() => {
      inner = fill(engine, [4], 1);
      return { result: fill(engine, [4], 2) };
    });
    expect(inner.disposed).toBe(true);
    expect(kept.result.disposed).toBe(false);
    expect(engine.memory().liveTensors).toBe(before + 1);
    kept.result.dispose();
    expect(engine.memory().liveTensors).toBe(before);
  });

  it('disposes what a scope made when its function throws', () => {
    const { engine } = gpu;
    const before = engine.memory().liveTensors;
    let inner!: ReturnType<typeof fill>;
    expect(() =>
      engine.scope(() => {
        inner = fill(engine, [4], 1);
        throw new Error('boom');
      }),
    ).toThrow('boom');
    expect(inner.disposed).toBe(true);
    expect(engine.memory().liveTensors).toBe(before);
  });

  it('keeps the buffer of an outside tensor disposed inside a capture until the step is disposed', async () => {
    const { engine } = gpu;
    const input = engine.keep(fill(engine, [1000], 3));
    const step = engine.capture(() => {
      const doubled = mulScalar(input, 2);
      input.dispose(); // the captured dispatch still reads its buffer on every replay
      return doubled;
    });
    await engine.sync();
    // Churn the pool: without the capture holding the buffer, one of these would get it.
    const others = Array.from({ length: 8 }, () => engine.keep(fill(engine, [1000], 7)));
    await engine.sync();
    step.run();
    expect(Array.from(await step.outputs.read()).every((value) => value === 6)).toBe(true);
    for (const other of others) other.dispose();
    step.dispose();
  });

  it('rejects an async scope function', () => {
    expect(() => gpu.engine.scope(async () => 1)).toThrow(/returned a Promise/);
  });

  it('reuses pooled buffers, so pooled bytes stay flat', async () => {
    const { engine } = gpu;
    const sizes: number[] = [];
    for (let i = 0; i < 30; i++) {
      engine.scope(() => {
        for (let j = 0; j < 5; j++) fill(engine, [1000], j);
      });
      await engine.sync();
      const memory = engine.memory();
      sizes.push(memory.liveBytes + memory.pooledBytes);
    }
    expect(sizes.at(-1)).toBe(sizes[5]);
  });

  it('trimMemory frees the pooled buffers and starts the peak afresh from what is still held', async () => {
    const { engine } = gpu;
    const kept = engine.keep(fill(engine, [256], 1));
    engine.scope(() => {
      for (let j = 0; j < 4; j++) fill(engine, [50_000], j);
    });
    await engine.sync();
    const before = engine.memory();
    expect(before.pooledBytes).toBeGreaterThan(4 * 50_000 * 4 - 1);
    engine.trimMemory();
    const after = engine.memory();
    expect(after.pooledBytes).toBeLessThan(before.pooledBytes - 4 * 50_000 * 4 + 1);
    expect(after.peakBytes).toBeLessThan(before.peakBytes);
    expect(after.liveBytes).toBe(before.liveBytes);
    expect(Array.from((await kept.read()) as Float32Array).slice(0, 2)).toEqual([1, 1]);
    kept.dispose();
  });
});

describe('errors from the GPU', () => {
  it('reports a WGSL compile error with the kernel name and line', async () => {
    const broken = defineKernel({
      name: 'broken-kernel',
      source: 'override COUNT: u32;\n@group(0) @binding(0) var<storage, read_write> out: array<f32>;\n@compute @workgroup_size(64) fn main() { out[0] = undefined_name; }',
      bindings: ['write'],
    });
    const out = gpu.engine.empty([1]);
    gpu.engine.dispatch(broken, { COUNT: 1 }, [out], [1, 1, 1]);
    await expect(gpu.engine.sync()).rejects.toThrow(/kernel 'broken-kernel'[\s\S]*WGSL line 3/);
    out.dispose();
  });

  it('rejects a dispatch with the wrong bindings or workgroup counts', () => {
    const kernel = defineKernel({ name: 'two-bindings', source: '', bindings: ['read', 'write'] });
    const t = gpu.engine.tensor([1], [1]);
    expect(() => gpu.engine.dispatch(kernel, {}, [t], [1, 1, 1])).toThrow(/kernel 'two-bindings' takes 2 bindings, got 1/);
    expect(() => gpu.engine.dispatch(kernel, {}, [t, t], [0, 1, 1])).toThrow(/workgroup counts \[0, 1, 1\]/);
    t.dispose();
  });

  it('reports out-of-domain inputs found on the GPU at the next read', async () => {
    const { engine } = gpu;
    const x = engine.tensor([1, -2, 3, -4], [4]);
    engine.checkDomain('log', x, 'nonNegative', 'Clamp the input or add an epsilon.');
    await expect(x.read()).rejects.toThrow(/log: input \[4\] f32 had 2 negative or NaN values, which give NaN\. Clamp/);
    // Reported once: the counts are cleared.
    expect(Array.from(await x.read())).toEqual([1, -2, 3, -4]);
    x.dispose();
  });

  it('does not blame one op when more call sites were checked than the guard has slots', async () => {
    const engine = await createEngine();
    const inputs = Array.from({ length: 70 }, (_, i) => engine.tensor(new Float32Array(i + 1).fill(1), [i + 1]));
    inputs.forEach((input) => engine.checkDomain('sqrt', input, 'nonNegative', 'Clamp it.'));
    const offender = engine.tensor([-1], [1]);
    engine.checkDomain('log', offender, 'nonNegative', 'Clamp it.');
    await expect(engine.sync()).rejects.toThrow(/one of .*log of \[1\] f32/);
    engine.dispose();
  });

  it('rejects uniform blocks that are not a multiple of 16 bytes, naming the size', () => {
    expect(() => gpu.engine.uniform(12, () => new Uint32Array(3))).toThrow(/uniform: a block of 12 bytes; .*multiple of 16/);
  });

  it('turns device loss into errors instead of hangs', async () => {
    const engine = await createEngine();
    const t = engine.tensor([1, 2], [2]);
    engine.device.destroy();
    await expect(t.read()).rejects.toThrow(/device was lost|destroyed|lost/i);
    expect(() => fill(engine, [2], 1)).toThrow(/device was lost/);
    engine.dispose();
  });
});

describe('profiling with timestamp queries', () => {
  it('times each dispatch and sums them by kernel and grid, or says the adapter cannot', async () => {
    const { engine } = gpu;
    const a = engine.keep(fill(engine, [64, 96], 1));
    const b = engine.keep(fill(engine, [96, 32], 2));
    const work = () =>
      engine.scope(() => {
        for (let i = 0; i < 3; i++) matmul(a, b);
        fill(engine, [1000], 3);
      });
    if (!engine.info().features.includes('timestamp-query')) {
      await expect(engine.profile(work)).rejects.toThrow(/profile: the adapter .* has no 'timestamp-query' feature/);
    } else {
      const profile = await engine.profile(work);
      expect(profile.dispatches).toBe(4);
      expect(profile.untimed).toBe(0);
      const matmuls = profile.kernels.filter((kernel) => kernel.name.startsWith('matmul'));
      expect(matmuls.map((kernel) => kernel.dispatches)).toEqual([3]);
      expect(profile.kernels.reduce((sum, kernel) => sum + kernel.dispatches, 0)).toBe(4);
      // Times are measured, never asserted: the total is the sum of the kernels'.
      expect(profile.milliseconds).toBeCloseTo(profile.kernels.reduce((sum, kernel) => sum + kernel.milliseconds, 0), 9);
      expect(profile.kernels.reduce((sum, kernel) => sum + kernel.share, 0)).toBeCloseTo(1, 6);
      // Work after the profile is encoded as usual, in one pass, and still right.
      const product = matmul(a, b);
      expect(((await product.read()) as Float32Array)[0]).toBe(192);
      product.dispose();
    }
    a.dispose();
    b.dispose();
  });
});

describe('engine lifecycle', () => {
  it('reports its adapter and the limits it asked for', () => {
    const info = gpu.engine.info();
    expect(info.runtime).toBe('node');
    expect(info.limits.maxStorageBufferBindingSize).toBeGreaterThanOrEqual(128 * 2 ** 20);
    expect(gpu.engine.describe()).toMatch(/WebGPU adapter: .+ via Dawn/);
  });

  it('lets Node exit by itself once disposed', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'webgpu-aae-exit-'));
    const entry = join(dir, 'entry.ts');
    writeFileSync(
      entry,
      `import { createEngine } from ${JSON.stringify(join(process.cwd(), 'src/device/create-engine.ts'))};\n` +
        `const engine = await createEngine();\nconst t = engine.tensor([1, 2, 3], [3]);\n` +
        `console.log((await t.read()).join(','));\nengine.dispose();\n`,
    );
    // Bundled inside the project so that the bundle's `import 'webgpu'` resolves to node_modules.
    const bundle = join(process.cwd(), 'node_modules', '.cache', 'webgpu-aae-test', 'exit-check.mjs');
    await build({ entryPoints: [entry], bundle: true, platform: 'node', format: 'esm', outfile: bundle, external: ['webgpu'], loader: { '.wgsl': 'text' }, logLevel: 'silent' });
    const output = execFileSync(process.execPath, [bundle], {
      timeout: 30_000,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    });
    expect(output.trim()).toBe('1,2,3');
  });
});
