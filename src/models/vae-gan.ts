import type { Engine } from '../device/engine.js';
import { backward } from '../autograd/tape.js';
import { Linear } from '../nn/linear.js';
import { Mlp } from '../nn/mlp.js';
import type { Module } from '../nn/module.js';
import { Adam } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { add, mulScalar } from '../ops/arithmetic.js';
import { concat } from '../ops/concat.js';
import { bceWithLogits } from '../ops/losses/bce-with-logits.js';
import { gaussianKl } from '../ops/losses/gaussian-kl.js';
import { mse } from '../ops/losses/mse.js';
import { relu, sigmoid } from '../ops/unary.js';
import { deriveSeed } from '../random/seeded.js';
import { defineKernel } from '../kernels/kernel.js';
import gatesSource from '../../shaders/vae-gan-gates.wgsl';
import type { Tensor } from '../tensor/tensor.js';
import type { ModelConfig } from './config.js';
import { ConstantCache } from './constants.js';
import { Encoder } from './encoder.js';
import { GenerativeModel, type TrainingBatch } from './model.js';

/** The reference code's balance point of D's errors and the margin around it, for `gating`. */
export const GATE_EQUILIBRIUM = 0.68;
export const GATE_MARGIN = 0.35;

const gateKernel = defineKernel({ name: 'vae-gan-gates', source: gatesSource, bindings: ['read', 'read', 'write', 'write'] });

export interface UpdateGates {
  discriminator: Tensor;
  decoder: Tensor;
}

/** The gates from D's mean BCE on real and on generated images (one-element tensors), on the GPU. */
export function decideGates(realError: Tensor, fakeError: Tensor): UpdateGates {
  const engine = realError.engine;
  const gates = { discriminator: engine.empty([1]), decoder: engine.empty([1]) };
  engine.dispatch(gateKernel, { EQUILIBRIUM: GATE_EQUILIBRIUM, MARGIN: GATE_MARGIN }, [realError, fakeError, gates.discriminator, gates.decoder], [1, 1, 1]);
  return gates;
}

/**
 * The VAE-GAN (Larsen et al.): a VAE whose reconstruction error is measured in the features of a GAN
 * discriminator's hidden layer, D_l. Who gets which gradient, the part that is easy to get wrong:
 * - encoder: priorWeight · L_prior (KL) + L_llike (||D_l(x) - D_l(x~)||², x~ = Dec(Enc(x))), no GAN gradient;
 * - decoder: gamma · L_llike - L_GAN, with the non-saturating generator loss on Dec(z) and Dec(Enc(x));
 * - discriminator: L_GAN only (x real; Dec(z) and Dec(Enc(x)) fake), never L_llike.
 * Each network's update is its own phase, with the other networks frozen (or their inputs detached),
 * so the routing is enforced by the graph itself. With `gating` (the reference code's option) the
 * discriminator's and the decoder's updates are skipped on the GPU when D is far ahead or far behind.
 *
 * D_l is D's first layer before its ReLU: a ReLU'd feature that is off for x~ passes no gradient however
 * far it is from D_l(x), and an MLP's last hidden layer keeps what tells real from fake, not what tells
 * one digit from another. The measurements that chose it are in docs/findings.md.
 */
export class VaeGan extends GenerativeModel {
  readonly encoder: Encoder;
  readonly decoder: Mlp;
  /** D's first layer without its activation: D_l, the features reconstruction is measured in. */
  readonly discriminatorFeatures: Linear;
  /** The rest of D, from relu(D_l) to the logit. */
  readonly discriminatorHead: Mlp;
  readonly encoderOptimizer: Adam;
  readonly decoderOptimizer: Adam;
  readonly discriminatorOptimizer: Adam;
  readonly lossNames = ['prior', 'featureReconstruction', 'decoderGan', 'discriminator'] as const;
  readonly gamma: number;
  readonly priorWeight: number;
  private readonly constants: ConstantCache;

  constructor(engine: Engine, config: ModelConfig) {
    super(engine, config);
    const { pixels, hidden, latent, seed } = config;
    this.gamma = config.gamma;
    this.priorWeight = config.priorWeight;
    this.encoder = new Encoder(engine, 'gaussian', pixels, hidden, latent, config.noise, deriveSeed(seed, 1));
    this.decoder = new Mlp(engine, [latent, ...[...hidden].reverse(), pixels], { seed: deriveSeed(seed, 2) });
    // He initialisation for D_l: a ReLU follows it inside D.
    this.discriminatorFeatures = new Linear(engine, pixels, hidden[0], { init: 'he', seed: deriveSeed(seed, 3) });
    this.discriminatorHead = new Mlp(engine, [...hidden, 1], { seed: deriveSeed(seed, 4) });
    const options = { learningRate: config.adversarialLearningRate, beta1: config.beta1 };
    this.encoderOptimizer = new Adam(this.encoder, { learningRate: config.learningRate, beta1: config.beta1 });
    this.decoderOptimizer = new Adam(this.decoder, options);
    this.discriminatorOptimizer = new Adam([...this.discriminatorFeatures.parameters(), ...this.discriminatorHead.parameters()], options);
    this.constants = new ConstantCache(engine);
  }

  trainStep(batch: TrainingBatch): Tensor {
    const gates = this.config.gating ? this.updateGates(batch) : null;
    const [prior, featureReconstruction] = this.encoderPhase(batch);
    const decoderGan = this.decoderPhase(batch, gates?.decoder ?? null);
    const discriminator = this.discriminatorPhase(batch, gates?.discriminator ?? null);
    return concat([prior, featureReconstruction, decoderGan, discriminator], 0);
  }

  /**
   * The reference code's update gating, decided on the GPU from D's current errors on real images and on
   * decoded prior samples: one-element tensors, 1 to update and 0 to skip.
   */
  updateGates({ images, priorCodes }: TrainingBatch): UpdateGates {
    const size = images.shape[0];
    return this.engine.noGrad(() => {
      const realError = bceWithLogits(this.discriminate(images), this.constants.get([size, 1], 1));
      const fakeError = bceWithLogits(this.discriminate(this.decode(priorCodes)), this.constants.get([size, 1], 0));
      return decideGates(realError, fakeError);
    });
  }

  /** Encoder: priorWeight · KL + feature reconstruction, through a frozen decoder and discriminator. Returns both terms (KL unweighted). */
  encoderPhase({ images }: TrainingBatch): [Tensor, Tensor] {
    this.encoderOptimizer.zeroGrad();
    return this.withFrozen([this.decoder, this.discriminatorFeatures, this.discriminatorHead], () => {
      const encoding = this.encoder.forward(images, this.random);
      const prior = gaussianKl(encoding.mean!, encoding.logVariance!, 'batchMean');
      const featureReconstruction = this.featureReconstruction(images, encoding.z);
      backward(add(mulScalar(prior, this.priorWeight), featureReconstruction));
      this.encoderOptimizer.step();
      this.encoderOptimizer.zeroGrad();
      return [prior, featureReconstruction];
    });
  }

  /** Decoder: gamma · feature reconstruction plus the non-saturating GAN loss, with codes detached and D frozen. */
  decoderPhase({ images, priorCodes }: TrainingBatch, gate: Tensor | null = null): Tensor {
    const real = this.constants.get([images.shape[0], 1], 1);
    this.decoderOptimizer.zeroGrad();
    return this.withFrozen([this.discriminatorFeatures, this.discriminatorHead], () => {
      const codes = this.engine.noGrad(() => this.encoder.forward(images, this.random).z);
      const featureReconstruction = this.featureReconstruction(images, codes);
      const ganLoss = add(
        bceWithLogits(this.discriminate(this.decode(priorCodes)), real),
        bceWithLogits(this.discriminate(this.decode(codes)), real),
      );
      backward(add(mulScalar(featureReconstruction, this.gamma), ganLoss));
      this.decoderOptimizer.step(gate);
      this.decoderOptimizer.zeroGrad();
      return ganLoss;
    });
  }

  /** Discriminator: x is real, Dec(z) and Dec(Enc(x)) are fake; the generated images are detached. */
  discriminatorPhase({ images, priorCodes }: TrainingBatch, gate: Tensor | null = null): Tensor {
    const size = images.shape[0];
    const real = this.constants.get([size, 1], 1);
    const fake = this.constants.get([size, 1], 0);
    this.discriminatorOptimizer.zeroGrad();
    const [sampled, reconstructed] = this.engine.noGrad(() => [this.decode(priorCodes), this.decode(this.encoder.forward(images, this.random).z)]);
    const loss = add(
      bceWithLogits(this.discriminate(images), real),
      add(bceWithLogits(this.discriminate(sampled), fake), bceWithLogits(this.discriminate(reconstructed), fake)),
    );
    backward(loss);
    this.discriminatorOptimizer.step(gate);
    this.discriminatorOptimizer.zeroGrad();
    return loss;
  }

  decodeLogits(codes: Tensor): Tensor {
    return this.decoder.forward(codes);
  }

  encode(images: Tensor): Tensor {
    return this.encoder.encodeMean(images, this.random);
  }

  modules(): Record<string, Module> {
    return { encoder: this.encoder, decoder: this.decoder, discriminatorFeatures: this.discriminatorFeatures, discriminatorHead: this.discriminatorHead };
  }

  optimizers(): Record<string, Optimizer> {
    return { encoder: this.encoderOptimizer, decoder: this.decoderOptimizer, discriminator: this.discriminatorOptimizer };
  }

  /** ||D_l(x) - D_l(Dec(z))||², summed over features, averaged over the batch; D_l(x) is a constant target. */
  private featureReconstruction(images: Tensor, codes: Tensor): Tensor {
    const target = this.engine.noGrad(() => this.discriminatorFeatures.forward(images));
    return mse(this.discriminatorFeatures.forward(sigmoid(this.decoder.forward(codes))), target, 'batchMean');
  }

  private discriminate(images: Tensor): Tensor {
    return this.discriminatorHead.forward(relu(this.discriminatorFeatures.forward(images)));
  }

  private withFrozen<T>(modules: Module[], fn: () => T): T {
    for (const module of modules) module.freeze();
    try {
      return fn();
    } finally {
      for (const module of modules) module.unfreeze();
    }
  }
}
