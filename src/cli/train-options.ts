import { join } from 'node:path';
import { HIDDEN_SIZES, MODEL_KINDS, POSTERIORS, PRIORS } from '../models/architecture.js';
import { DEFAULT_MODEL, MODEL_DEFAULTS, type ModelConfig } from '../models/config.js';
import { RUN_DEFAULTS, type RunSettings } from '../training/run-settings.js';
import { choice, countOrAll, flag, namedValue, nonNegativeNumber, positiveNumber, text, wholeNumber, type OptionKind } from './option-kinds.js';

/**
 * The options of `webgpu-aae train`, declared once: each entry is everything about one option, and the
 * command's parsing, defaults, help, config and resume check are all read from this table.
 */

/** What one `train` command asks besides the model's config and the run's settings. */
interface TrainInvocation {
  /** Epochs in total: a resumed run continues up to this many. */
  epochs: number;
  /** Test images for the per-epoch evaluation; all of them when undefined. */
  evaluationSize: number | undefined;
  out: string;
  resume: boolean;
  verbose: boolean;
}

/** Every setting an option may fill, by name. */
type Settings = ModelConfig & RunSettings & TrainInvocation;

/**
 * What `--resume` does with an option given again. 'must-match': it fixes the networks or the step's
 * shapes, and a value other than the checkpoint's is refused. 'keeps-its-own': the run continues with its
 * own value, so that it reaches what an uninterrupted run would, and the option is ignored with a warning.
 * 'may-change': each command says afresh (more epochs, another evaluation size, where to write).
 */
export type ResumeRule = 'must-match' | 'keeps-its-own' | 'may-change';

/** The model and the prior: the first options, whose values the defaults of the others may depend on. */
export type Chosen = Pick<ModelConfig, 'model' | 'prior'>;

export interface TrainOption<K extends keyof Settings> {
  /** The option's name on the command line, without its dashes. */
  flag: string;
  kind: OptionKind<NonNullable<Settings[K]>>;
  default: (chosen: Chosen) => Settings[K];
  /** What the help says of a default that cannot be shown as a value; nothing is shown when there is neither. */
  shownDefault?: string;
  help: string;
  section: 'model' | 'training' | 'output';
  /** Only a setting that a checkpoint stores can be checked against it. */
  onResume: K extends keyof ModelConfig | keyof RunSettings ? ResumeRule : 'may-change';
}

type TrainOptionTable = { readonly [K in keyof Settings]?: TrainOption<K> };

/** The option's default is the model's own (src/models/config.ts), for the model chosen. */
function modelDefault<K extends keyof typeof MODEL_DEFAULTS>(key: K): (chosen: Chosen) => ModelConfig[K] {
  return ({ model }) => MODEL_DEFAULTS[key](model);
}

/** paper (1000-1000 hidden) | small (256-256) | tiny (32-32) */
const sizes = Object.entries(HIDDEN_SIZES).map(([name, widths], i) => `${name} (${widths.join('-')}${i === 0 ? ' hidden' : ''})`);

/** In the help's order: model, training, output. */
export const TRAIN_OPTIONS = {
  model: { flag: 'model', kind: choice(MODEL_KINDS), default: () => DEFAULT_MODEL, help: MODEL_KINDS.join(' | '), section: 'model', onResume: 'must-match' },
  posterior: { flag: 'posterior', kind: choice(POSTERIORS), default: modelDefault('posterior'), help: `${POSTERIORS.join(' | ')} (AAEs)`, section: 'model', onResume: 'must-match' },
  prior: { flag: 'prior', kind: choice(PRIORS), default: modelDefault('prior'), help: `${PRIORS.join(' | ')} (AAEs)`, section: 'model', onResume: 'must-match' },
  priorScale: {
    flag: 'prior-scale',
    kind: positiveNumber('S'),
    default: modelDefault('priorScale'),
    help: 'standard deviation of the Gaussian prior',
    section: 'model',
    onResume: 'keeps-its-own',
  },
  conditional: {
    flag: 'conditional',
    kind: flag,
    default: modelDefault('conditional'),
    help: 'give the discriminator the labels (mog10, swissroll; an extra slot for unlabelled); on by default for supervised-aae, where it keeps the digit out of z',
    section: 'model',
    onResume: 'must-match',
  },
  latent: {
    flag: 'latent',
    kind: wholeNumber('D'),
    default: modelDefault('latent'),
    help: 'code dimensions (the style code z of the categorical AAEs)',
    section: 'model',
    onResume: 'must-match',
  },
  clusters: { flag: 'clusters', kind: wholeNumber('K'), default: modelDefault('clusters'), help: 'categories of y for clustering-aae', section: 'model', onResume: 'must-match' },
  styleNoise: {
    flag: 'style-noise',
    kind: nonNegativeNumber('S'),
    default: modelDefault('styleNoise'),
    help: 'categorical and supervised AAEs: standard deviation of the style posterior N(f(x), S² I)',
    section: 'model',
    onResume: 'keeps-its-own',
  },
  mutualInformation: {
    flag: 'mutual-information',
    kind: nonNegativeNumber('W'),
    default: modelDefault('mutualInformation'),
    help: 'categorical AAEs: weight of an InfoGAN-style I(y; x̂) term (0: paper method)',
    section: 'model',
    onResume: 'keeps-its-own',
  },
  inputNoise: {
    flag: 'input-noise',
    kind: nonNegativeNumber('S'),
    default: modelDefault('inputNoise'),
    help: "semi-supervised-aae: standard deviation of Gaussian noise on the encoder's training input (0: off)",
    section: 'model',
    onResume: 'keeps-its-own',
  },
  gating: {
    flag: 'gate',
    kind: flag,
    default: modelDefault('gating'),
    help: "vae-gan: skip D's or the decoder's update when D is far ahead or behind",
    section: 'model',
    onResume: 'keeps-its-own',
  },
  gamma: {
    flag: 'gamma',
    kind: positiveNumber('G'),
    default: modelDefault('gamma'),
    help: "vae-gan: the decoder's weight of feature reconstruction against the GAN loss",
    section: 'model',
    onResume: 'keeps-its-own',
  },
  priorWeight: {
    flag: 'prior-weight',
    kind: positiveNumber('W'),
    default: modelDefault('priorWeight'),
    help: "vae-gan: the encoder's weight of the KL term against feature reconstruction",
    section: 'model',
    onResume: 'keeps-its-own',
  },
  hidden: { flag: 'size', kind: namedValue(HIDDEN_SIZES), default: modelDefault('hidden'), help: sizes.join(' | '), section: 'model', onResume: 'must-match' },
  epochs: { flag: 'epochs', kind: wholeNumber('N'), default: () => 5, help: 'epochs to train (with --resume: in total)', section: 'training', onResume: 'may-change' },
  batchSize: { flag: 'batch-size', kind: wholeNumber('B'), default: () => RUN_DEFAULTS.batchSize, help: 'minibatch size', section: 'training', onResume: 'must-match' },
  learningRate: {
    flag: 'lr',
    kind: positiveNumber('R'),
    default: modelDefault('learningRate'),
    help: 'reconstruction learning rate (Adam)',
    section: 'training',
    onResume: 'keeps-its-own',
  },
  adversarialLearningRate: {
    flag: 'adversarial-lr',
    kind: positiveNumber('R'),
    default: modelDefault('adversarialLearningRate'),
    help: 'discriminator and generator learning rate',
    section: 'training',
    onResume: 'keeps-its-own',
  },
  learningRateHalfLife: {
    flag: 'lr-half-life',
    kind: nonNegativeNumber('STEPS'),
    default: modelDefault('learningRateHalfLife'),
    help: 'categorical AAEs: steps over which every learning rate halves (0: constant)',
    section: 'training',
    onResume: 'keeps-its-own',
  },
  labels: {
    flag: 'labels',
    kind: countOrAll('N|all'),
    default: () => RUN_DEFAULTS.labels,
    help: 'labelled training images; the rest are unlabelled',
    section: 'training',
    onResume: 'keeps-its-own',
  },
  trainSize: {
    flag: 'train-size',
    kind: wholeNumber('N'),
    default: () => RUN_DEFAULTS.trainSize,
    help: 'train on a seeded subset of N images, for quick runs',
    section: 'training',
    onResume: 'keeps-its-own',
  },
  evaluationSize: {
    flag: 'eval-size',
    kind: wholeNumber('N'),
    default: () => undefined,
    shownDefault: '10000',
    help: 'test images for the per-epoch evaluation',
    section: 'training',
    onResume: 'may-change',
  },
  seed: { flag: 'seed', kind: wholeNumber('S', 0), default: modelDefault('seed'), help: 'seed of weights, shuffling and sampling', section: 'training', onResume: 'keeps-its-own' },
  out: {
    flag: 'out',
    kind: text('DIR'),
    default: ({ model, prior }) => join('runs', `${model}-${prior}`),
    shownDefault: 'runs/<model>-<prior>',
    help: 'the run folder',
    section: 'output',
    onResume: 'may-change',
  },
  resume: { flag: 'resume', kind: flag, default: () => false, help: 'continue the run in --out from its checkpoint', section: 'output', onResume: 'may-change' },
  verbose: { flag: 'verbose', kind: flag, default: () => false, help: 'print the WebGPU adapter', section: 'output', onResume: 'may-change' },
} satisfies TrainOptionTable;

/** What a `train` command asks, every option at its value or its default. */
export type TrainRequest = { [K in keyof typeof TRAIN_OPTIONS]: Settings[K] };

export type TrainOptionEntry = [keyof TrainRequest, TrainOption<keyof TrainRequest>];

/** The table's entries in its order. */
export const TRAIN_OPTION_ENTRIES = Object.entries(TRAIN_OPTIONS) as TrainOptionEntry[];
