// The GPU side of EM for a Gaussian mixture: the E-step (shaders/em-e-step.wgsl) and the sums the M-step
// needs (matmuls, and shaders/em-weighted-rows.wgsl for full covariances).
import { defineKernel, perElementLaunch } from '../kernels/kernel.js';
import { matmul } from '../ops/matmul.js';
import { sum } from '../ops/reduce.js';
import type { Tensor } from '../tensor/tensor.js';
import type { CovarianceType, UploadedMixture } from './mixture.js';
import eStepSource from '../../shaders/em-e-step.wgsl';
import weightedRowsSource from '../../shaders/em-weighted-rows.wgsl';

const eStepKernel = defineKernel({
  name: 'gmm:e_step',
  source: eStepSource,
  entryPoint: 'e_step',
  bindings: ['read', 'read', 'read', 'read', 'write', 'write'],
});
const weightedRowsKernel = defineKernel({
  name: 'gmm:weighted_rows',
  source: weightedRowsSource,
  entryPoint: 'weighted_rows',
  bindings: ['read', 'read', 'write'],
});

/**
 * The E-step on the GPU: per point log p(x) [n] and the responsibilities [n, k], from the log-joint of
 * every point and component and a stable log-sum-exp over the components.
 */
export function eStep(data: Tensor, mixture: UploadedMixture, covariance: CovarianceType): { logDensity: Tensor; responsibilities: Tensor } {
  const engine = data.engine;
  const [points, dimension] = data.shape;
  const components = mixture.logConstants.size;
  const responsibilities = engine.empty([points, components]);
  const logDensity = engine.empty([points]);
  const launch = perElementLaunch(points, 64);
  const constants = {
    POINTS: points,
    DIMENSION: dimension,
    COMPONENTS: components,
    FULL: covariance === 'full' ? 1 : 0,
    WORKGROUP_SIZE: 64,
    ROW_STRIDE: launch.constants.ROW_STRIDE,
  };
  engine.dispatch(eStepKernel, constants, [data, mixture.means, mixture.whitening, mixture.logConstants, responsibilities, logDensity], launch.workgroups);
  return { logDensity, responsibilities };
}

/** What the M-step needs, summed over the points on the GPU. */
export interface SufficientStatistics {
  /** Σ_i r_ic [k]. */
  counts: Tensor;
  /** Σ_i r_ic x_i [k, d] (Rᵀ·X). */
  firstMoments: Tensor;
  /**
   * Diagonal: one tensor, Σ_i r_ic x_i² [k, d] (Rᵀ·X²). Full: Σ_i r_ic x_i x_iᵀ stacked by component,
   * [k·d, d], split into blocks of whole components (in order) when Z below would not fit one binding.
   */
  secondMoments: Tensor[];
}

/**
 * Sums the responsibility-weighted moments with matmuls. `squared` is X⊙X (diagonal covariances only).
 * The full case builds Z = [r_1 ⊙ X, …, r_k ⊙ X] [n, k·d] and takes Zᵀ·X, one block of components at a
 * time when Z would exceed the adapter's largest binding.
 */
export function sufficientStatistics(
  data: Tensor,
  squared: Tensor | null,
  responsibilities: Tensor,
  covariance: CovarianceType,
): SufficientStatistics {
  const engine = data.engine;
  const [points, dimension] = data.shape;
  const components = responsibilities.shape[1];
  const counts = sum(responsibilities, 0);
  const firstMoments = matmul(responsibilities, data, { transposeA: true });
  if (covariance === 'diagonal') {
    if (!squared) throw new Error('sufficientStatistics: diagonal covariances need the squared data (X⊙X).');
    return { counts, firstMoments, secondMoments: [matmul(responsibilities, squared, { transposeA: true })] };
  }
  const maxBytes = engine.limits.maxStorageBufferBindingSize;
  const block = Math.max(1, Math.min(components, Math.floor(maxBytes / (4 * points * dimension))));
  const secondMoments: Tensor[] = [];
  for (let first = 0; first < components; first += block) {
    const count = Math.min(block, components - first);
    const weighted = engine.empty([points, count * dimension]);
    const launch = perElementLaunch(points * count * dimension);
    const constants = {
      ...launch.constants,
      POINTS: points,
      DIMENSION: dimension,
      COMPONENTS: components,
      FIRST_COMPONENT: first,
      BLOCK_COMPONENTS: count,
    };
    engine.dispatch(weightedRowsKernel, constants, [data, responsibilities, weighted], launch.workgroups);
    secondMoments.push(matmul(weighted, data, { transposeA: true }));
    weighted.dispose();
  }
  return { counts, firstMoments, secondMoments };
}
