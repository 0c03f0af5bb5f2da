import { wgslWithLibrary } from '../../kernels/wgsl-library.js';
import type { Tensor } from '../../tensor/tensor.js';
import source from '../../../shaders/losses/bce-with-logits.wgsl';
import { elementwiseLoss, elementwiseLossKernels } from './elementwise-loss.js';
import { checkSameShape, reductionScale, type Reduction } from './reduction.js';

const kernels = elementwiseLossKernels('bce-with-logits', wgslWithLibrary(source, 'stable-math'), 'logits', 'targets');

/**
 * Binary cross-entropy between sigmoid(logits) and targets in [0, 1], computed from the logits so that
 * it stays finite for any logit: max(x, 0) - x*t + log1p(exp(-|x|)). Output [1].
 * Gradients: sigmoid(x) - t for the logits, -x for the targets.
 */
export function bceWithLogits(logits: Tensor, targets: Tensor, reduction: Reduction = 'mean'): Tensor {
  const op = 'bceWithLogits';
  checkSameShape(op, 'logits', logits, 'targets', targets);
  return elementwiseLoss(op, kernels, logits, targets, reductionScale(op, reduction, logits));
}
