import { spawnSync } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadModules, readModules } from '../../src/checkpoint/module-state.js';
import { decodeSafetensors } from '../../src/checkpoint/safetensors.js';
import { fromTorchLayout, toTorchLayout } from '../../src/checkpoint/torch-layout.js';
import { loadMnist } from '../../src/data/mnist.js';
import { defaultConfig, type ModelConfig } from '../../src/models/config.js';
import { createModel } from '../../src/models/create-model.js';
import type { GenerativeModel } from '../../src/models/model.js';
import { saveModelCheckpoint } from '../../src/training/model-checkpoint.js';
import { RUN_DEFAULTS } from '../../src/training/run-settings.js';
import { bundleCli, type CliProcess } from '../helpers/cli-process.js';
import { useEngine } from '../helpers/engine.js';

/**
 * `webgpu-aae export --format torch`, and the proof that the exported file computes what the engine
 * computes: examples/pytorch/numpy_reference.py reads it with NumPy alone and runs the encoder and the
 * decoder in float64 on 100 MNIST test images, the engine's codes and reconstructions beside it.
 */

const gpu = useEngine();
const root = resolve(import.meta.dirname, '..', '..');
const reference = join(root, 'examples', 'pytorch', 'numpy_reference.py');
const IMAGES = 100;

/** A Python 3 that imports numpy (scripts/install-numpy.sh installs Debian's when there is none). */
const python = [process.env.PYTHON, 'python3', '/usr/bin/python3'].find((candidate) => candidate && spawnSync(candidate, ['-c', 'import numpy']).status === 0);
if (!python && process.env.CI) throw new Error('export test: no Python 3 with NumPy; CI installs it with scripts/install-numpy.sh.');
if (!python) console.warn('export parity test skipped: no Python 3 with NumPy (run scripts/install-numpy.sh, or set PYTHON).');

let folder: string;
let tool: CliProcess;
const cli = (...args: string[]) => tool.run(...args);

/** The first `count` MNIST test images, scaled to [0, 1], as f32 [count, 784]. */
async function testImages(count: number) {
  const { test } = await loadMnist();
  return gpu.engine.tensor(Float32Array.from(test.images.subarray(0, count * test.pixels), (value) => value / 255), [count, test.pixels]);
}

/** A fresh model of `config`, saved as a run's checkpoint at `name`.safetensors. */
async function checkpointOf(config: Partial<ModelConfig>, name: string): Promise<{ model: GenerativeModel; path: string }> {
  const model = createModel(gpu.engine, defaultConfig({ pixels: 784, ...config }));
  const path = join(folder, `${name}.safetensors`);
  await saveModelCheckpoint(path, model, { epoch: 2, steps: 20 }, { ...RUN_DEFAULTS, batchSize: 10 });
  return { model, path };
}

beforeAll(async () => {
  folder = await mkdtemp(join(tmpdir(), 'webgpu-aae-export-'));
  tool = await bundleCli(folder);
});

afterAll(async () => {
  await tool?.dispose();
  await rm(folder, { recursive: true, force: true });
});

describe('toTorchLayout', () => {
  it('transposes every Linear weight to [out, in] and leaves the rest; fromTorchLayout undoes it exactly', () => {
    const tensors = {
      'decoder.0.weight': { shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) },
      'decoder.0.bias': { shape: [3], data: Float32Array.of(7, 8, 9) },
      'clusterHeads.heads': { shape: [2, 2], data: Float32Array.of(1, 2, 3, 4) },
    };
    const torch = toTorchLayout(tensors);
    expect(torch['decoder.0.weight']).toEqual({ shape: [3, 2], data: Float32Array.of(1, 4, 2, 5, 3, 6) });
    expect(torch['decoder.0.bias']).toEqual(tensors['decoder.0.bias']);
    expect(torch['clusterHeads.heads']).toEqual(tensors['clusterHeads.heads']);
    expect(fromTorchLayout(torch)).toEqual(tensors);
  });
});

describe('webgpu-aae export --format torch', () => {
  const configs: (Partial<ModelConfig> & Pick<ModelConfig, 'model' | 'hidden'>)[] = [
    { model: 'aae', hidden: [64, 32], latent: 2, prior: 'mog10', conditional: true },
    { model: 'aae', hidden: [32, 32], latent: 8, prior: 'gaussian', posterior: 'gaussian' },
    { model: 'vae', hidden: [48], latent: 4 },
  ];
  for (const config of configs) {
    describe(`a ${config.model} with hidden ${config.hidden.join("-")}, latent ${config.latent}`, () => {
      let model: GenerativeModel;
      let exported: string;

      beforeAll(async () => {
        const name = `${config.model}-${config.latent}`;
        const saved = await checkpointOf(config, name);
        model = saved.model;
        exported = join(folder, `${name}-torch.safetensors`);
        const result = await cli('export', '--checkpoint', saved.path, '--format', 'torch', '--out', exported);
        expect(result.code, result.stderr).toBe(0);
        expect(result.stderr).toMatch(new RegExp(`wrote .*${name}-torch.safetensors: the ${config.model}'s encoder, decoder`));
      });
      afterAll(() => model.dispose());

      it('writes the networks under their own names, Linear weights as [out, in], the config in the metadata, no optimizer state', async () => {
        const { tensors, metadata } = decodeSafetensors(await readFile(exported));
        expect(metadata.format).toBe('pt');
        expect(JSON.parse(metadata.config!)).toEqual(model.config);
        const ours = await readModules(model.modules());
        expect(Object.keys(tensors).sort()).toEqual(Object.keys(ours).sort());
        const [inputs, outputs] = ours['encoder.trunk.0.weight']!.shape;
        expect(tensors['encoder.trunk.0.weight']!.shape).toEqual([outputs, inputs]);
        // Element (i, o) of ours is element (o, i) of the export.
        expect(tensors['encoder.trunk.0.weight']!.data[5 * inputs! + 7]).toBe(ours['encoder.trunk.0.weight']!.data[7 * outputs! + 5]);
      });

      it('loads back into a model that reconstructs exactly as the original', async () => {
        const { tensors } = decodeSafetensors(await readFile(exported));
        const copy = createModel(gpu.engine, model.config);
        try {
          loadModules(copy.modules(), fromTorchLayout(tensors));
          const images = await testImages(10);
          const [original, reloaded] = await Promise.all([model, copy].map((m) => gpu.engine.noGrad(() => m.reconstruct(images)).read()));
          expect(Array.from(reloaded!)).toEqual(Array.from(original!));
          images.dispose();
        } finally {
          copy.dispose();
        }
      });

      it.skipIf(!python)(`computes in NumPy, float64, what the engine computes on ${IMAGES} MNIST test images (1e-4 relative)`, async () => {
        const images = await testImages(IMAGES);
        const pixels = (await images.read()) as Float32Array;
        const [codes, reconstructions] = gpu.engine.noGrad(() => {
          const codes = model.encode(images);
          return [codes, model.decode(codes)];
        });
        const files = { images: join(folder, 'images.f32'), codes: join(folder, 'codes.f32'), reconstructions: join(folder, 'reconstructions.f32') };
        await writeFile(files.images, pixels);
        await writeFile(files.codes, (await codes.read()) as Float32Array);
        await writeFile(files.reconstructions, (await reconstructions.read()) as Float32Array);
        for (const tensor of [images, codes, reconstructions]) tensor.dispose();
        const run = spawnSync(python!, [reference, exported, '--images', files.images, '--count', String(IMAGES), '--codes', files.codes, '--reconstructions', files.reconstructions], { encoding: 'utf8' });
        expect(run.status, run.stderr).toBe(0);
        const errors = JSON.parse(run.stdout) as Record<'codes' | 'reconstructions', { absolute: number; relative: number }>;
        console.log(`export parity (${config.model}, latent ${config.latent}): ${JSON.stringify(errors)}`);
        expect(errors.codes.relative).toBeLessThanOrEqual(1e-4);
        expect(errors.reconstructions.relative).toBeLessThanOrEqual(1e-4);
        // Not trivially small: the codes spread, the reconstructions are images.
        expect(errors.codes.absolute).toBeGreaterThan(0);
      });
    });
  }

  it('refuses bad command lines with one line and exit 2', async () => {
    const { path } = await checkpointOf({ model: 'ae', hidden: [16], latent: 2 }, 'refusals');
    const cases: [string[], string][] = [
      [['export', '--checkpoint', path, '--out', 'x.safetensors'], 'export: --format is required; choose one of torch.'],
      [['export', '--checkpoint', path, '--format', 'onnx', '--out', 'x.safetensors'], "--format: unknown value 'onnx'; choose one of torch."],
      [['export', '--checkpoint', path, '--format', 'torch'], 'export: --out FILE is required'],
      [['export', '--checkpoint', path, '--format', 'torch', '--out', 'missing/x.safetensors'], 'the folder missing does not exist'],
      [['export', '--checkpoint', path, '--format', 'torch', '--out', path], 'is the checkpoint itself'],
      [['export', '--format', 'torch', '--out', 'x.safetensors'], 'export: --checkpoint FILE is required'],
      [['export', '--checkpoint', join(folder, 'none.safetensors'), '--format', 'torch', '--out', 'x.safetensors'], 'the file does not exist'],
    ];
    await writeFile(join(folder, 'not-ours.safetensors'), Buffer.from('not a safetensors file at all'));
    cases.push([['export', '--checkpoint', join(folder, 'not-ours.safetensors'), '--format', 'torch', '--out', 'x.safetensors'], 'not a valid safetensors file']);
    for (const [args, message] of cases) {
      const result = await cli(...args);
      expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
      expect(result.stderr).toContain(message);
      expect(result.stderr).not.toMatch(/\n\s+at /);
    }
  });
});
