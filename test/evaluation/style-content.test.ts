import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { uploadImages, type GpuImageSet } from '../../src/data/gpu-images.js';
import { loadMnist, type Mnist } from '../../src/data/mnist.js';
import { digitClassifierFor } from '../../src/evaluation/digit-classifier.js';
import { columnAccuracy, styleContentAccuracy, styleGrid } from '../../src/evaluation/style-content.js';
import { defaultConfig } from '../../src/models/config.js';
import { createModel } from '../../src/models/create-model.js';
import type { AdversarialAutoencoder } from '../../src/models/aae.js';
import { createPrior } from '../../src/models/priors.js';
import { useEngine } from '../helpers/engine.js';

const gpu = useEngine();
const TRAIN = 3000;
let mnist: Mnist;
let train: GpuImageSet;

beforeAll(async () => {
  mnist = await loadMnist();
  train = uploadImages(gpu.engine, mnist.train.images.subarray(0, TRAIN * 784), TRAIN, 784);
});
afterAll(() => {
  train?.tensor.dispose();
});

/**
 * A supervised AAE (latent 4, hidden 32-32) whose decoder is set by hand: `useDigit` draws the mean
 * training image of the digit asked for whatever the style; otherwise its weights stay random but the
 * digit's inputs are cut off, so each row draws one image whatever the column.
 */
async function handSetModel(useDigit: boolean): Promise<{ model: AdversarialAutoencoder; templates: Float32Array }> {
  const model = createModel(gpu.engine, defaultConfig({ model: 'supervised-aae', latent: 4, hidden: [32, 32] })) as AdversarialAutoencoder;
  const [first, second, last] = model.decoder.layers;
  const latent = 4;
  const templates = new Float32Array(10 * 784);
  const counts = new Float32Array(10);
  for (let row = 0; row < TRAIN; row++) {
    const digit = mnist.train.labels[row];
    counts[digit]++;
    for (let p = 0; p < 784; p++) templates[digit * 784 + p] += mnist.train.images[row * 784 + p] / 255;
  }
  templates.forEach((value, i) => (templates[i] = value / counts[Math.floor(i / 784)]));
  if (useDigit) {
    // Digit c lights hidden unit c in both layers; the last layer turns unit c into the logits of template c.
    const firstWeight = new Float32Array((latent + 10) * 32);
    const secondWeight = new Float32Array(32 * 32);
    for (let c = 0; c < 10; c++) {
      firstWeight[(latent + c) * 32 + c] = 1;
      secondWeight[c * 32 + c] = 1;
    }
    const lastWeight = new Float32Array(32 * 784);
    for (let c = 0; c < 10; c++) {
      for (let p = 0; p < 784; p++) {
        const value = Math.min(0.99, Math.max(0.01, templates[c * 784 + p]));
        lastWeight[c * 784 + p] = Math.log(value / (1 - value));
      }
    }
    first.weight.write(firstWeight);
    second.weight.write(secondWeight);
    last.weight.write(lastWeight);
    for (const layer of [first, second, last]) layer.bias!.write(new Float32Array(layer.bias!.size));
  } else {
    const weight = (await first.weight.read()) as Float32Array;
    weight.fill(0, latent * 32);
    first.weight.write(weight);
  }
  return { model, templates };
}

const firstRows = (count: number) => Uint32Array.from({ length: count }, (_, i) => i);

describe('style and content apart', () => {
  it('counts the cells read as their own column, row by row', () => {
    // Two rows of four: row 0 all right, row 1 repeats one digit (one cell right by chance).
    expect(columnAccuracy([0, 1, 2, 3, 2, 2, 2, 2], 4)).toBe(5 / 8);
    expect(columnAccuracy([0, 1, 2], 3)).toBe(1);
    expect(columnAccuracy([1, 2, 0], 3)).toBe(0);
    expect(() => columnAccuracy([0, 1, 2], 2)).toThrow('columnAccuracy: 3 predictions do not make whole rows of 2 columns.');
    expect(() => columnAccuracy([], 2)).toThrow('columnAccuracy: 0 predictions');
  });

  it('the grid keeps one prior code along each row and asks for category c in column c', () => {
    const prior = createPrior('gaussian', 3, { seed: 5 });
    const { codes, labels } = styleGrid(prior, 2, 4);
    const drawn = createPrior('gaussian', 3, { seed: 5 }).sample(2).codes;
    expect(Array.from(labels)).toEqual([0, 1, 2, 3, 0, 1, 2, 3]);
    for (let cell = 0; cell < 8; cell++) {
      const row = Math.floor(cell / 4);
      expect(Array.from(codes.subarray(cell * 3, cell * 3 + 3))).toEqual(Array.from(drawn.subarray(row * 3, row * 3 + 3)));
    }
  });

  it('a decoder that draws the digit asked for scores the share of its digits the classifier reads right; one that ignores the digit scores exactly 1/10', async () => {
    const classifier = await digitClassifierFor(gpu.engine, train, mnist.train.labels, firstRows(TRAIN), { hidden: 64, epochs: 2 });
    const content = await handSetModel(true);
    // The grid's cells are the templates themselves (up to the logits' clamp), so the classifier's reading of
    // the ten templates decides the score: each right template is right in all 30 rows.
    const clamped = content.templates.map((value) => Math.min(0.99, Math.max(0.01, value)));
    const readRight = columnAccuracy(await classifier.predict(clamped, 10), 10);
    expect(readRight).toBeGreaterThanOrEqual(0.8);
    expect(await styleContentAccuracy(content.model, classifier, { styles: 30, seed: 4 })).toBeCloseTo(readRight, 9);
    content.model.dispose();

    // Each row is one image in all ten columns: whichever digit it is read as, exactly one cell in ten is right.
    const styleOnly = await handSetModel(false);
    expect(await styleContentAccuracy(styleOnly.model, classifier, { styles: 30, seed: 4 })).toBeCloseTo(0.1, 9);
    styleOnly.model.dispose();
  });

  it('scores a supervised AAE between 0 and 1, the same for the same seed, and refuses models without a digit input', async () => {
    const { engine } = gpu;
    const classifier = await digitClassifierFor(engine, train, mnist.train.labels, firstRows(1000), { hidden: 32 });
    const model = createModel(engine, defaultConfig({ model: 'supervised-aae', latent: 4, hidden: [32, 32] }));
    const score = await styleContentAccuracy(model, classifier, { styles: 20, seed: 9 });
    expect(score).toBeGreaterThanOrEqual(0);
    expect(score).toBeLessThanOrEqual(1);
    // 200 cells: the share is a whole number of cells.
    expect(score * 200).toBeCloseTo(Math.round(score * 200), 6);
    expect(await styleContentAccuracy(model, classifier, { styles: 20, seed: 9 })).toBe(score);
    model.dispose();

    const plain = createModel(engine, defaultConfig({ model: 'aae', latent: 4, hidden: [32, 32] }));
    await expect(styleContentAccuracy(plain, classifier, { seed: 9 })).rejects.toThrow('styleContentAccuracy: the aae does not decode a digit beside its code');
    plain.dispose();
  });
});
