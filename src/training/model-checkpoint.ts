import type { Engine } from '../device/engine.js';
import { readModules, loadModules } from '../checkpoint/module-state.js';
import { loadCheckpoint, saveCheckpoint } from '../checkpoint/checkpoint.js';
import type { TensorRecord } from '../checkpoint/safetensors.js';
import { defaultConfig, SETTINGS_ABSENT_FROM_OLDER_CHECKPOINTS, type ModelConfig } from '../models/config.js';
import { createModel } from '../models/create-model.js';
import type { GenerativeModel } from '../models/model.js';
import type { RandomState } from '../random/philox.js';
import type { Tensor } from '../tensor/tensor.js';
import { metadataObject, metadataOptimizerSteps, metadataRandom, metadataSplit, metadataWholeNumber } from './checkpoint-metadata.js';
import { CheckpointProblem } from './checkpoint-problem.js';
import { checkConfigAgainstTensors, checkFinite } from './checkpoint-tensors.js';
import { RUN_DEFAULTS, type RunSettings } from './run-settings.js';

/** Written into every checkpoint's metadata, so a file says what it holds. */
export const CHECKPOINT_FORMAT = 'webgpu-aae/checkpoint-v1';

export interface TrainingPosition {
  /** Epochs completed. */
  epoch: number;
  /** Training steps completed. */
  steps: number;
}

/** A model whose weights or optimizer state hold NaN or infinities is not saved: it could not be resumed usefully. */
export class NonFiniteState extends Error {
  override name = 'NonFiniteState';
  constructor(readonly tensor: string) {
    super(`'${tensor}' holds NaN or infinite values; the checkpoint was not written.`);
  }
}

/**
 * Saves everything a run needs to continue exactly where it stopped: the networks, the optimizers'
 * moments and step counts, the GPU random stream's position, the model config, the run's settings and its
 * position. Written atomically: a crash leaves the previous checkpoint whole, and so does a model that has
 * diverged (NonFiniteState).
 */
export async function saveModelCheckpoint(path: string, model: GenerativeModel, position: TrainingPosition, settings: RunSettings): Promise<void> {
  const tensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  const networks = await readModules(model.modules());
  for (const [name, tensor] of Object.entries(networks)) tensors[`model.${name}`] = tensor;
  const steps: Record<string, number> = {};
  const optimizerTensors: [string, Tensor][] = [];
  for (const [optimizerName, optimizer] of Object.entries(model.optimizers())) {
    const state = optimizer.state();
    steps[optimizerName] = state.steps;
    for (const [name, tensor] of Object.entries(state.tensors)) optimizerTensors.push([`optimizer.${optimizerName}.${name}`, tensor]);
  }
  // All reads at once: one wait for the GPU instead of one per tensor.
  const values = await Promise.all(optimizerTensors.map(([, tensor]) => tensor.read()));
  optimizerTensors.forEach(([name, tensor], i) => (tensors[name] = { shape: [...tensor.shape], data: values[i] as Float32Array }));
  for (const [name, tensor] of Object.entries(tensors)) {
    if (!tensor.data.every(Number.isFinite)) throw new NonFiniteState(name);
  }
  const { batchSize, ...split } = settings;
  await saveCheckpoint(path, {
    tensors,
    metadata: {
      format: CHECKPOINT_FORMAT,
      config: JSON.stringify(model.config),
      epoch: String(position.epoch),
      steps: String(position.steps),
      batchSize: String(batchSize),
      split: JSON.stringify(split),
      optimizerSteps: JSON.stringify(steps),
      random: JSON.stringify(model.random.state()),
    },
  });
}

/**
 * The file cannot be used as a checkpoint: missing, not safetensors, not ours, or not fitting the model its
 * config describes. The caller's input is wrong (the CLI exits with a usage error), not the program.
 */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/** A checkpoint file read and checked, on the CPU: what its model is rebuilt from, and where its run stood. */
export interface DecodedCheckpoint {
  path: string;
  config: ModelConfig;
  /** How its run trained; the defaults where the file does not say. */
  settings: RunSettings;
  position: TrainingPosition;
  tensors: TensorRecord;
  optimizerSteps: Record<string, number>;
  random: RandomState;
}

/**
 * Reads a checkpoint once and checks all of it on the CPU, before any model is built: its format, every
 * metadata value, that every tensor is finite, and the config's sizes against the tensors' shapes. Files
 * of older layouts still read: settings added since take their defaults (or, where a default changes the
 * training, the value that trains as before: SETTINGS_ABSENT_FROM_OLDER_CHECKPOINTS), and the batch size may sit
 * inside the stored config, where it was before it became a run setting.
 */
export async function readModelCheckpoint(path: string): Promise<DecodedCheckpoint> {
  let contents: Awaited<ReturnType<typeof loadCheckpoint>>;
  try {
    contents = await loadCheckpoint(path);
  } catch (error) {
    throw new CheckpointError((error as Error).message, { cause: error });
  }
  const { tensors, metadata } = contents;
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(`${path} is not a webgpu-aae checkpoint (format '${(metadata.format ?? 'missing').slice(0, 60)}', expected '${CHECKPOINT_FORMAT}').`);
  }
  try {
    return { path, ...decodeContents(tensors, metadata) };
  } catch (error) {
    if (error instanceof CheckpointProblem) throw new CheckpointError(`${path}: ${error.message}`, { cause: error });
    throw error;
  }
}

function decodeContents(tensors: TensorRecord, metadata: Record<string, string>): Omit<DecodedCheckpoint, 'path'> {
  const stored = metadataObject(metadata, 'config') as Partial<ModelConfig> & { batchSize?: number };
  let config: ModelConfig;
  try {
    config = defaultConfig({ ...SETTINGS_ABSENT_FROM_OLDER_CHECKPOINTS, ...stored });
  } catch (error) {
    throw new CheckpointProblem(`its ${(error as Error).message}`, { cause: error });
  }
  checkFinite(tensors);
  checkConfigAgainstTensors(config, tensors);
  // Older layouts kept the batch size inside the config.
  const batchSize = metadataWholeNumber(metadata, 'batchSize', 1, stored.batchSize ?? RUN_DEFAULTS.batchSize);
  return {
    config,
    settings: { ...RUN_DEFAULTS, ...metadataSplit(metadata), batchSize },
    position: { epoch: metadataWholeNumber(metadata, 'epoch', 0, 0), steps: metadataWholeNumber(metadata, 'steps', 0, 0) },
    tensors,
    optimizerSteps: metadataOptimizerSteps(metadata),
    random: metadataRandom(metadata),
  };
}

/** The checkpoint's model on the GPU, with its optimizers and random stream where they were. */
export function restoreModel(engine: Engine, checkpoint: DecodedCheckpoint): GenerativeModel {
  const { path, config, tensors } = checkpoint;
  let model: GenerativeModel | undefined;
  try {
    model = createModel(engine, config);
    loadModules(model.modules(), networkTensors(tensors));
    loadOptimizers(model, checkpoint);
    model.random.restore(checkpoint.random);
  } catch (error) {
    model?.dispose();
    throw new CheckpointError(`${path} does not fit the ${config.model} it describes: ${(error as Error).message}`, { cause: error });
  }
  return model;
}

/** A checkpoint's network tensors (`model.<network>.<parameter>`), named without the `model.` prefix. */
export function networkTensors(tensors: TensorRecord): TensorRecord {
  const networks: TensorRecord = {};
  for (const [name, tensor] of Object.entries(tensors)) {
    if (name.startsWith('model.')) networks[name.slice('model.'.length)] = tensor;
  }
  return networks;
}

/** Each optimizer's moments (`optimizer.<name>.<tensor>`) and step count; any other optimizer tensor is a mistake, named. */
function loadOptimizers(model: GenerativeModel, { tensors, optimizerSteps }: DecodedCheckpoint): void {
  const optimizers = Object.entries(model.optimizers());
  const claimed = new Set<string>();
  for (const [optimizerName, optimizer] of optimizers) {
    const prefix = `optimizer.${optimizerName}.`;
    const saved: Record<string, Float32Array> = {};
    for (const name of Object.keys(optimizer.state().tensors)) {
      const tensor = tensors[prefix + name];
      if (!tensor) throw new Error(`it has no '${prefix}${name}' (the ${optimizerName} optimizer's state).`);
      saved[name] = tensor.data;
      claimed.add(prefix + name);
    }
    if (optimizerSteps[optimizerName] === undefined) throw new Error(`its metadata 'optimizerSteps' has no step count for the ${optimizerName} optimizer.`);
    optimizer.loadState({ tensors: saved, steps: optimizerSteps[optimizerName] });
  }
  const unclaimed = Object.keys(tensors).filter((name) => !name.startsWith('model.') && !claimed.has(name));
  if (unclaimed.length > 0) {
    throw new Error(`it has tensors that belong to no network or optimizer of this model: ${unclaimed.slice(0, 3).map((name) => `'${name}'`).join(', ')}${unclaimed.length > 3 ? ` and ${unclaimed.length - 3} more` : ''}.`);
  }
}

export interface LoadedModel {
  model: GenerativeModel;
  position: TrainingPosition;
  settings: RunSettings;
}

/** Reads a checkpoint and rebuilds its model. */
export async function loadModelCheckpoint(engine: Engine, path: string): Promise<LoadedModel> {
  const checkpoint = await readModelCheckpoint(path);
  return { model: restoreModel(engine, checkpoint), position: checkpoint.position, settings: checkpoint.settings };
}
