import type { Engine } from '../device/engine.js';
import type { Module } from '../nn/module.js';
import type { Optimizer } from '../optim/optimizer.js';
import { Random } from '../random/philox.js';
import { deriveSeed } from '../random/seeded.js';
import type { Tensor } from '../tensor/tensor.js';
import { sigmoid } from '../ops/unary.js';
import { bceWithLogits } from '../ops/losses/bce-with-logits.js';
import type { ModelConfig } from './config.js';
import { createModelPrior, type Prior } from './priors.js';

/** The inputs of one training step; the trainer refills them before each (captured) step. */
export interface TrainingBatch {
  /** f32 [batch, pixels], intensities in [0, 1]. */
  images: Tensor;
  /** u32 [batch]: the digit, or `classes` (one past the last) for an unlabelled image. */
  labels: Tensor;
  /** f32 [batch, latent]: samples of the prior. */
  priorCodes: Tensor;
  /** u32 [batch]: the prior component of each sample (a Categorical prior's category). */
  priorComponents: Tensor;
  /** Semi-supervised AAE: a labelled minibatch, f32 [batch, pixels], and its digits, u32 [batch]. */
  labelledImages?: Tensor;
  labelledLabels?: Tensor;
}

/**
 * What every model offers the trainer and the CLI. `trainStep` records one whole step (all phases,
 * all optimizer updates) and returns its losses as one small tensor, named by `lossNames`, so that a
 * captured replay refreshes them and one read gets them all.
 */
export abstract class GenerativeModel {
  readonly random: Random;
  readonly prior: Prior;
  abstract readonly lossNames: readonly string[];

  constructor(
    readonly engine: Engine,
    readonly config: ModelConfig,
  ) {
    this.random = new Random(engine, deriveSeed(config.seed, 1000));
    this.prior = createModelPrior(config, deriveSeed(config.seed, 1001));
  }

  abstract trainStep(batch: TrainingBatch): Tensor;

  /** Pixel logits [n, pixels] decoded from codes; `labels` (u32 digits) for the supervised model. */
  abstract decodeLogits(codes: Tensor, labels?: Tensor): Tensor;

  /** Images (probabilities in [0, 1], [n, pixels]) decoded from codes. */
  decode(codes: Tensor, labels?: Tensor): Tensor {
    return sigmoid(this.decodeLogits(codes, labels));
  }

  /** Codes of images, [n, latent] (the posterior mean where there is one). GAN: not available. */
  abstract encode(images: Tensor): Tensor;

  /** Networks by name, for checkpoints: their parameters are saved as `<name>.<parameter>`. */
  abstract modules(): Record<string, Module>;

  /** Optimizers by name, for checkpoints (their moments and step counts). */
  abstract optimizers(): Record<string, Optimizer>;

  /** Reconstructions of images ([n, pixels] in [0, 1]); `labels` for the supervised model. */
  reconstruct(images: Tensor, labels?: Tensor): Tensor {
    return this.decode(this.encode(images), labels);
  }

  /** Binary cross-entropy of the reconstructions, summed over pixels, averaged over images: [1]. */
  reconstructionLoss(images: Tensor, labels?: Tensor): Tensor {
    return bceWithLogits(this.decodeLogits(this.encode(images), labels), images, 'batchMean');
  }

  /** Frees the GPU memory of the networks and the optimizers' state; the model is unusable after. */
  dispose(): void {
    for (const optimizer of Object.values(this.optimizers())) {
      for (const tensor of Object.values(optimizer.state().tensors)) tensor.dispose();
    }
    for (const module of Object.values(this.modules())) module.dispose();
  }

  get supportsEncoding(): boolean {
    return true;
  }
}
