import type { Engine } from '../device/engine.js';
import { gatherImages, uploadImages } from '../data/gpu-images.js';
import { splitMnist, type Mnist } from '../data/mnist.js';
import { isCategorical } from '../models/architecture.js';
import type { GenerativeModel } from '../models/model.js';
import { createModelPrior } from '../models/priors.js';
import { deriveSeed } from '../random/seeded.js';
import type { Tensor } from '../tensor/tensor.js';
import { chooseSigma, parzenLogLikelihood, type SigmaScore } from './parzen.js';

/** Candidate Parzen widths, searched on the validation set as the paper did. */
export const PARZEN_SIGMAS = [0.05, 0.08, 0.1, 0.12, 0.15, 0.2, 0.25, 0.3, 0.4];

export interface ParzenResult {
  samples: number;
  validationImages: number;
  testImages: number;
  sigma: number;
  sigmaTable: SigmaScore[];
  logLikelihood: number;
}

/**
 * The paper's Parzen-window estimate: `sampleCount` images decoded from prior samples, an isotropic
 * Gaussian window on each, its width chosen by the mean log-likelihood of validation images, then the
 * mean log-likelihood of the first `testCount` test images.
 */
export async function parzenEvaluation(
  engine: Engine,
  model: GenerativeModel,
  mnist: Mnist,
  sampleCount: number,
  testCount: number,
  validationCount: number,
  seed: number,
): Promise<ParzenResult> {
  const samples = decodePriorSamples(engine, model, sampleCount, seed);
  const validationIndices = splitMnist(mnist, { validation: 10_000, seed: model.config.seed }).validation.subarray(0, validationCount);
  const trainImages = uploadImages(engine, mnist.train.images, mnist.train.count, mnist.train.pixels);
  const testImages = uploadImages(engine, mnist.test.images.subarray(0, testCount * mnist.test.pixels), testCount, mnist.test.pixels);
  try {
    const validation = engine.keep(gatherImages(trainImages, engine.keep(engine.tensor(validationIndices, [validationIndices.length]))));
    const test = engine.keep(gatherImages(testImages, engine.keep(engine.tensor(Uint32Array.from({ length: testCount }, (_, i) => i), [testCount]))));
    const choice = await chooseSigma(engine, samples, validation, PARZEN_SIGMAS);
    const logLikelihood = await parzenLogLikelihood(engine, samples, test, choice.sigma);
    validation.dispose();
    test.dispose();
    return { samples: sampleCount, validationImages: validationIndices.length, testImages: testCount, sigma: choice.sigma, sigmaTable: choice.table, logLikelihood };
  } finally {
    samples.dispose();
    trainImages.tensor.dispose();
    testImages.tensor.dispose();
  }
}

/** [count, pixels] images decoded from the model's prior (a random category too where the decoder takes one). */
function decodePriorSamples(engine: Engine, model: GenerativeModel, count: number, seed: number): Tensor {
  const { latent, model: kind, classes, clusters } = model.config;
  const prior = createModelPrior(model.config, deriveSeed(seed, 40_000));
  const sample = prior.sample(count);
  const categories = kind === 'supervised-aae' ? classes : isCategorical(kind) ? clusters : 0;
  return engine.keep(
    engine.scope(() =>
      engine.noGrad(() => {
        const codes = engine.tensor(sample.codes, [count, latent]);
        if (categories === 0) return model.decode(codes);
        const labels = Uint32Array.from({ length: count }, (_, i) => (kind === 'supervised-aae' ? i % categories : sample.components[i]));
        return model.decode(codes, engine.tensor(labels, [count]));
      }),
    ),
  );
}
