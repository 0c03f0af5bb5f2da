import { describe, expect, it } from 'vitest';
import { EXPERIMENTS } from '../../src/reproduce/experiments.js';
import { chooseEpoch, measureOf, summarise } from '../../src/reproduce/outcome.js';
import type { EpochMetrics } from '../../src/training/trainer.js';

const epoch = (n: number, fields: Partial<EpochMetrics>): EpochMetrics => ({ epoch: n, steps: n * 500, losses: {}, seconds: 1, stepsPerSecond: 500, ...fields });
const measure = (name: string) => EXPERIMENTS.find((experiment) => experiment.name === name)!.measure;

describe('the epoch a reproduction reports', () => {
  it('is the best on validation, whatever the test figures say', () => {
    const metrics = [
      epoch(1, { testError: 0.05, validationError: 0.06 }),
      epoch(2, { testError: 0.01, validationError: 0.05 }), // best on test, not on validation
      epoch(3, { testError: 0.03, validationError: 0.04 }),
      epoch(4, { testError: 0.02, validationError: 0.045 }),
    ];
    const chosen = chooseEpoch(metrics, measure('semi-supervised-1000'));
    expect(chosen.epoch).toBe(3);
    expect(measureOf(chosen, measure('semi-supervised-1000'))).toBeCloseTo(3, 10);
  });

  it('is the earliest of equally good epochs, and the last where there is no validation figure', () => {
    const tied = [epoch(1, { validationClusterError: 0.2, clusterError: 0.3 }), epoch(2, { validationClusterError: 0.2, clusterError: 0.1 })];
    expect(chooseEpoch(tied, measure('clustering-16')).epoch).toBe(1);
    const withoutValidation = [epoch(1, { clusterError: 0.3 }), epoch(2, { clusterError: 0.4 })];
    expect(chooseEpoch(withoutValidation, measure('clustering-16')).epoch).toBe(2);
    const accuracy = [epoch(1, { componentAccuracy: 0.95 }), epoch(2, { componentAccuracy: 0.9 })];
    expect(chooseEpoch(accuracy, measure('mog10-conditional')).epoch).toBe(2);
    expect(() => chooseEpoch([], measure('clustering-16'))).toThrow(/no epochs/);
  });

  it('reads a fraction in percent, and nothing from an epoch without the measure', () => {
    expect(measureOf(epoch(1, { componentAccuracy: 0.913 }), measure('mog10-conditional'))).toBeCloseTo(91.3, 10);
    expect(measureOf(epoch(1, { reconstructionBce: 114.3 }), measure('vae-gan'))).toBeCloseTo(114.3, 10);
    expect(measureOf(epoch(1, {}), measure('supervised-style'))).toBeUndefined();
    expect(measureOf(epoch(1, { testError: Number.NaN }), measure('semi-supervised-100'))).toBeUndefined();
  });
});

describe('summarise', () => {
  it('gives the mean, and the sample standard deviation over more than one seed', () => {
    expect(summarise([4.89])).toEqual({ mean: 4.89 });
    const { mean, spread } = summarise([1, 2, 3, 4]);
    expect(mean).toBe(2.5);
    expect(spread).toBeCloseTo(Math.sqrt(5 / 3), 12);
    expect(() => summarise([])).toThrow();
  });
});
