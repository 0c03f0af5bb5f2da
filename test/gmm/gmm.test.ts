import { describe, expect, it } from 'vitest';
import { fitGmm, gmmLogProbabilities, type GaussianMixture } from '../../src/gmm/index.js';
import type { MixtureParameters } from '../../src/gmm/mixture.js';
import { seededUniform } from '../../src/random/seeded.js';
import { useEngine } from '../helpers/engine.js';
import { expectClose } from '../helpers/reference.js';

const gpu = useEngine();

interface Truth {
  weights: number[];
  means: number[][];
  /** Full 2×2 covariances, row-major. */
  covariances: number[][];
}

/** Three well-separated 2-D Gaussians, correlated within each. */
const THREE_BLOBS: Truth = {
  weights: [0.5, 0.3, 0.2],
  means: [
    [-5, 0],
    [5, 1],
    [0, 7],
  ],
  covariances: [
    [1, 0.5, 0.5, 1],
    [0.5, -0.2, -0.2, 0.8],
    [1.5, 0, 0, 0.3],
  ],
};

/** `n` points drawn from `truth` (float32 values), with the component each came from. */
function sampleMixture(truth: Truth, n: number, seed: number): { points: Float32Array; labels: Uint32Array } {
  const random = seededUniform(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
  const points = new Float32Array(n * 2);
  const labels = new Uint32Array(n);
  for (let i = 0; i < n; i++) {
    // Exact proportions, so the weights' truth is known without sampling noise.
    let c = 0;
    let edge = truth.weights[0];
    while ((i + 0.5) / n > edge && c < truth.weights.length - 1) edge += truth.weights[++c];
    const [s00, s01, , s11] = truth.covariances[c];
    const l00 = Math.sqrt(s00);
    const l10 = s01 / l00;
    const l11 = Math.sqrt(s11 - l10 * l10);
    const z0 = normal();
    const z1 = normal();
    points[2 * i] = truth.means[c][0] + l00 * z0;
    points[2 * i + 1] = truth.means[c][1] + l10 * z0 + l11 * z1;
    labels[i] = c;
  }
  return { points, labels };
}

/** The maximum-likelihood answer for separated clusters: each labelled cluster's own weight, mean and covariance. */
function clusterStatistics(points: Float32Array, labels: Uint32Array, k: number): Truth {
  const result: Truth = { weights: [], means: [], covariances: [] };
  for (let c = 0; c < k; c++) {
    const rows: number[][] = [];
    labels.forEach((label, i) => label === c && rows.push([points[2 * i], points[2 * i + 1]]));
    const mean = [0, 1].map((a) => rows.reduce((s, r) => s + r[a], 0) / rows.length);
    const cov = [0, 0, 0, 0];
    for (const r of rows) for (let a = 0; a < 2; a++) for (let b = 0; b < 2; b++) cov[a * 2 + b] += ((r[a] - mean[a]) * (r[b] - mean[b])) / rows.length;
    result.weights.push(rows.length / labels.length);
    result.means.push(mean);
    result.covariances.push(cov);
  }
  return result;
}

/** For each true component, the fitted component whose mean is nearest. */
function matchComponents(model: GaussianMixture, truth: Truth): number[] {
  return truth.means.map((mu) => {
    let best = 0;
    let bestDistance = Infinity;
    for (let c = 0; c < model.components; c++) {
      const distance = (model.means[2 * c] - mu[0]) ** 2 + (model.means[2 * c + 1] - mu[1]) ** 2;
      if (distance < bestDistance) [best, bestDistance] = [c, distance];
    }
    return best;
  });
}

/** log p(x) per point and the responsibilities, in float64. */
function logDensityReference(model: MixtureParameters, points: ArrayLike<number>): { logDensity: Float64Array; responsibilities: Float64Array } {
  const { components: k, dimension: d } = model;
  const n = points.length / d;
  const logDensity = new Float64Array(n);
  const responsibilities = new Float64Array(n * k);
  for (let i = 0; i < n; i++) {
    const joint: number[] = [];
    for (let c = 0; c < k; c++) {
      let quadratic = 0;
      let logDeterminant = 0;
      if (model.covariance === 'diagonal') {
        for (let a = 0; a < d; a++) {
          const variance = model.covariances[c * d + a];
          quadratic += (points[i * d + a] - model.means[c * d + a]) ** 2 / variance;
          logDeterminant += Math.log(variance);
        }
      } else {
        // 2-D: the inverse and determinant in closed form.
        const [s00, s01, s10, s11] = model.covariances.subarray(c * 4, c * 4 + 4);
        const det = s00 * s11 - s01 * s10;
        const x0 = points[i * d] - model.means[c * d];
        const x1 = points[i * d + 1] - model.means[c * d + 1];
        quadratic = (s11 * x0 * x0 - 2 * s01 * x0 * x1 + s00 * x1 * x1) / det;
        logDeterminant = Math.log(det);
      }
      joint.push(Math.log(model.weights[c]) - 0.5 * (d * Math.log(2 * Math.PI) + logDeterminant + quadratic));
    }
    const top = Math.max(...joint);
    const total = top + Math.log(joint.reduce((s, v) => s + Math.exp(v - top), 0));
    logDensity[i] = total;
    for (let c = 0; c < k; c++) responsibilities[i * k + c] = Math.exp(joint[c] - total);
  }
  return { logDensity, responsibilities };
}

function expectNonDecreasing(logLikelihoods: number[]): void {
  for (let t = 1; t < logLikelihoods.length; t++) {
    const slack = 2e-6 * Math.max(1, Math.abs(logLikelihoods[t - 1]));
    expect(logLikelihoods[t], `log-likelihood at iteration ${t}: ${logLikelihoods.join(', ')}`).toBeGreaterThanOrEqual(logLikelihoods[t - 1] - slack);
  }
}

function describeFit(model: GaussianMixture, truth: Truth, order: number[]): string {
  const width = model.covariance === 'full' ? 4 : 2;
  return order
    .map((c, j) => {
      const cov = Array.from(model.covariances.subarray(c * width, (c + 1) * width), (v) => v.toFixed(3));
      return `  component ${j}: weight ${model.weights[c].toFixed(3)} (truth ${truth.weights[j]}), mean [${model.means[2 * c].toFixed(3)}, ${model.means[2 * c + 1].toFixed(3)}] (truth [${truth.means[j]}]), covariance [${cov}] (truth [${truth.covariances[j]}])`;
    })
    .join('\n');
}

describe('Gaussian mixture by EM on the GPU', () => {
  const { points, labels } = sampleMixture(THREE_BLOBS, 3000, 7);
  const empirical = clusterStatistics(points, labels, 3);

  for (const covariance of ['full', 'diagonal'] as const) {
    it(`recovers a known 3-component mixture (${covariance} covariances)`, async () => {
      const { engine } = gpu;
      const data = engine.tensor(points, [3000, 2]);
      const model = await fitGmm(engine, data, { k: 3, covariance, iterations: 200, tolerance: 1e-7, seed: 3, initializationRows: 60 });
      const order = matchComponents(model, THREE_BLOBS);
      console.log(`${covariance} fit: ${model.iterations} iterations, converged ${model.converged}, mean log-likelihood ${model.logLikelihoods.at(-1)!.toFixed(5)}\n${describeFit(model, THREE_BLOBS, order)}`);
      expect(new Set(order).size).toBe(3);
      expect(model.converged).toBe(true);
      expectNonDecreasing(model.logLikelihoods);
      const width = covariance === 'full' ? 4 : 2;
      order.forEach((c, j) => {
        // Against the truth, within sampling error (about 600-1500 points a component)...
        expect(Math.abs(model.weights[c] - THREE_BLOBS.weights[j])).toBeLessThan(0.01);
        expectClose(model.means.subarray(2 * c, 2 * c + 2), THREE_BLOBS.means[j], { absolute: 0.12, relative: 0 }, `means of ${j}`);
        const trueCov = covariance === 'full' ? THREE_BLOBS.covariances[j] : [THREE_BLOBS.covariances[j][0], THREE_BLOBS.covariances[j][3]];
        expectClose(model.covariances.subarray(width * c, width * c + width), trueCov, { absolute: 0.15, relative: 0.1 }, `covariance of ${j}`);
        // ...and, tightly, against each labelled cluster's own statistics (the answer EM must reach).
        expectClose([model.weights[c]], [empirical.weights[j]], { absolute: 2e-3, relative: 0 }, `weight of ${j}`);
        expectClose(model.means.subarray(2 * c, 2 * c + 2), empirical.means[j], { absolute: 5e-3, relative: 0 }, `empirical means of ${j}`);
        const cov = empirical.covariances[j];
        const expected = covariance === 'full' ? cov : [cov[0], cov[3]];
        expectClose(model.covariances.subarray(width * c, width * c + width), expected, { absolute: 1e-2, relative: 1e-2 }, `empirical covariance of ${j}`);
      });
      data.dispose();
    });
  }

  it('per-point log-likelihood and responsibilities match float64', async () => {
    const { engine } = gpu;
    const data = engine.tensor(points, [3000, 2]);
    for (const covariance of ['full', 'diagonal'] as const) {
      const model = await fitGmm(engine, data, { k: 3, covariance, iterations: 5, seed: 1 });
      const { logDensity, responsibilities } = gmmLogProbabilities(model, data);
      const expected = logDensityReference(model, points);
      expectClose(await logDensity.read(), expected.logDensity, { absolute: 2e-4, relative: 1e-5 }, `${covariance} log p(x)`);
      expectClose(await responsibilities.read(), expected.responsibilities, { absolute: 1e-4, relative: 0 }, `${covariance} responsibilities`);
      const meanReference = expected.logDensity.reduce((s, v) => s + v, 0) / 3000;
      expect(Math.abs(model.logLikelihoods.at(-1)! - meanReference)).toBeLessThan(1e-4);
      logDensity.dispose();
      responsibilities.dispose();
    }
    data.dispose();
  });

  it('the log-likelihood never decreases, from a random start on overlapping clusters, in 8-D', async () => {
    const { engine } = gpu;
    const random = seededUniform(11);
    const n = 2000;
    const d = 8;
    const values = new Float32Array(n * d);
    for (let i = 0; i < n; i++) {
      const centre = i % 4;
      for (let a = 0; a < d; a++) {
        const z = Math.sqrt(-2 * Math.log(1 - random())) * Math.cos(2 * Math.PI * random());
        values[i * d + a] = 10 + (a === centre ? 2 : 0) + z * (1 + 0.2 * a) + (a > 0 ? 0.5 * values[i * d + a - 1] - 5 : 0);
      }
    }
    const data = engine.tensor(values, [n, d]);
    for (const covariance of ['full', 'diagonal'] as const) {
      const model = await fitGmm(engine, data, { k: 5, covariance, iterations: 40, tolerance: 0, seed: 2, initialization: 'random' });
      expect(model.logLikelihoods.length).toBe(41);
      expectNonDecreasing(model.logLikelihoods);
      expect(model.logLikelihoods.at(-1)!).toBeGreaterThan(model.logLikelihoods[0] + 0.1);
    }
    data.dispose();
  });

  it('a full-covariance fit of correlated data beats the diagonal one', async () => {
    const { engine } = gpu;
    const correlated: Truth = {
      weights: [0.5, 0.5],
      means: [
        [-4, 0],
        [4, 0],
      ],
      covariances: [
        [1, 0.9, 0.9, 1],
        [1, -0.8, -0.8, 1],
      ],
    };
    const { points: values } = sampleMixture(correlated, 2000, 5);
    const data = engine.tensor(values, [2000, 2]);
    const full = await fitGmm(engine, data, { k: 2, covariance: 'full', seed: 1 });
    const diagonal = await fitGmm(engine, data, { k: 2, covariance: 'diagonal', seed: 1 });
    console.log(`correlated data: full ${full.logLikelihoods.at(-1)!.toFixed(4)}, diagonal ${diagonal.logLikelihoods.at(-1)!.toFixed(4)} mean log-likelihood`);
    // Theory: ½ log(1/(1-ρ²)) per point for each component, ≈ 0.6 here.
    expect(full.logLikelihoods.at(-1)!).toBeGreaterThan(diagonal.logLikelihoods.at(-1)! + 0.4);
    data.dispose();
  });

  it('rejects bad options with a clear message', async () => {
    const { engine } = gpu;
    const data = engine.tensor(new Float32Array(10), [5, 2]);
    await expect(fitGmm(engine, data, { k: 6 })).rejects.toThrow(/k = 6 must be a whole number from 1 to the number of points \(5\)/);
    await expect(fitGmm(engine, data, { k: 2, ridge: -1 })).rejects.toThrow(/ridge -1/);
    data.dispose();
  });
});
