import type { TensorRecord } from '../checkpoint/safetensors.js';
import { isCategorical, usesLabelledPhase } from '../models/architecture.js';
import type { ModelConfig } from '../models/config.js';
import { CheckpointProblem } from './checkpoint-problem.js';

/**
 * A model checkpoint's tensors, checked on the CPU before a model is built from them: their values, and
 * the config's sizes against their shapes, so that a hostile or damaged file is refused before the
 * model's networks are allocated (a config asking for 10^8 code dimensions would otherwise try to).
 */

/** Every value finite: a NaN in a weight would otherwise evaluate without a word. Names the first tensor that is not. */
export function checkFinite(tensors: TensorRecord): void {
  for (const [name, { data }] of Object.entries(tensors)) {
    for (let i = 0; i < data.length; i++) {
      if (Number.isFinite(data[i])) continue;
      throw new CheckpointProblem(
        `tensor '${name}' holds ${data[i]} at value ${i} of ${data.length}; a checkpoint's values must all be finite (the file is damaged, or was saved from a diverged run).`,
      );
    }
  }
}

/**
 * The config's sizes against the networks' tensors: every layer of a model is made from the sizes it
 * uses, so none of them can exceed the largest dimension of the stored weights, and no model has more
 * hidden layers than weights. This bounds what rebuilding the model allocates by what the file holds;
 * the exact shapes are compared once the model is built (loadModules).
 */
export function checkConfigAgainstTensors(config: ModelConfig, tensors: TensorRecord): void {
  const networkTensors = Object.entries(tensors).filter(([name]) => name.startsWith('model.'));
  if (networkTensors.length === 0) throw new CheckpointProblem(`the checkpoint holds no network tensors ('model.*'); it has ${describeNames(Object.keys(tensors))}.`);
  const largest = Math.max(...networkTensors.flatMap(([, tensor]) => tensor.shape));
  for (const [key, size] of sizesUsed(config)) {
    if (size > largest) {
      throw new CheckpointProblem(`the config's ${key} is ${size}, but no network tensor has a dimension above ${largest}; the metadata does not describe these tensors.`);
    }
  }
  if (config.hidden.length > networkTensors.length) {
    throw new CheckpointProblem(
      `the config lists ${config.hidden.length} hidden layers, but the checkpoint holds only ${networkTensors.length} network tensors; the metadata does not describe these tensors.`,
    );
  }
}

/**
 * The sizes the model's layers are made from. A size the model does not use (the classes of a plain
 * aae) allocates nothing, and may exceed every dimension of a small model's tensors.
 */
function sizesUsed(config: ModelConfig): [string, number][] {
  const sizes: [string, number][] = [
    ['latent', config.latent],
    ['pixels', config.pixels],
    ...config.hidden.map((width, i): [string, number] => [`hidden[${i}]`, width]),
  ];
  if (config.model === 'supervised-aae' || config.conditional || usesLabelledPhase(config.model)) sizes.push(['classes', config.classes]);
  if (isCategorical(config.model)) sizes.push(['clusters', config.clusters]);
  if (config.posterior === 'universal') sizes.push(['noise', config.noise]);
  return sizes;
}

function describeNames(names: string[]): string {
  if (names.length === 0) return 'no tensors at all';
  const shown = names.slice(0, 3).map((name) => `'${name}'`).join(', ');
  return names.length > 3 ? `${shown} and ${names.length - 3} more` : shown;
}
