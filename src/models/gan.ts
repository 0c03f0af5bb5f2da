import type { Engine } from '../device/engine.js';
import { backward } from '../autograd/tape.js';
import { Mlp } from '../nn/mlp.js';
import type { Module } from '../nn/module.js';
import { Adam } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { add } from '../ops/arithmetic.js';
import { concat } from '../ops/concat.js';
import { bceWithLogits } from '../ops/losses/bce-with-logits.js';
import { deriveSeed } from '../random/seeded.js';
import type { Tensor } from '../tensor/tensor.js';
import type { ModelConfig } from './config.js';
import { ConstantCache } from './constants.js';
import { GenerativeModel, type TrainingBatch } from './model.js';

/**
 * The MLP GAN baseline: D maximises log D(x) + log(1 - D(G(z))); G minimises the non-saturating
 * -log D(G(z)). z comes from the batch's prior samples (N(0, I)).
 */
export class Gan extends GenerativeModel {
  readonly generator: Mlp;
  readonly discriminator: Mlp;
  readonly generatorOptimizer: Adam;
  readonly discriminatorOptimizer: Adam;
  readonly lossNames = ['discriminator', 'generator'] as const;
  private readonly constants: ConstantCache;

  constructor(engine: Engine, config: ModelConfig) {
    super(engine, config);
    this.generator = new Mlp(engine, [config.latent, ...[...config.hidden].reverse(), config.pixels], { seed: deriveSeed(config.seed, 2) });
    this.discriminator = new Mlp(engine, [config.pixels, ...config.hidden, 1], { seed: deriveSeed(config.seed, 3) });
    const options = { learningRate: config.adversarialLearningRate, beta1: config.beta1 };
    this.generatorOptimizer = new Adam(this.generator, options);
    this.discriminatorOptimizer = new Adam(this.discriminator, options);
    this.constants = new ConstantCache(engine);
  }

  trainStep(batch: TrainingBatch): Tensor {
    return concat([this.discriminatorPhase(batch), this.generatorPhase(batch)], 0);
  }

  /** D learns real images from generated ones. */
  discriminatorPhase({ images, priorCodes }: TrainingBatch): Tensor {
    const size = images.shape[0];
    this.discriminatorOptimizer.zeroGrad();
    const generated = this.engine.noGrad(() => this.decode(priorCodes));
    const loss = add(
      bceWithLogits(this.discriminator.forward(images), this.constants.get([size, 1], 1)),
      bceWithLogits(this.discriminator.forward(generated), this.constants.get([size, 1], 0)),
    );
    backward(loss);
    this.discriminatorOptimizer.step();
    this.discriminatorOptimizer.zeroGrad();
    return loss;
  }

  /** G learns to make D say "real" (the non-saturating loss), through a frozen D. */
  generatorPhase({ images, priorCodes }: TrainingBatch): Tensor {
    this.generatorOptimizer.zeroGrad();
    this.discriminator.freeze();
    try {
      const loss = bceWithLogits(this.discriminator.forward(this.decode(priorCodes)), this.constants.get([images.shape[0], 1], 1));
      backward(loss);
      this.generatorOptimizer.step();
      this.generatorOptimizer.zeroGrad();
      return loss;
    } finally {
      this.discriminator.unfreeze();
    }
  }

  decodeLogits(codes: Tensor): Tensor {
    return this.generator.forward(codes);
  }

  encode(): Tensor {
    throw new Error('The GAN has no encoder: it cannot encode or reconstruct images. Use an AE, VAE or AAE.');
  }

  override get supportsEncoding(): boolean {
    return false;
  }

  modules(): Record<string, Module> {
    return { generator: this.generator, discriminator: this.discriminator };
  }

  optimizers(): Record<string, Optimizer> {
    return { generator: this.generatorOptimizer, discriminator: this.discriminatorOptimizer };
  }
}
