import type { Engine } from '../device/engine.js';
import type { Tensor } from '../tensor/tensor.js';
import { choleskyWithJitter, invertLower } from './linear-algebra.js';

export type CovarianceType = 'diagonal' | 'full';

/**
 * A Gaussian mixture's parameters, in float64 on the CPU (they are k·d² numbers at most):
 * weights [k], means [k, d] row-major, covariances [k, d] (diagonal: the variances) or [k, d, d] (full).
 */
export interface MixtureParameters {
  readonly components: number;
  readonly dimension: number;
  readonly covariance: CovarianceType;
  readonly weights: Float64Array;
  readonly means: Float64Array;
  readonly covariances: Float64Array;
}

/** The shape of the covariances array for a mixture of `k` components in `d` dimensions. */
export function covarianceShape(covariance: CovarianceType, k: number, d: number): number[] {
  return covariance === 'full' ? [k, d, d] : [k, d];
}

/** What the E-step kernel needs of a mixture, on the GPU (see shaders/em-e-step.wgsl). */
export interface UploadedMixture {
  readonly means: Tensor;
  /** 1/σ per coordinate [k, d] (diagonal) or L⁻¹ of each covariance [k, d, d] (full). */
  readonly whitening: Tensor;
  /** log w_c - ½ d log 2π - ½ log det Σ_c [k]. */
  readonly logConstants: Tensor;
}

const LOG_TWO_PI = Math.log(2 * Math.PI);
/** A weight this small stands for an emptied component: it keeps log w finite. */
const SMALLEST_WEIGHT = 1e-30;

/**
 * Factors each covariance on the CPU (Cholesky for full ones; a covariance rounding left barely
 * indefinite gets the smallest jitter that factors it) and uploads what the E-step reads.
 */
export function uploadMixture(engine: Engine, mixture: MixtureParameters): UploadedMixture {
  const { components: k, dimension: d } = mixture;
  const logConstants = new Float64Array(k);
  let whitening: Float64Array;
  if (mixture.covariance === 'diagonal') {
    whitening = new Float64Array(k * d);
    for (let c = 0; c < k; c++) {
      let logDeterminant = 0;
      for (let a = 0; a < d; a++) {
        const variance = mixture.covariances[c * d + a];
        if (!(variance > 0)) {
          throw new Error(`gmm: component ${c} has variance ${variance} in coordinate ${a}; variances must be positive (raise the ridge).`);
        }
        whitening[c * d + a] = 1 / Math.sqrt(variance);
        logDeterminant += Math.log(variance);
      }
      logConstants[c] = Math.log(Math.max(mixture.weights[c], SMALLEST_WEIGHT)) - 0.5 * d * LOG_TWO_PI - 0.5 * logDeterminant;
    }
  } else {
    whitening = new Float64Array(k * d * d);
    for (let c = 0; c < k; c++) {
      const covariance = mixture.covariances.subarray(c * d * d, (c + 1) * d * d);
      const { factor } = choleskyWithJitter(Float64Array.from(covariance), d, 1e-12);
      whitening.set(invertLower(factor, d), c * d * d);
      let logDeterminant = 0;
      for (let a = 0; a < d; a++) logDeterminant += 2 * Math.log(factor[a * d + a]);
      logConstants[c] = Math.log(Math.max(mixture.weights[c], SMALLEST_WEIGHT)) - 0.5 * d * LOG_TWO_PI - 0.5 * logDeterminant;
    }
  }
  return {
    means: engine.tensor(Float32Array.from(mixture.means), [k, d]),
    whitening: engine.tensor(Float32Array.from(whitening), covarianceShape(mixture.covariance, k, d)),
    logConstants: engine.tensor(Float32Array.from(logConstants), [k]),
  };
}
