import { beforeAll, describe, expect, it } from 'vitest';
import { gatherImages, uploadImages, type GpuImageSet } from '../../src/data/gpu-images.js';
import { loadMnist } from '../../src/data/mnist.js';
import { HIDDEN_SIZES } from '../../src/models/architecture.js';
import { defaultConfig, type ModelConfig } from '../../src/models/config.js';
import { CATEGORY_HEAD_GAIN, CategoricalAae } from '../../src/models/categorical-aae.js';
import { Linear } from '../../src/nn/linear.js';
import { classifyImages } from '../../src/training/evaluate.js';
import { useEngine } from '../helpers/engine.js';

const gpu = useEngine();
const DIGITS = 1000;
let digits: GpuImageSet;

beforeAll(async () => {
  const mnist = await loadMnist();
  digits = uploadImages(gpu.engine, mnist.train.images.subarray(0, DIGITS * 784), DIGITS, 784);
});

function clusteringConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return defaultConfig({ model: 'clustering-aae', clusters: 16, latent: 8, hidden: HIDDEN_SIZES.small, ...overrides });
}

/** The share of images whose y is most confident, and how many categories are some image's most likely one. */
function confidenceAndSpread(probabilities: Float32Array, clusters: number): { meanMaximum: number; categoriesUsed: number } {
  const rows = probabilities.length / clusters;
  const used = new Set<number>();
  let total = 0;
  for (let row = 0; row < rows; row++) {
    let best = 0;
    for (let k = 1; k < clusters; k++) if (probabilities[row * clusters + k] > probabilities[row * clusters + best]) best = k;
    used.add(best);
    total += probabilities[row * clusters + best];
  }
  return { meanMaximum: total / rows, categoriesUsed: used.size };
}

describe('categorical AAE: y at initialisation', () => {
  it('starts as a confident assignment that differs between digits and spreads over the categories', async () => {
    // A near-uniform y at the start is what lets the categorical discriminator collapse every digit into
    // two or three categories (see CATEGORY_HEAD_GAIN); the usual initialisation gives a mean maximum of ~0.1.
    const model = new CategoricalAae(gpu.engine, clusteringConfig());
    const { meanMaximum, categoriesUsed } = confidenceAndSpread(await classifyImages(model, digits), 16);
    expect(meanMaximum).toBeGreaterThan(0.5);
    expect(categoriesUsed).toBeGreaterThanOrEqual(8);
    for (const module of Object.values(model.modules())) module.dispose();
  });

  it('keeps the usual initialisation where a labelled phase breaks the symmetry', async () => {
    const model = new CategoricalAae(gpu.engine, defaultConfig({ model: 'semi-supervised-aae', latent: 8, hidden: HIDDEN_SIZES.small }));
    expect(confidenceAndSpread(await classifyImages(model, digits), 10).meanMaximum).toBeLessThan(0.3);
    for (const module of Object.values(model.modules())) module.dispose();
  });

  it('Linear initGain scales the initial weights and nothing else', async () => {
    const plain = new Linear(gpu.engine, 20, 6, { seed: 9 });
    const scaled = new Linear(gpu.engine, 20, 6, { seed: 9, initGain: CATEGORY_HEAD_GAIN });
    const [a, b] = [await plain.weight.read(), await scaled.weight.read()];
    b.forEach((value, i) => expect(value).toBeCloseTo(CATEGORY_HEAD_GAIN * a[i], 5));
    expect(Array.from(await scaled.bias!.read())).toEqual(new Array(6).fill(0));
    expect(() => new Linear(gpu.engine, 20, 6, { initGain: 0 })).toThrow('Linear: initGain must be a positive number, got 0.');
    plain.dispose();
    scaled.dispose();
  });
});

describe('categorical AAE: the style posterior', () => {
  it('training samples N(f(x), styleNoise² I); codes for evaluation are the mean', async () => {
    const { engine } = gpu;
    const model = new CategoricalAae(engine, clusteringConfig({ styleNoise: 0.5 }));
    const rows = 4000;
    const samples = engine.scope(() => engine.noGrad(() => model.sampleStyle(engine.tensor(new Float32Array(rows * 8).fill(3), [rows, 8]))));
    const values = Array.from(await samples.read());
    samples.dispose();
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const deviation = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
    expect(mean).toBeCloseTo(3, 1);
    expect(deviation).toBeGreaterThan(0.48);
    expect(deviation).toBeLessThan(0.52);

    const indices = engine.tensor(Uint32Array.from({ length: 50 }, (_, i) => i), [50]);
    const encode = async () => {
      const codes = engine.scope(() => engine.noGrad(() => model.encode(gatherImages(digits, indices))));
      const read = await codes.read();
      codes.dispose();
      return Array.from(read);
    };
    expect(await encode()).toEqual(await encode());
    indices.dispose();
    for (const module of Object.values(model.modules())) module.dispose();
  });

  it('without style noise the style code is passed on unchanged', () => {
    const { engine } = gpu;
    const model = new CategoricalAae(engine, clusteringConfig({ styleNoise: 0 }));
    const style = engine.tensor(new Float32Array(8), [1, 8]);
    expect(model.sampleStyle(style)).toBe(style);
    style.dispose();
    for (const module of Object.values(model.modules())) module.dispose();
  });

  it('defaults to noise for the clustering model only, and refuses it elsewhere', () => {
    expect(clusteringConfig().styleNoise).toBe(0.7);
    expect(defaultConfig({ model: 'semi-supervised-aae' }).styleNoise).toBe(0);
    expect(defaultConfig({ model: 'aae' }).styleNoise).toBe(0);
    expect(() => defaultConfig({ model: 'aae', styleNoise: 0.5 })).toThrow('model config: styleNoise is for the categorical and supervised AAEs, not aae.');
    expect(() => clusteringConfig({ styleNoise: -1 })).toThrow('model config: styleNoise must be 0 or more, got -1.');
  });
});

describe('semi-supervised AAE: input noise and the learning-rate half-life', () => {
  const semiSupervised = (overrides: Partial<ModelConfig> = {}) =>
    defaultConfig({ model: 'semi-supervised-aae', latent: 8, hidden: HIDDEN_SIZES.tiny, ...overrides });

  it('training sees the images plus N(0, inputNoise²) per pixel, fresh each call; evaluation sees them clean', async () => {
    const { engine } = gpu;
    const model = new CategoricalAae(engine, semiSupervised({ inputNoise: 0.3 }));
    const rows = 50;
    const indices = engine.tensor(Uint32Array.from({ length: rows }, (_, i) => i), [rows]);
    const images = engine.keep(engine.scope(() => gatherImages(digits, indices)));
    const clean = Array.from(await images.read());
    const noisy = async () => {
      const tensor = engine.scope(() => engine.noGrad(() => model.noisyInput(images)));
      const values = Array.from(await tensor.read());
      tensor.dispose();
      return values;
    };
    const [first, second] = [await noisy(), await noisy()];
    const differences = first.map((value, i) => value - clean[i]);
    const mean = differences.reduce((sum, d) => sum + d, 0) / differences.length;
    const deviation = Math.sqrt(differences.reduce((sum, d) => sum + (d - mean) ** 2, 0) / differences.length);
    expect(Math.abs(mean)).toBeLessThan(0.01);
    expect(deviation).toBeGreaterThan(0.29);
    expect(deviation).toBeLessThan(0.31);
    expect(second).not.toEqual(first);

    const classify = async () => Array.from(await classifyImages(model, digits, rows));
    expect(await classify()).toEqual(await classify());
    images.dispose();
    indices.dispose();
    for (const module of Object.values(model.modules())) module.dispose();
  });

  it('without input noise the images are passed on unchanged', () => {
    const { engine } = gpu;
    const model = new CategoricalAae(engine, semiSupervised({ inputNoise: 0 }));
    const images = engine.tensor(new Float32Array(784), [1, 784]);
    expect(model.noisyInput(images)).toBe(images);
    images.dispose();
    for (const module of Object.values(model.modules())) module.dispose();
  });

  it('gives every optimizer the half-life; 0 keeps the rates constant', () => {
    const { engine } = gpu;
    const model = new CategoricalAae(engine, semiSupervised({ learningRateHalfLife: 250 }));
    for (const [name, optimizer] of Object.entries(model.optimizers())) {
      expect([name, (optimizer as { halfLife?: number }).halfLife]).toEqual([name, 250]);
    }
    model.dispose();
    const constant = new CategoricalAae(engine, semiSupervised({ learningRateHalfLife: 0 }));
    expect(constant.autoencoderOptimizer.learningRateAt(10_000)).toBe(constant.config.learningRate);
    constant.dispose();
  });

  it('defaults to both for the semi-supervised model only, and refuses them where they do not apply', () => {
    expect([semiSupervised().inputNoise, semiSupervised().learningRateHalfLife]).toEqual([0.3, 5000]);
    expect([clusteringConfig().inputNoise, clusteringConfig().learningRateHalfLife]).toEqual([0, 0]);
    expect(clusteringConfig({ learningRateHalfLife: 100 }).learningRateHalfLife).toBe(100);
    expect(() => clusteringConfig({ inputNoise: 0.3 })).toThrow('model config: inputNoise is for the semi-supervised-aae, not clustering-aae.');
    expect(() => defaultConfig({ model: 'aae', learningRateHalfLife: 100 })).toThrow('model config: learningRateHalfLife is for the categorical AAEs, not aae.');
    expect(() => semiSupervised({ inputNoise: -0.1 })).toThrow('model config: inputNoise must be 0 or more, got -0.1.');
    expect(() => semiSupervised({ learningRateHalfLife: Infinity })).toThrow(
      'model config: learningRateHalfLife must be 0 (constant rates) or a positive number of steps, got Infinity.',
    );
  });
});
