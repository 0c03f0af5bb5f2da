import type { Engine } from '../device/engine.js';
import { readModules, loadModules } from '../checkpoint/module-state.js';
import { loadCheckpoint, saveCheckpoint } from '../checkpoint/checkpoint.js';
import { defaultConfig, validateConfig, type ModelConfig } from '../models/config.js';
import { createModel } from '../models/create-model.js';
import type { GenerativeModel } from '../models/model.js';
import type { Tensor } from '../tensor/tensor.js';

/** Written into every checkpoint's metadata, so a file says what it holds. */
export const CHECKPOINT_FORMAT = 'webgpu-aae/checkpoint-v1';

export interface TrainingPosition {
  /** Epochs completed. */
  epoch: number;
  /** Training steps completed. */
  steps: number;
  /** How the training set was split: a resumed run must draw the same minibatches. */
  split?: SplitSettings;
}

export interface SplitSettings {
  validation: number;
  labels: number | 'all';
  trainSize?: number;
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
 * moments and step counts, the GPU random stream's position, the model config and the position in
 * training. Written atomically: a crash leaves the previous checkpoint whole, and so does a model that
 * has diverged (NonFiniteState).
 */
export async function saveModelCheckpoint(path: string, model: GenerativeModel, position: TrainingPosition): Promise<void> {
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
  await saveCheckpoint(path, {
    tensors,
    metadata: {
      format: CHECKPOINT_FORMAT,
      config: JSON.stringify(model.config),
      epoch: String(position.epoch),
      steps: String(position.steps),
      ...(position.split ? { split: JSON.stringify(position.split) } : {}),
      optimizerSteps: JSON.stringify(steps),
      random: JSON.stringify(model.random.state()),
    },
  });
}

export interface LoadedModel {
  model: GenerativeModel;
  position: TrainingPosition;
}

/**
 * The file cannot be used as a checkpoint: missing, not safetensors, not ours, or not fitting the model its
 * config describes. The caller's input is wrong (the CLI exits with a usage error), not the program.
 */
export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

/** Rebuilds a model from a checkpoint, with its optimizers and random stream where they were. */
export async function loadModelCheckpoint(engine: Engine, path: string): Promise<LoadedModel> {
  let contents: Awaited<ReturnType<typeof loadCheckpoint>>;
  try {
    contents = await loadCheckpoint(path);
  } catch (error) {
    throw new CheckpointError((error as Error).message, { cause: error });
  }
  const { tensors, metadata } = contents;
  if (metadata.format !== CHECKPOINT_FORMAT) {
    throw new CheckpointError(`${path} is not a webgpu-aae checkpoint (format '${metadata.format ?? 'missing'}', expected '${CHECKPOINT_FORMAT}').`);
  }
  const saved = parseJson<ModelConfig>(path, 'config', metadata.config);
  let config: ModelConfig;
  try {
    // Settings added since the checkpoint was written take their defaults.
    config = defaultConfig(saved);
    validateConfig(config);
  } catch (error) {
    throw new CheckpointError(`${path}: ${(error as Error).message}`, { cause: error });
  }
  const model = createModel(engine, config);
  const networkTensors: Record<string, { shape: number[]; data: Float32Array }> = {};
  for (const [name, tensor] of Object.entries(tensors)) {
    if (name.startsWith('model.')) networkTensors[name.slice('model.'.length)] = tensor;
  }
  try {
    loadModules(model.modules(), networkTensors);
    const steps = parseJson<Record<string, number>>(path, 'optimizerSteps', metadata.optimizerSteps);
    for (const [optimizerName, optimizer] of Object.entries(model.optimizers())) {
      const prefix = `optimizer.${optimizerName}.`;
      const saved: Record<string, Float32Array> = {};
      for (const [name, tensor] of Object.entries(tensors)) if (name.startsWith(prefix)) saved[name.slice(prefix.length)] = tensor.data;
      optimizer.loadState({ tensors: saved, steps: steps[optimizerName] ?? 0 });
    }
    model.random.restore(parseJson(path, 'random', metadata.random));
  } catch (error) {
    throw new CheckpointError(`${path} does not fit the ${config.model} it describes: ${(error as Error).message}`, { cause: error });
  }
  const split = metadata.split === undefined ? undefined : parseJson<SplitSettings>(path, 'split', metadata.split);
  return { model, position: { epoch: wholeNumber(path, 'epoch', metadata.epoch), steps: wholeNumber(path, 'steps', metadata.steps), split } };
}

function wholeNumber(path: string, key: string, text: string | undefined): number {
  const value = Number(text ?? 0);
  if (!Number.isSafeInteger(value) || value < 0) throw new CheckpointError(`${path}: the checkpoint's metadata '${key}' is ${JSON.stringify(text)}, not a whole number.`);
  return value;
}

function parseJson<T>(path: string, key: string, text: string | undefined): T {
  if (text === undefined) throw new CheckpointError(`${path}: the checkpoint's metadata has no '${key}'.`);
  try {
    return JSON.parse(text) as T;
  } catch {
    throw new CheckpointError(`${path}: the checkpoint's metadata '${key}' is not valid JSON.`);
  }
}
