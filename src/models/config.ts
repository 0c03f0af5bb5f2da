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

/** The models whose encoder also gives a categorical y (q(y, z | x)), matched to a Categorical prior. */
export function isCategorical(model: ModelKind): boolean {
  return model === 'semi-supervised-aae' || model === 'clustering-aae' || model === 'dimensionality-reduction-aae';
}

/** The models trained with a labelled minibatch each step (cross-entropy of y). */
export function usesLabelledPhase(model: ModelKind): boolean {
  return model === 'semi-supervised-aae' || model === 'dimensionality-reduction-aae';
}
export const POSTERIORS: readonly Posterior[] = ['deterministic', 'gaussian', 'universal'];
export const PRIORS: readonly PriorName[] = ['gaussian', 'mog10', 'swissroll'];

/** Hidden layer widths: the paper's MNIST networks, and smaller ones for CPU adapters and tests. */
export const HIDDEN_SIZES: Record<SizePreset, number[]> = {
  paper: [1000, 1000],
  small: [256, 256],
  tiny: [32, 32],
};

/** Everything that fixes a model's architecture and training; stored in each checkpoint. */
export interface ModelConfig {
  model: ModelKind;
  /** q(z|x) for the AAEs; the VAE is always Gaussian, the AE deterministic. */
  posterior: Posterior;
  prior: PriorName;
  /** Standard deviation of the Gaussian prior. */
  priorScale: number;
  /** AAE: the discriminator also sees a one-hot label, with an extra slot meaning "unlabelled". */
  conditional: boolean;
  latent: number;
  hidden: number[];
  pixels: number;
  classes: number;
  /** Categories of y for the semi-supervised (= classes) and clustering AAEs. */
  clusters: number;
  /**
   * Categorical AAEs: standard deviation of the style posterior q(z|x) = N(f(x), styleNoise² I); 0 makes
   * z = f(x). The noise bounds what z can carry, so the decoder has to take the category from y.
   */
  styleNoise: number;
  /** Dimensions of the noise the universal-approximator posterior takes beside the image. */
  noise: number;
  batchSize: number;
  /** VAE-GAN: skip D's or the decoder's update when D is far ahead or behind (the reference code's gating). */
  gating: boolean;
  /** VAE-GAN: how much the decoder weighs feature reconstruction against fooling D (the paper's gamma). */
  gamma: number;
  /**
   * VAE-GAN: the encoder's weight of the KL term against feature reconstruction. Both are sums (over code
   * dimensions, over D_l's features), and the features' squared distances are small next to a pixel BCE:
   * after 200 steps the code carried ~10 nats with weight 1 and ~22 with 0.1, at about the same test
   * reconstruction BCE (150, 153); 0.1 is what the 30-minute run in the README used.
   */
  priorWeight: number;
  learningRate: number;
  adversarialLearningRate: number;
  beta1: number;
  seed: number;
}

export function defaultConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  const config: ModelConfig = {
    model: 'aae',
    posterior: 'deterministic',
    prior: 'gaussian',
    priorScale: 1,
    conditional: false,
    latent: 2,
    hidden: HIDDEN_SIZES.paper,
    pixels: 784,
    classes: 10,
    clusters: overrides.model === 'clustering-aae' ? 16 : 10,
    noise: 8,
    styleNoise: defaultStyleNoise(overrides.model),
    batchSize: 100,
    gating: false,
    gamma: 1,
    priorWeight: 0.1,
    learningRate: 1e-3,
    // Measured on the label-conditioned MoG-10 AAE (10,000 labels, 3 epochs): 26 % of test codes in their
    // own component with 2e-4, 37 % with 1e-3; with every label and 1e-3, 93 % after 2 epochs. The
    // regularization must keep pace with a reconstruction loss summed over 784 pixels. The MLP GAN keeps
    // the usual 2e-4. The VAE-GAN's decoder learns reconstruction at this rate too: with 2e-4 its test
    // reconstruction BCE after 200 steps was 179, with 1e-3 153.
    adversarialLearningRate: overrides.model === 'gan' ? 2e-4 : 1e-3,
    beta1: 0.5,
    seed: 1,
    ...definedOnly(overrides),
  };
  if (config.model === 'vae' || config.model === 'vae-gan') config.posterior = 'gaussian';
  if (config.model === 'ae') config.posterior = 'deterministic';
  validateConfig(config);
  return config;
}

/** See `ModelConfig.styleNoise`; measured values are in the README. */
function defaultStyleNoise(model: ModelKind | undefined): number {
  return model === 'clustering-aae' ? 0.7 : 0;
}

/** Leaves out keys given as undefined, so that they do not hide the defaults. */
function definedOnly<T extends object>(values: T): Partial<T> {
  return Object.fromEntries(Object.entries(values).filter(([, value]) => value !== undefined)) as Partial<T>;
}

export function validateConfig(config: ModelConfig): void {
  const problem = (message: string) => {
    throw new Error(`model config: ${message}`);
  };
  if (!MODEL_KINDS.includes(config.model)) problem(`unknown model '${config.model}'; choose one of ${MODEL_KINDS.join(', ')}.`);
  if (!POSTERIORS.includes(config.posterior)) problem(`unknown posterior '${config.posterior}'; choose one of ${POSTERIORS.join(', ')}.`);
  if (!PRIORS.includes(config.prior)) problem(`unknown prior '${config.prior}'; choose one of ${PRIORS.join(', ')}.`);
  if (usesLabelledPhase(config.model) && config.clusters !== config.classes) {
    problem(`the ${config.model}'s y has one category per class: clusters must be ${config.classes}, got ${config.clusters}.`);
  }
  for (const key of ['latent', 'pixels', 'classes', 'clusters', 'noise', 'batchSize'] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 1) problem(`${key} must be a positive whole number, got ${config[key]}.`);
  }
  if (!Array.isArray(config.hidden) || config.hidden.length === 0 || config.hidden.some((width) => !Number.isInteger(width) || width < 1)) {
    problem(`hidden must be a non-empty list of positive widths, got ${JSON.stringify(config.hidden)}.`);
  }
  if (config.prior !== 'gaussian' && config.latent !== 2) problem(`the ${config.prior} prior is 2-D: use latent 2 (got ${config.latent}).`);
  if (config.conditional && config.prior === 'gaussian') problem('label-conditioned regularization needs a prior with components: mog10 or swissroll.');
  if (config.gating && config.model !== 'vae-gan') problem(`update gating is for the vae-gan, not ${config.model}.`);
  if (config.conditional && config.model !== 'aae') problem(`conditional regularization is for the aae model, not ${config.model}.`);
  for (const key of ['learningRate', 'adversarialLearningRate', 'priorScale', 'gamma', 'priorWeight'] as const) {
    if (!(config[key] > 0 && Number.isFinite(config[key]))) problem(`${key} must be positive, got ${config[key]}.`);
  }
  if (!(config.styleNoise >= 0 && Number.isFinite(config.styleNoise))) problem(`styleNoise must be 0 or more, got ${config.styleNoise}.`);
  if (config.styleNoise > 0 && !isCategorical(config.model)) problem(`styleNoise is for the categorical AAEs, not ${config.model}.`);
  if (!(config.beta1 >= 0 && config.beta1 < 1)) problem(`beta1 must be in [0, 1), got ${config.beta1}.`);
}
