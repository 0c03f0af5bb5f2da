import { record } from '../../autograd/tape.js';
import type { OpName } from '../../autograd/op-names.js';
import { defineKernel, perElementLaunch, type KernelDefinition } from '../../kernels/kernel.js';
import { wgslWithLibrary } from '../../kernels/wgsl-library.js';
import type { Tensor } from '../../tensor/tensor.js';
import { checkScalarGradient, LOSS_WORKGROUP_SIZE } from './reduction.js';

/**
 * The kernels of a loss that is a sum of f(a[i], b[i]) over two same-shape inputs. The loss's own WGSL
 * file holds only f and its derivatives; shaders/lib/elementwise-loss.wgsl, appended here, lays out the
 * entry points for all such losses:
 * - `loss`: bindings (a, b, loss[1]); one workgroup reduces in a fixed order, so the result is the same
 *   on every run;
 * - `gradient_first`: (a, b, gradOutput[1], gradA), one invocation per element;
 * - `gradient_both`: (a, b, gradOutput[1], gradA, gradB).
 */
export interface ElementwiseLossKernels {
  loss: KernelDefinition;
  gradientFirst: KernelDefinition;
  gradientBoth: KernelDefinition;
}

/** `source` is the loss's WGSL file, with any library snippets of its own already appended. */
export function elementwiseLossKernels(name: string, source: string, firstName: string, secondName: string): ElementwiseLossKernels {
  const fullSource = wgslWithLibrary(source, 'elementwise-loss', 'workgroup-sum');
  return {
    loss: defineKernel({ name: `${name}:loss`, source: fullSource, entryPoint: 'loss', bindings: ['read', 'read', 'write'] }),
    gradientFirst: defineKernel({
      name: `${name}:gradient-${firstName}`,
      source: fullSource,
      entryPoint: 'gradient_first',
      bindings: ['read', 'read', 'read', 'write'],
    }),
    gradientBoth: defineKernel({
      name: `${name}:gradient-${firstName}-and-${secondName}`,
      source: fullSource,
      entryPoint: 'gradient_both',
      bindings: ['read', 'read', 'read', 'write', 'write'],
    }),
  };
}

/**
 * Dispatches the loss kernel and records its gradient rule. `scale` (from the reduction) is a pipeline
 * constant; the incoming gradient stays on the GPU and is read by the gradient kernel.
 */
export function elementwiseLoss(op: OpName, kernels: ElementwiseLossKernels, first: Tensor, second: Tensor, scale: number): Tensor {
  const engine = first.engine;
  const output = engine.empty([1]);
  engine.dispatch(kernels.loss, { COUNT: first.size, SCALE: scale, WORKGROUP_SIZE: LOSS_WORKGROUP_SIZE }, [first, second, output], [1, 1, 1]);
  return record(op, [first, second], output, (gradOutput, needed) => {
    checkScalarGradient(op, gradOutput);
    const launch = perElementLaunch(first.size);
    const constants = { ...launch.constants, SCALE: scale };
    const gradFirst = engine.empty(first.shape);
    if (!needed[1]) {
      engine.dispatch(kernels.gradientFirst, constants, [first, second, gradOutput, gradFirst], launch.workgroups);
      return [gradFirst, null];
    }
    const gradSecond = engine.empty(second.shape);
    engine.dispatch(kernels.gradientBoth, constants, [first, second, gradOutput, gradFirst, gradSecond], launch.workgroups);
    if (!needed[0]) {
      gradFirst.dispose();
      return [null, gradSecond];
    }
    return [gradFirst, gradSecond];
  });
}
