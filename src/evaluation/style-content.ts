import { isCategorical, usesLabelledPhase } from '../models/architecture.js';
import type { GenerativeModel } from '../models/model.js';
import { createModelPrior, type Prior } from '../models/priors.js';
import type { DigitClassifier } from './digit-classifier.js';

/**
 * Style and content apart, as a number. A model whose decoder takes the digit beside a style code (the
 * supervised AAE; the semi-supervised AAE's y) draws a grid: each row one style code from the prior, each
 * column one digit. When style and content are apart, every column shows its own digit; when the class
 * still travels in the code, a row repeats the code's digit in every column.
 */

/** How many categories a model's decoder takes beside its code (0: none; its samples are codes alone). */
export function decoderCategories(model: GenerativeModel): number {
  const { config } = model;
  if (config.model === 'supervised-aae') return config.classes;
  return isCategorical(config.model) ? config.clusters : 0;
}

/** The style grid's inputs: `styles` prior codes, each repeated for categories 0..categories-1, row by row. */
export function styleGrid(prior: Prior, styles: number, categories: number): { codes: Float32Array; labels: Uint32Array } {
  const latent = prior.dims;
  const one = prior.sample(styles).codes;
  const codes = new Float32Array(styles * categories * latent);
  const labels = new Uint32Array(styles * categories);
  for (let row = 0; row < styles; row++) {
    for (let category = 0; category < categories; category++) {
      codes.set(one.subarray(row * latent, (row + 1) * latent), (row * categories + category) * latent);
      labels[row * categories + category] = category;
    }
  }
  return { codes, labels };
}

/** The share of grid cells (row-major, `columns` a row) whose predicted digit is their column's. */
export function columnAccuracy(predicted: ArrayLike<number>, columns: number): number {
  if (!Number.isInteger(columns) || columns < 1 || predicted.length === 0 || predicted.length % columns !== 0) {
    throw new Error(`columnAccuracy: ${predicted.length} predictions do not make whole rows of ${columns} columns.`);
  }
  let right = 0;
  for (let i = 0; i < predicted.length; i++) if (predicted[i] === i % columns) right++;
  return right / predicted.length;
}

export interface StyleContentOptions {
  /** Rows of the grid: style codes drawn from the model's prior. Default 100 (1,000 cells). */
  styles?: number;
  /** Seeds the prior's style codes, so that every epoch (and every run) is judged on the same grid. */
  seed: number;
}

/**
 * Decodes `styles` prior style codes × one column per digit and returns the share of cells that
 * `classifier` reads as their column's digit: 1 when style and content are apart, about 1/10 when the
 * decoder ignores the digit it is given.
 */
export async function styleContentAccuracy(model: GenerativeModel, classifier: DigitClassifier, { styles = 100, seed }: StyleContentOptions): Promise<number> {
  const { config } = model;
  if (config.model !== 'supervised-aae' && !usesLabelledPhase(config.model)) {
    throw new Error(`styleContentAccuracy: the ${config.model} does not decode a digit beside its code; use a supervised-aae or semi-supervised-aae.`);
  }
  const categories = decoderCategories(model);
  if (categories !== classifier.classes) {
    throw new Error(`styleContentAccuracy: the model draws ${categories} digits but the classifier tells ${classifier.classes} apart; train it on the same digits.`);
  }
  if (!Number.isInteger(styles) || styles < 1) throw new Error(`styleContentAccuracy: styles must be a positive whole number, got ${styles}.`);
  const engine = model.engine;
  const { codes, labels } = styleGrid(createModelPrior(config, seed), styles, categories);
  const images = engine.scope(() =>
    engine.noGrad(() => model.decode(engine.tensor(codes, [labels.length, config.latent]), engine.tensor(labels, [labels.length]))),
  );
  try {
    return columnAccuracy(await classifier.predict((await images.read()) as Float32Array, labels.length), categories);
  } finally {
    images.dispose();
  }
}
