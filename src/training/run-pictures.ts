import type { GpuImageSet } from '../data/gpu-images.js';
import { writePng } from '../image/write-png.js';
import type { GenerativeModel } from '../models/model.js';
import type { Prior } from '../models/priors.js';
import { latentPicture, reconstructionsPicture, samplesPicture } from './pictures.js';
import type { TrainingCurves } from './training-curves.js';

/** A training run's pictures, written as PNG files (Node). */

export async function renderSamples(model: GenerativeModel, prior: Prior, path: string, count = 100): Promise<void> {
  await writePng(path, await samplesPicture(model, prior, count));
}

export async function renderReconstructions(model: GenerativeModel, images: GpuImageSet, labels: Uint8Array, path: string, wanted = 50): Promise<void> {
  await writePng(path, await reconstructionsPicture(model, images, labels, wanted));
}

export async function renderLatentMap(codes: Float32Array, dims: number, labels: ArrayLike<number>, path: string, title: string): Promise<void> {
  await writePng(path, latentPicture(codes, dims, labels, title));
}

/** The losses and per-epoch metrics so far; nothing is written before the first read. */
export async function renderCurves(curves: TrainingCurves, path: string): Promise<void> {
  const picture = curves.picture();
  if (picture) await writePng(path, picture);
}
