import { record } from '../../autograd/tape.js';
import { defineKernel, perElementLaunch, type KernelDefinition } from '../../kernels/kernel.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkScalarGradient } from './reduction.js';

/**
 * The kernels of a loss that is a sum of f(a[i], b[i]) over two same-shape inputs, all entry points of
 * one shader laid out the same way (see shaders/loss-bce.wgsl):
 * - `loss`: bindings (a, b, loss[1]); one workgroup of 256 reduces in a fixed order, so the result is
 *   the same on every run;
 * - `gradient_<a>`: (a, b, gradOutput[1], gradA), one invocation per element;
 * - `gradient_<a>_and_<b>`: (a, b, gradOutput[1], gradA, gradB).
 */
export interface ElementwiseLossKernels {
  loss: KernelDefinition;
  /** Null when the loss always needs both gradients (then `gradientBoth` is used). */
  gradientFirst: KernelDefinition | null;
  gradientBoth: KernelDefinition;
}

export function elementwiseLossKernels(name: string, source: string, firstName: string, secondName: string, firstOnly = true): ElementwiseLossKernels {
  return {
    loss: defineKernel({ name: `${name}:loss`, source, entryPoint: 'loss', bindings: ['read', 'read', 'write'] }),
    gradientFirst: firstOnly
      ? defineKernel({
          name: `${name}:gradient-${firstName}`,
          source,
          entryPoint: `gradient_${firstName}`,
          bindings: ['read', 'read', 'read', 'write'],
        })
      : null,
    gradientBoth: defineKernel({
      name: `${name}:gradient-${firstName}-and-${secondName}`,
      source,
      entryPoint: firstOnly ? `gradient_${firstName}_and_${secondName}` : 'gradient',
      bindings: ['read', 'read', 'read', 'write', 'write'],
    }),
  };
}

/**
 * Dispatches the loss kernel and records its gradient rule. `scale` (from the reduction) is a pipeline
 * constant; the incoming gradient stays on the GPU and is read by the gradient kernel.
 */
export function elementwiseLoss(op: string, kernels: ElementwiseLossKernels, first: Tensor, second: Tensor, scale: number): Tensor {
  const engine = first.engine;
  const output = engine.empty([1]);
  engine.dispatch(kernels.loss, { COUNT: first.size, SCALE: scale }, [first, second, output], [1, 1, 1]);
  return record(op, [first, second], output, (gradOutput, needed) => {
    checkScalarGradient(op, gradOutput);
    const launch = perElementLaunch(first.size);
    const constants = { ...launch.constants, SCALE: scale };
    const gradFirst = engine.empty(first.shape);
    if (!needed[1] && kernels.gradientFirst) {
      engine.dispatch(kernels.gradientFirst, constants, [first, second, gradOutput, gradFirst], launch.workgroups);
      return [gradFirst, null];
    }
    const gradSecond = engine.empty(second.shape);
    engine.dispatch(kernels.gradientBoth, constants, [first, second, gradOutput, gradFirst, gradSecond], launch.workgroups);
    if (!needed[0]) {
      gradFirst.dispose();
      return [null, gradSecond];
    }
    if (!needed[1]) {
      gradSecond.dispose();
      return [gradFirst, null];
    }
    return [gradFirst, gradSecond];
  });
}
