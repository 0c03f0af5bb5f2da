import { defineKernel, perElementLaunch } from '../kernels/kernel.js';
import type { Tensor } from '../tensor/tensor.js';
import { requireIndices } from './checks.js';
import oneHotSource from '../../shaders/one-hot.wgsl';

const oneHotKernel = defineKernel({ name: 'oneHot', source: oneHotSource, bindings: ['read', 'write'] });

/**
 * f32 [B, classes] with a 1 at each row's label (u32 [B]) and 0 elsewhere; a label >= classes gives a
 * row of zeros. Labels are data, so there is no gradient.
 */
export function oneHot(labels: Tensor, classes: number): Tensor {
  requireIndices('oneHot', labels, 'labels');
  if (!Number.isInteger(classes) || classes < 1) {
    throw new Error(`oneHot: classes must be a positive integer, got ${String(classes)}.`);
  }
  const engine = labels.engine;
  const output = engine.empty([labels.size, classes]);
  const launch = perElementLaunch(output.size);
  engine.dispatch(oneHotKernel, { ...launch.constants, CLASSES: classes }, [labels, output], launch.workgroups);
  return output;
}
