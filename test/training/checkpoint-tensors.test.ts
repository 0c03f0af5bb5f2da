import { describe, expect, it } from 'vitest';
import { readModules } from '../../src/checkpoint/module-state.js';
import type { TensorRecord } from '../../src/checkpoint/safetensors.js';
import { defaultConfig, type ModelConfig } from '../../src/models/config.js';
import { createModel } from '../../src/models/create-model.js';
import { checkConfigAgainstTensors, checkFinite } from '../../src/training/checkpoint-tensors.js';
import { useEngine } from '../helpers/engine.js';

const gpu = useEngine();

/** Models as small as they come: 9 pixels (3×3), so that the classes (10) and clusters (16) are wider than the images. */
const small: Partial<ModelConfig> = { pixels: 9, hidden: [8], latent: 2 };

const KINDS: [string, Partial<ModelConfig>][] = [
  ['ae', { model: 'ae' }],
  ['vae', { model: 'vae' }],
  ['gan', { model: 'gan' }],
  ['aae, universal posterior', { model: 'aae', posterior: 'universal' }],
  ['aae, label-conditioned mog10', { model: 'aae', prior: 'mog10', conditional: true }],
  ['supervised-aae', { model: 'supervised-aae' }],
  ['semi-supervised-aae', { model: 'semi-supervised-aae' }],
  ['clustering-aae', { model: 'clustering-aae' }],
  ['dimensionality-reduction-aae', { model: 'dimensionality-reduction-aae' }],
  ['vae-gan', { model: 'vae-gan' }],
];

/** The network tensors of a fresh model of `config`, named as a checkpoint names them. */
async function networkTensors(config: ModelConfig): Promise<TensorRecord> {
  const model = createModel(gpu.engine, config);
  const record: TensorRecord = {};
  for (const [name, tensor] of Object.entries(await readModules(model.modules()))) record[`model.${name}`] = tensor;
  model.dispose();
  return record;
}

describe('checkConfigAgainstTensors', () => {
  for (const [name, overrides] of KINDS) {
    it(`accepts a ${name}'s own config and tensors, and refuses a latent above all of them`, async () => {
      const config = defaultConfig({ ...small, ...overrides });
      const tensors = await networkTensors(config);
      expect(() => checkConfigAgainstTensors(config, tensors)).not.toThrow();
      const largest = Math.max(...Object.values(tensors).flatMap((tensor) => tensor.shape));
      expect(() => checkConfigAgainstTensors({ ...config, latent: largest + 1 }, tensors)).toThrow(
        `the config's latent is ${largest + 1}, but no network tensor has a dimension above ${largest}; the metadata does not describe these tensors.`,
      );
    });
  }

  it('refuses a used size above every dimension, and ignores an unused one', async () => {
    const config = defaultConfig({ ...small, model: 'aae' });
    const tensors = await networkTensors(config);
    expect(() => checkConfigAgainstTensors({ ...config, classes: 1e9 }, tensors)).not.toThrow();
    expect(() => checkConfigAgainstTensors({ ...config, hidden: [8e9] }, tensors)).toThrow("the config's hidden[0] is 8000000000");
    expect(() => checkConfigAgainstTensors({ ...config, model: 'supervised-aae', classes: 1e9 }, tensors)).toThrow("the config's classes is 1000000000");
    expect(() => checkConfigAgainstTensors({ ...config, posterior: 'universal', noise: 1e9 }, tensors)).toThrow("the config's noise is 1000000000");
  });

  it('refuses more hidden layers than tensors, and a checkpoint without network tensors', async () => {
    const config = defaultConfig({ ...small, model: 'ae' });
    const tensors = await networkTensors(config);
    const count = Object.keys(tensors).length;
    expect(() => checkConfigAgainstTensors({ ...config, hidden: Array(count + 1).fill(8) }, tensors)).toThrow(
      `the config lists ${count + 1} hidden layers, but the checkpoint holds only ${count} network tensors`,
    );
    expect(() => checkConfigAgainstTensors(config, { 'optimizer.x.0': { shape: [1], data: new Float32Array(1) } })).toThrow(
      "the checkpoint holds no network tensors ('model.*'); it has 'optimizer.x.0'.",
    );
  });
});

describe('checkFinite', () => {
  it('passes finite values, including the largest and smallest float32', () => {
    expect(() => checkFinite({ a: { shape: [3], data: Float32Array.of(3.4028234e38, -3.4028234e38, 1e-45) } })).not.toThrow();
  });

  for (const bad of [NaN, Infinity, -Infinity]) {
    it(`names the first tensor holding ${bad}, and where`, () => {
      const tensors: TensorRecord = { ok: { shape: [2], data: Float32Array.of(1, 2) }, bad: { shape: [2, 2], data: Float32Array.of(0, 0, bad, bad) } };
      expect(() => checkFinite(tensors)).toThrow(`tensor 'bad' holds ${bad} at value 2 of 4; a checkpoint's values must all be finite`);
    });
  }
});
