import type { Engine } from '../device/engine.js';
import { backward } from '../autograd/tape.js';
import { Mlp } from '../nn/mlp.js';
import type { Module } from '../nn/module.js';
import { Adam } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { add } from '../ops/arithmetic.js';
import { concat } from '../ops/concat.js';
import { bceWithLogits } from '../ops/losses/bce-with-logits.js';
import { oneHot } from '../ops/one-hot.js';
import { deriveSeed } from '../random/seeded.js';
import type { Tensor } from '../tensor/tensor.js';
import type { ModelConfig } from './config.js';
import { ConstantCache } from './constants.js';
import { Encoder } from './encoder.js';
import { GenerativeModel, type TrainingBatch } from './model.js';

/**
 * The adversarial autoencoder: an autoencoder whose aggregated posterior q(z) is matched to the prior
 * by a discriminator on codes. Each step runs the paper's phases on one minibatch:
 * 1. reconstruction: encoder + decoder on binary cross-entropy;
 * 2. regularization, discriminator: prior samples are "real", encoder codes "fake";
 * 3. regularization, generator: the encoder learns to fool the (frozen) discriminator.
 * Options: the three posteriors; label information in the regularization (`conditional`: the
 * discriminator also sees a one-hot label with an extra "unlabelled" slot, prior samples carrying their
 * component); and the supervised model (`supervised-aae`: the decoder sees the one-hot digit beside z,
 * so that z only has to carry style). A deterministic z = f(x) carries the digit as well, and nothing
 * made the decoder prefer the label: every row of its style grid drew one digit. By default the
 * supervised model therefore matches q(z | y) to N(0, I) for every digit (`conditional` with the
 * Gaussian prior: the discriminator sees the digit beside prior samples and codes alike) and trains on a
 * noisy style N(f(x), styleNoise² I), which bounds what z can carry (measurements: README).
 */
export class AdversarialAutoencoder extends GenerativeModel {
  readonly encoder: Encoder;
  readonly decoder: Mlp;
  readonly discriminator: Mlp;
  readonly autoencoderOptimizer: Adam;
  readonly discriminatorOptimizer: Adam;
  readonly generatorOptimizer: Adam;
  readonly lossNames = ['reconstruction', 'discriminator', 'generator'] as const;
  readonly supervised: boolean;
  private readonly constants: ConstantCache;

  constructor(engine: Engine, config: ModelConfig) {
    super(engine, config);
    this.supervised = config.model === 'supervised-aae';
    const decoderInputs = config.latent + (this.supervised ? config.classes : 0);
    // The conditional discriminator's label has one slot per class plus one for "unlabelled".
    const discriminatorInputs = config.latent + (config.conditional ? config.classes + 1 : 0);
    this.encoder = new Encoder(engine, config.posterior, config.pixels, config.hidden, config.latent, config.noise, deriveSeed(config.seed, 1));
    this.decoder = new Mlp(engine, [decoderInputs, ...[...config.hidden].reverse(), config.pixels], { seed: deriveSeed(config.seed, 2) });
    this.discriminator = new Mlp(engine, [discriminatorInputs, ...config.hidden, 1], { seed: deriveSeed(config.seed, 3) });
    const adversarial = { learningRate: config.adversarialLearningRate, beta1: config.beta1 };
    this.autoencoderOptimizer = new Adam([...this.encoder.parameters(), ...this.decoder.parameters()], {
      learningRate: config.learningRate,
      beta1: config.beta1,
    });
    this.discriminatorOptimizer = new Adam(this.discriminator, adversarial);
    this.generatorOptimizer = new Adam(this.encoder, adversarial);
    this.constants = new ConstantCache(engine);
  }

  trainStep(batch: TrainingBatch): Tensor {
    const reconstruction = this.reconstructionPhase(batch);
    const discriminator = this.discriminatorPhase(batch);
    const generator = this.generatorPhase(batch);
    return concat([reconstruction, discriminator, generator], 0);
  }

  /** Phase 1: encoder and decoder learn to reconstruct. Returns the reconstruction loss. */
  reconstructionPhase({ images, labels }: TrainingBatch): Tensor {
    this.autoencoderOptimizer.zeroGrad();
    const codes = this.sampleStyle(this.encoder.forward(images, this.random).z);
    const loss = bceWithLogits(this.decoder.forward(this.decoderInput(codes, labels)), images, 'batchMean');
    backward(loss);
    this.autoencoderOptimizer.step();
    this.autoencoderOptimizer.zeroGrad();
    return loss;
  }

  /** Phase 2: the discriminator learns prior samples ("real") from encoder codes ("fake"). */
  discriminatorPhase({ images, labels, priorCodes, priorComponents }: TrainingBatch): Tensor {
    const size = images.shape[0];
    this.discriminatorOptimizer.zeroGrad();
    const encoded = this.engine.noGrad(() => this.sampleStyle(this.encoder.forward(images, this.random).z));
    const loss = add(
      bceWithLogits(this.discriminator.forward(this.discriminatorInput(priorCodes, priorComponents)), this.constants.get([size, 1], 1)),
      bceWithLogits(this.discriminator.forward(this.discriminatorInput(encoded, labels)), this.constants.get([size, 1], 0)),
    );
    backward(loss);
    this.discriminatorOptimizer.step();
    this.discriminatorOptimizer.zeroGrad();
    return loss;
  }

  /** Phase 3: the encoder, as generator, learns to fool the discriminator, which is frozen meanwhile. */
  generatorPhase({ images, labels }: TrainingBatch): Tensor {
    this.generatorOptimizer.zeroGrad();
    this.discriminator.freeze();
    try {
      const codes = this.sampleStyle(this.encoder.forward(images, this.random).z);
      const loss = bceWithLogits(this.discriminator.forward(this.discriminatorInput(codes, labels)), this.constants.get([images.shape[0], 1], 1));
      backward(loss);
      this.generatorOptimizer.step();
      this.generatorOptimizer.zeroGrad();
      return loss;
    } finally {
      this.discriminator.unfreeze();
    }
  }

  /**
   * Supervised AAE: a sample of the style posterior N(z, styleNoise² I), what training decodes and the
   * discriminator judges (as the categorical AAEs' `sampleStyle`); evaluation and plots use z itself.
   */
  sampleStyle(codes: Tensor): Tensor {
    const noise = this.config.styleNoise;
    return noise > 0 ? add(codes, this.random.normal(codes.shape, 0, noise)) : codes;
  }

  decodeLogits(codes: Tensor, labels?: Tensor): Tensor {
    if (this.supervised && !labels) throw new Error('supervised-aae: decoding needs the digit labels beside the codes.');
    return this.decoder.forward(this.decoderInput(codes, labels));
  }

  encode(images: Tensor): Tensor {
    return this.encoder.encodeMean(images, this.random);
  }

  modules(): Record<string, Module> {
    return { encoder: this.encoder, decoder: this.decoder, discriminator: this.discriminator };
  }

  optimizers(): Record<string, Optimizer> {
    return { autoencoder: this.autoencoderOptimizer, discriminator: this.discriminatorOptimizer, generator: this.generatorOptimizer };
  }

  private decoderInput(codes: Tensor, labels: Tensor | undefined): Tensor {
    return this.supervised ? concat([codes, oneHot(labels!, this.config.classes)]) : codes;
  }

  /** Labels equal to `classes` light the extra "unlabelled" slot. */
  private discriminatorInput(codes: Tensor, labels: Tensor): Tensor {
    return this.config.conditional ? concat([codes, oneHot(labels, this.config.classes + 1)]) : codes;
  }
}
