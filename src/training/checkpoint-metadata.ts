import type { RandomState } from '../random/philox.js';
import { CheckpointProblem } from './checkpoint-problem.js';
import type { RunSettings } from './run-settings.js';

/**
 * The metadata strings of a model checkpoint, read into values and checked before anything is built
 * from them: a file edited by hand, damaged or made by someone else fails here with the key, the value
 * and what it should be, never deeper inside the model.
 */

/** The value of `key`, a whole number >= `minimum`; `fallback` (checked alike) when the file has no such key (older layouts). */
export function metadataWholeNumber(metadata: Record<string, string>, key: string, minimum: number, fallback?: unknown): number {
  const text = metadata[key] ?? (fallback === undefined ? undefined : String(fallback));
  if (text === undefined) throw new CheckpointProblem(`the checkpoint's metadata has no '${key}'.`);
  const value = /^\d+$/.test(text.trim()) ? Number(text) : NaN;
  if (!Number.isSafeInteger(value) || value < minimum) {
    throw new CheckpointProblem(`the checkpoint's metadata '${key}' is ${shown(text)}, not a whole number >= ${minimum}.`);
  }
  return value;
}

/** The JSON value of `key`; the file must have it. */
export function metadataJson(metadata: Record<string, string>, key: string): unknown {
  const text = metadata[key];
  if (text === undefined) throw new CheckpointProblem(`the checkpoint's metadata has no '${key}'.`);
  try {
    return JSON.parse(text);
  } catch {
    throw new CheckpointProblem(`the checkpoint's metadata '${key}' is not valid JSON: ${shown(text)}.`);
  }
}

/** The JSON object of `key`, or the problem naming the key and what was found. */
export function metadataObject(metadata: Record<string, string>, key: string): Record<string, unknown> {
  const value = metadataJson(metadata, key);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new CheckpointProblem(`the checkpoint's metadata '${key}' must be a JSON object, not ${shown(value)}.`);
  }
  return value as Record<string, unknown>;
}

/** Where the GPU random stream stood: { seed, blocks }, both whole numbers. */
export function metadataRandom(metadata: Record<string, string>): RandomState {
  const random = metadataObject(metadata, 'random');
  for (const key of ['seed', 'blocks'] as const) {
    if (!isWhole(random[key])) {
      throw new CheckpointProblem(`the checkpoint's metadata 'random' must be { "seed": S, "blocks": N } of whole numbers, but its ${key} is ${shown(random[key])}.`);
    }
  }
  return { seed: random.seed as number, blocks: random.blocks as number };
}

/** Each optimizer's step count, by the optimizer's name. */
export function metadataOptimizerSteps(metadata: Record<string, string>): Record<string, number> {
  const steps = metadataObject(metadata, 'optimizerSteps');
  for (const [name, count] of Object.entries(steps)) {
    if (!isWhole(count)) throw new CheckpointProblem(`the checkpoint's metadata 'optimizerSteps' gives '${name}' ${shown(count)} steps, not a whole number.`);
  }
  return steps as Record<string, number>;
}

/** How the training images were split (absent in older layouts: the defaults). */
export function metadataSplit(metadata: Record<string, string>): Partial<Omit<RunSettings, 'batchSize'>> {
  if (metadata.split === undefined) return {};
  const split = metadataObject(metadata, 'split');
  const bad = (key: string, wanted: string) =>
    new CheckpointProblem(`the checkpoint's metadata 'split' has ${key} ${shown(split[key])}; it must be ${wanted}.`);
  if (split.labels !== undefined && split.labels !== 'all' && !(isWhole(split.labels) && (split.labels as number) >= 1)) throw bad('labels', "'all' or a whole number >= 1");
  if (split.validation !== undefined && !isWhole(split.validation)) throw bad('validation', 'a whole number');
  if (split.trainSize !== undefined && !(isWhole(split.trainSize) && (split.trainSize as number) >= 1)) throw bad('trainSize', 'a whole number >= 1');
  return split as Partial<Omit<RunSettings, 'batchSize'>>;
}

/** A value as JSON, cut short: a hostile file's value may be megabytes long. */
export function shown(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isWhole(value: unknown): boolean {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}
