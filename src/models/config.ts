import { HIDDEN_SIZES, isCategorical, MODEL_KINDS, POSTERIORS, PRIORS, usesLabelledPhase, type ModelArchitecture, type ModelKind } from './architecture.js';
import type { TrainingSettings } from './training-settings.js';

/** What a model is built from: its architecture and how it learns. Stored in each checkpoint. */
export interface ModelConfig extends ModelArchitecture, TrainingSettings {}

export const DEFAULT_MODEL: ModelKind = 'aae';

/** The semi-supervised AAE's input noise (pixel intensities are in [0, 1]). */
export const SEMI_SUPERVISED_INPUT_NOISE = 0.3;
/** The semi-supervised AAE's learning-rate half-life: 10 epochs of 50,000 images in minibatches of 100. */
export const SEMI_SUPERVISED_HALF_LIFE = 5000;

/**
 * The value a setting added after checkpoints were first written takes when a checkpoint lacks it: the
 * one that trains as the run did before the setting existed (its default may have changed the training).
 */
export const SETTINGS_ABSENT_FROM_OLDER_CHECKPOINTS: Partial<ModelConfig> = { inputNoise: 0, learningRateHalfLife: 0 };

/** Each setting's default for a model of the given kind (most are the same for every kind). */
export const MODEL_DEFAULTS: { readonly [K in Exclude<keyof ModelConfig, 'model'>]: (model: ModelKind) => ModelConfig[K] } = {
  posterior: () => 'deterministic',
  prior: () => 'gaussian',
  // The supervised AAE's discriminator sees the digit beside z, its prior samples paired with the same
  // digits: q(z | y) is matched to p(z) for every digit, so that z cannot tell the digit (README, "What it reaches").
  conditional: (model) => model === 'supervised-aae',
  latent: () => 2,
  hidden: () => HIDDEN_SIZES.paper,
  pixels: () => 784,
  classes: () => 10,
  clusters: (model) => (model === 'clustering-aae' ? 16 : 10),
  noise: () => 8,
  priorScale: () => 1,
  // See `TrainingSettings.styleNoise`; measured values are in the README.
  styleNoise: (model) => (model === 'clustering-aae' || model === 'supervised-aae' ? 0.7 : 0),
  // See `TrainingSettings.mutualInformation`: 0 is the paper's method.
  mutualInformation: () => 0,
  // See `TrainingSettings.inputNoise` and `learningRateHalfLife`; both go beyond the paper's method, and
  // 0 turns each off. The measurements: README, semi-supervised row.
  inputNoise: (model) => (model === 'semi-supervised-aae' ? SEMI_SUPERVISED_INPUT_NOISE : 0),
  learningRateHalfLife: (model) => (model === 'semi-supervised-aae' ? SEMI_SUPERVISED_HALF_LIFE : 0),
  gating: () => false,
  gamma: () => 1,
  priorWeight: () => 0.1,
  learningRate: () => 1e-3,
  // The regularisation must keep pace with a reconstruction loss summed over 784 pixels; the MLP GAN
  // keeps the usual 2e-4 (the measurements: docs/findings.md).
  adversarialLearningRate: (model) => (model === 'gan' ? 2e-4 : 1e-3),
  beta1: () => 0.5,
  seed: () => 1,
};

/**
 * The config with every setting not given (or given as undefined) at its default, checked: the one way
 * to make a ModelConfig, so that a model is never built from an unchecked one. Keys that are not settings
 * (a `batchSize` in a checkpoint of an older layout) are left out.
 */
export function defaultConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  const model = overrides.model ?? DEFAULT_MODEL;
  const settings = Object.entries(MODEL_DEFAULTS).map(([key, byModel]) => [key, overrides[key as keyof ModelConfig] ?? byModel(model)]);
  const config = { model, ...Object.fromEntries(settings) } as ModelConfig;
  if (model === 'vae' || model === 'vae-gan') config.posterior = 'gaussian';
  if (model === 'ae') config.posterior = 'deterministic';
  validateConfig(config);
  return config;
}

function validateConfig(config: ModelConfig): void {
  const problem = (message: string) => {
    throw new Error(`model config: ${message}`);
  };
  if (!MODEL_KINDS.includes(config.model)) problem(`unknown model '${config.model}'; choose one of ${MODEL_KINDS.join(', ')}.`);
  if (!POSTERIORS.includes(config.posterior)) problem(`unknown posterior '${config.posterior}'; choose one of ${POSTERIORS.join(', ')}.`);
  if (!PRIORS.includes(config.prior)) problem(`unknown prior '${config.prior}'; choose one of ${PRIORS.join(', ')}.`);
  if (isCategorical(config.model) && config.clusters < 2) problem(`the ${config.model} needs at least 2 clusters of y, got ${config.clusters}.`);
  if (usesLabelledPhase(config.model) && config.clusters !== config.classes) {
    problem(`the ${config.model}'s y has one category per class: clusters must be ${config.classes}, got ${config.clusters}.`);
  }
  for (const key of ['latent', 'pixels', 'classes', 'clusters', 'noise'] as const) {
    if (!Number.isInteger(config[key]) || config[key] < 1) problem(`${key} must be a positive whole number, got ${config[key]}.`);
  }
  if (!Array.isArray(config.hidden) || config.hidden.length === 0 || config.hidden.some((width) => !Number.isInteger(width) || width < 1)) {
    problem(`hidden must be a non-empty list of positive widths, got ${JSON.stringify(config.hidden)}.`);
  }
  for (const key of ['conditional', 'gating'] as const) {
    if (typeof config[key] !== 'boolean') problem(`${key} must be true or false, got ${JSON.stringify(config[key])}.`);
  }
  if (!Number.isSafeInteger(config.seed) || config.seed < 0) problem(`seed must be a whole number from 0 to 2^53 - 1, got ${JSON.stringify(config.seed)}.`);
  if (config.prior !== 'gaussian' && config.latent !== 2) problem(`the ${config.prior} prior is 2-D: use latent 2 (got ${config.latent}).`);
  // The supervised AAE may pair its digits with the one Gaussian: z is then matched to N(0, I) for every digit.
  if (config.conditional && config.prior === 'gaussian' && config.model !== 'supervised-aae') {
    problem('label-conditioned regularization needs a prior with components: mog10 or swissroll.');
  }
  if (config.gating && config.model !== 'vae-gan') problem(`update gating is for the vae-gan, not ${config.model}.`);
  if (config.conditional && config.model !== 'aae' && config.model !== 'supervised-aae') problem(`conditional regularization is for the aae and supervised-aae models, not ${config.model}.`);
  for (const key of ['learningRate', 'adversarialLearningRate', 'priorScale', 'gamma', 'priorWeight'] as const) {
    if (!(config[key] > 0 && Number.isFinite(config[key]))) problem(`${key} must be positive, got ${config[key]}.`);
  }
  if (!(config.styleNoise >= 0 && Number.isFinite(config.styleNoise))) problem(`styleNoise must be 0 or more, got ${config.styleNoise}.`);
  if (config.styleNoise > 0 && !isCategorical(config.model) && config.model !== 'supervised-aae') {
    problem(`styleNoise is for the categorical and supervised AAEs, not ${config.model}.`);
  }
  if (!(config.mutualInformation >= 0 && Number.isFinite(config.mutualInformation))) problem(`mutualInformation must be 0 or more, got ${config.mutualInformation}.`);
  if (config.mutualInformation > 0 && !isCategorical(config.model)) problem(`mutualInformation is for the categorical AAEs, not ${config.model}.`);
  if (!(config.inputNoise >= 0 && Number.isFinite(config.inputNoise))) problem(`inputNoise must be 0 or more, got ${config.inputNoise}.`);
  if (config.inputNoise > 0 && config.model !== 'semi-supervised-aae') problem(`inputNoise is for the semi-supervised-aae, not ${config.model}.`);
  if (!(config.learningRateHalfLife >= 0 && Number.isFinite(config.learningRateHalfLife))) {
    problem(`learningRateHalfLife must be 0 (constant rates) or a positive number of steps, got ${config.learningRateHalfLife}.`);
  }
  if (config.learningRateHalfLife > 0 && !isCategorical(config.model)) problem(`learningRateHalfLife is for the categorical AAEs, not ${config.model}.`);
  if (!(config.beta1 >= 0 && config.beta1 < 1)) problem(`beta1 must be in [0, 1), got ${config.beta1}.`);
}
