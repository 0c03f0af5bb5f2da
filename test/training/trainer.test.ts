import { existsSync, readFileSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors, type SafetensorsContents } from '../../src/checkpoint/safetensors.js';
import { gatherImages, uploadImages } from '../../src/data/gpu-images.js';
import { syntheticImages } from '../../src/data/toy2d.js';
import { decodePng, type DecodedPng } from '../../src/image/png.js';
import { defaultConfig, type ModelConfig } from '../../src/models/config.js';
import { createModel } from '../../src/models/create-model.js';
import { usesLabelledPhase } from '../../src/models/architecture.js';
import type { GenerativeModel } from '../../src/models/model.js';
import { loadModelCheckpoint, NonFiniteState, readModelCheckpoint, saveModelCheckpoint } from '../../src/training/model-checkpoint.js';
import { RUN_DEFAULTS, type RunSettings } from '../../src/training/run-settings.js';
import { splitMnist } from '../../src/data/mnist.js';
import type { CategoricalAae } from '../../src/models/categorical-aae.js';
import { digitClassifierFor } from '../../src/evaluation/digit-classifier.js';
import { styleContentAccuracy } from '../../src/evaluation/style-content.js';
import { deriveSeed } from '../../src/random/seeded.js';
import { CHECKPOINT_FILE, METRICS_FILE, readRunCheckpoint, STYLE_CONTENT_STYLES, train, TrainingDiverged, TrainingInputError, type EpochMetrics, type TrainOptions } from '../../src/training/trainer.js';
import { useEngine } from '../helpers/engine.js';

const gpu = useEngine();

// 600 training images less 100 for validation, in batches of 50: ten steps an epoch.
const data = { train: syntheticImages(600, { seed: 1 }), test: syntheticImages(200, { seed: 2 }) };
const tiny: Partial<ModelConfig> = { hidden: [32, 32], pixels: 64, latent: 2 };
const tinySettings: RunSettings = { ...RUN_DEFAULTS, batchSize: 50, validation: 100 };
const gaussianAae: Partial<ModelConfig> = { ...tiny, model: 'aae', posterior: 'gaussian' };
const conditionalAae: Partial<ModelConfig> = { ...tiny, model: 'aae', prior: 'mog10', conditional: true };

let root: string;
let folders = 0;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'webgpu-aae-trainer-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

function runFolder(name: string): string {
  return join(root, `${++folders}-${name}`);
}

/** A run's settings where they differ from the tiny ones, whether it resumes `out`, and the trainer's other options. */
type TinyRunOptions = Partial<RunSettings> & { resume?: boolean } & Pick<TrainOptions, 'evaluationSize' | 'data' | 'onEpoch' | 'onProgress'>;

/** A new run of the tiny model with `config`, or (`resume`) the run in `out` continued, as its checkpoint says. */
async function trainTiny(out: string, config: Partial<ModelConfig>, epochs: number, options: TinyRunOptions = {}): Promise<EpochMetrics[]> {
  const { resume, evaluationSize, data: runData = data, onEpoch, onProgress, ...settings } = options;
  const start = resume ? { resumeFrom: await readRunCheckpoint(out) } : { config: defaultConfig(config), settings: { ...tinySettings, ...settings } };
  return train(gpu.engine, { ...start, epochs, out, data: runData, readEvery: 4, evaluationSize, onEpoch, onProgress });
}

async function metricsLines(out: string): Promise<EpochMetrics[]> {
  const text = await readFile(join(out, METRICS_FILE), 'utf8');
  return text
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as EpochMetrics);
}

async function readCheckpointFile(out: string): Promise<SafetensorsContents> {
  return decodeSafetensors(await readFile(join(out, CHECKPOINT_FILE)));
}

async function png(path: string): Promise<DecodedPng> {
  return decodePng(new Uint8Array(await readFile(path)), (bytes) => inflateSync(bytes));
}

function distinctValues(pixels: Uint8Array): number {
  return new Set(pixels).size;
}

describe('a training run', () => {
  it('writes per-epoch metrics, pictures and a checkpoint; the label-conditioned mog10 aae reports componentAccuracy', async () => {
    const out = runFolder('conditional');
    const seen: EpochMetrics[] = [];
    const progress: number[] = [];
    // What the folder holds as each epoch ends: its checkpoint's epoch and its pictures.
    const written: { checkpointEpoch: string; pictures: boolean[] }[] = [];
    const onEpoch = (metrics: EpochMetrics) => {
      seen.push(metrics);
      written.push({
        checkpointEpoch: decodeSafetensors(readFileSync(join(out, CHECKPOINT_FILE))).metadata.epoch,
        pictures: ['samples.png', 'reconstructions.png', 'latent.png'].map((name) => existsSync(join(out, name))),
      });
    };
    const returned = await trainTiny(out, conditionalAae, 2, { labels: 100, onEpoch, onProgress: (p) => progress.push(p.step) });
    expect(written).toEqual([
      { checkpointEpoch: '1', pictures: [true, true, true] },
      { checkpointEpoch: '2', pictures: [true, true, true] },
    ]);

    const lines = await metricsLines(out);
    expect(lines).toEqual(returned);
    expect(seen).toEqual(returned);
    expect(lines.map((line) => line.epoch)).toEqual([1, 2]);
    expect(lines.map((line) => line.steps)).toEqual([10, 20]);
    expect(progress).toEqual([4, 8, 10, 4, 8, 10]);
    for (const line of lines) {
      expect(Object.keys(line.losses)).toEqual(['reconstruction', 'discriminator', 'generator']);
      for (const value of Object.values(line.losses)) expect(Number.isFinite(value)).toBe(true);
      expect(line.reconstructionBce).toBeGreaterThan(0);
      expect(line.reconstructionBce).toBeLessThan(64 * Math.LN2 * 2);
      expect(line.componentAccuracy).toBeGreaterThanOrEqual(0);
      expect(line.componentAccuracy).toBeLessThanOrEqual(1);
      // Timings are reported, never asserted: only that the rate is the epoch's steps over its time.
      expect(line.stepsPerSecond * line.seconds).toBeCloseTo(10, 6);
    }

    // 100 samples of 8x8 at scale 2 in a 10x10 grid, 2-pixel padding: 2 + 10 * (16 + 2).
    const samples = await png(join(out, 'samples.png'));
    expect([samples.width, samples.height, samples.channels]).toEqual([182, 182, 3]);
    // 50 pairs in 5 columns of pairs (34 wide, 6 apart) and 10 rows.
    const reconstructions = await png(join(out, 'reconstructions.png'));
    expect([reconstructions.width, reconstructions.height]).toEqual([2 * 2 + 5 * 34 + 4 * 6, 182]);
    const latent = await png(join(out, 'latent.png'));
    expect([latent.width, latent.height]).toEqual([600, 600]);
    for (const picture of [samples, reconstructions, latent]) expect(distinctValues(picture.pixels)).toBeGreaterThan(10);

    const checkpoint = await readCheckpointFile(out);
    expect(checkpoint.metadata.epoch).toBe('2');
    expect(checkpoint.metadata.steps).toBe('20');
    expect(JSON.parse(checkpoint.metadata.config)).toMatchObject(conditionalAae);
    expect(Object.keys(checkpoint.tensors).some((name) => name.startsWith('model.discriminator.'))).toBe(true);
    expect(Object.keys(checkpoint.tensors).some((name) => name.startsWith('optimizer.generator.'))).toBe(true);
  });

  it('starts metrics.jsonl afresh when a new run (no resume) reuses a run folder', async () => {
    const out = runFolder('reused');
    await trainTiny(out, tiny, 2);
    await trainTiny(out, tiny, 1);
    expect((await metricsLines(out)).map((line) => line.epoch)).toEqual([1]);
  });

  it('does nothing when resumed to the epochs it has already trained', async () => {
    const out = runFolder('done');
    await trainTiny(out, tiny, 1);
    const before = await readFile(join(out, CHECKPOINT_FILE));
    expect(await trainTiny(out, tiny, 1, { resume: true })).toEqual([]);
    expect(Buffer.compare(await readFile(join(out, CHECKPOINT_FILE)), before)).toBe(0);
    expect(await metricsLines(out)).toHaveLength(1);
  });

  it('with fewer test images than the pictures show, evaluates and pictures just those', async () => {
    const out = runFolder('small-evaluation');
    const [metrics] = await trainTiny(out, tiny, 1, { evaluationSize: 20 });
    expect(metrics.reconstructionBce).toBeGreaterThan(0);
    // 20 pairs: 4 rows of 5.
    expect((await png(join(out, 'reconstructions.png'))).height).toBe(2 + 4 * 18);
  });

  it('a GAN run has samples but no reconstructions or codes', async () => {
    const out = runFolder('gan');
    const [metrics] = await trainTiny(out, { ...tiny, model: 'gan' }, 1);
    expect(Object.keys(metrics.losses)).toEqual(['discriminator', 'generator']);
    expect(metrics.reconstructionBce).toBeUndefined();
    expect((await png(join(out, 'samples.png'))).width).toBe(182);
    await expect(readFile(join(out, 'latent.png'))).rejects.toThrow(/ENOENT/);
  });

  it('refuses to resume without a checkpoint, and options or data that cannot make a run', async () => {
    await expect(trainTiny(runFolder('empty'), tiny, 1, { resume: true })).rejects.toThrow(/no checkpoint at .*checkpoint\.safetensors; train without --resume first/);
    // A config the models do not support never reaches train(): defaultConfig, the one way to make one, refuses it.
    expect(() => defaultConfig({ ...tiny, prior: 'mog10', latent: 3 })).toThrow('model config: the mog10 prior is 2-D: use latent 2 (got 3).');
    const refusals: [Partial<ModelConfig>, TinyRunOptions, string | RegExp][] = [
      [{ ...tiny, pixels: 784 }, {}, 'the data has 64 pixels per image but the model expects 784.'],
      [tiny, { batchSize: 600 }, /a pool of 500 indices makes no full batch of 600/],
      [tiny, { trainSize: 550 }, /trainSize 550 must be a whole number no larger than the 500 images left after validation 100/],
    ];
    for (const [config, options, message] of refusals) {
      const attempt = trainTiny(runFolder('refused'), config, 1, options);
      await expect(attempt).rejects.toBeInstanceOf(TrainingInputError);
      await expect(attempt).rejects.toThrow(message);
    }
  });

  it('refuses to resume a checkpoint on data of another image size', async () => {
    const out = runFolder('other-data');
    await trainTiny(out, tiny, 1);
    const bigger = { train: syntheticImages(600, { seed: 1, size: 10 }), test: syntheticImages(200, { seed: 2, size: 10 }) };
    const attempt = trainTiny(out, tiny, 2, { resume: true, data: bigger });
    await expect(attempt).rejects.toBeInstanceOf(TrainingInputError);
    await expect(attempt).rejects.toThrow(`${join(out, CHECKPOINT_FILE)} holds a model of 64-pixel images, but the data has 100 pixels per image.`);
  });
});

/** A model after a few eager training steps, so that weights, moments, step counts and the GPU stream all moved. */
async function trainedModel(config: ModelConfig, steps: number): Promise<GenerativeModel> {
  const { engine } = gpu;
  const { batchSize } = tinySettings;
  const model = createModel(engine, config);
  const images = uploadImages(engine, data.train.images, data.train.count, data.train.pixels);
  for (let step = 0; step < steps; step++) {
    const indices = Uint32Array.from({ length: batchSize }, (_, i) => step * batchSize + i);
    const labels = Uint32Array.from(indices, (index) => data.train.labels[index]);
    const prior = model.prior.sample(batchSize, config.conditional ? labels : undefined);
    const losses = engine.scope(() =>
      model.trainStep({
        images: gatherImages(images, engine.tensor(indices, [indices.length])),
        labels: engine.tensor(labels, [labels.length]),
        priorCodes: engine.tensor(prior.codes, [batchSize, config.latent]),
        priorComponents: engine.tensor(config.conditional ? labels : Uint32Array.from(prior.components), [batchSize]),
        // The semi-supervised AAE's labelled minibatch: the same images, with their digits.
        ...(usesLabelledPhase(config.model) ? { labelledImages: gatherImages(images, engine.tensor(indices, [indices.length])), labelledLabels: engine.tensor(labels, [labels.length]) } : {}),
      }),
    );
    await losses.read();
    losses.dispose();
  }
  images.tensor.dispose();
  return model;
}

/** Decodes fixed codes and encodes fixed images (the first 20 test images). */
async function outputsOf(model: GenerativeModel): Promise<{ decoded: Float32Array; encoded: Float32Array | null }> {
  const { engine } = gpu;
  const count = 20;
  const codes = Float32Array.from({ length: count * model.config.latent }, (_, i) => Math.sin(i) * 2);
  const labels = Uint32Array.from({ length: count }, (_, i) => i % 10);
  const decodedTensor = engine.scope(() => engine.noGrad(() => model.decode(engine.tensor(codes, [count, model.config.latent]), engine.tensor(labels, [count]))));
  const decoded = (await decodedTensor.read()) as Float32Array;
  decodedTensor.dispose();
  if (!model.supportsEncoding) return { decoded, encoded: null };
  const images = uploadImages(engine, data.test.images.subarray(0, count * 64), count, 64);
  const encodedTensor = engine.scope(() => engine.noGrad(() => model.encode(gatherImages(images, engine.tensor(Uint32Array.from({ length: count }, (_, i) => i), [count])))));
  const encoded = (await encodedTensor.read()) as Float32Array;
  encodedTensor.dispose();
  images.tensor.dispose();
  return { decoded, encoded };
}

async function optimizerState(model: GenerativeModel): Promise<Record<string, { steps: number; values: number[] }>> {
  const state: Record<string, { steps: number; values: number[] }> = {};
  for (const [name, optimizer] of Object.entries(model.optimizers())) {
    const { tensors, steps } = optimizer.state();
    const values: number[] = [];
    for (const tensor of Object.values(tensors)) values.push(...((await tensor.read()) as Float32Array));
    state[name] = { steps, values };
  }
  return state;
}

describe('model checkpoints', () => {
  const cases: [string, Partial<ModelConfig>][] = [
    ['aae with a Gaussian posterior', gaussianAae],
    ['label-conditioned mog10 aae', conditionalAae],
    ['supervised aae', { ...tiny, model: 'supervised-aae' }],
    ['vae', { ...tiny, model: 'vae' }],
    ['gan', { ...tiny, model: 'gan' }],
    ['semi-supervised aae with input noise and a learning-rate half-life', { ...tiny, model: 'semi-supervised-aae', latent: 4, inputNoise: 0.2, learningRateHalfLife: 2 }],
  ];
  for (const [name, overrides] of cases) {
    it(`${name}: the loaded model decodes, encodes and continues exactly as the saved one`, async () => {
      const config = defaultConfig(overrides);
      const model = await trainedModel(config, 3);
      const folder = runFolder('round-trip');
      await mkdir(folder);
      const path = join(folder, CHECKPOINT_FILE);
      const settings = { ...tinySettings, labels: 20, trainSize: 300 };
      await saveModelCheckpoint(path, model, { epoch: 4, steps: 3 }, settings);
      const loaded = await loadModelCheckpoint(gpu.engine, path);

      expect(loaded.position).toEqual({ epoch: 4, steps: 3 });
      expect(loaded.settings).toEqual(settings);
      expect(loaded.model.config).toEqual(model.config);
      expect(loaded.model.random.state()).toEqual(model.random.state());
      expect(await optimizerState(loaded.model)).toEqual(await optimizerState(model));
      expect(await outputsOf(loaded.model)).toEqual(await outputsOf(model));
    });
  }
});

describe('per-epoch evaluation', () => {
  it('the semi-supervised AAE reports its error on the held-out validation images, to choose an epoch by', async () => {
    const out = runFolder('validation');
    const config = { ...tiny, model: 'semi-supervised-aae' as const };
    const [metrics] = await trainTiny(out, config, 1, { labels: 100 });
    const { model } = await loadModelCheckpoint(gpu.engine, join(out, CHECKPOINT_FILE));
    const { validation } = splitMnist(data, { validation: 100, labelled: 100, seed: model.config.seed });
    // Worked out here without the trainer's evaluation code: the validation images as floats, the
    // model's classifier in one batch, the most likely class per row, and the share that is wrong.
    const pixels = model.config.pixels;
    const floats = new Float32Array(validation.length * pixels);
    validation.forEach((row, i) => {
      for (let p = 0; p < pixels; p++) floats[i * pixels + p] = data.train.images[row * pixels + p] / 255;
    });
    const classified = gpu.engine.scope(() => gpu.engine.noGrad(() => (model as CategoricalAae).classify(gpu.engine.tensor(floats, [validation.length, pixels]))));
    const probabilities = (await classified.read()) as Float32Array;
    classified.dispose();
    let wrong = 0;
    validation.forEach((row, i) => {
      const scores = Array.from(probabilities.subarray(i * 10, (i + 1) * 10));
      if (scores.indexOf(Math.max(...scores)) !== data.train.labels[row]) wrong++;
    });
    const expected = wrong / validation.length;
    expect(metrics.validationError).toBe(expected);
    expect(metrics.testError).toBeDefined();
    // A model without a y to classify has no such error.
    const [plain] = await trainTiny(runFolder('no-validation-error'), tiny, 1);
    expect(plain.validationError).toBeUndefined();
  });

  it('the supervised AAE reports each epoch the share of its style grid read as the column digit, by a classifier of its training images', async () => {
    const out = runFolder('style-content');
    // Ten classes, as the supervised model's one-hot digit has.
    const tenClasses = { train: syntheticImages(600, { seed: 1, classes: 10 }), test: syntheticImages(200, { seed: 2, classes: 10 }) };
    const metrics = await trainTiny(out, { ...tiny, model: 'supervised-aae' }, 2, { data: tenClasses });
    const lines = await metricsLines(out);
    for (const epoch of [0, 1]) {
      const share = metrics[epoch].styleContentAccuracy!;
      expect(share).toBeGreaterThanOrEqual(0);
      expect(share).toBeLessThanOrEqual(1);
      // 100 styles × 10 digits: a whole number of the 1,000 cells.
      expect(share * 1000).toBeCloseTo(Math.round(share * 1000), 6);
      expect(lines[epoch].styleContentAccuracy).toBe(share);
    }
    // The same checkpoint judged again outside the trainer, by the same (cached) classifier, on the same grid.
    const { model } = await loadModelCheckpoint(gpu.engine, join(out, CHECKPOINT_FILE));
    const { train: trainRows } = splitMnist(tenClasses, { validation: 100, seed: model.config.seed });
    const images = uploadImages(gpu.engine, tenClasses.train.images, tenClasses.train.count, model.config.pixels);
    const classifier = await digitClassifierFor(gpu.engine, images, tenClasses.train.labels, trainRows, { seed: model.config.seed });
    images.tensor.dispose();
    expect(await styleContentAccuracy(model, classifier, { styles: STYLE_CONTENT_STYLES, seed: deriveSeed(model.config.seed, 20_000) })).toBe(metrics[1].styleContentAccuracy);
    model.dispose();
    expect(metrics[1].styleContentAccuracy).toBeDefined();
    // Models that draw no digit grid report none.
    const [plain] = await trainTiny(runFolder('no-style-content'), tiny, 1);
    expect(plain.styleContentAccuracy).toBeUndefined();
  });
});

/** Bit-for-bit equality of two checkpoints' tensors, and equality of their metadata. */
function expectSameCheckpoint(actual: SafetensorsContents, expected: SafetensorsContents): void {
  expect(Object.keys(actual.tensors).sort()).toEqual(Object.keys(expected.tensors).sort());
  const differing = Object.keys(expected.tensors).filter((name) => {
    const [a, b] = [actual.tensors[name], expected.tensors[name]];
    const bytes = (values: Float32Array) => new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
    return a.shape.join() !== b.shape.join() || Buffer.compare(bytes(a.data), bytes(b.data)) !== 0;
  });
  expect(differing, 'tensors that differ').toEqual([]);
  expect(actual.metadata).toEqual(expected.metadata);
}

describe('the clustering AAE with the mutual-information term', () => {
  const withTerm: Partial<ModelConfig> = { ...tiny, model: 'clustering-aae', clusters: 16, mutualInformation: 5 };

  it('reports finite losses, the cluster error and the validation cluster error worked out independently', async () => {
    const out = runFolder('mutual-information');
    const [metrics] = await trainTiny(out, withTerm, 1);
    expect(Object.keys(metrics.losses)).toEqual(['reconstruction', 'discriminator', 'generator', 'mutualInformation']);
    for (const value of Object.values(metrics.losses)) expect(Number.isFinite(value)).toBe(true);
    expect(metrics.clusterError).toBeGreaterThanOrEqual(0);
    expect(metrics.clusterError).toBeLessThanOrEqual(1);

    const { model } = await loadModelCheckpoint(gpu.engine, join(out, CHECKPOINT_FILE));
    expect(model.config.mutualInformation).toBe(5);
    const { train: trainRows, validation } = splitMnist(data, { validation: 100, seed: model.config.seed });
    // Without the trainer's evaluation code: the logits of every training image in one batch, each
    // cluster named by its most confident image among the rows that train, then the validation rows scored.
    const { pixels } = model.config;
    const count = data.train.count;
    const floats = Float32Array.from(data.train.images.subarray(0, count * pixels), (value) => value / 255);
    const encoded = gpu.engine.scope(() => gpu.engine.noGrad(() => gpu.engine.keep((model as CategoricalAae).encodeBoth(gpu.engine.tensor(floats, [count, pixels])).categoryLogits)));
    const logits = (await encoded.read()) as Float32Array;
    encoded.dispose();
    const logQ = (row: number, k: number) => {
      const values = Array.from(logits.subarray(row * 16, (row + 1) * 16));
      const top = Math.max(...values);
      return values[k] - top - Math.log(values.reduce((sum, value) => sum + Math.exp(value - top), 0));
    };
    const named = Array.from({ length: 16 }, (_, k) => {
      let best = trainRows[0];
      for (const row of trainRows) if (logQ(row, k) > logQ(best, k)) best = row;
      return data.train.labels[best];
    });
    let wrong = 0;
    for (const row of validation) {
      const values = Array.from(logits.subarray(row * 16, (row + 1) * 16));
      if (named[values.indexOf(Math.max(...values))] !== data.train.labels[row]) wrong++;
    }
    expect(metrics.validationClusterError).toBe(wrong / validation.length);
  });

  it('repeats bit for bit for the same seed', async () => {
    const [first, second] = [runFolder('mutual-information-a'), runFolder('mutual-information-b')];
    const [a, b] = [await trainTiny(first, withTerm, 1), await trainTiny(second, withTerm, 1)];
    expect(b[0].losses).toEqual(a[0].losses);
    expect(b[0].validationClusterError).toBe(a[0].validationClusterError);
    expectSameCheckpoint(await readCheckpointFile(second), await readCheckpointFile(first));
  });

  it('loads a checkpoint written before the setting existed as the paper method (weight 0)', async () => {
    const out = runFolder('before-mutual-information');
    await trainTiny(out, { ...tiny, model: 'clustering-aae', clusters: 16 }, 1);
    const path = join(out, CHECKPOINT_FILE);
    const { tensors, metadata } = await readCheckpointFile(out);
    const { mutualInformation, ...older } = JSON.parse(metadata.config) as ModelConfig;
    expect(mutualInformation).toBe(0);
    await writeFile(path, encodeSafetensors(tensors, { ...metadata, config: JSON.stringify(older) }));
    expect((await readModelCheckpoint(path)).config.mutualInformation).toBe(0);
  });
});

describe('a resumed run equals an uninterrupted one', () => {
  const cases: [string, Partial<ModelConfig>, TinyRunOptions][] = [
    ['aae with a Gaussian posterior (the GPU random stream carries over)', gaussianAae, {}],
    ['label-conditioned mog10 aae with 100 labels', conditionalAae, { labels: 100 }],
    ['semi-supervised aae with 100 labels (the labelled stream carries over)', { ...tiny, model: 'semi-supervised-aae' }, { labels: 100 }],
    ['clustering aae', { ...tiny, model: 'clustering-aae', clusters: 16 }, {}],
    ['clustering aae with the mutual-information term (the checkpoint keeps its weight)', { ...tiny, model: 'clustering-aae', clusters: 16, mutualInformation: 5 }, {}],
    ['vae-gan', { ...tiny, model: 'vae-gan' }, {}],
    ['dimensionality-reduction aae with 100 labels', { ...tiny, model: 'dimensionality-reduction-aae' }, { labels: 100 }],
  ];
  for (const [name, config, options] of cases) {
    it(name, async () => {
      const straight = runFolder('straight');
      const straightMetrics = await trainTiny(straight, config, 2, options);

      const resumed = runFolder('resumed');
      await trainTiny(resumed, config, 1, options);
      // The checkpoint alone says how the run goes on: its config, batch size and split.
      const resumedMetrics = await trainTiny(resumed, {}, 2, { resume: true });

      expect(resumedMetrics.map((m) => m.epoch)).toEqual([2]);
      expect(resumedMetrics[0].steps).toBe(straightMetrics[1].steps);
      expect(resumedMetrics[0].losses).toEqual(straightMetrics[1].losses);
      expect(resumedMetrics[0].reconstructionBce).toBe(straightMetrics[1].reconstructionBce);
      expect(resumedMetrics[0].componentAccuracy).toBe(straightMetrics[1].componentAccuracy);
      expect(resumedMetrics[0].validationError).toBe(straightMetrics[1].validationError);
      expectSameCheckpoint(await readCheckpointFile(resumed), await readCheckpointFile(straight));
      expect((await metricsLines(resumed)).map((m) => m.losses)).toEqual((await metricsLines(straight)).map((m) => m.losses));
    });
  }

  it('from a checkpoint of the older layout, whose model config held the batch size', async () => {
    const straight = runFolder('straight');
    await trainTiny(straight, conditionalAae, 2, { labels: 100 });
    const resumed = runFolder('resumed-old-layout');
    await trainTiny(resumed, conditionalAae, 1, { labels: 100 });
    const path = join(resumed, CHECKPOINT_FILE);
    await writeFile(path, inOldLayout(await readCheckpointFile(resumed)));

    const old = await readModelCheckpoint(path);
    expect(old.settings).toEqual({ ...tinySettings, labels: 100 });
    expect(old.config).not.toHaveProperty('batchSize');
    await trainTiny(resumed, {}, 2, { resume: true });
    expectSameCheckpoint(await readCheckpointFile(resumed), await readCheckpointFile(straight));
  });
});

describe('a checkpoint written before input noise and the learning-rate half-life', () => {
  it('resumes without them (their defaults would change its training), and a new run takes the defaults', async () => {
    const config = { ...tiny, model: 'semi-supervised-aae' as const, latent: 4 };
    const straight = runFolder('straight-semi-supervised');
    await trainTiny(straight, { ...config, inputNoise: 0, learningRateHalfLife: 0 }, 2, { labels: 100 });
    const resumed = runFolder('resumed-before-input-noise');
    await trainTiny(resumed, { ...config, inputNoise: 0, learningRateHalfLife: 0 }, 1, { labels: 100 });
    const path = join(resumed, CHECKPOINT_FILE);
    const { tensors, metadata } = await readCheckpointFile(resumed);
    const { inputNoise, learningRateHalfLife, ...older } = JSON.parse(metadata.config);
    expect([inputNoise, learningRateHalfLife]).toEqual([0, 0]);
    await writeFile(path, encodeSafetensors(tensors, { ...metadata, config: JSON.stringify(older) }));

    const old = await readModelCheckpoint(path);
    expect([old.config.inputNoise, old.config.learningRateHalfLife]).toEqual([0, 0]);
    await trainTiny(resumed, {}, 2, { resume: true });
    expectSameCheckpoint(await readCheckpointFile(resumed), await readCheckpointFile(straight));
    expect(defaultConfig(config)).toMatchObject({ inputNoise: 0.3, learningRateHalfLife: 5000 });
  });
});

/** A checkpoint as written before the batch size became a run setting: inside the config, with no key of its own. */
function inOldLayout({ tensors, metadata }: SafetensorsContents): Uint8Array {
  const { batchSize, ...rest } = metadata;
  const config = { ...JSON.parse(metadata.config), batchSize: Number(batchSize) };
  return encodeSafetensors(tensors, { ...rest, config: JSON.stringify(config) });
}

describe('a diverging run', () => {
  it('stops with TrainingDiverged naming the loss, and keeps the last good checkpoint', async () => {
    const out = runFolder('diverging');
    await trainTiny(out, tiny, 1);
    const path = join(out, CHECKPOINT_FILE);
    const good = decodeSafetensors(await readFile(path));
    const config = { ...JSON.parse(good.metadata.config), learningRate: 1e38 };
    const poisoned = encodeSafetensors(good.tensors, { ...good.metadata, config: JSON.stringify(config) });
    await writeFile(path, poisoned);

    const error = await trainTiny(out, tiny, 3, { resume: true }).then(
      () => null,
      (thrown: unknown) => thrown,
    );
    expect(error).toBeInstanceOf(TrainingDiverged);
    const message = (error as Error).message;
    expect(message).toMatch(/the (reconstruction|discriminator|generator) loss became (NaN|-?Infinity) in epoch 2, step \d+\./);
    expect(message).toContain(`The last good checkpoint (epoch 1) is kept at ${path}.`);
    expect(message).toContain('Try a lower learning rate.');
    expect(Buffer.compare(await readFile(path), poisoned)).toBe(0);
    expect((await metricsLines(out)).map((m) => m.epoch)).toEqual([1]);
  });

  it('says that no checkpoint was written when the first epoch diverges', async () => {
    const out = runFolder('diverging-first');
    await expect(trainTiny(out, { ...tiny, learningRate: 1e38 }, 1)).rejects.toThrow(/in epoch 1, step \d+\. No checkpoint of this run had been written yet\./);
  });

  // One step an epoch: the losses read come from the weights before the step's update, which breaks the model.
  const oneStepData = { train: syntheticImages(150, { seed: 1 }), test: data.test };
  it('is caught after the last update of an epoch, by the test reconstruction', async () => {
    const out = runFolder('diverging-last-step');
    const attempt = trainTiny(out, { ...tiny, model: 'ae', learningRate: 1e38 }, 1, { data: oneStepData });
    await expect(attempt).rejects.toBeInstanceOf(TrainingDiverged);
    await expect(attempt).rejects.toThrow(/the test reconstruction BCE became (NaN|Infinity) after epoch 1\. No checkpoint of this run had been written yet\./);
    await expect(readFile(join(out, CHECKPOINT_FILE))).rejects.toThrow(/ENOENT/);
  });

  it('is caught by the checkpoint, which refuses non-finite weights', async () => {
    const model = createModel(gpu.engine, defaultConfig({ ...tiny, model: 'gan' }));
    const weight = model.modules().generator.parameters()[0];
    weight.write(new Float32Array(weight.size).fill(Number.NaN));
    const folder = runFolder('non-finite');
    await mkdir(folder);
    const path = join(folder, CHECKPOINT_FILE);
    const attempt = saveModelCheckpoint(path, model, { epoch: 1, steps: 1 }, tinySettings);
    await expect(attempt).rejects.toBeInstanceOf(NonFiniteState);
    await expect(attempt).rejects.toThrow(/^'model\.generator\.[\w.]+' holds NaN or infinite values; the checkpoint was not written\.$/);
    await expect(readFile(path)).rejects.toThrow(/ENOENT/);
  });
});
