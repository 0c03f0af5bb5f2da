import type { Engine } from '../device/engine.js';
import { backward } from '../autograd/tape.js';
import { Linear } from '../nn/linear.js';
import { Mlp } from '../nn/mlp.js';
import type { Module } from '../nn/module.js';
import { Adam } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { add } from '../ops/arithmetic.js';
import { concat } from '../ops/concat.js';
import { bceWithLogits } from '../ops/losses/bce-with-logits.js';
import { softmaxCrossEntropy } from '../ops/losses/softmax-cross-entropy.js';
import { oneHot } from '../ops/one-hot.js';
import { softmax } from '../ops/softmax.js';
import { deriveSeed } from '../random/seeded.js';
import type { Tensor } from '../tensor/tensor.js';
import type { ModelConfig } from './config.js';
import { ConstantCache } from './constants.js';
import { GenerativeModel, type TrainingBatch } from './model.js';

/** The encoder's two outputs: y, a softmax over the categories, and z, the style code. */
export interface CategoricalEncoding {
  categoryLogits: Tensor;
  categories: Tensor;
  style: Tensor;
}

/**
 * The AAE whose encoder gives q(y, z | x): y a softmax over K categories matched by one discriminator to
 * a Categorical(K) prior (one-hot samples), z a style code matched by another to N(0, I); the decoder
 * sees both. Per minibatch: reconstruction; regularization (both discriminators, then the encoder as
 * generator against both); and for the semi-supervised model a third phase, cross-entropy of y on a
 * labelled minibatch. The clustering model is the same without the labelled phase, with K clusters.
 */
export class CategoricalAae extends GenerativeModel {
  readonly trunk: Mlp;
  readonly categoryHead: Linear;
  readonly styleHead: Linear;
  readonly decoder: Mlp;
  readonly categoryDiscriminator: Mlp;
  readonly styleDiscriminator: Mlp;
  readonly autoencoderOptimizer: Adam;
  readonly discriminatorOptimizer: Adam;
  readonly generatorOptimizer: Adam;
  readonly classifierOptimizer: Adam | null;
  readonly lossNames: readonly string[];
  readonly semiSupervised: boolean;
  private readonly constants: ConstantCache;

  constructor(engine: Engine, config: ModelConfig) {
    super(engine, config);
    this.semiSupervised = config.model === 'semi-supervised-aae';
    const { pixels, hidden, latent, clusters, seed } = config;
    const last = hidden[hidden.length - 1];
    this.trunk = new Mlp(engine, [pixels, ...hidden], { hidden: 'relu', output: 'relu', seed: deriveSeed(seed, 1) });
    this.categoryHead = new Linear(engine, last, clusters, { seed: deriveSeed(seed, 4) });
    this.styleHead = new Linear(engine, last, latent, { seed: deriveSeed(seed, 5) });
    this.decoder = new Mlp(engine, [clusters + latent, ...[...hidden].reverse(), pixels], { seed: deriveSeed(seed, 2) });
    this.categoryDiscriminator = new Mlp(engine, [clusters, ...hidden, 1], { seed: deriveSeed(seed, 3) });
    this.styleDiscriminator = new Mlp(engine, [latent, ...hidden, 1], { seed: deriveSeed(seed, 6) });
    const encoderParameters = [...this.trunk.parameters(), ...this.categoryHead.parameters(), ...this.styleHead.parameters()];
    const adversarial = { learningRate: config.adversarialLearningRate, beta1: config.beta1 };
    this.autoencoderOptimizer = new Adam([...encoderParameters, ...this.decoder.parameters()], { learningRate: config.learningRate, beta1: config.beta1 });
    this.discriminatorOptimizer = new Adam([...this.categoryDiscriminator.parameters(), ...this.styleDiscriminator.parameters()], adversarial);
    this.generatorOptimizer = new Adam(encoderParameters, adversarial);
    this.classifierOptimizer = this.semiSupervised
      ? new Adam([...this.trunk.parameters(), ...this.categoryHead.parameters()], { learningRate: config.learningRate, beta1: config.beta1 })
      : null;
    this.lossNames = ['reconstruction', 'discriminator', 'generator', ...(this.semiSupervised ? ['classification'] : [])];
    this.constants = new ConstantCache(engine);
  }

  encodeBoth(images: Tensor): CategoricalEncoding {
    const features = this.trunk.forward(images);
    const categoryLogits = this.categoryHead.forward(features);
    return { categoryLogits, categories: softmax(categoryLogits), style: this.styleHead.forward(features) };
  }

  trainStep(batch: TrainingBatch): Tensor {
    const losses = [this.reconstructionPhase(batch), this.discriminatorPhase(batch), this.generatorPhase(batch)];
    if (this.semiSupervised) losses.push(this.classificationPhase(batch));
    return concat(losses, 0);
  }

  /** Encoder and decoder learn to reconstruct from (y, z). */
  reconstructionPhase({ images }: TrainingBatch): Tensor {
    this.autoencoderOptimizer.zeroGrad();
    const { categories, style } = this.encodeBoth(images);
    const loss = bceWithLogits(this.decoder.forward(concat([categories, style])), images, 'batchMean');
    backward(loss);
    this.autoencoderOptimizer.step();
    return loss;
  }

  /** Both discriminators: one-hot prior categories and N(0, I) codes are "real", the encoder's y and z "fake". */
  discriminatorPhase({ images, priorCodes, priorComponents }: TrainingBatch): Tensor {
    const size = images.shape[0];
    const real = this.constants.get([size, 1], 1);
    const fake = this.constants.get([size, 1], 0);
    this.discriminatorOptimizer.zeroGrad();
    const { categories, style } = this.engine.noGrad(() => this.encodeBoth(images));
    const loss = add(
      add(
        bceWithLogits(this.categoryDiscriminator.forward(oneHot(priorComponents, this.config.clusters)), real),
        bceWithLogits(this.categoryDiscriminator.forward(categories), fake),
      ),
      add(bceWithLogits(this.styleDiscriminator.forward(priorCodes), real), bceWithLogits(this.styleDiscriminator.forward(style), fake)),
    );
    backward(loss);
    this.discriminatorOptimizer.step();
    return loss;
  }

  /** The encoder learns to fool both (frozen) discriminators. */
  generatorPhase({ images }: TrainingBatch): Tensor {
    const real = this.constants.get([images.shape[0], 1], 1);
    this.generatorOptimizer.zeroGrad();
    this.categoryDiscriminator.freeze();
    this.styleDiscriminator.freeze();
    try {
      const { categories, style } = this.encodeBoth(images);
      const loss = add(bceWithLogits(this.categoryDiscriminator.forward(categories), real), bceWithLogits(this.styleDiscriminator.forward(style), real));
      backward(loss);
      this.generatorOptimizer.step();
      return loss;
    } finally {
      this.categoryDiscriminator.unfreeze();
      this.styleDiscriminator.unfreeze();
    }
  }

  /** Semi-supervised only: cross-entropy of y on a labelled minibatch. */
  classificationPhase({ labelledImages, labelledLabels }: TrainingBatch): Tensor {
    if (!this.classifierOptimizer || !labelledImages || !labelledLabels) {
      throw new Error('semi-supervised-aae: the classification phase needs labelledImages and labelledLabels in the batch.');
    }
    this.classifierOptimizer.zeroGrad();
    const loss = softmaxCrossEntropy(this.encodeBoth(labelledImages).categoryLogits, labelledLabels);
    backward(loss);
    this.classifierOptimizer.step();
    return loss;
  }

  /** q(y | x): [n, clusters] probabilities. */
  classify(images: Tensor): Tensor {
    return this.encodeBoth(images).categories;
  }

  /** The style code z (the representation plotted in latent maps). */
  encode(images: Tensor): Tensor {
    return this.encodeBoth(images).style;
  }

  /** Reconstructions decode the encoder's own y beside z. */
  override reconstruct(images: Tensor): Tensor {
    const { categories, style } = this.encodeBoth(images);
    return this.decode(concat([categories, style]));
  }

  override reconstructionLoss(images: Tensor): Tensor {
    const { categories, style } = this.encodeBoth(images);
    return bceWithLogits(this.decoder.forward(concat([categories, style])), images, 'batchMean');
  }

  /** Codes here are (one-hot or soft y, z) side by side: [n, clusters + latent]; `labels` set y to one-hot digits. */
  decodeLogits(codes: Tensor, labels?: Tensor): Tensor {
    const input = labels ? concat([oneHot(labels, this.config.clusters), codes]) : codes;
    return this.decoder.forward(input);
  }

  modules(): Record<string, Module> {
    return {
      trunk: this.trunk,
      categoryHead: this.categoryHead,
      styleHead: this.styleHead,
      decoder: this.decoder,
      categoryDiscriminator: this.categoryDiscriminator,
      styleDiscriminator: this.styleDiscriminator,
    };
  }

  optimizers(): Record<string, Optimizer> {
    return {
      autoencoder: this.autoencoderOptimizer,
      discriminator: this.discriminatorOptimizer,
      generator: this.generatorOptimizer,
      ...(this.classifierOptimizer ? { classifier: this.classifierOptimizer } : {}),
    };
  }
}
