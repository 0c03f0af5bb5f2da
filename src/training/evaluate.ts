import type { Engine } from '../device/engine.js';
import type { GpuImageSet } from '../data/gpu-images.js';
import { gatherImages } from '../data/gpu-images.js';
import type { GenerativeModel } from '../models/model.js';
import type { CategoricalAae } from '../models/categorical-aae.js';
import type { Prior } from '../models/priors.js';
import type { Tensor } from '../tensor/tensor.js';

/** Rows per evaluation batch: large enough to keep dispatches few, small enough for any adapter. */
const EVALUATION_BATCH = 500;

function batches(count: number): [number, number][] {
  const ranges: [number, number][] = [];
  for (let start = 0; start < count; start += EVALUATION_BATCH) ranges.push([start, Math.min(count, start + EVALUATION_BATCH)]);
  return ranges;
}

function labelsTensor(engine: Engine, labels: Uint8Array, start: number, end: number) {
  return engine.tensor(Uint32Array.from(labels.subarray(start, end)), [end - start]);
}

/** Mean reconstruction BCE (summed over pixels) over the first `count` images of a set. */
export async function reconstructionBce(model: GenerativeModel, images: GpuImageSet, labels: Uint8Array, count = images.count): Promise<number> {
  const engine = model.engine;
  const ranges = batches(count);
  const losses = ranges.map(([start, end]) =>
    engine.scope(() =>
      engine.noGrad(() => {
        const indices = engine.tensor(Uint32Array.from({ length: end - start }, (_, i) => start + i), [end - start]);
        return model.reconstructionLoss(gatherImages(images, indices), labelsTensor(engine, labels, start, end));
      }),
    ),
  );
  let total = 0;
  for (let i = 0; i < losses.length; i++) {
    const [start, end] = ranges[i];
    total += (await losses[i].item()) * (end - start);
    losses[i].dispose();
  }
  return total / count;
}

/** Codes of the first `count` images, [count, latent], on the CPU. */
export async function encodeImages(model: GenerativeModel, images: GpuImageSet, count = images.count): Promise<Float32Array> {
  const engine = model.engine;
  const codes = new Float32Array(count * model.config.latent);
  // Every batch is recorded before the first read, so the whole set costs one wait for the GPU.
  const encoded = batches(count).map(([start, end]) => ({
    start,
    batch: engine.scope(() =>
      engine.noGrad(() => model.encode(gatherImages(images, engine.tensor(Uint32Array.from({ length: end - start }, (_, i) => start + i), [end - start])))),
    ),
  }));
  for (const { start, batch } of encoded) {
    codes.set((await batch.read()) as Float32Array, start * model.config.latent);
    batch.dispose();
  }
  return codes;
}

/**
 * The share of codes that land in the prior component of their own label: each code takes the
 * component of its nearest neighbour among `reference` prior samples. For the label-conditioned
 * mixture and swiss-roll AAEs, where digit k should fill component k.
 */
export function componentAccuracy(prior: Prior, codes: Float32Array, labels: ArrayLike<number>, reference = 4000): number {
  const dims = prior.dims;
  const sample = prior.sample(reference);
  let correct = 0;
  const count = codes.length / dims;
  for (let i = 0; i < count; i++) {
    let best = Infinity;
    let component = -1;
    for (let j = 0; j < reference; j++) {
      let distance = 0;
      for (let d = 0; d < dims; d++) {
        const difference = codes[i * dims + d] - sample.codes[j * dims + d];
        distance += difference * difference;
      }
      if (distance < best) {
        best = distance;
        component = sample.components[j];
      }
    }
    if (component === labels[i]) correct++;
  }
  return correct / count;
}

/** q(y | x) of the first `count` images, [count, clusters], for the semi-supervised and clustering AAEs. */
export async function classifyImages(model: CategoricalAae, images: GpuImageSet, count = images.count): Promise<Float32Array> {
  return readCategoryRows(model, images, firstRows(count), (batch) => model.classify(batch));
}

/** q(y | x) of the images at `rows` of a set (e.g. the held-out validation images among the training set). */
export async function classifyRows(model: CategoricalAae, images: GpuImageSet, rows: Uint32Array): Promise<Float32Array> {
  return readCategoryRows(model, images, rows, (batch) => model.classify(batch));
}

function firstRows(count: number): Uint32Array {
  return Uint32Array.from({ length: count }, (_, i) => i);
}

/**
 * The logits of q(y | x) of the first `count` images, [count, clusters]. A confident softmax rounds to
 * exactly 1 in f32 for most images; the logits still tell which image is the most confident.
 */
export async function categoryLogitsOfImages(model: CategoricalAae, images: GpuImageSet, count = images.count): Promise<Float32Array> {
  return readCategoryRows(model, images, firstRows(count), (batch) => model.encodeBoth(batch).categoryLogits);
}

async function readCategoryRows(model: CategoricalAae, images: GpuImageSet, indices: Uint32Array, rowsOf: (batch: Tensor) => Tensor): Promise<Float32Array> {
  const engine = model.engine;
  const clusters = model.config.clusters;
  const parts = batches(indices.length).map(([start, end]) => ({
    start,
    rows: engine.scope(() => engine.noGrad(() => rowsOf(gatherImages(images, engine.tensor(indices.slice(start, end), [end - start]))))),
  }));
  const result = new Float32Array(indices.length * clusters);
  for (const { start, rows } of parts) {
    result.set((await rows.read()) as Float32Array, start * clusters);
    rows.dispose();
  }
  return result;
}

/** The column of each row's largest value (the first of equals): the most likely category of each row. */
export function argmaxRows(probabilities: Float32Array, columns: number): Uint32Array {
  const rows = probabilities.length / columns;
  const best = new Uint32Array(rows);
  for (let row = 0; row < rows; row++) {
    for (let k = 1; k < columns; k++) if (probabilities[row * columns + k] > probabilities[row * columns + best[row]]) best[row] = k;
  }
  return best;
}

/** The share of rows whose most likely category is not their label. */
export function classificationError(probabilities: Float32Array, labels: ArrayLike<number>, classes: number): number {
  const predicted = argmaxRows(probabilities, classes);
  let wrong = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] !== labels[i]) wrong++;
  return wrong / predicted.length;
}

/**
 * log q(y = k | x) of one row of logits, in float64: l_k - max - log1p(Σ over the other categories of
 * exp(l_j - max)), so that even a row whose softmax is 1 - 1e-30 is told apart from one at 1 - 1e-20.
 */
export function logProbability(logits: ArrayLike<number>, row: number, k: number, clusters: number): number {
  const start = row * clusters;
  let best = 0;
  for (let j = 1; j < clusters; j++) if (logits[start + j] > logits[start + best]) best = j;
  const top = logits[start + best];
  let rest = 0;
  for (let j = 0; j < clusters; j++) if (j !== best) rest += Math.exp(logits[start + j] - top);
  return logits[start + k] - top - Math.log1p(rest);
}

/**
 * The paper's cluster error, from the logits of q(y | x): each cluster k takes the label of the training
 * image with the highest q(y = k | x) (`clusterLabels`); a test image is wrong when the label of its most
 * likely cluster is not its own (`assignmentError`).
 */
export function clusterError(
  trainLogits: Float32Array,
  trainLabels: ArrayLike<number>,
  testLogits: Float32Array,
  testLabels: ArrayLike<number>,
  clusters: number,
): number {
  return assignmentError(clusterLabels(trainLogits, trainLabels, clusters), testLogits, testLabels, clusters);
}

/**
 * Each cluster's label: that of the image (among `rows` of the logits, all by default) with the highest
 * q(y = k | x); -1 for a cluster with no rows at all. Confidence is compared in float64 (`logProbability`):
 * in f32 most images of a trained model have q = 1 exactly, and the "most confident" image would be merely
 * the first of the ties.
 */
export function clusterLabels(logits: Float32Array, labels: ArrayLike<number>, clusters: number, rows?: ArrayLike<number>): Int32Array {
  const candidates = rows ?? firstRows(logits.length / clusters);
  const result = new Int32Array(clusters).fill(-1);
  for (let k = 0; k < clusters; k++) {
    let best = -Infinity;
    for (let i = 0; i < candidates.length; i++) {
      const row = candidates[i];
      const confidence = logProbability(logits, row, k, clusters);
      if (confidence > best) {
        best = confidence;
        result[k] = labels[row];
      }
    }
  }
  return result;
}

/** The share of rows of `logits` whose most likely cluster carries another label than the row's own. */
export function assignmentError(labelsOfClusters: Int32Array, logits: Float32Array, labels: ArrayLike<number>, clusters: number): number {
  const assigned = argmaxRows(logits, clusters);
  let wrong = 0;
  for (let i = 0; i < assigned.length; i++) if (labelsOfClusters[assigned[i]] !== labels[i]) wrong++;
  return wrong / assigned.length;
}

/**
 * The cluster error on the validation images held out of training, for choosing an epoch without the test
 * set: the clusters are labelled by the training rows only (`trainRows`, never a validation image), and
 * the `validationRows` are scored. Both index the same logits (those of the whole training set).
 */
export function validationClusterError(
  logits: Float32Array,
  labels: ArrayLike<number>,
  trainRows: Uint32Array,
  validationRows: Uint32Array,
  clusters: number,
): number {
  if (validationRows.length === 0) throw new Error('validationClusterError: there are no validation rows; hold some training images out of training (RunSettings.validation).');
  const validationLogits = new Float32Array(validationRows.length * clusters);
  validationRows.forEach((row, i) => validationLogits.set(logits.subarray(row * clusters, (row + 1) * clusters), i * clusters));
  const validationLabels = Uint8Array.from(validationRows, (row) => labels[row]);
  return assignmentError(clusterLabels(logits, labels, clusters, trainRows), validationLogits, validationLabels, clusters);
}
