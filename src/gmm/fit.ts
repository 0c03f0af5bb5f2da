import type { Engine } from '../device/engine.js';
import { sub } from '../ops/arithmetic.js';
import { gatherRows } from '../ops/gather.js';
import { mean } from '../ops/reduce.js';
import { square } from '../ops/unary.js';
import { seededUniform } from '../random/seeded.js';
import type { Tensor } from '../tensor/tensor.js';
import { eStep, sufficientStatistics } from './em.js';
import { initialMixture, type GmmInitialization } from './initialise.js';
import { uploadMixture, type CovarianceType, type MixtureParameters } from './mixture.js';

export interface GmmOptions {
  /** Number of components. */
  k: number;
  covariance?: CovarianceType;
  /** Added to every covariance diagonal after each M-step (and at the start): keeps them invertible. Default 1e-6. */
  ridge?: number;
  /** Most EM iterations (M-steps). Default 100. */
  iterations?: number;
  /** Stop when the mean per-point log-likelihood changes by less than this. Default 1e-4. */
  tolerance?: number;
  /** Seeds the initialisation. Default 1. */
  seed?: number;
  /** 'kmeans++' (seeded centres refined by Lloyd iterations; default) or 'random' (k random points). */
  initialization?: GmmInitialization;
  /** Rows drawn (seeded) for the initialisation, which runs on the CPU. Default 4000. */
  initializationRows?: number;
}

/** A fitted Gaussian mixture: its parameters (float64, on the CPU) and how EM went. */
export interface GaussianMixture extends MixtureParameters {
  /**
   * Mean per-point log-likelihood: [0] under the initial mixture, [t] after t M-steps; the last entry
   * belongs to the returned parameters. Never decreases, up to float32 rounding.
   */
  readonly logLikelihoods: number[];
  /** True when the last change was below the tolerance. */
  readonly converged: boolean;
  /** M-steps taken. */
  readonly iterations: number;
}

/**
 * Fits a Gaussian mixture to the rows of `data` ([n, d], f32) by expectation-maximisation on the GPU.
 * The E-step (log-densities, log-sum-exp, responsibilities) and the sums of the M-step (Rᵀ·X, Rᵀ·X² or
 * the weighted second moments, Σ_i R) run there; per iteration only the log-likelihood and the k×d(×d)
 * sums come back, and the CPU finishes the M-step in float64. The data are centred on their mean first,
 * so the second moments do not cancel in float32 for data far from the origin.
 */
export async function fitGmm(engine: Engine, data: Tensor, options: GmmOptions): Promise<GaussianMixture> {
  const op = 'fitGmm';
  if (data.dtype !== 'f32' || data.shape.length !== 2) {
    throw new Error(`${op}: data ${data.describe()} must be a 2-D f32 tensor [points, dimension].`);
  }
  const [n, d] = data.shape;
  const k = options.k;
  const covariance = options.covariance ?? 'full';
  const ridge = options.ridge ?? 1e-6;
  const iterations = options.iterations ?? 100;
  const tolerance = options.tolerance ?? 1e-4;
  const seed = options.seed ?? 1;
  if (!Number.isInteger(k) || k < 1 || k > n) throw new Error(`${op}: k = ${k} must be a whole number from 1 to the number of points (${n}).`);
  if (covariance !== 'diagonal' && covariance !== 'full') throw new Error(`${op}: covariance '${String(covariance)}' must be 'diagonal' or 'full'.`);
  if (!(ridge >= 0) || !Number.isFinite(ridge)) throw new Error(`${op}: ridge ${ridge} must be a finite number >= 0.`);
  if (!Number.isInteger(iterations) || iterations < 0) throw new Error(`${op}: iterations ${iterations} must be a whole number >= 0.`);
  if (!(tolerance >= 0)) throw new Error(`${op}: tolerance ${tolerance} must be >= 0.`);

  const { centred, squared, dataMean, sample } = engine.noGrad(() =>
    engine.scope(() => {
      const dataMean = mean(data, 0, true);
      const centred = sub(data, dataMean);
      const squared = covariance === 'diagonal' ? square(centred) : null;
      const indices = engine.tensor(sampleRows(n, options.initializationRows ?? 4000, seed), [Math.min(n, options.initializationRows ?? 4000)], 'u32');
      return { centred, squared, dataMean, sample: gatherRows(centred, indices) };
    }),
  );
  try {
    const [meanValues, sampleValues] = await Promise.all([dataMean.read(), sample.read()]);
    let mixture = initialMixture(Float64Array.from(sampleValues), sample.shape[0], d, k, covariance, ridge, seed, options.initialization ?? 'kmeans++');
    const logLikelihoods: number[] = [];
    let converged = false;
    let steps = 0;
    for (;;) {
      const current = mixture;
      const summaries = engine.noGrad(() =>
        engine.scope(() => {
          const uploaded = uploadMixture(engine, current);
          const { logDensity, responsibilities } = eStep(centred, uploaded, covariance);
          const statistics = sufficientStatistics(centred, squared, responsibilities, covariance);
          return { logLikelihood: mean(logDensity), ...statistics };
        }),
      );
      const [logLikelihood, counts, firstMoments, ...secondBlocks] = await Promise.all(
        [summaries.logLikelihood, summaries.counts, summaries.firstMoments, ...summaries.secondMoments].map((tensor) => tensor.read()),
      );
      for (const tensor of [summaries.logLikelihood, summaries.counts, summaries.firstMoments, ...summaries.secondMoments]) tensor.dispose();
      if (!Number.isFinite(logLikelihood[0])) {
        throw new Error(`${op}: the log-likelihood became ${logLikelihood[0]} after ${steps} iterations; the data hold NaN/Infinity, or raise the ridge.`);
      }
      logLikelihoods.push(logLikelihood[0]);
      if (logLikelihoods.length > 1 && Math.abs(logLikelihoods.at(-1)! - logLikelihoods.at(-2)!) < tolerance) {
        converged = true;
        break;
      }
      if (steps === iterations) break;
      mixture = mStep(current, counts, firstMoments, concatenate(secondBlocks), ridge);
      steps++;
    }
    const means = Float64Array.from(mixture.means);
    for (let c = 0; c < k; c++) for (let a = 0; a < d; a++) means[c * d + a] += meanValues[a];
    return { ...mixture, means, logLikelihoods, converged, iterations: steps };
  } finally {
    for (const tensor of [centred, squared, dataMean, sample]) tensor?.dispose();
  }
}

/**
 * Per-point log p(x) [n] and responsibilities [n, k] of the rows of `data` under `model`, recorded on
 * the GPU of `data`'s engine (read them with `.read()`; dispose them when done).
 */
export function gmmLogProbabilities(model: MixtureParameters, data: Tensor): { logDensity: Tensor; responsibilities: Tensor } {
  const op = 'gmmLogProbabilities';
  if (data.dtype !== 'f32' || data.shape.length !== 2 || data.shape[1] !== model.dimension) {
    throw new Error(`${op}: data ${data.describe()} must be a 2-D f32 tensor [points, ${model.dimension}] for this ${model.dimension}-D mixture.`);
  }
  const engine = data.engine;
  return engine.noGrad(() => engine.scope(() => eStep(data, uploadMixture(engine, model), model.covariance)));
}

/**
 * The M-step's finish on the CPU, in float64: weights N_c/n, means S1_c/N_c, covariances S2_c/N_c - μ_c μ_cᵀ
 * plus the ridge. A component that lost (almost) all its points keeps its mean and covariance.
 */
function mStep(
  previous: MixtureParameters,
  counts: ArrayLike<number>,
  firstMoments: ArrayLike<number>,
  secondMoments: ArrayLike<number>,
  ridge: number,
): MixtureParameters {
  const { components: k, dimension: d, covariance } = previous;
  const width = covariance === 'full' ? d * d : d;
  let total = 0;
  for (let c = 0; c < k; c++) total += Math.max(counts[c], 0);
  const weights = new Float64Array(k);
  const means = Float64Array.from(previous.means);
  const covariances = Float64Array.from(previous.covariances);
  for (let c = 0; c < k; c++) {
    const count = Math.max(counts[c], 0);
    weights[c] = count / total;
    if (count < 1e-6) continue;
    for (let a = 0; a < d; a++) means[c * d + a] = firstMoments[c * d + a] / count;
    if (covariance === 'diagonal') {
      for (let a = 0; a < d; a++) {
        const mu = means[c * d + a];
        covariances[c * d + a] = Math.max(secondMoments[c * d + a] / count - mu * mu, 0) + ridge;
      }
    } else {
      const base = c * width;
      for (let a = 0; a < d; a++) {
        for (let b = 0; b <= a; b++) {
          // Rounding leaves S2 slightly asymmetric: average the two halves.
          const moment = (secondMoments[base + a * d + b] + secondMoments[base + b * d + a]) / (2 * count);
          const value = moment - means[c * d + a] * means[c * d + b];
          covariances[base + a * d + b] = value;
          covariances[base + b * d + a] = value;
        }
        covariances[base + a * d + a] = Math.max(covariances[base + a * d + a], 0) + ridge;
      }
    }
  }
  return { components: k, dimension: d, covariance, weights, means, covariances };
}

/** `count` distinct row numbers below n (all of them, in order, when count >= n), seeded. */
function sampleRows(n: number, count: number, seed: number): Uint32Array {
  if (count >= n) return Uint32Array.from({ length: n }, (_, i) => i);
  const random = seededUniform(seed ^ 0x5eed);
  const chosen = new Set<number>();
  while (chosen.size < count) chosen.add(Math.floor(random() * n));
  return Uint32Array.from([...chosen].sort((a, b) => a - b));
}

function concatenate(blocks: ArrayLike<number>[]): Float64Array {
  const result = new Float64Array(blocks.reduce((length, block) => length + block.length, 0));
  let offset = 0;
  for (const block of blocks) {
    result.set(block, offset);
    offset += block.length;
  }
  return result;
}
