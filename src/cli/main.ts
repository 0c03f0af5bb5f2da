import { mkdir, readFile, stat } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { decodeSafetensors } from '../checkpoint/safetensors.js';
import { createEngine } from '../device/create-engine.js';
import type { Engine } from '../device/engine.js';
import { loadMnist } from '../data/mnist.js';
import { uploadImages } from '../data/gpu-images.js';
import { defaultConfig, HIDDEN_SIZES, MODEL_KINDS, POSTERIORS, PRIORS, usesLabelledPhase, type ModelConfig, type SizePreset } from '../models/config.js';
import { createModelPrior } from '../models/priors.js';
import { CheckpointError, loadModelCheckpoint } from '../training/model-checkpoint.js';
import { categoryLogitsOfImages, classificationError, classifyImages, clusterError, reconstructionBce } from '../training/evaluate.js';
import { CategoricalAae } from '../models/categorical-aae.js';
import type { GenerativeModel } from '../models/model.js';
import { gmmOfCodes, parzenEvaluation } from './evaluation-commands.js';
import { renderSamples } from '../training/run-pictures.js';
import { CHECKPOINT_FILE, train, TrainingDiverged, TrainingInputError } from '../training/trainer.js';
import { deriveSeed } from '../random/seeded.js';
import { EVAL_HELP, GMM_HELP, MAIN_HELP, SAMPLE_HELP, TRAIN_HELP } from './help.js';
import { nonNegativeNumber, oneOf, parseOptions, positiveNumber, wholeNumber } from './options.js';
import { ProgressReporter } from './progress.js';
import { EXIT_USAGE, UsageError } from './usage-error.js';

const SIZES: readonly SizePreset[] = ['paper', 'small', 'tiny'];

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case 'train':
      return trainCommand(args);
    case 'sample':
      return sampleCommand(args);
    case 'eval':
      return evalCommand(args);
    case 'gmm':
      return gmmCommand(args);
    case undefined:
    case '--help':
    case '-h':
    case 'help':
      console.log(MAIN_HELP);
      return command === undefined ? EXIT_USAGE : 0;
    default:
      throw new UsageError(`unknown command '${command}'; choose train, sample, eval or gmm (see 'webgpu-aae --help').`);
  }
}

async function trainCommand(args: string[]): Promise<number> {
  const values = parseOptions('train', args, {
    model: { type: 'string' },
    posterior: { type: 'string' },
    prior: { type: 'string' },
    'prior-scale': { type: 'string' },
    conditional: { type: 'boolean' },
    gate: { type: 'boolean' },
    gamma: { type: 'string' },
    'prior-weight': { type: 'string' },
    latent: { type: 'string' },
    clusters: { type: 'string' },
    'style-noise': { type: 'string' },
    size: { type: 'string' },
    epochs: { type: 'string' },
    'batch-size': { type: 'string' },
    lr: { type: 'string' },
    'adversarial-lr': { type: 'string' },
    labels: { type: 'string' },
    'train-size': { type: 'string' },
    'eval-size': { type: 'string' },
    seed: { type: 'string' },
    out: { type: 'string' },
    resume: { type: 'boolean' },
    verbose: { type: 'boolean' },
  });
  if (values.help) {
    console.log(TRAIN_HELP);
    return 0;
  }
  const model = oneOf('model', values.model as string | undefined, MODEL_KINDS, 'aae');
  const prior = oneOf('prior', values.prior as string | undefined, PRIORS, 'gaussian');
  const config: Partial<ModelConfig> = {
    model,
    posterior: oneOf('posterior', values.posterior as string | undefined, POSTERIORS, 'deterministic'),
    prior,
    priorScale: positiveNumber('prior-scale', values['prior-scale'] as string | undefined, 1),
    conditional: Boolean(values.conditional),
    gating: Boolean(values.gate),
    gamma: values.gamma === undefined ? undefined : positiveNumber('gamma', values.gamma as string, 1),
    priorWeight: values['prior-weight'] === undefined ? undefined : positiveNumber('prior-weight', values['prior-weight'] as string, 0.1),
    latent: wholeNumber('latent', values.latent as string | undefined, 2),
    clusters: wholeNumber('clusters', values.clusters as string | undefined),
    styleNoise: values['style-noise'] === undefined ? undefined : nonNegativeNumber('style-noise', values['style-noise'] as string, 0),
    hidden: HIDDEN_SIZES[oneOf('size', values.size as string | undefined, SIZES, 'paper')],
    batchSize: wholeNumber('batch-size', values['batch-size'] as string | undefined, 100),
    learningRate: positiveNumber('lr', values.lr as string | undefined, 1e-3),
    adversarialLearningRate: values['adversarial-lr'] === undefined ? undefined : positiveNumber('adversarial-lr', values['adversarial-lr'] as string, 1e-3),
    seed: wholeNumber('seed', values.seed as string | undefined, 1, 0),
  };
  const labelsOption = values.labels as string | undefined;
  const labels = labelsOption === undefined || labelsOption === 'all' ? 'all' : wholeNumber('labels', labelsOption)!;
  const epochs = wholeNumber('epochs', values.epochs as string | undefined, 5)!;
  const trainSize = wholeNumber('train-size', values['train-size'] as string | undefined);
  const evaluationSize = wholeNumber('eval-size', values['eval-size'] as string | undefined);
  const out = (values.out as string | undefined) ?? join('runs', `${model}-${prior}`);
  const resume = Boolean(values.resume);
  const given = (flag: string) => (values as Record<string, unknown>)[flag] !== undefined;
  if (resume) {
    await checkResumable(out, config, given);
  } else {
    // A combination the models do not support (mog10 with --latent 3, --conditional with the Gaussian prior...).
    try {
      defaultConfig(config);
    } catch (error) {
      throw new UsageError(`train: ${(error as Error).message}`);
    }
  }

  const engine = await startEngine(Boolean(values.verbose));
  const progress = new ProgressReporter();
  try {
    const metrics = await train(engine, {
      config,
      epochs,
      out,
      resume,
      labels,
      trainSize,
      evaluationSize,
      onProgress: (p) => progress.update(p),
      onEpoch: (m) => {
        progress.finishLine();
        const parts = [`epoch ${m.epoch} done in ${m.seconds.toFixed(1)} s (${m.stepsPerSecond.toFixed(1)} steps/s)`];
        if (m.reconstructionBce !== undefined) parts.push(`test reconstruction BCE ${m.reconstructionBce.toFixed(2)}`);
        if (m.componentAccuracy !== undefined) parts.push(`codes in their own component ${(100 * m.componentAccuracy).toFixed(1)} %`);
        if (m.testError !== undefined) parts.push(`test error ${(100 * m.testError).toFixed(2)} %`);
        if (m.validationError !== undefined) parts.push(`validation error ${(100 * m.validationError).toFixed(2)} %`);
        if (m.clusterError !== undefined) parts.push(`cluster error ${(100 * m.clusterError).toFixed(2)} %`);
        console.error(parts.join(', '));
      },
    });
    progress.finishLine();
    console.error(metrics.length > 0 ? `wrote ${out}/: metrics.jsonl, samples.png, reconstructions.png, latent.png, ${CHECKPOINT_FILE}` : `nothing to do: ${out} has already trained the epochs asked for.`);
    return 0;
  } catch (error) {
    progress.finishLine();
    if (error instanceof TrainingDiverged) {
      console.error(error.message);
      return 1;
    }
    if (error instanceof CheckpointError) throw new UsageError(`train --resume: ${error.message}`);
    if (error instanceof TrainingInputError) throw new UsageError(`train: ${error.message}`);
    throw error;
  } finally {
    engine.dispose();
  }
}

/** With --resume, architecture options that disagree with the checkpoint are a mistake, caught before any work. */
async function checkResumable(out: string, config: Partial<ModelConfig>, given: (flag: string) => boolean): Promise<void> {
  const path = join(out, CHECKPOINT_FILE);
  const saved = await readCheckpointConfig(path);
  const checks: [string, keyof ModelConfig][] = [
    ['model', 'model'],
    ['posterior', 'posterior'],
    ['prior', 'prior'],
    ['latent', 'latent'],
    ['size', 'hidden'],
    ['conditional', 'conditional'],
    ['batch-size', 'batchSize'],
    ['clusters', 'clusters'],
  ];
  for (const [flag, key] of checks) {
    if (given(flag) && JSON.stringify(config[key]) !== JSON.stringify(saved[key])) {
      throw new UsageError(
        `--resume: ${path} holds a checkpoint of another architecture (${key} ${JSON.stringify(saved[key])}, but --${flag} asks for ${JSON.stringify(config[key])}). Drop --${flag}, or use another --out.`,
      );
    }
  }
  // A resumed run continues with the checkpoint's settings, so that it reaches what an uninterrupted run would.
  const ignored = ['prior-scale', 'style-noise', 'lr', 'adversarial-lr', 'gamma', 'prior-weight', 'gate', 'seed', 'labels', 'train-size'].filter(given);
  if (ignored.length > 0) {
    console.error(`webgpu-aae: --resume keeps the run's own settings; ignoring ${ignored.map((flag) => `--${flag}`).join(', ')}.`);
  }
}

async function sampleCommand(args: string[]): Promise<number> {
  const values = parseOptions('sample', args, {
    checkpoint: { type: 'string' },
    n: { type: 'string' },
    out: { type: 'string' },
    seed: { type: 'string' },
    verbose: { type: 'boolean' },
  });
  if (values.help) {
    console.log(SAMPLE_HELP);
    return 0;
  }
  const count = wholeNumber('n', values.n as string | undefined, 100)!;
  const out = (values.out as string | undefined) ?? 'samples.png';
  const seed = wholeNumber('seed', values.seed as string | undefined, 1, 0)!;
  const checkpoint = await requireCheckpoint('sample', values.checkpoint as string | undefined);
  const engine = await startEngine(Boolean(values.verbose));
  try {
    const { model } = await loadCheckpointForCli(engine, checkpoint);
    const config = model.config;
    const prior = createModelPrior(config, deriveSeed(seed, 30_000));
    await mkdir(dirname(out), { recursive: true });
    await renderSamples(model, prior, out, count);
    console.error(`wrote ${count} samples of the ${config.model} to ${out}`);
    return 0;
  } finally {
    engine.dispose();
  }
}

async function evalCommand(args: string[]): Promise<number> {
  const values = parseOptions('eval', args, {
    checkpoint: { type: 'string' },
    metric: { type: 'string' },
    'eval-size': { type: 'string' },
    samples: { type: 'string' },
    seed: { type: 'string' },
    verbose: { type: 'boolean' },
  });
  if (values.help) {
    console.log(EVAL_HELP);
    return 0;
  }
  const metric = oneOf('metric', values.metric as string | undefined, ['reconstruction', 'test-error', 'cluster-error', 'parzen'] as const, 'reconstruction');
  const sampleCount = wholeNumber('samples', values.samples as string | undefined, 10_000)!;
  const seed = wholeNumber('seed', values.seed as string | undefined, 1, 0)!;
  const evaluationSize = wholeNumber('eval-size', values['eval-size'] as string | undefined);
  const checkpoint = await requireCheckpoint('eval', values.checkpoint as string | undefined);
  const engine = await startEngine(Boolean(values.verbose));
  try {
    const { model, position } = await loadCheckpointForCli(engine, checkpoint);
    if (!model.supportsEncoding && metric !== 'parzen') throw new UsageError(`eval --metric ${metric}: the ${model.config.model} has no encoder, so it cannot reconstruct.`);
    const fits = metric === 'reconstruction' || metric === 'parzen' || (metric === 'test-error' ? usesLabelledPhase(model.config.model) : model.config.model === 'clustering-aae');
    if (!fits) {
      const wants = metric === 'test-error' ? 'semi-supervised-aae or dimensionality-reduction-aae' : 'clustering-aae';
      throw new UsageError(`eval --metric ${metric} is for the ${wants}; ${checkpoint} holds a ${model.config.model}.`);
    }
    const { mnist, images, count } = await mnistTestImages(engine, model, checkpoint, 'eval', evaluationSize);
    const result: Record<string, unknown> = { checkpoint, model: model.config.model, epoch: position.epoch, metric, images: count };
    if (metric === 'parzen') {
      Object.assign(result, await parzenEvaluation(engine, model, mnist, sampleCount, count, 10_000, seed));
    } else if (metric === 'reconstruction') {
      result.reconstructionBce = await reconstructionBce(model, images, mnist.test.labels, count);
    } else if (model instanceof CategoricalAae) {
      const labels = mnist.test.labels.subarray(0, count);
      if (metric === 'test-error') {
        result.testError = classificationError(await classifyImages(model, images, count), labels, model.config.clusters);
      } else {
        const trainImages = uploadImages(engine, mnist.train.images, mnist.train.count, mnist.train.pixels);
        const trainLogits = await categoryLogitsOfImages(model, trainImages, mnist.train.count);
        trainImages.tensor.dispose();
        const testLogits = await categoryLogitsOfImages(model, images, count);
        result.clusterError = clusterError(trainLogits, mnist.train.labels, testLogits, labels, model.config.clusters);
      }
    }
    images.tensor.dispose();
    console.log(JSON.stringify(result));
    return 0;
  } finally {
    engine.dispose();
  }
}

async function gmmCommand(args: string[]): Promise<number> {
  const values = parseOptions('gmm', args, {
    checkpoint: { type: 'string' },
    k: { type: 'string' },
    covariance: { type: 'string' },
    'eval-size': { type: 'string' },
    seed: { type: 'string' },
    verbose: { type: 'boolean' },
  });
  if (values.help) {
    console.log(GMM_HELP);
    return 0;
  }
  const k = wholeNumber('k', values.k as string | undefined, 10)!;
  const covariance = oneOf('covariance', values.covariance as string | undefined, ['diagonal', 'full'] as const, 'full');
  const evaluationSize = wholeNumber('eval-size', values['eval-size'] as string | undefined);
  const seed = wholeNumber('seed', values.seed as string | undefined, 1, 0)!;
  const checkpoint = await requireCheckpoint('gmm', values.checkpoint as string | undefined);
  const engine = await startEngine(Boolean(values.verbose));
  try {
    const { model } = await loadCheckpointForCli(engine, checkpoint);
    if (!model.supportsEncoding) throw new UsageError(`gmm: the ${model.config.model} has no encoder, so it has no codes to fit.`);
    const { images } = await mnistTestImages(engine, model, checkpoint, 'gmm', evaluationSize);
    const result = await gmmOfCodes(engine, model, images, k, covariance, seed);
    images.tensor.dispose();
    console.log(JSON.stringify({ checkpoint, model: model.config.model, codes: 'test set', ...result }));
    return 0;
  } finally {
    engine.dispose();
  }
}

/** MNIST, and its first `evaluationSize` test images on the GPU, after checking that the model fits them. */
async function mnistTestImages(engine: Engine, model: GenerativeModel, checkpoint: string, command: string, evaluationSize: number | undefined) {
  const mnist = await loadMnist();
  if (model.config.pixels !== mnist.test.pixels) {
    throw new UsageError(
      `${command}: ${checkpoint} holds a model of ${model.config.pixels}-pixel images, but MNIST's have ${mnist.test.pixels} (${mnist.test.width}×${mnist.test.height}); it was trained on other data and cannot be used on MNIST.`,
    );
  }
  const count = Math.min(evaluationSize ?? mnist.test.count, mnist.test.count);
  const images = uploadImages(engine, mnist.test.images.subarray(0, count * mnist.test.pixels), count, mnist.test.pixels);
  return { mnist, images, count };
}

async function requireCheckpoint(command: string, path: string | undefined): Promise<string> {
  if (!path) throw new UsageError(`${command}: --checkpoint FILE is required (a run folder's ${CHECKPOINT_FILE}).`);
  const info = await stat(path).catch(() => null);
  if (!info) throw new UsageError(`${command}: no checkpoint at ${path}: the file does not exist.`);
  if (info.isDirectory()) throw new UsageError(`${command}: ${path} is a folder; give the ${CHECKPOINT_FILE} inside it.`);
  return path;
}

/** A checkpoint that cannot be read or does not fit its model is the caller's input problem: a usage error. */
async function loadCheckpointForCli(engine: Engine, path: string) {
  try {
    return await loadModelCheckpoint(engine, path);
  } catch (error) {
    if (error instanceof CheckpointError) throw new UsageError(error.message);
    throw error;
  }
}

async function readCheckpointConfig(path: string): Promise<ModelConfig> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch {
    throw new UsageError(`--resume: no checkpoint at ${path}; train without --resume first.`);
  }
  try {
    return JSON.parse(decodeSafetensors(bytes).metadata.config ?? '') as ModelConfig;
  } catch (error) {
    throw new UsageError(`--resume: ${path} is not a valid webgpu-aae checkpoint: ${(error as Error).message}`);
  }
}

async function startEngine(verbose: boolean): Promise<Engine> {
  return createEngine({ verbose });
}

main(process.argv.slice(2)).then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof UsageError) {
      console.error(`webgpu-aae: ${error.message}`);
      process.exitCode = EXIT_USAGE;
    } else {
      console.error(`webgpu-aae: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
      process.exitCode = 1;
    }
  },
);
