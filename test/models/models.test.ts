import { describe, expect, it } from 'vitest';
import type { Engine } from '../../src/device/engine.js';
import { syntheticImages } from '../../src/data/toy2d.js';
import { uploadImages, gatherImages, type GpuImageSet } from '../../src/data/gpu-images.js';
import { defaultConfig, type ModelConfig } from '../../src/models/config.js';
import { createModel } from '../../src/models/create-model.js';
import type { GenerativeModel, TrainingBatch } from '../../src/models/model.js';
import { AdversarialAutoencoder } from '../../src/models/aae.js';
import { Gan } from '../../src/models/gan.js';
import { decideGates, VaeGan } from '../../src/models/vae-gan.js';
import { CategoricalAae } from '../../src/models/categorical-aae.js';
import type { Module } from '../../src/nn/module.js';
import { useEngine } from '../helpers/engine.js';

const gpu = useEngine();
const data = syntheticImages(400, { seed: 3 });
const batchSize = 40;

function tinyConfig(overrides: Partial<ModelConfig>): ModelConfig {
  return defaultConfig({ hidden: [32, 32], pixels: data.pixels, learningRate: 3e-3, adversarialLearningRate: 1e-3, ...overrides });
}

/** The batch inputs a trainer refills each step, filled here from the synthetic set. */
function batchFor(engine: Engine, images: GpuImageSet, model: GenerativeModel, step: number, conditional: boolean): TrainingBatch {
  const indices = new Uint32Array(batchSize).map((_, i) => (step * batchSize + i) % data.count);
  const labels = indices.map((index) => data.labels[index]);
  const prior = model.prior.sample(batchSize, conditional ? labels : undefined);
  const batchImages = gatherImages(images, engine.tensor(indices, [batchSize]));
  const batchLabels = engine.tensor(labels, [batchSize]);
  return {
    images: batchImages,
    labels: batchLabels,
    priorCodes: engine.tensor(prior.codes, [batchSize, model.config.latent]),
    priorComponents: engine.tensor(conditional ? labels : new Uint32Array(prior.components), [batchSize]),
    // The semi-supervised phase: here every image is labelled, so the labelled minibatch is the batch itself.
    labelledImages: batchImages,
    labelledLabels: batchLabels,
  };
}

async function train(config: ModelConfig, steps: number): Promise<{ first: number[]; last: number[]; model: GenerativeModel }> {
  const { engine } = gpu;
  const images = uploadImages(engine, data.images, data.count, data.pixels);
  const model = createModel(engine, config);
  const lossesAt = async (step: number) => {
    const losses = engine.scope(() => model.trainStep(batchFor(engine, images, model, step, config.conditional)));
    const values = Array.from(await losses.read());
    losses.dispose();
    return values;
  };
  const first = await lossesAt(0);
  let last = first;
  for (let step = 1; step < steps; step++) last = await lossesAt(step);
  images.tensor.dispose();
  return { first, last, model };
}

describe('each model trains: its losses are finite and move the right way', () => {
  const cases: [string, Partial<ModelConfig>][] = [
    ['ae', { model: 'ae', latent: 4 }],
    ['vae', { model: 'vae', latent: 4 }],
    ['aae, deterministic posterior, Gaussian prior', { model: 'aae', posterior: 'deterministic', latent: 4 }],
    ['aae, Gaussian posterior', { model: 'aae', posterior: 'gaussian', latent: 4 }],
    ['aae, universal approximator posterior', { model: 'aae', posterior: 'universal', latent: 4 }],
    ['aae, mixture of 10 Gaussians, label-conditioned', { model: 'aae', prior: 'mog10', latent: 2, conditional: true }],
    ['aae, swiss roll', { model: 'aae', prior: 'swissroll', latent: 2 }],
    ['supervised aae', { model: 'supervised-aae', latent: 4 }],
    ['semi-supervised aae', { model: 'semi-supervised-aae', latent: 4 }],
    ['clustering aae', { model: 'clustering-aae', latent: 4, clusters: 16 }],
    ['dimensionality-reduction aae', { model: 'dimensionality-reduction-aae', latent: 2 }],
  ];
  for (const [name, overrides] of cases) {
    it(name, async () => {
      const { first, last } = await train(tinyConfig(overrides), 60);
      for (const value of [...first, ...last]) expect(Number.isFinite(value)).toBe(true);
      // Reconstruction (summed over 64 pixels) must fall well below where it started.
      expect(last[0]).toBeLessThan(first[0] * 0.8);
    });
  }

  it('vae-gan: all four losses stay finite, and reconstructions (measured in pixels, not in D_l) improve', async () => {
    const { engine } = gpu;
    const config = tinyConfig({ model: 'vae-gan', latent: 4 });
    const images = uploadImages(engine, data.images, data.count, data.pixels);
    const pixelBce = async (model: GenerativeModel) => {
      const all = engine.scope(() => engine.noGrad(() => model.reconstructionLoss(gatherImages(images, engine.tensor(new Uint32Array(200).map((_, i) => i), [200])))));
      const value = await all.item();
      all.dispose();
      return value;
    };
    const untrained = await pixelBce(createModel(engine, config));
    const { first, last, model } = await train(config, 60);
    for (const value of [...first, ...last]) expect(Number.isFinite(value)).toBe(true);
    expect(last[1]).not.toBe(first[1]);
    // 46 -> 38 here in 60 steps: D_l is a coarser guide than pixels, so less than the AE's 20 %.
    expect(await pixelBce(model)).toBeLessThan(untrained * 0.9);
    images.tensor.dispose();
  });

  it('gan: both players keep finite losses and the discriminator learns', async () => {
    const { first, last } = await train(tinyConfig({ model: 'gan', latent: 4 }), 40);
    for (const value of [...first, ...last]) expect(Number.isFinite(value)).toBe(true);
    expect(last[0]).not.toBe(first[0]);
  });
});

async function snapshot(modules: Record<string, Module>): Promise<Record<string, number[]>> {
  const values: Record<string, number[]> = {};
  for (const [name, module] of Object.entries(modules)) {
    values[name] = [];
    for (const parameter of module.parameters()) values[name].push(...(await parameter.read()));
  }
  return values;
}

async function changedModules(model: GenerativeModel, phase: () => void): Promise<string[]> {
  const before = await snapshot(model.modules());
  gpu.engine.scope(phase);
  const after = await snapshot(model.modules());
  return Object.keys(before).filter((name) => before[name].some((value, i) => value !== after[name][i]));
}

describe('each phase updates only the networks it should', () => {
  for (const posterior of ['deterministic', 'gaussian', 'universal'] as const) {
    it(`aae with a ${posterior} posterior`, async () => {
      const { engine } = gpu;
      const images = uploadImages(engine, data.images, data.count, data.pixels);
      const model = createModel(engine, tinyConfig({ model: 'aae', posterior, latent: 2, prior: 'mog10', conditional: true })) as AdversarialAutoencoder;
      const batch = () => batchFor(engine, images, model, 0, true);
      expect(await changedModules(model, () => model.reconstructionPhase(batch()))).toEqual(['encoder', 'decoder']);
      expect(await changedModules(model, () => model.discriminatorPhase(batch()))).toEqual(['discriminator']);
      expect(await changedModules(model, () => model.generatorPhase(batch()))).toEqual(['encoder']);
      expect(model.discriminator.frozen).toBe(false);
      images.tensor.dispose();
    });
  }

  it('semi-supervised aae: reconstruction, regularization and classification each touch their own networks', async () => {
    const { engine } = gpu;
    const images = uploadImages(engine, data.images, data.count, data.pixels);
    const model = createModel(engine, tinyConfig({ model: 'semi-supervised-aae', latent: 4 })) as CategoricalAae;
    const batch = () => batchFor(engine, images, model, 0, false);
    const encoder = ['trunk', 'categoryHead', 'styleHead'];
    expect(await changedModules(model, () => model.reconstructionPhase(batch()))).toEqual([...encoder, 'decoder']);
    expect(await changedModules(model, () => model.discriminatorPhase(batch()))).toEqual(['categoryDiscriminator', 'styleDiscriminator']);
    expect(await changedModules(model, () => model.generatorPhase(batch()))).toEqual(encoder);
    expect(await changedModules(model, () => model.classificationPhase(batch()))).toEqual(['trunk', 'categoryHead']);
    expect(model.categoryDiscriminator.frozen || model.styleDiscriminator.frozen).toBe(false);
    images.tensor.dispose();
  });

  it('dimensionality-reduction aae: the cluster heads learn with the autoencoder, and only then', async () => {
    const { engine } = gpu;
    const images = uploadImages(engine, data.images, data.count, data.pixels);
    const model = createModel(engine, tinyConfig({ model: 'dimensionality-reduction-aae', latent: 2 })) as CategoricalAae;
    const batch = () => batchFor(engine, images, model, 0, false);
    const encoder = ['trunk', 'categoryHead', 'styleHead'];
    expect(await changedModules(model, () => model.reconstructionPhase(batch()))).toEqual(['clusterHeads', ...encoder, 'decoder']);
    expect(await changedModules(model, () => model.discriminatorPhase(batch()))).toEqual(['categoryDiscriminator', 'styleDiscriminator']);
    expect(await changedModules(model, () => model.generatorPhase(batch()))).toEqual(encoder);
    expect(await changedModules(model, () => model.classificationPhase(batch()))).toEqual(['trunk', 'categoryHead']);
    // The map is W_c·y + z: 2-D.
    const codes = engine.scope(() => engine.noGrad(() => model.encode(gatherImages(images, engine.tensor(new Uint32Array([0, 1, 2]), [3])))));
    expect(codes.shape).toEqual([3, 2]);
    codes.dispose();
    images.tensor.dispose();
  });

  it('vae-gan: encoder gets KL + feature reconstruction, decoder gamma·feature - GAN, discriminator GAN only', async () => {
    const { engine } = gpu;
    const images = uploadImages(engine, data.images, data.count, data.pixels);
    const model = createModel(engine, tinyConfig({ model: 'vae-gan', latent: 4 })) as VaeGan;
    const batch = () => batchFor(engine, images, model, 0, false);
    expect(await changedModules(model, () => model.encoderPhase(batch()))).toEqual(['encoder']);
    expect(await changedModules(model, () => model.decoderPhase(batch()))).toEqual(['decoder']);
    expect(await changedModules(model, () => model.discriminatorPhase(batch()))).toEqual(['discriminatorFeatures', 'discriminatorHead']);
    expect([model.decoder, model.discriminatorFeatures, model.discriminatorHead].some((module) => module.frozen)).toBe(false);
    images.tensor.dispose();
  });

  it('vae-gan: the GAN term reaches the decoder but not the encoder; the KL weight reaches the encoder', async () => {
    const { engine } = gpu;
    const images = uploadImages(engine, data.images, data.count, data.pixels);
    // Twins from one seed; the second's D head is different. The head is not part of D_l, so it changes
    // the GAN term only: the encoder's update must not see it, the decoder's must.
    const make = (overrides: Partial<ModelConfig> = {}) => createModel(engine, tinyConfig({ model: 'vae-gan', latent: 4, ...overrides })) as VaeGan;
    const parameters = async (module: Module) => (await Promise.all(module.parameters().map((p) => p.read()))).flatMap((values) => Array.from(values));
    const updateOf = async (model: VaeGan, phase: 'encoderPhase' | 'decoderPhase') => {
      engine.scope(() => void model[phase](batchFor(engine, images, model, 0, false)));
      return parameters(phase === 'encoderPhase' ? model.encoder : model.decoder);
    };
    const otherHead = (model: VaeGan) => {
      const state = model.discriminatorHead.stateDict();
      model.discriminatorHead.loadStateDict(Object.fromEntries(Object.entries(state).map(([name, p]) => [name, new Float32Array(p.size).map((_, i) => Math.sin(i + 1))])));
      return model;
    };
    expect(await updateOf(otherHead(make()), 'encoderPhase')).toEqual(await updateOf(make(), 'encoderPhase'));
    expect(await updateOf(otherHead(make()), 'decoderPhase')).not.toEqual(await updateOf(make(), 'decoderPhase'));
    expect(await updateOf(make({ priorWeight: 1 }), 'encoderPhase')).not.toEqual(await updateOf(make({ priorWeight: 0.1 }), 'encoderPhase'));
    images.tensor.dispose();
  });

  it('vae-gan: D_l is the first layer of D before its ReLU, and D continues from relu(D_l)', async () => {
    const { engine } = gpu;
    const model = createModel(engine, tinyConfig({ model: 'vae-gan', latent: 4 })) as VaeGan;
    expect(model.discriminatorFeatures.activation).toBe('none');
    expect(model.discriminatorFeatures.outFeatures).toBe(32);
    expect(model.discriminatorHead.sizes).toEqual([32, 32, 1]);
  });

  it('vae-gan gating: D skips when far ahead, the decoder when D is far behind, both train when both would skip', async () => {
    const { engine } = gpu;
    const cases: [number, number, number, number][] = [
      // real error, fake error -> discriminator gate, decoder gate
      [0.7, 0.7, 1, 1],
      [0.2, 0.7, 0, 1],
      [0.7, 1.2, 1, 0],
      [0.2, 1.2, 1, 1],
    ];
    for (const [real, fake, discriminator, decoder] of cases) {
      const gates = engine.scope(() => decideGates(engine.tensor([real], [1]), engine.tensor([fake], [1])));
      expect([await gates.discriminator.item(), await gates.decoder.item()], `errors ${real}, ${fake}`).toEqual([discriminator, decoder]);
    }
  });

  it('vae-gan with gating trains and a closed gate leaves its network unchanged', async () => {
    const { engine } = gpu;
    const images = uploadImages(engine, data.images, data.count, data.pixels);
    const model = createModel(engine, tinyConfig({ model: 'vae-gan', latent: 4, gating: true })) as VaeGan;
    const batch = () => batchFor(engine, images, model, 0, false);
    const closed = engine.keep(engine.tensor([0], [1]));
    expect(await changedModules(model, () => model.discriminatorPhase(batch(), closed))).toEqual([]);
    expect(await changedModules(model, () => model.decoderPhase(batch(), closed))).toEqual([]);
    const losses = engine.scope(() => model.trainStep(batch()));
    expect(Array.from(await losses.read()).every(Number.isFinite)).toBe(true);
    closed.dispose();
    images.tensor.dispose();
  });

  it('gan', async () => {
    const { engine } = gpu;
    const images = uploadImages(engine, data.images, data.count, data.pixels);
    const model = createModel(engine, tinyConfig({ model: 'gan', latent: 4 })) as Gan;
    const batch = () => batchFor(engine, images, model, 0, false);
    expect(await changedModules(model, () => model.discriminatorPhase(batch()))).toEqual(['discriminator']);
    expect(await changedModules(model, () => model.generatorPhase(batch()))).toEqual(['generator']);
    images.tensor.dispose();
  });
});
