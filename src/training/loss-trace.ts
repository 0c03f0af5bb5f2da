import type { Engine } from '../device/engine.js';
import { uploadImages } from '../data/gpu-images.js';
import { splitMnist, type LabelledImages } from '../data/mnist.js';
import { defaultConfig, type ModelConfig } from '../models/config.js';
import { createModel } from '../models/create-model.js';
import { RUN_DEFAULTS } from './run-settings.js';
import { TrainingSteps } from './training-steps.js';

/**
 * The losses of a fresh model's first `steps` training steps, read after every step. Two runtimes or
 * adapters given the same config (seed included) and images must produce the same trace, up to float
 * rounding: the browser page and Node are checked against each other this way. Every training image is
 * used (no validation split) and labelled.
 */
export async function traceLosses(
  engine: Engine,
  config: Partial<ModelConfig>,
  train: LabelledImages,
  steps: number,
  batchSize = RUN_DEFAULTS.batchSize,
): Promise<Record<string, number>[]> {
  if (!Number.isInteger(steps) || steps < 1) throw new Error(`traceLosses: steps must be a positive whole number, got ${steps}.`);
  const model = createModel(engine, defaultConfig(config));
  const images = uploadImages(engine, train.images, train.count, train.pixels);
  const split = splitMnist({ train }, { validation: 0, seed: model.config.seed });
  const training = new TrainingSteps(model, { images, train, split, batchSize });
  const trace: Record<string, number>[] = [];
  try {
    for (let step = 0; step < steps; step++) {
      training.step();
      trace.push(await training.readLosses());
    }
  } finally {
    training.dispose();
    images.tensor.dispose();
    model.dispose();
  }
  return trace;
}
