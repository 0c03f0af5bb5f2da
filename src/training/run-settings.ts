/**
 * What a training run feeds its model, apart from the model's own config: the minibatch size and how the
 * training images are split. A checkpoint keeps them, so that a resumed run draws the same minibatches as
 * an uninterrupted one.
 */
export interface RunSettings {
  /** Images per training step. It fixes the captured step's shapes, so a resumed run must keep it. */
  batchSize: number;
  /** Labelled training images (the rest train unlabelled): a count, or 'all'. */
  labels: number | 'all';
  /** Train on a seeded subset of this many images; all that validation leaves when undefined. */
  trainSize?: number;
  /** Training images held out for validation. */
  validation: number;
}

export const RUN_DEFAULTS: Readonly<RunSettings> = { batchSize: 100, labels: 'all', validation: 10_000 };
