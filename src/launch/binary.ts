// Elementwise arithmetic of two tensors below the tape (no gradient): shaders/binary.wgsl under NumPy
// broadcasting. The differentiable add, sub, mul and div (src/ops/arithmetic.ts) and the tape's own
// gradient sums are built on it.
import { defineKernel, perElementLaunch, type KernelDefinition } from '../kernels/kernel.js';
import { wgslWithCodes, wgslWithLibrary } from '../kernels/wgsl-library.js';
import { requireFloat, requireSameEngine } from '../ops/checks.js';
import { broadcastShapes } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { broadcastLayout } from './broadcast.js';
import binaryWgsl from '../../shaders/binary.wgsl';

export type BinaryOp = 'add' | 'sub' | 'mul' | 'div';
type BinaryEntry = 'same4' | 'same' | 'broadcast4' | 'broadcast';

/** OP codes of shaders/binary.wgsl (which names them BINARY_ADD, ...). */
const BINARY_CODES: Record<BinaryOp, number> = { add: 0, sub: 1, mul: 2, div: 3 };

const binarySource = wgslWithLibrary(wgslWithCodes(binaryWgsl, 'BINARY', BINARY_CODES), 'broadcast-index');

function kernelsOf(op: BinaryOp): Record<BinaryEntry, KernelDefinition> {
  const kernel = (entryPoint: BinaryEntry) =>
    defineKernel({ name: `binary:${op}:${entryPoint}`, source: binarySource, entryPoint, bindings: ['read', 'read', 'write'] });
  return { same4: kernel('same4'), same: kernel('same'), broadcast4: kernel('broadcast4'), broadcast: kernel('broadcast') };
}
const KERNELS: Record<BinaryOp, Record<BinaryEntry, KernelDefinition>> = {
  add: kernelsOf('add'),
  sub: kernelsOf('sub'),
  mul: kernelsOf('mul'),
  div: kernelsOf('div'),
};

/** Records out = a (op) b under NumPy broadcasting, with no gradient. */
export function binary(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
  requireFloat(op, a, 'a');
  requireFloat(op, b, 'b');
  requireSameEngine(op, [a, b]);
  const shape = broadcastShapes(op, a.shape, b.shape);
  const engine = a.engine;
  const output = engine.empty(shape);
  const code = BINARY_CODES[op];
  if (a.size === output.size && b.size === output.size) {
    // Same elements in the same order (shapes may differ only by axes of size 1): no index arithmetic.
    const vectorised = output.size % 4 === 0;
    const launch = perElementLaunch(vectorised ? output.size / 4 : output.size);
    const kernel = KERNELS[op][vectorised ? 'same4' : 'same'];
    engine.dispatch(kernel, { ...launch.constants, OP: code }, [a, b, output], launch.workgroups);
    return output;
  }
  const layout = broadcastLayout(op, shape, [a.shape, b.shape]);
  const [D0, D1, D2, D3] = layout.dims;
  const [A0, A1, A2, A3] = layout.strides[0];
  const [B0, B1, B2, B3] = layout.strides[1];
  const vectorised = D3 % 4 === 0;
  const launch = perElementLaunch(vectorised ? output.size / 4 : output.size);
  const kernel = KERNELS[op][vectorised ? 'broadcast4' : 'broadcast'];
  const constants = { ...launch.constants, OP: code, D0, D1, D2, D3, A0, A1, A2, A3, B0, B1, B2, B3 };
  engine.dispatch(kernel, constants, [a, b, output], launch.workgroups);
  return output;
}
