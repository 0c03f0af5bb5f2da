import type { Engine } from '../device/engine.js';
import { Linear } from '../nn/linear.js';
import { Mlp } from '../nn/mlp.js';
import { Module } from '../nn/module.js';
import { deriveSeed } from '../random/seeded.js';
import type { Random } from '../random/philox.js';
import { concat } from '../ops/concat.js';
import { reparameterize } from '../ops/reparameterize.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Posterior } from './architecture.js';

export interface Encoding {
  /** The code passed on: a sample from q(z|x). */
  z: Tensor;
  /** Gaussian posterior only: the mean and log-variance of q(z|x). */
  mean?: Tensor;
  logVariance?: Tensor;
}

/**
 * q(z|x) as an MLP trunk with one head per output. The three posteriors of the paper:
 * - deterministic: z = f(x);
 * - gaussian: (mean, logVariance) = f(x), z = mean + exp(logVariance / 2) · eps;
 * - universal: z = f(x, eta), eta ~ N(0, I) concatenated to the input.
 */
export class Encoder extends Module {
  private readonly trunk: Mlp;
  private readonly meanHead: Linear;
  private readonly logVarianceHead: Linear | null;

  constructor(
    engine: Engine,
    readonly posterior: Posterior,
    readonly inputs: number,
    hidden: readonly number[],
    readonly latent: number,
    readonly noise: number,
    seed: number,
  ) {
    super();
    const width = inputs + (posterior === 'universal' ? noise : 0);
    this.trunk = this.addModule('trunk', new Mlp(engine, [width, ...hidden], { hidden: 'relu', output: 'relu', seed: deriveSeed(seed, 0) }));
    const last = hidden[hidden.length - 1];
    this.meanHead = this.addModule('mean', new Linear(engine, last, latent, { seed: deriveSeed(seed, 1) }));
    this.logVarianceHead = posterior === 'gaussian' ? this.addModule('logVariance', new Linear(engine, last, latent, { seed: deriveSeed(seed, 2) })) : null;
  }

  /** Encodes a batch; `random` supplies eps or eta for the stochastic posteriors. */
  forward(x: Tensor, random: Random): Encoding {
    const batch = x.shape[0];
    const input = this.posterior === 'universal' ? concat([x, random.normal([batch, this.noise])]) : x;
    const features = this.trunk.forward(input);
    const mean = this.meanHead.forward(features);
    if (!this.logVarianceHead) return { z: mean };
    const logVariance = this.logVarianceHead.forward(features);
    return { z: reparameterize(mean, logVariance, random.normal([batch, this.latent])), mean, logVariance };
  }

  /** The code for plots and evaluation: the mean for the Gaussian posterior (the universal one's still depends on its noise). */
  encodeMean(x: Tensor, random: Random): Tensor {
    const encoding = this.forward(x, random);
    return encoding.mean ?? encoding.z;
  }
}
