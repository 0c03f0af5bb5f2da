import type { Engine } from '../device/engine.js';
import { isCategorical, usesLabelledPhase } from '../models/architecture.js';
import type { ModelConfig } from '../models/config.js';
import type { RunSettings } from '../training/run-settings.js';
import { UsageError } from './usage-error.js';

/**
 * Counts given on the command line, bounded before any work by what the adapter and the data allow: a
 * tensor must fit in one storage binding of the adapter, and a mixture cannot have more components than
 * points. Past these bounds the library would fail halfway, with a message about tensors, not options.
 */

const MIB = 2 ** 20;

/** The most images one decode may make: every row of the decoder's widest layer, in f32, must fit one binding. */
export function largestDecode(engine: Engine, config: ModelConfig): number {
  // The decoder's input (a code, beside a one-hot category where it takes one), its layers and its output.
  const widest = Math.max(config.pixels, ...config.hidden, config.latent + config.classes + config.clusters + 1);
  return Math.floor(engine.limits.maxStorageBufferBindingSize / (4 * widest));
}

/** `count` images decoded at once (sample --n, eval --samples): refused, naming the option, past largestDecode. */
export function checkDecodeCount(engine: Engine, config: ModelConfig, option: string, count: number): void {
  // The style grids of the categorical models round the count up to a whole row of categories.
  const rows = count + config.clusters;
  const largest = largestDecode(engine, config);
  if (rows <= largest) return;
  throw new UsageError(
    `--${option} ${count}: this adapter decodes at most ${Math.max(0, largest - config.clusters)} images of this ${config.model} at once ` +
      `(each takes ${config.pixels} pixels in f32, and the batch must fit its largest storage binding, ${bindingMib(engine)} MiB); ask for fewer.`,
  );
}

/**
 * A k-component mixture of `points` codes: k may not exceed the points, and the [points, k]
 * responsibilities must fit one binding.
 */
export function checkComponentCount(engine: Engine, k: number, points: number): void {
  if (k > points) {
    throw new UsageError(`--k ${k}: more components than the ${points} codes to fit (one per test image, --eval-size); use --k ${points} or fewer.`);
  }
  const largest = Math.floor(engine.limits.maxStorageBufferBindingSize / (4 * points));
  if (k > largest) {
    throw new UsageError(
      `--k ${k}: the responsibilities of ${points} codes to ${k} components take ${((4 * points * k) / MIB).toFixed(1)} MiB, over this adapter's largest storage binding of ${bindingMib(engine)} MiB; use --k ${largest} or fewer, or a smaller --eval-size.`,
    );
  }
}

/**
 * A new run's counts against its training images, before the engine starts: a batch cannot be larger
 * than the images it is drawn from (the labelled phase's, from the labelled ones), and a clustering
 * cannot have more clusters than images to share them.
 */
export function checkRunAgainstData(config: ModelConfig, settings: RunSettings, trainingImages: number): void {
  const { batchSize, labels } = settings;
  if (batchSize > trainingImages) {
    throw new UsageError(`--batch-size ${batchSize}: larger than the ${trainingImages} training images; use --batch-size ${trainingImages} or fewer.`);
  }
  if (usesLabelledPhase(config.model) && labels !== 'all' && labels < batchSize) {
    throw new UsageError(
      `--labels ${labels}: the ${config.model}'s labelled phase draws batches of --batch-size ${batchSize} labelled images; give --labels ${batchSize} or more, or a smaller --batch-size.`,
    );
  }
  if (isCategorical(config.model) && config.clusters > trainingImages) {
    throw new UsageError(`--clusters ${config.clusters}: more clusters than the ${trainingImages} training images; use --clusters ${trainingImages} or fewer.`);
  }
}

/** A categorical model's one-hot y for each cluster (its style grids), [clusters, clusters] in f32, must fit one binding. */
export function checkClusterCount(engine: Engine, config: ModelConfig): void {
  if (!isCategorical(config.model)) return;
  const largest = Math.floor(Math.sqrt(engine.limits.maxStorageBufferBindingSize / 4));
  if (config.clusters > largest) {
    throw new UsageError(
      `--clusters ${config.clusters}: a one-hot y for each of the clusters, ${config.clusters} × ${config.clusters} in f32, is over this adapter's largest storage binding of ${bindingMib(engine)} MiB; use --clusters ${largest} or fewer.`,
    );
  }
}

function bindingMib(engine: Engine): string {
  return (engine.limits.maxStorageBufferBindingSize / MIB).toFixed(0);
}
