import { stat } from 'node:fs/promises';
import type { Engine } from '../device/engine.js';
import { uploadImages } from '../data/gpu-images.js';
import { loadMnist } from '../data/mnist.js';
import type { GenerativeModel } from '../models/model.js';
import { CheckpointError, readModelCheckpoint, restoreModel, type DecodedCheckpoint } from '../training/model-checkpoint.js';
import { CHECKPOINT_FILE } from '../training/trainer.js';
import { UsageError } from './usage-error.js';

/** What `sample`, `eval` and `gmm` start from: a trained model's checkpoint, and the MNIST test images it must fit. */

/** The --checkpoint given, which must be a file. */
export async function requireCheckpoint(command: string, path: string | undefined): Promise<string> {
  if (!path) throw new UsageError(`${command}: --checkpoint FILE is required (a run folder's ${CHECKPOINT_FILE}).`);
  const info = await stat(path).catch(() => null);
  if (!info) throw new UsageError(`${command}: no checkpoint at ${path}: the file does not exist.`);
  if (info.isDirectory()) throw new UsageError(`${command}: ${path} is a folder; give the ${CHECKPOINT_FILE} inside it.`);
  return path;
}

/**
 * The checkpoint read and checked on the CPU, before the engine starts: one that cannot be read, or
 * whose metadata or tensors cannot be used, is the caller's input problem, a usage error.
 */
export async function readCheckpointForCli(path: string): Promise<DecodedCheckpoint> {
  return asUsageError(() => readModelCheckpoint(path));
}

/** The checkpoint's model on the GPU; tensors that do not fit the model its config describes are a usage error. */
export async function restoreForCli(engine: Engine, checkpoint: DecodedCheckpoint): Promise<GenerativeModel> {
  return asUsageError(async () => restoreModel(engine, checkpoint));
}

async function asUsageError<T>(work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof CheckpointError) throw new UsageError(error.message);
    throw error;
  }
}

/** MNIST, and its first `evaluationSize` test images on the GPU, after checking that the model fits them. */
export async function mnistTestImages(engine: Engine, model: GenerativeModel, checkpoint: string, command: string, evaluationSize: number | undefined) {
  const mnist = await loadMnist();
  if (model.config.pixels !== mnist.test.pixels) {
    throw new UsageError(
      `${command}: ${checkpoint} holds a model of ${model.config.pixels}-pixel images, but MNIST's have ${mnist.test.pixels} (${mnist.test.width}×${mnist.test.height}); it was trained on other data and cannot be used on MNIST.`,
    );
  }
  const count = Math.min(evaluationSize ?? mnist.test.count, mnist.test.count);
  const images = uploadImages(engine, mnist.test.images.subarray(0, count * mnist.test.pixels), count, mnist.test.pixels);
  return { mnist, images, count };
}
