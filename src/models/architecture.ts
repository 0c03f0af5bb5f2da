import type { PriorName } from './priors.js';

export type ModelKind =
  | 'ae'
  | 'vae'
  | 'gan'
  | 'aae'
  | 'supervised-aae'
  | 'semi-supervised-aae'
  | 'clustering-aae'
  | 'dimensionality-reduction-aae'
  | 'vae-gan';
export type Posterior = 'deterministic' | 'gaussian' | 'universal';
export type SizePreset = 'paper' | 'small' | 'tiny';

export const MODEL_KINDS: readonly ModelKind[] = [
  'ae',
  'vae',
  'gan',
  'aae',
  'supervised-aae',
  'semi-supervised-aae',
  'clustering-aae',
  'dimensionality-reduction-aae',
  'vae-gan',
];
export const POSTERIORS: readonly Posterior[] = ['deterministic', 'gaussian', 'universal'];
export const PRIORS: readonly PriorName[] = ['gaussian', 'mog10', 'swissroll'];

/** Hidden layer widths: the paper's MNIST networks, and smaller ones for CPU adapters and tests. */
export const HIDDEN_SIZES: Record<SizePreset, number[]> = {
  paper: [1000, 1000],
  small: [256, 256],
  tiny: [32, 32],
};

/** The models whose encoder also gives a categorical y (q(y, z | x)), matched to a Categorical prior. */
export function isCategorical(model: ModelKind): boolean {
  return model === 'semi-supervised-aae' || model === 'clustering-aae' || model === 'dimensionality-reduction-aae';
}

/** The models trained with a labelled minibatch each step (cross-entropy of y). */
export function usesLabelledPhase(model: ModelKind): boolean {
  return model === 'semi-supervised-aae' || model === 'dimensionality-reduction-aae';
}

/**
 * What fixes a model's networks: their layers and shapes, and what their codes are matched to. A
 * checkpoint's weights fit only this architecture, so a resumed run cannot change any of it.
 */
export interface ModelArchitecture {
  model: ModelKind;
  /** q(z|x) for the AAEs; the VAE is always Gaussian, the AE deterministic. */
  posterior: Posterior;
  prior: PriorName;
  /** AAE: the discriminator also sees a one-hot label, with an extra slot meaning "unlabelled". */
  conditional: boolean;
  latent: number;
  hidden: number[];
  pixels: number;
  classes: number;
  /** Categories of y for the semi-supervised (= classes) and clustering AAEs. */
  clusters: number;
  /** Dimensions of the noise the universal-approximator posterior takes beside the image. */
  noise: number;
}
