import type { Tensor } from '../../tensor/tensor.js';
import source from '../../../shaders/losses/gaussian-kl.wgsl';
import { elementwiseLoss, elementwiseLossKernels } from './elementwise-loss.js';
import { checkSameShape, reductionScale, type Reduction } from './reduction.js';

const kernels = elementwiseLossKernels('gaussian-kl', source, 'mu', 'logvar');

/**
 * KL(N(mu, exp(logvar)) || N(0, I)) in closed form, 0.5 * Σ (mu² + exp(logvar) - 1 - logvar), reduced to
 * [1]. A VAE usually wants `batchMean`: summed over the code's dimensions, averaged over the batch.
 */
export function gaussianKl(mu: Tensor, logvar: Tensor, reduction: Reduction = 'mean'): Tensor {
  const op = 'gaussianKl';
  checkSameShape(op, 'mu', mu, 'logvar', logvar);
  return elementwiseLoss(op, kernels, mu, logvar, reductionScale(op, reduction, mu));
}
