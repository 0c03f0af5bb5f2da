import { describe, expect, it } from 'vitest';
import { encodeIdx } from '../../src/data/idx.js';
import { mnistFromIdx, splitMnist } from '../../src/data/mnist.js';
import { syntheticImages } from '../../src/data/toy2d.js';
import { uploadImages } from '../../src/data/gpu-images.js';
import { defaultConfig, type ModelConfig } from '../../src/models/config.js';
import { createModel } from '../../src/models/create-model.js';
import { traceLosses } from '../../src/training/loss-trace.js';
import { TrainingSteps } from '../../src/training/training-steps.js';
import { useEngine } from '../helpers/engine.js';

const gpu = useEngine();
const train = syntheticImages(300, { seed: 4 });
const tiny: Partial<ModelConfig> = { model: 'aae', prior: 'mog10', conditional: true, hidden: [16, 16], pixels: 64, latent: 2 };
const batchSize = 50;

describe('traceLosses: the first steps of a fresh model, read after each', () => {
  it('gives the same trace for the same seed and another for another seed', async () => {
    const a = await traceLosses(gpu.engine, { ...tiny, seed: 2 }, train, 4, batchSize);
    const b = await traceLosses(gpu.engine, { ...tiny, seed: 2 }, train, 4, batchSize);
    const c = await traceLosses(gpu.engine, { ...tiny, seed: 3 }, train, 4, batchSize);
    expect(a).toHaveLength(4);
    expect(Object.keys(a[0])).toEqual(['reconstruction', 'discriminator', 'generator']);
    expect(b).toEqual(a);
    expect(c[0].reconstruction).not.toBe(a[0].reconstruction);
    // Training moved the losses from step to step.
    expect(new Set(a.map((losses) => losses.reconstruction)).size).toBe(4);
  });

  it('leaves no tensor behind', async () => {
    await traceLosses(gpu.engine, tiny, train, 1, batchSize); // pipelines and pooled buffers made once
    const before = gpu.engine.memory().liveTensors;
    await traceLosses(gpu.engine, tiny, train, 2, batchSize);
    expect(gpu.engine.memory().liveTensors).toBe(before);
  });

  it('rejects a step count that is not a positive whole number', async () => {
    await expect(traceLosses(gpu.engine, tiny, train, 0, batchSize)).rejects.toThrow(/traceLosses: steps must be a positive whole number, got 0/);
  });
});

describe('TrainingSteps', () => {
  it('counts steps and epochs, and reads losses only after a step', async () => {
    const engine = gpu.engine;
    const model = createModel(engine, defaultConfig(tiny));
    const images = uploadImages(engine, train.images, train.count, train.pixels);
    const steps = new TrainingSteps(model, { images, train, split: splitMnist({ train }, { validation: 0 }), batchSize });
    await expect(steps.readLosses()).rejects.toThrow(/no step has been taken yet/);
    expect(steps.stepsPerEpoch).toBe(6);
    for (let i = 0; i < 7; i++) steps.step();
    expect([steps.steps, steps.epoch]).toEqual([7, 1]);
    expect(Object.values(await steps.readLosses()).every(Number.isFinite)).toBe(true);
    steps.dispose();
    images.tensor.dispose();
    model.dispose();
  });

  it('refuses to resume in the middle of an epoch', () => {
    const engine = gpu.engine;
    const model = createModel(engine, defaultConfig(tiny));
    const images = uploadImages(engine, train.images, train.count, train.pixels);
    const split = splitMnist({ train }, { validation: 0 });
    expect(() => new TrainingSteps(model, { images, train, split, batchSize, stepsDone: 7 })).toThrow(/stepsDone 7 is not a whole number of epochs of 6 steps/);
    images.tensor.dispose();
    model.dispose();
  });
});

describe('mnistFromIdx: MNIST from the bytes of its four IDX files (what the browser page fetches)', () => {
  const file = (dims: number[], data: Uint8Array, path: string) => ({ bytes: encodeIdx(dims, data), path });
  const images = syntheticImages(5, { seed: 1, size: 8 });

  it('reads images and labels, in order', () => {
    const mnist = mnistFromIdx({
      trainImages: file([5, 8, 8], images.images, 'train-images'),
      trainLabels: file([5], images.labels, 'train-labels'),
      testImages: file([2, 8, 8], images.images.subarray(0, 128), 'test-images'),
      testLabels: file([2], images.labels.subarray(0, 2), 'test-labels'),
    });
    expect([mnist.train.count, mnist.train.pixels, mnist.test.count]).toEqual([5, 64, 2]);
    expect(Array.from(mnist.train.labels)).toEqual(Array.from(images.labels));
    expect(mnist.train.images).toEqual(images.images);
  });

  it('names both files when images and labels do not belong together', () => {
    expect(() =>
      mnistFromIdx({
        trainImages: file([5, 8, 8], images.images, 'train-images'),
        trainLabels: file([4], images.labels.subarray(0, 4), 'train-labels'),
        testImages: file([5, 8, 8], images.images, 'test-images'),
        testLabels: file([5], images.labels, 'test-labels'),
      }),
    ).toThrow(/train-images \/ train-labels: 5 images but 4 labels/);
  });
});

describe('buffer planning of the captured training step', () => {
  /** 20 steps of a fresh model, losses read after each; the plan as the step stood; the final weights. */
  async function trainTwentySteps(model: ModelConfig['model'], planBuffers: boolean) {
    const engine = gpu.engine;
    const trained = createModel(engine, defaultConfig({ ...tiny, model, conditional: false, seed: 5 }));
    const images = uploadImages(engine, train.images, train.count, train.pixels);
    const split = splitMnist({ train }, { validation: 0, seed: 5 });
    const steps = new TrainingSteps(trained, { images, train, split, batchSize, planBuffers });
    try {
      const losses: Record<string, number>[] = [];
      for (let step = 0; step < 20; step++) {
        steps.step();
        losses.push(await steps.readLosses());
      }
      const plan = engine.memory().plan;
      const parameters = Object.values(trained.modules()).flatMap((module) => module.parameters());
      const weights = await Promise.all(parameters.map(async (parameter) => Array.from(await parameter.read())));
      return { losses, plan, weights };
    } finally {
      steps.dispose();
      images.tensor.dispose();
      trained.dispose();
    }
  }

  for (const model of ['aae', 'vae-gan', 'semi-supervised-aae'] as const) {
    it(`${model}: the same losses and weights, bit for bit, in fewer buffers`, async () => {
      const unplanned = await trainTwentySteps(model, false);
      const planned = await trainTwentySteps(model, true);
      expect(planned.losses).toEqual(unplanned.losses);
      expect(planned.weights).toEqual(unplanned.weights);
      expect(unplanned.plan.steps).toBe(0);
      expect(planned.plan.steps).toBe(1);
      expect(planned.plan.buffers).toBeLessThan(planned.plan.intermediates / 2);
      expect(planned.plan.bufferBytes).toBeLessThan(planned.plan.intermediateBytes / 2);
    });
  }
});
