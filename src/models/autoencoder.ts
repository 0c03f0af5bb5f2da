import type { Engine } from '../device/engine.js';
import { backward } from '../autograd/tape.js';
import { Mlp } from '../nn/mlp.js';
import type { Module } from '../nn/module.js';
import { Adam } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { add } from '../ops/arithmetic.js';
import { concat } from '../ops/concat.js';
import { bceWithLogits } from '../ops/losses/bce-with-logits.js';
import { gaussianKl } from '../ops/losses/gaussian-kl.js';
import { deriveSeed } from '../random/seeded.js';
import type { Tensor } from '../tensor/tensor.js';
import type { ModelConfig } from './config.js';
import { Encoder } from './encoder.js';
import { GenerativeModel, type TrainingBatch } from './model.js';

/**
 * The plain autoencoder (reconstruction only: decoding a random code gives garbage, which is the
 * point the VAE and AAE answer) and the VAE (reconstruction + KL(q(z|x) || N(0, I))).
 * Reconstruction is binary cross-entropy on logits, summed over pixels and averaged over the batch.
 */
export class Autoencoder extends GenerativeModel {
  readonly encoder: Encoder;
  readonly decoder: Mlp;
  readonly optimizer: Adam;
  readonly lossNames: readonly string[];

  constructor(engine: Engine, config: ModelConfig) {
    super(engine, config);
    const variational = config.model === 'vae';
    this.lossNames = variational ? ['reconstruction', 'kl'] : ['reconstruction'];
    this.encoder = new Encoder(engine, variational ? 'gaussian' : 'deterministic', config.pixels, config.hidden, config.latent, config.noise, deriveSeed(config.seed, 1));
    this.decoder = new Mlp(engine, [config.latent, ...[...config.hidden].reverse(), config.pixels], { seed: deriveSeed(config.seed, 2) });
    this.optimizer = new Adam([...this.encoder.parameters(), ...this.decoder.parameters()], {
      learningRate: config.learningRate,
      beta1: config.beta1,
    });
  }

  trainStep(batch: TrainingBatch): Tensor {
    this.optimizer.zeroGrad();
    const encoding = this.encoder.forward(batch.images, this.random);
    const reconstruction = bceWithLogits(this.decoder.forward(encoding.z), batch.images, 'batchMean');
    if (!encoding.mean || !encoding.logVariance) {
      backward(reconstruction);
      this.optimizer.step();
      this.optimizer.zeroGrad();
      return reconstruction;
    }
    const kl = gaussianKl(encoding.mean, encoding.logVariance, 'batchMean');
    backward(add(reconstruction, kl));
    this.optimizer.step();
    this.optimizer.zeroGrad();
    return concat([reconstruction, kl], 0);
  }

  decodeLogits(codes: Tensor): Tensor {
    return this.decoder.forward(codes);
  }

  encode(images: Tensor): Tensor {
    return this.encoder.encodeMean(images, this.random);
  }

  modules(): Record<string, Module> {
    return { encoder: this.encoder, decoder: this.decoder };
  }

  optimizers(): Record<string, Optimizer> {
    return { autoencoder: this.optimizer };
  }
}
