import { record } from '../../autograd/tape.js';
import { defineKernel, perElementLaunch } from '../../kernels/kernel.js';
import { wgslWithLibrary } from '../../kernels/wgsl-library.js';
import { formatShape, sameShape } from '../../tensor/shape.js';
import type { Tensor } from '../../tensor/tensor.js';
import softmaxCrossEntropyWgsl from '../../../shaders/losses/softmax-cross-entropy.wgsl';
import { checkScalarGradient, LOSS_WORKGROUP_SIZE, type Reduction } from './reduction.js';

const name = 'softmax-cross-entropy';
const source = wgslWithLibrary(softmaxCrossEntropyWgsl, 'workgroup-sum');
const lossIndices = defineKernel({ name: `${name}:loss-indices`, source, entryPoint: 'loss_indices', bindings: ['read', 'read', 'write'] });
const lossProbabilities = defineKernel({
  name: `${name}:loss-probabilities`,
  source,
  entryPoint: 'loss_probabilities',
  bindings: ['read', 'read', 'write'],
});
const gradientIndices = defineKernel({
  name: `${name}:gradient-indices`,
  source,
  entryPoint: 'gradient_indices',
  bindings: ['read', 'read', 'read', 'write'],
});
const gradientProbabilities = defineKernel({
  name: `${name}:gradient-probabilities`,
  source,
  entryPoint: 'gradient_probabilities',
  bindings: ['read', 'read', 'read', 'write'],
});
const gradientProbabilitiesAndLabels = defineKernel({
  name: `${name}:gradient-probabilities-and-labels`,
  source,
  entryPoint: 'gradient_probabilities_and_labels',
  bindings: ['read', 'read', 'read', 'write', 'write'],
});

/**
 * Cross-entropy of softmax(logits) against labels, one value per row of logits [B, C], reduced over the
 * rows to [1]: the mean by default (`batchMean` is the same here), or the sum.
 * `labels` are class indices (u32 [B]; an index >= C makes the loss NaN) or probabilities / one-hot rows
 * (f32 [B, C], which also get a gradient). log-softmax is computed stably inside the kernel.
 */
export function softmaxCrossEntropy(logits: Tensor, labels: Tensor, reduction: Reduction = 'mean'): Tensor {
  const op = 'softmaxCrossEntropy';
  if (logits.dtype !== 'f32' || logits.shape.length !== 2) {
    throw new Error(`${op}: logits ${logits.describe()} must be f32 [batch, classes].`);
  }
  const [rows, classes] = logits.shape;
  const indexLabels = labels.dtype === 'u32';
  if (indexLabels ? !sameShape(labels.shape, [rows]) : !sameShape(labels.shape, logits.shape)) {
    throw new Error(
      `${op}: labels ${labels.describe()} do not fit logits ${formatShape(logits.shape)}: give class indices as u32 [${rows}] ` +
        `or probabilities / one-hot rows as f32 ${formatShape(logits.shape)}.`,
    );
  }
  if (reduction !== 'mean' && reduction !== 'sum' && reduction !== 'batchMean') {
    throw new Error(`${op}: unknown reduction '${String(reduction)}'; use 'mean', 'sum' or 'batchMean' (mean over rows).`);
  }
  const scale = reduction === 'sum' ? 1 : 1 / rows;
  const engine = logits.engine;
  const output = engine.empty([1]);
  const constants = { ROWS: rows, CLASSES: classes, SCALE: scale };
  const lossConstants = { ...constants, WORKGROUP_SIZE: LOSS_WORKGROUP_SIZE };
  engine.dispatch(indexLabels ? lossIndices : lossProbabilities, lossConstants, [logits, labels, output], [1, 1, 1]);

  return record(op, [logits, labels], output, (gradOutput, needed) => {
    checkScalarGradient(op, gradOutput);
    const launch = perElementLaunch(rows, 64);
    const gradientConstants = { ...constants, WORKGROUP_SIZE: launch.constants.WORKGROUP_SIZE, ROW_STRIDE: launch.constants.ROW_STRIDE };
    const gradLogits = engine.empty(logits.shape);
    if (indexLabels || !needed[1]) {
      const kernel = indexLabels ? gradientIndices : gradientProbabilities;
      engine.dispatch(kernel, gradientConstants, [logits, labels, gradOutput, gradLogits], launch.workgroups);
      return [gradLogits, null];
    }
    const gradLabels = engine.empty(labels.shape);
    engine.dispatch(gradientProbabilitiesAndLabels, gradientConstants, [logits, labels, gradOutput, gradLogits, gradLabels], launch.workgroups);
    return [gradLogits, gradLabels];
  });
}
