import type { Tensor } from '../../tensor/tensor.js';
import source from '../../../shaders/losses/mse.wgsl';
import { elementwiseLoss, elementwiseLossKernels } from './elementwise-loss.js';
import { checkSameShape, reductionScale, type Reduction } from './reduction.js';

const kernels = elementwiseLossKernels('mse', source, 'prediction', 'target');

/** Squared error between prediction and target, reduced to [1] (the mean by default). */
export function mse(prediction: Tensor, target: Tensor, reduction: Reduction = 'mean'): Tensor {
  const op = 'mse';
  checkSameShape(op, 'prediction', prediction, 'target', target);
  return elementwiseLoss(op, kernels, prediction, target, reductionScale(op, reduction, prediction));
}
