import { describe, expect, it } from 'vitest';
import { chooseSigma, parzenLogDensities, parzenLogLikelihood, parzenLogLikelihoods } from '../../src/evaluation/parzen.js';
import { useEngine } from '../helpers/engine.js';
import { expectClose, randomValues } from '../helpers/reference.js';

const gpu = useEngine();

/** log (1/m) Σ_j N(x_i | s_j, σ² I) per test point and σ ([σ][i]), in float64. */
function parzenReference(samples: Float64Array, test: Float64Array, d: number, sigmas: number[]): Float64Array[] {
  const m = samples.length / d;
  const n = test.length / d;
  const distances = new Float64Array(n * m);
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < m; j++) {
      let total = 0;
      for (let a = 0; a < d; a++) total += (test[i * d + a] - samples[j * d + a]) ** 2;
      distances[i * m + j] = total;
    }
  }
  return sigmas.map((sigma) => {
    const result = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      let top = -Infinity;
      for (let j = 0; j < m; j++) top = Math.max(top, -distances[i * m + j] / (2 * sigma * sigma));
      let total = 0;
      for (let j = 0; j < m; j++) total += Math.exp(-distances[i * m + j] / (2 * sigma * sigma) - top);
      result[i] = top + Math.log(total / m) - 0.5 * d * Math.log(2 * Math.PI * sigma * sigma);
    }
    return result;
  });
}

function average(values: ArrayLike<number>): number {
  let total = 0;
  for (let i = 0; i < values.length; i++) total += values[i];
  return total / values.length;
}

describe('Parzen-window log-likelihood against float64', () => {
  it('small data, several widths, per point and mean (m=50, n=30, d=7)', async () => {
    const { engine } = gpu;
    const [m, n, d] = [50, 30, 7];
    const sigmas = [0.05, 0.1, 0.3, 1, 3];
    const samples = randomValues(m * d, 1);
    const test = randomValues(n * d, 2);
    const expected = parzenReference(samples, test, d, sigmas);
    const samplesTensor = engine.tensor(samples, [m, d]);
    const testTensor = engine.tensor(test, [n, d]);
    const densities = await parzenLogDensities(engine, samplesTensor, testTensor, sigmas);
    const values = await densities.read();
    densities.dispose();
    sigmas.forEach((sigma, s) => {
      // A float32 distance error ε moves the exponent by ε/2σ²: loosest for the narrowest window.
      expectClose(values.subarray(s * n, (s + 1) * n), expected[s], { absolute: 2e-6 / (2 * sigma * sigma) + 1e-4, relative: 1e-5 }, `σ = ${sigma}`);
    });
    const single = await parzenLogLikelihood(engine, samplesTensor, testTensor, 0.3);
    expect(single).toBeCloseTo(average(expected[2]), 3);
    samplesTensor.dispose();
    testTensor.dispose();
  });

  it('tiles whose edges are not multiples of the tile (m=1100, n=1030, d=33, tile 500)', async () => {
    const { engine } = gpu;
    const [m, n, d] = [1100, 1030, 33];
    const sigmas = [0.15, 0.3, 1];
    const samples = randomValues(m * d, 3, 0, 1);
    const test = randomValues(n * d, 4, 0, 1);
    // Some test points sit on a sample, so one term dominates and others underflow: the log-sum-exp must hold.
    for (let i = 0; i < 20; i++) test.set(samples.subarray(i * 37 * d, (i * 37 + 1) * d), i * 51 * d);
    const expected = parzenReference(samples, test, d, sigmas);
    const samplesTensor = engine.tensor(samples, [m, d]);
    const testTensor = engine.tensor(test, [n, d]);
    const densities = await parzenLogDensities(engine, samplesTensor, testTensor, sigmas, { testTile: 500, sampleTile: 500 });
    const values = await densities.read();
    densities.dispose();
    sigmas.forEach((sigma, s) => {
      expectClose(values.subarray(s * n, (s + 1) * n), expected[s], { absolute: 2e-5 / (2 * sigma * sigma) + 1e-4, relative: 1e-5 }, `σ = ${sigma}`);
    });
    const means = await parzenLogLikelihoods(engine, samplesTensor, testTensor, sigmas, { testTile: 500, sampleTile: 500 });
    const untiled = await parzenLogLikelihoods(engine, samplesTensor, testTensor, sigmas, { testTile: 5000, sampleTile: 5000 });
    console.log(`tiled Parzen means ${means.map((v) => v.toFixed(4))}, untiled ${untiled.map((v) => v.toFixed(4))}, float64 ${expected.map((e) => average(e).toFixed(4))}`);
    expectClose(means, expected.map(average), { absolute: 1e-3, relative: 1e-5 }, 'means');
    expectClose(untiled, means, { absolute: 1e-3, relative: 1e-5 }, 'untiled vs tiled');
    samplesTensor.dispose();
    testTensor.dispose();
  });

  it('chooseSigma picks the candidate with the best validation log-likelihood', async () => {
    const { engine } = gpu;
    const [m, n, d] = [300, 200, 5];
    // Samples and validation from the same blobs: the best width is neither the smallest nor the largest.
    const blob = (count: number, seed: number) => {
      const values = randomValues(count * d, seed, -0.2, 0.2);
      for (let i = 0; i < count; i++) values[i * d + (i % d)] += 1;
      return values;
    };
    const samples = blob(m, 5);
    const validation = blob(n, 6);
    const candidates = [0.01, 0.03, 0.06, 0.1, 0.2, 0.5, 1, 2];
    const reference = parzenReference(samples, validation, d, candidates).map(average);
    const bestIndex = reference.indexOf(Math.max(...reference));
    const samplesTensor = engine.tensor(samples, [m, d]);
    const validationTensor = engine.tensor(validation, [n, d]);
    const choice = await chooseSigma(engine, samplesTensor, validationTensor, candidates, { testTile: 64, sampleTile: 100 });
    console.log(`chooseSigma: ${choice.table.map((row) => `σ ${row.sigma}: ${row.logLikelihood.toFixed(3)}`).join(', ')} → σ ${choice.sigma}`);
    expect(bestIndex).toBeGreaterThan(0);
    expect(bestIndex).toBeLessThan(candidates.length - 1);
    expect(choice.sigma).toBe(candidates[bestIndex]);
    expect(choice.table.map((row) => row.sigma)).toEqual(candidates);
    expectClose(choice.table.map((row) => row.logLikelihood), reference, { absolute: 2e-2, relative: 1e-4 }, 'table');
    samplesTensor.dispose();
    validationTensor.dispose();
  });

  it('rejects mismatched shapes and bad widths', async () => {
    const { engine } = gpu;
    const a = engine.tensor(new Float32Array(6), [2, 3]);
    const b = engine.tensor(new Float32Array(8), [2, 4]);
    await expect(parzenLogLikelihood(engine, a, b, 1)).rejects.toThrow(/differ in dimension \(3 vs 4\)/);
    await expect(parzenLogLikelihood(engine, a, a, 0)).rejects.toThrow(/must be finite numbers > 0/);
    a.dispose();
    b.dispose();
  });
});
