import { HIDDEN_SIZES, type SizePreset } from '../models/architecture.js';
import type { ModelConfig } from '../models/config.js';
import type { RunSettings } from '../training/run-settings.js';
import type { EpochMetrics } from '../training/trainer.js';

/**
 * The paper's experiments on MNIST (Makhzani et al., "Adversarial Autoencoders", arXiv 1511.05644), as
 * `webgpu-aae reproduce` runs them: each one model trained with the protocol of
 * ../shared/reference/models.md, one number measured, and the paper's value where the paper gives one.
 */

/** What an experiment reports, read from its run's per-epoch metrics (or, for Parzen, computed after training). */
export interface Measure {
  /** The EpochMetrics field it reads; 'parzenLogLikelihood' is computed once training ends. */
  key: keyof EpochMetrics | 'parzenLogLikelihood';
  /** In words, for the table: "test error". */
  label: string;
  unit: '%' | 'nats';
  /** A metric stored as a fraction is shown in percent. */
  scale: number;
  better: 'lower' | 'higher';
  /**
   * The validation counterpart that picks the epoch to report (never the test value itself); without
   * one, the last epoch is reported.
   */
  chooseEpochBy?: keyof EpochMetrics;
}

/** The paper's figure for an experiment, in the measure's unit. */
export interface PaperValue {
  value: number;
  /** The ± the paper gives over its runs. */
  spread?: number;
  source: string;
}

export interface Experiment {
  name: string;
  /** In words, for the table. */
  title: string;
  /** 'paper method': the paper's losses and phases; 'ours': a term beyond the paper, named in `note`. */
  method: 'paper method' | 'ours';
  measure: Measure;
  /** Null where the paper shows a picture, not a number. */
  paper: PaperValue | null;
  /** What to read beside the number, e.g. what an extra term is. */
  note?: string;
  /** The model: its config before the size preset's hidden widths are filled in. */
  config: Partial<ModelConfig>;
  /** Labelled training images ('all' when every image keeps its label). */
  labels: RunSettings['labels'];
  /** The picture that shows the experiment, in its run folder. */
  picture: 'samples.png' | 'latent.png';
  /** Takes the paper's widest networks at paper size (the clustering AAE: 3000-3000). */
  widestAtPaperSize?: boolean;
}

/** The figures as ../shared/reference/models.md quotes them. */
const PAPER = 'Makhzani et al. 2015';

const testError = (label = 'test error'): Measure => ({ key: 'testError', label, unit: '%', scale: 100, better: 'lower', chooseEpochBy: 'validationError' });
const clusterError: Measure = { key: 'clusterError', label: 'cluster error', unit: '%', scale: 100, better: 'lower', chooseEpochBy: 'validationClusterError' };

const semiSupervised = (labels: number | 'all', paper: PaperValue): Experiment => ({
  name: `semi-supervised-${labels}`,
  title: `semi-supervised classification, ${labels === 'all' ? 'all' : labels.toLocaleString('en-US')} labels`,
  method: 'ours',
  measure: testError(),
  paper,
  note:
    'the paper’s phases with two additions (the semi-supervised AAE’s defaults): Gaussian noise of standard deviation 0.3 on the pixels the encoder trains on, and every learning rate halved each 5,000 steps; `--input-noise 0 --lr-half-life 0` is the paper’s method',
  config: { model: 'semi-supervised-aae', latent: 8 },
  labels,
  picture: 'samples.png',
});

const clustering = (clusters: number, method: Experiment['method'], paper: PaperValue): Experiment => ({
  name: `clustering-${clusters}${method === 'ours' ? '-mutual-information' : ''}`,
  title: `unsupervised clustering, K = ${clusters}`,
  method,
  measure: clusterError,
  paper,
  ...(method === 'ours'
    ? {
        note: 'the paper’s method plus an InfoGAN-style mutual-information term between y and the image decoded from it (`--mutual-information 10`, the best of 1, 10 and 100 measured at K = 16), beyond the paper',
        config: { model: 'clustering-aae', clusters, latent: 2, mutualInformation: 10 },
      }
    : { config: { model: 'clustering-aae', clusters, latent: 2 } }),
  labels: 'all',
  picture: 'samples.png',
  widestAtPaperSize: true,
});

/** Every experiment, in the order of the results table. */
export const EXPERIMENTS: readonly Experiment[] = [
  semiSupervised(100, { value: 1.9, spread: 0.1, source: PAPER }),
  semiSupervised(1000, { value: 1.6, spread: 0.08, source: PAPER }),
  semiSupervised('all', { value: 0.85, spread: 0.02, source: PAPER }),
  clustering(16, 'paper method', { value: 9.55, spread: 2.05, source: PAPER }),
  clustering(16, 'ours', { value: 9.55, spread: 2.05, source: PAPER }),
  clustering(30, 'paper method', { value: 4.1, spread: 1.13, source: PAPER }),
  clustering(30, 'ours', { value: 4.1, spread: 1.13, source: PAPER }),
  {
    name: 'mog10-conditional',
    title: 'label-conditioned mixture of 10 Gaussians, 2-D codes',
    method: 'paper method',
    measure: { key: 'componentAccuracy', label: 'test codes in their digit’s component', unit: '%', scale: 100, better: 'higher' },
    paper: null,
    note: 'every training label used (the paper: 10,000 of them); the paper shows the map',
    config: { model: 'aae', prior: 'mog10', conditional: true, latent: 2 },
    labels: 'all',
    picture: 'latent.png',
  },
  {
    name: 'supervised-style',
    title: 'supervised AAE, style and content apart (15-D style)',
    method: 'ours',
    measure: { key: 'styleContentAccuracy', label: 'style-grid cells read as their column’s digit', unit: '%', scale: 100, better: 'higher' },
    paper: null,
    note:
      'the supervised AAE’s defaults: its discriminator also sees the digit (q(z | y) matched to the prior for every digit) and its style has a fixed noise of 0.7, both beyond the paper, whose plain model left the digit in z; read by an independent MLP classifier (97 % on the test set); the paper shows the grid',
    config: { model: 'supervised-aae', latent: 15 },
    labels: 'all',
    picture: 'samples.png',
  },
  {
    name: 'dimensionality-reduction-2d',
    title: 'dimensionality reduction to 2-D, 1,000 labels',
    method: 'paper method',
    measure: testError(),
    paper: null,
    note: 'the paper shows the 2-D map',
    config: { model: 'dimensionality-reduction-aae', latent: 2 },
    labels: 1000,
    picture: 'latent.png',
  },
  {
    name: 'parzen-8d',
    title: 'Parzen-window log-likelihood, 8-D Gaussian-prior AAE',
    method: 'paper method',
    measure: { key: 'parzenLogLikelihood', label: 'test log-likelihood', unit: 'nats', scale: 1, better: 'higher' },
    paper: { value: 340, spread: 2, source: PAPER },
    note: 'σ chosen on validation images',
    config: { model: 'aae', prior: 'gaussian', latent: 8 },
    labels: 'all',
    picture: 'samples.png',
  },
  {
    name: 'vae-gan',
    title: 'VAE-GAN samples, 8-D',
    method: 'paper method',
    measure: { key: 'reconstructionBce', label: 'test reconstruction BCE', unit: 'nats', scale: 1, better: 'lower' },
    paper: null,
    note: 'Larsen et al. 2016 show samples; the number is ours, to compare runs',
    config: { model: 'vae-gan', latent: 8 },
    labels: 'all',
    picture: 'samples.png',
  },
];

export const EXPERIMENT_NAMES = EXPERIMENTS.map((experiment) => experiment.name);

/**
 * How big a reproduction is: the networks, and for `tiny` (a check that every experiment runs, not a
 * result) fewer training and evaluation images.
 */
export interface ReproduceScale {
  size: SizePreset;
  hidden: number[];
  /** The clustering AAE's networks (the paper's are 3000-3000). */
  widestHidden: number[];
  /** Training images per epoch; all 50,000 that validation leaves when undefined. */
  trainSize?: number;
  /** Test images in each epoch's evaluation; all 10,000 when undefined. */
  evaluationSize?: number;
  /** The Parzen estimate's decoded samples, validation images (to choose σ) and test images. */
  parzen: { samples: number; validation: number; test: number };
}

export const SCALES: Record<SizePreset, ReproduceScale> = {
  paper: { size: 'paper', hidden: HIDDEN_SIZES.paper, widestHidden: [3000, 3000], parzen: { samples: 10_000, validation: 10_000, test: 10_000 } },
  small: { size: 'small', hidden: HIDDEN_SIZES.small, widestHidden: HIDDEN_SIZES.small, parzen: { samples: 10_000, validation: 10_000, test: 10_000 } },
  tiny: {
    size: 'tiny',
    hidden: HIDDEN_SIZES.tiny,
    widestHidden: HIDDEN_SIZES.tiny,
    trainSize: 10_000,
    evaluationSize: 2_000,
    parzen: { samples: 1_000, validation: 1_000, test: 1_000 },
  },
};

/** The experiment's model config at a scale and seed (before defaultConfig fills and checks the rest). */
export function experimentConfig(experiment: Experiment, scale: ReproduceScale, seed: number): Partial<ModelConfig> {
  return { ...experiment.config, hidden: experiment.widestAtPaperSize ? scale.widestHidden : scale.hidden, seed };
}

/** The networks in words: "784-256-256-8" (the encoder's widths, input to code). */
export function networkShape(config: Pick<ModelConfig, 'pixels' | 'hidden' | 'latent'>): string {
  return [config.pixels, ...config.hidden, config.latent].join('-');
}
