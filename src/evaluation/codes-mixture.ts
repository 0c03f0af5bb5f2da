import type { Engine } from '../device/engine.js';
import type { GpuImageSet } from '../data/gpu-images.js';
import { fitGmm } from '../gmm/fit.js';
import type { GenerativeModel } from '../models/model.js';
import { encodeImages } from '../training/evaluate.js';

export interface GmmResult {
  images: number;
  k: number;
  covariance: 'diagonal' | 'full';
  converged: boolean;
  iterations: number;
  logLikelihood: number;
  logLikelihoods: number[];
  weights: number[];
  means: number[][];
}

/** Fits a k-component Gaussian mixture by EM to the model's codes of `images`. */
export async function gmmOfCodes(
  engine: Engine,
  model: GenerativeModel,
  images: GpuImageSet,
  k: number,
  covariance: 'diagonal' | 'full',
  seed: number,
): Promise<GmmResult> {
  const latent = model.config.latent;
  const codes = await encodeImages(model, images, images.count);
  const data = engine.keep(engine.tensor(codes, [images.count, latent]));
  try {
    const mixture = await fitGmm(engine, data, { k, covariance, seed });
    return {
      images: images.count,
      k,
      covariance,
      converged: mixture.converged,
      iterations: mixture.iterations,
      logLikelihood: mixture.logLikelihoods[mixture.logLikelihoods.length - 1],
      logLikelihoods: mixture.logLikelihoods,
      weights: Array.from(mixture.weights),
      means: Array.from({ length: k }, (_, component) => Array.from(mixture.means.subarray(component * latent, (component + 1) * latent))),
    };
  } finally {
    data.dispose();
  }
}
