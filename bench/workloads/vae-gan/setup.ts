// What both sides of the VAE-GAN step start from: the architecture, Glorot-uniform weights and zero
// biases made once on the CPU from a seed, and minibatches of MNIST images with prior samples and the
// reparameterization noise (drawn here, so that both sides sample the same codes).
import type { LabelledImages } from '../../../src/data/mnist.js';
import { initWeights } from '../../../src/nn/init.js';
import { deriveSeed } from '../../../src/random/seeded.js';
import { BATCH, LATENT, PIXELS, makeBatches as makeAaeBatches, seededNormal, type LayerState } from '../aae/setup.js';

export { BATCH, LATENT, PIXELS } from '../aae/setup.js';

export interface VaeGanArchitecture {
  /**
   * Hidden widths: encoder 784-h1-h2 then two heads (mean, log-variance) of 8, decoder 8-h2-h1-784,
   * discriminator 784-h1-h2 then a head of 1; the discriminator's last hidden layer is the feature
   * layer D_l the reconstruction is measured in.
   */
  hidden: readonly number[];
}

export interface VaeGanState {
  encoderTrunk: LayerState[];
  meanHead: LayerState;
  logVarianceHead: LayerState;
  decoder: LayerState[];
  discriminatorFeatures: LayerState[];
  discriminatorHead: LayerState;
}

export interface VaeGanBatch {
  /** [BATCH, PIXELS] in [0, 1]. */
  images: Float32Array;
  /** [BATCH, LATENT] drawn from N(0, I): the codes of Dec(z). */
  prior: Float32Array;
  /** [BATCH, LATENT] drawn from N(0, I): eps of z = mean + exp(logVariance / 2) · eps, the same in every phase of the step. */
  noise: Float32Array;
}

export function networkSizes(architecture: VaeGanArchitecture): { encoderTrunk: number[]; decoder: number[]; discriminatorFeatures: number[] } {
  const hidden = [...architecture.hidden];
  return { encoderTrunk: [PIXELS, ...hidden], decoder: [LATENT, ...[...hidden].reverse(), PIXELS], discriminatorFeatures: [PIXELS, ...hidden] };
}

export function initialState(architecture: VaeGanArchitecture, seed: number): VaeGanState {
  const sizes = networkSizes(architecture);
  const last = architecture.hidden[architecture.hidden.length - 1];
  const layer = (inputs: number, outputs: number, layerSeed: number): LayerState => ({
    inputs,
    outputs,
    weight: initWeights('xavier', inputs, outputs, deriveSeed(seed, layerSeed)),
    bias: new Float32Array(outputs),
  });
  const layers = (network: number[], networkIndex: number) => network.slice(1).map((outputs, i) => layer(network[i], outputs, networkIndex * 100 + i));
  return {
    encoderTrunk: layers(sizes.encoderTrunk, 1),
    meanHead: layer(last, LATENT, 150),
    logVarianceHead: layer(last, LATENT, 151),
    decoder: layers(sizes.decoder, 2),
    discriminatorFeatures: layers(sizes.discriminatorFeatures, 3),
    discriminatorHead: layer(last, 1, 350),
  };
}

/** The AAE step's minibatches (the same images and prior samples), each with its own noise. */
export async function makeBatches(count: number, seed: number, images?: LabelledImages): Promise<VaeGanBatch[]> {
  const normal = seededNormal(deriveSeed(seed, 2));
  return (await makeAaeBatches(count, seed, images)).map(({ images, prior }) => ({ images, prior, noise: Float32Array.from({ length: BATCH * LATENT }, normal) }));
}
