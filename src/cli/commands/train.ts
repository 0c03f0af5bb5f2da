import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeSafetensors } from '../../checkpoint/safetensors.js';
import { createEngine } from '../../device/create-engine.js';
import { defaultConfig, HIDDEN_SIZES, MODEL_KINDS, POSTERIORS, PRIORS, type ModelConfig, type SizePreset } from '../../models/config.js';
import { CheckpointError } from '../../training/model-checkpoint.js';
import { CHECKPOINT_FILE, train, TrainingDiverged, TrainingInputError } from '../../training/trainer.js';
import { TRAIN_HELP } from '../help.js';
import { nonNegativeNumber, oneOf, parseOptions, positiveNumber, wholeNumber } from '../options.js';
import { ProgressReporter } from '../progress.js';
import { UsageError } from '../usage-error.js';

const SIZES: readonly SizePreset[] = ['paper', 'small', 'tiny'];

/** `webgpu-aae train`. */
export async function trainCommand(args: string[]): Promise<number> {
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

  const engine = await createEngine({ verbose: Boolean(values.verbose) });
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
