import type { Engine } from '../device/engine.js';
import { Batcher } from '../data/batcher.js';
import { gatherImages, type GpuImageSet } from '../data/gpu-images.js';
import { backward } from '../autograd/tape.js';
import { Mlp } from '../nn/mlp.js';
import { Adam } from '../optim/adam.js';
import { softmaxCrossEntropy } from '../ops/losses/softmax-cross-entropy.js';
import { deriveSeed } from '../random/seeded.js';
import { argmaxRows } from '../training/evaluate.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * A digit classifier that knows nothing of the generative models: a small MLP trained with the engine
 * on a run's training images only (never its validation or test images), so that it can judge what a
 * decoder draws, e.g. whether the supervised AAE's style grid shows each column's digit.
 */

export interface DigitClassifierOptions {
  /** Width of the one hidden layer. Default 256. */
  hidden?: number;
  /**
   * Passes over the training rows. Default 3: on the 50,000 training images of the default split, 1, 2 and
   * 3 passes read 95.11, 96.26 and 97.31 % of the MNIST test images right (10-20 s on lavapipe, shared).
   */
  epochs?: number;
  batchSize?: number;
  learningRate?: number;
  /** Seeds the weights and the shuffling. Default 1. */
  seed?: number;
}

export const DIGIT_CLASSIFIER_DEFAULTS: Required<DigitClassifierOptions> = { hidden: 256, epochs: 3, batchSize: 100, learningRate: 1e-3, seed: 1 };

/** Rows per classification batch: large enough to keep dispatches few, small enough for any adapter. */
const CLASSIFY_BATCH = 500;

export class DigitClassifier {
  constructor(
    readonly network: Mlp,
    readonly classes: number,
  ) {}

  get engine(): Engine {
    return this.network.layers[0].engine;
  }

  /** Logits [n, classes] of images [n, pixels] with values in [0, 1]. */
  logits(images: Tensor): Tensor {
    return this.network.forward(images);
  }

  /** The most likely digit of each of `count` images given row-major in [0, 1] on the CPU. */
  async predict(images: Float32Array, count: number): Promise<Uint8Array> {
    const pixels = this.network.sizes[0];
    if (images.length !== count * pixels) {
      throw new Error(`DigitClassifier.predict: ${images.length} values given for ${count} images of ${pixels} pixels (${count * pixels} values).`);
    }
    return this.predictInBatches(count, (start, end) => this.engine.tensor(images.subarray(start * pixels, end * pixels), [end - start, pixels]));
  }

  /** The most likely digit of the images at `rows` of a set on the GPU. */
  async predictRows(images: GpuImageSet, rows: Uint32Array): Promise<Uint8Array> {
    return this.predictInBatches(rows.length, (start, end) => gatherImages(images, this.engine.tensor(rows.slice(start, end), [end - start])));
  }

  /**
   * Classifies `count` images batch by batch (`batchOf(start, end)` gives images [end - start, pixels]);
   * every batch is recorded before the first read, so the whole set costs one wait for the GPU.
   */
  private async predictInBatches(count: number, batchOf: (start: number, end: number) => Tensor): Promise<Uint8Array> {
    const engine = this.engine;
    const parts: { start: number; logits: Tensor }[] = [];
    for (let start = 0; start < count; start += CLASSIFY_BATCH) {
      const end = Math.min(count, start + CLASSIFY_BATCH);
      parts.push({ start, logits: engine.scope(() => engine.noGrad(() => this.logits(batchOf(start, end)))) });
    }
    const predicted = new Uint8Array(count);
    for (const { start, logits } of parts) {
      predicted.set(argmaxRows((await logits.read()) as Float32Array, this.classes), start);
      logits.dispose();
    }
    return predicted;
  }

  dispose(): void {
    this.network.dispose();
  }
}

/**
 * Trains a classifier on the images at `rows` of `images` (their labels in `labels`, indexed like the
 * set), with Adam on softmax cross-entropy. One step is captured once and replayed, as a run's steps are.
 */
export async function trainDigitClassifier(
  engine: Engine,
  images: GpuImageSet,
  labels: ArrayLike<number>,
  rows: Uint32Array,
  options: DigitClassifierOptions = {},
): Promise<DigitClassifier> {
  const { hidden, epochs, batchSize, learningRate, seed } = { ...DIGIT_CLASSIFIER_DEFAULTS, ...options };
  let classes = 0;
  for (const row of rows) {
    if (row >= images.count) throw new Error(`trainDigitClassifier: row ${row} is outside the ${images.count} images.`);
    classes = Math.max(classes, labels[row] + 1);
  }
  if (classes < 2) throw new Error(`trainDigitClassifier: the ${rows.length} training rows hold fewer than 2 classes; give it labelled images of every digit.`);
  const network = new Mlp(engine, [images.pixels, hidden, classes], { seed: deriveSeed(seed, 0) });
  const optimizer = new Adam(network, { learningRate });
  const batcher = new Batcher(rows, { batchSize: Math.min(batchSize, rows.length), seed: deriveSeed(seed, 1) });
  const indices = engine.keep(engine.empty([batcher.batchSize], 'u32'));
  const batchLabels = engine.keep(engine.empty([batcher.batchSize], 'u32'));
  const step = () => {
    optimizer.zeroGrad();
    const loss = softmaxCrossEntropy(network.forward(gatherImages(images, indices)), batchLabels);
    backward(loss);
    optimizer.step();
    optimizer.zeroGrad();
    return loss;
  };
  let captured: ReturnType<typeof engine.capture<Tensor>> | null = null;
  try {
    for (let done = 0; done < epochs * batcher.batchesPerEpoch; done++) {
      const batch = batcher.next();
      indices.write(batch);
      batchLabels.write(Uint32Array.from(batch, (row) => labels[row]));
      if (captured) captured.run();
      else captured = engine.capture(step);
    }
    // A read waits for the GPU, so that the classifier is ready (and any error of the steps surfaces) here.
    if (captured) await captured.outputs.read();
  } finally {
    captured?.dispose();
    indices.dispose();
    batchLabels.dispose();
    optimizer.dispose();
  }
  return new DigitClassifier(network, classes);
}

/** Classifiers trained so far in this process, by engine and training images: a run trains its one once. */
const trained = new WeakMap<Engine, WeakMap<ArrayLike<number>, Map<string, Promise<DigitClassifier>>>>();

/**
 * The digit classifier for a run's training rows, trained the first time it is asked for and kept for
 * the process (by engine, by the labels array the rows index, and by rows and options). It lives as long
 * as the engine; a caller must not dispose it.
 */
export function digitClassifierFor(
  engine: Engine,
  images: GpuImageSet,
  labels: ArrayLike<number>,
  rows: Uint32Array,
  options: DigitClassifierOptions = {},
): Promise<DigitClassifier> {
  let byLabels = trained.get(engine);
  if (!byLabels) trained.set(engine, (byLabels = new WeakMap()));
  let byRows = byLabels.get(labels);
  if (!byRows) byLabels.set(labels, (byRows = new Map()));
  const key = JSON.stringify({ ...DIGIT_CLASSIFIER_DEFAULTS, ...options, rows: rows.length, pixels: images.pixels, fingerprint: fingerprint(rows) });
  let classifier = byRows.get(key);
  if (!classifier) {
    classifier = trainDigitClassifier(engine, images, labels, rows, options);
    byRows.set(key, classifier);
    // A failed training is not kept: the next call tries again.
    classifier.catch(() => byRows.delete(key));
  }
  return classifier;
}

/** FNV-1a over the rows: two different subsets of the same length get different keys. */
function fingerprint(rows: Uint32Array): number {
  let hash = 0x811c9dc5;
  for (const row of rows) {
    hash ^= row;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return hash;
}

/** The share of `predicted` equal to `labels`. */
export function accuracyOf(predicted: ArrayLike<number>, labels: ArrayLike<number>): number {
  if (predicted.length !== labels.length || predicted.length === 0) {
    throw new Error(`accuracyOf: ${predicted.length} predictions for ${labels.length} labels; give one per label, at least one.`);
  }
  let right = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === labels[i]) right++;
  return right / predicted.length;
}
