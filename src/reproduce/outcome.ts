import type { EpochMetrics } from '../training/trainer.js';
import type { Measure } from './experiments.js';

/** One seed's training of one experiment, as the results report it. */
export interface RunOutcome {
  seed: number;
  /** The measure at the chosen epoch, in the measure's unit (percent for errors). */
  value: number;
  /** The epoch reported: the best on validation where the measure has a validation counterpart, else the last. */
  epoch: number;
  epochs: number;
  steps: number;
  /** Wall time of training and per-epoch evaluation, across restarts. */
  seconds: number;
  /** The validation figure that chose the epoch, in the measure's unit. */
  validation?: number;
  /** Anything else worth keeping (the Parzen σ). */
  details?: Record<string, number>;
}

/**
 * The epoch to report: the one with the best validation figure (the earliest among equals), never chosen
 * on test; the last epoch where the measure has no validation counterpart or it was not computed.
 */
export function chooseEpoch(metrics: readonly EpochMetrics[], measure: Measure): EpochMetrics {
  if (metrics.length === 0) throw new Error(`chooseEpoch: no epochs to choose from for ${measure.label}.`);
  const by = measure.chooseEpochBy;
  const scored = by ? metrics.filter((epoch) => typeof epoch[by] === 'number' && Number.isFinite(epoch[by])) : [];
  if (!by || scored.length === 0) return metrics[metrics.length - 1];
  // The validation counterpart of an error is an error: lower is better, as for the measure.
  const sign = measure.better === 'lower' ? 1 : -1;
  return scored.reduce((best, epoch) => (sign * (epoch[by] as number) < sign * (best[by] as number) ? epoch : best));
}

/** The measure's value in an epoch's metrics, in the measure's unit; undefined where the epoch lacks it. */
export function measureOf(epoch: EpochMetrics, measure: Measure): number | undefined {
  const value = (epoch as unknown as Record<string, unknown>)[measure.key];
  return typeof value === 'number' && Number.isFinite(value) ? value * measure.scale : undefined;
}

/** Mean and sample standard deviation over seeds (the spread is undefined for one seed). */
export function summarise(values: readonly number[]): { mean: number; spread?: number } {
  if (values.length === 0) throw new Error('summarise: no values.');
  const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
  if (values.length === 1) return { mean };
  const variance = values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / (values.length - 1);
  return { mean, spread: Math.sqrt(variance) };
}
