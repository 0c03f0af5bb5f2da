// What both sides of the AAE step start from: the architecture, Glorot-uniform weights and zero biases
// made once on the CPU from a seed, and minibatches of MNIST training images with prior samples.
import { loadMnist, type LabelledImages } from '../../../src/data/mnist.js';
import { initWeights } from '../../../src/nn/init.js';
import { deriveSeed, seededUniform } from '../../../src/random/seeded.js';

export const BATCH = 100;
export const PIXELS = 784;
export const LATENT = 8;

export interface AaeArchitecture {
  /** Hidden widths of every network: encoder 784-h1-h2-8, decoder 8-h2-h1-784, discriminator 8-h1-h2-1. */
  hidden: readonly number[];
}

export interface LayerState {
  inputs: number;
  outputs: number;
  /** Row-major [inputs, outputs]. */
  weight: Float32Array;
  bias: Float32Array;
}

export interface AaeState {
  encoder: LayerState[];
  decoder: LayerState[];
  discriminator: LayerState[];
}

export interface AaeBatch {
  /** [BATCH, PIXELS] in [0, 1]. */
  images: Float32Array;
  /** [BATCH, LATENT] drawn from N(0, I). */
  prior: Float32Array;
}

export function networkSizes(architecture: AaeArchitecture): Record<keyof AaeState, number[]> {
  const hidden = [...architecture.hidden];
  return {
    encoder: [PIXELS, ...hidden, LATENT],
    decoder: [LATENT, ...[...hidden].reverse(), PIXELS],
    discriminator: [LATENT, ...hidden, 1],
  };
}

export function initialState(architecture: AaeArchitecture, seed: number): AaeState {
  const sizes = networkSizes(architecture);
  const layers = (network: number[], networkIndex: number): LayerState[] =>
    network.slice(1).map((outputs, i) => ({
      inputs: network[i],
      outputs,
      weight: initWeights('xavier', network[i], outputs, deriveSeed(seed, networkIndex * 100 + i)),
      bias: new Float32Array(outputs),
    }));
  return { encoder: layers(sizes.encoder, 1), decoder: layers(sizes.decoder, 2), discriminator: layers(sizes.discriminator, 3) };
}

/** Parameters in the naming of src/nn/mlp.ts: `<layer>.weight`, `<layer>.bias`. */
export function mlpStateDict(layers: readonly LayerState[]): Record<string, Float32Array> {
  return Object.fromEntries(layers.flatMap((layer, i) => [[`${i}.weight`, layer.weight], [`${i}.bias`, layer.bias]]));
}

/**
 * `count` consecutive minibatches from the start of MNIST's training set (loaded here unless given: a
 * browser passes the images it fetched), with seeded prior samples.
 */
export async function makeBatches(count: number, seed: number, images?: LabelledImages): Promise<AaeBatch[]> {
  const train = images ?? (await loadMnist()).train;
  const normal = seededNormal(seed);
  return Array.from({ length: count }, (_, b) => {
    const images = new Float32Array(BATCH * PIXELS);
    const offset = ((b * BATCH) % (train.count - BATCH)) * PIXELS;
    for (let i = 0; i < images.length; i++) images[i] = train.images[offset + i] / 255;
    const prior = new Float32Array(BATCH * LATENT);
    for (let i = 0; i < prior.length; i++) prior[i] = normal();
    return { images, prior };
  });
}

/** Standard normal numbers by Box–Muller from the seeded uniform generator. */
export function seededNormal(seed: number): () => number {
  const uniform = seededUniform(seed);
  return () => Math.sqrt(-2 * Math.log(1 - uniform())) * Math.cos(2 * Math.PI * uniform());
}
