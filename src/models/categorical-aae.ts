import type { Engine } from '../device/engine.js';
import { backward } from '../autograd/tape.js';
import { Linear } from '../nn/linear.js';
import { Mlp } from '../nn/mlp.js';
import { Module } from '../nn/module.js';
import { Adam } from '../optim/adam.js';
import type { Optimizer } from '../optim/optimizer.js';
import { add, mulScalar } from '../ops/arithmetic.js';
import { concat } from '../ops/concat.js';
import { bceWithLogits } from '../ops/losses/bce-with-logits.js';
import { softmaxCrossEntropy } from '../ops/losses/softmax-cross-entropy.js';
import { oneHot } from '../ops/one-hot.js';
import { softmax } from '../ops/softmax.js';
import { sigmoid } from '../ops/unary.js';
import { deriveSeed } from '../random/seeded.js';
import type { Tensor } from '../tensor/tensor.js';
import { usesLabelledPhase } from './architecture.js';
import type { ModelConfig } from './config.js';
import { matmul } from '../ops/matmul.js';
import { headSeparation } from '../ops/losses/head-separation.js';
import { seededUniform } from '../random/seeded.js';
import { ConstantCache } from './constants.js';
import { GenerativeModel, type TrainingBatch } from './model.js';

/** The encoder's two outputs: y, a softmax over the categories, and z, the style code. */
export interface CategoricalEncoding {
  categoryLogits: Tensor;
  categories: Tensor;
  style: Tensor;
}

/** The dimensionality-reduction AAE's learned cluster heads W_c, one row per category. */
export class ClusterHeads extends Module {
  readonly heads: Tensor;

  constructor(engine: Engine, clusters: number, dimensions: number, seed: number) {
    super();
    // Small random heads: they start near each other and the separation cost spreads them.
    const random = seededUniform(seed);
    const values = Float32Array.from({ length: clusters * dimensions }, () => 0.5 * (2 * random() - 1));
    const heads = engine.keep(engine.tensor(values, [clusters, dimensions]));
    heads.requiresGrad = true;
    this.heads = this.addParameter('heads', heads);
  }
}

/**
 * The category head starts with weights this many times the usual (Xavier) ones. With the usual weights
 * every image's logits start within a few tenths of each other: y is nearly uniform and says nothing
 * about the image. The categorical discriminator then sharpens y towards one-hot before the
 * reconstruction has given it a meaning, every image drifts into the same two or three categories, and
 * a saturated softmax passes too little gradient to ever leave them (measured on the clustering AAE: 3 of
 * 16 categories used, 75-80 % cluster error). Larger weights give a confident y that already differs
 * from image to image, spread over the categories, from the first step. Models with a labelled phase do
 * without: their labels break the symmetry, and the gain cost the semi-supervised AAE (9.1 % test error
 * after one epoch against 7.1 %).
 */
export const CATEGORY_HEAD_GAIN = 10;

/** Pairs of cluster heads closer than this are pushed apart (in units of the N(0, I) style prior). */
export const HEAD_MARGIN = 5;

/**
 * The AAE whose encoder gives q(y, z | x): y a softmax over K categories matched by one discriminator to
 * a Categorical(K) prior (one-hot samples), z a style code (deterministic, or Gaussian with a fixed
 * standard deviation `styleNoise`) matched by another to N(0, I); the decoder
 * sees both. Per minibatch: reconstruction; regularization (both discriminators, then the encoder as
 * generator against both); and for the semi-supervised model a third phase, cross-entropy of y on a
 * labelled minibatch. The clustering model is the same without the labelled phase, with K clusters.
 * The dimensionality-reduction model decodes the representation W_c·y + z instead of (y, z), with
 * learned cluster heads W_c kept `HEAD_MARGIN` apart by an extra cost, and a low-dimensional z: its
 * representation is the map to plot.
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
  readonly clusterHeads: ClusterHeads | null;
  private readonly constants: ConstantCache;

  constructor(engine: Engine, config: ModelConfig) {
    super(engine, config);
    this.semiSupervised = usesLabelledPhase(config.model);
    const { pixels, hidden, latent, clusters, seed } = config;
    this.clusterHeads = config.model === 'dimensionality-reduction-aae' ? new ClusterHeads(engine, clusters, latent, deriveSeed(seed, 7)) : null;
    const last = hidden[hidden.length - 1];
    this.trunk = new Mlp(engine, [pixels, ...hidden], { hidden: 'relu', output: 'relu', seed: deriveSeed(seed, 1) });
    this.categoryHead = new Linear(engine, last, clusters, { seed: deriveSeed(seed, 4), initGain: this.semiSupervised ? 1 : CATEGORY_HEAD_GAIN });
    this.styleHead = new Linear(engine, last, latent, { seed: deriveSeed(seed, 5) });
    const representation = this.clusterHeads ? latent : clusters + latent;
    this.decoder = new Mlp(engine, [representation, ...[...hidden].reverse(), pixels], { seed: deriveSeed(seed, 2) });
    this.categoryDiscriminator = new Mlp(engine, [clusters, ...hidden, 1], { seed: deriveSeed(seed, 3) });
    this.styleDiscriminator = new Mlp(engine, [latent, ...hidden, 1], { seed: deriveSeed(seed, 6) });
    const encoderParameters = [...this.trunk.parameters(), ...this.categoryHead.parameters(), ...this.styleHead.parameters()];
    const halfLife = config.learningRateHalfLife;
    const adversarial = { learningRate: config.adversarialLearningRate, beta1: config.beta1, halfLife };
    const heads = this.clusterHeads ? this.clusterHeads.parameters() : [];
    this.autoencoderOptimizer = new Adam([...encoderParameters, ...heads, ...this.decoder.parameters()], { learningRate: config.learningRate, beta1: config.beta1, halfLife });
    this.discriminatorOptimizer = new Adam([...this.categoryDiscriminator.parameters(), ...this.styleDiscriminator.parameters()], adversarial);
    this.generatorOptimizer = new Adam(encoderParameters, adversarial);
    this.classifierOptimizer = this.semiSupervised
      ? new Adam([...this.trunk.parameters(), ...this.categoryHead.parameters()], { learningRate: config.learningRate, beta1: config.beta1, halfLife })
      : null;
    this.lossNames = [
      'reconstruction',
      'discriminator',
      'generator',
      ...(this.semiSupervised ? ['classification'] : []),
      ...(config.mutualInformation > 0 ? ['mutualInformation'] : []),
    ];
    this.constants = new ConstantCache(engine);
  }

  /**
   * A sample of the style posterior N(style, styleNoise² I): what training decodes and what the style
   * discriminator compares with the prior. Evaluation and plots use the mean.
   */
  sampleStyle(style: Tensor): Tensor {
    const noise = this.config.styleNoise;
    return noise > 0 ? add(style, this.random.normal(style.shape, 0, noise)) : style;
  }

  /** What the encoder sees in training: the images with N(0, inputNoise²) added to each pixel; evaluation sees them clean. */
  noisyInput(images: Tensor): Tensor {
    const noise = this.config.inputNoise;
    return noise > 0 ? add(images, this.random.normal(images.shape, 0, noise)) : images;
  }

  encodeBoth(images: Tensor): CategoricalEncoding {
    const features = this.trunk.forward(images);
    const categoryLogits = this.categoryHead.forward(features);
    return { categoryLogits, categories: softmax(categoryLogits), style: this.styleHead.forward(features) };
  }

  trainStep(batch: TrainingBatch): Tensor {
    const { reconstruction, mutualInformation } = this.reconstructionPhase(batch);
    const losses = [reconstruction, this.discriminatorPhase(batch), this.generatorPhase(batch)];
    if (this.semiSupervised) losses.push(this.classificationPhase(batch));
    if (mutualInformation) losses.push(mutualInformation);
    return concat(losses, 0);
  }

  /**
   * Encoder and decoder learn to reconstruct from (y, z); with `mutualInformation` > 0 they also lower
   * the mutual-information term's cross-entropy (`mutualInformationCost`), weighted, in the same update.
   */
  reconstructionPhase({ images, priorCodes, priorComponents }: TrainingBatch): { reconstruction: Tensor; mutualInformation: Tensor | null } {
    this.autoencoderOptimizer.zeroGrad();
    const { categories, style } = this.encodeBoth(this.noisyInput(images));
    const reconstruction = bceWithLogits(this.decoder.forward(this.representation(categories, this.sampleStyle(style))), images, 'batchMean');
    let loss = this.clusterHeads ? add(reconstruction, headSeparation(this.clusterHeads.heads, HEAD_MARGIN)) : reconstruction;
    const weight = this.config.mutualInformation;
    const mutualInformation = weight > 0 ? this.mutualInformationCost(priorComponents, priorCodes) : null;
    if (mutualInformation) loss = add(loss, mulScalar(mutualInformation, weight));
    backward(loss);
    this.autoencoderOptimizer.step();
    this.autoencoderOptimizer.zeroGrad();
    return { reconstruction, mutualInformation };
  }

  /**
   * The InfoGAN-style term: categories c ~ Categorical(K) and styles z ~ the style prior (the step's prior
   * samples, [n] u32 and [n, latent]) are decoded into x̂ = Dec(c, z), x̂ is encoded again, and the cost is
   * the mean cross-entropy of c under q(y | x̂). log K minus it is a lower bound on I(c; x̂) (Barber and
   * Agakov's bound, as in InfoGAN): lowering it makes every category decode into images that the encoder
   * tells apart, whatever the style. It is meant to make y carry the digit; measured, it does not: the
   * encoder learns to tell apart what the decoder draws, a 4 and a 9 from one category included, and the
   * bound is met within an epoch (README, the clustering AAE). The decoder's
   * logits are fed back through a sigmoid: the encoder is trained on pixel intensities in [0, 1], and the
   * probabilities are the decoder's mean image, differentiable where a binarised sample would not be.
   */
  mutualInformationCost(categories: Tensor, styles: Tensor): Tensor {
    const generated = sigmoid(this.decoder.forward(this.representation(oneHot(categories, this.config.clusters), styles)));
    return softmaxCrossEntropy(this.encodeBoth(generated).categoryLogits, categories);
  }

  /** What the decoder sees: (y, z) side by side, or W_c·y + z for the dimensionality-reduction model. */
  representation(categories: Tensor, style: Tensor): Tensor {
    return this.clusterHeads ? add(matmul(categories, this.clusterHeads.heads), style) : concat([categories, style]);
  }

  /** Both discriminators: one-hot prior categories and N(0, I) codes are "real", the encoder's y and z "fake". */
  discriminatorPhase({ images, priorCodes, priorComponents }: TrainingBatch): Tensor {
    const size = images.shape[0];
    const real = this.constants.get([size, 1], 1);
    const fake = this.constants.get([size, 1], 0);
    this.discriminatorOptimizer.zeroGrad();
    const { categories, style } = this.engine.noGrad(() => this.encodeBoth(this.noisyInput(images)));
    const loss = add(
      add(
        bceWithLogits(this.categoryDiscriminator.forward(oneHot(priorComponents, this.config.clusters)), real),
        bceWithLogits(this.categoryDiscriminator.forward(categories), fake),
      ),
      add(bceWithLogits(this.styleDiscriminator.forward(priorCodes), real), bceWithLogits(this.styleDiscriminator.forward(this.sampleStyle(style)), fake)),
    );
    backward(loss);
    this.discriminatorOptimizer.step();
    this.discriminatorOptimizer.zeroGrad();
    return loss;
  }

  /** The encoder learns to fool both (frozen) discriminators. */
  generatorPhase({ images }: TrainingBatch): Tensor {
    const real = this.constants.get([images.shape[0], 1], 1);
    this.generatorOptimizer.zeroGrad();
    this.categoryDiscriminator.freeze();
    this.styleDiscriminator.freeze();
    try {
      const { categories, style } = this.encodeBoth(this.noisyInput(images));
      const loss = add(bceWithLogits(this.categoryDiscriminator.forward(categories), real), bceWithLogits(this.styleDiscriminator.forward(this.sampleStyle(style)), real));
      backward(loss);
      this.generatorOptimizer.step();
      this.generatorOptimizer.zeroGrad();
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
    const loss = softmaxCrossEntropy(this.encodeBoth(this.noisyInput(labelledImages)).categoryLogits, labelledLabels);
    backward(loss);
    this.classifierOptimizer.step();
    this.classifierOptimizer.zeroGrad();
    return loss;
  }

  /** q(y | x): [n, clusters] probabilities. */
  classify(images: Tensor): Tensor {
    return this.encodeBoth(images).categories;
  }

  /** The code plotted in latent maps: the style z, or the dimensionality-reduction model's W_c·y + z. */
  encode(images: Tensor): Tensor {
    const { categories, style } = this.encodeBoth(images);
    return this.clusterHeads ? this.representation(categories, style) : style;
  }

  /** Reconstructions decode the encoder's own y with z. */
  override reconstruct(images: Tensor): Tensor {
    const { categories, style } = this.encodeBoth(images);
    return this.decode(this.representation(categories, style));
  }

  override reconstructionLoss(images: Tensor): Tensor {
    const { categories, style } = this.encodeBoth(images);
    return bceWithLogits(this.decoder.forward(this.representation(categories, style)), images, 'batchMean');
  }

  /**
   * Decodes what the decoder sees ([n, clusters + latent], or [n, latent] for the dimensionality-reduction
   * model); with `labels`, `codes` are style codes [n, latent] and y is each label's one-hot.
   */
  decodeLogits(codes: Tensor, labels?: Tensor): Tensor {
    const input = labels ? this.representation(oneHot(labels, this.config.clusters), codes) : codes;
    return this.decoder.forward(input);
  }

  modules(): Record<string, Module> {
    return {
      ...(this.clusterHeads ? { clusterHeads: this.clusterHeads } : {}),
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
