import { record } from '../autograd/tape.js';
import { defineKernel, perElementLaunch, type KernelDefinition } from '../kernels/kernel.js';
import { wgslWithLibrary } from '../kernels/wgsl-library.js';
import { broadcastShapes } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { broadcastLayout } from './broadcast.js';
import { requireFinite, requireFloat, requireSameEngine } from './checks.js';
import { sumToShape } from './reduce.js';
import { mapElements } from './unary.js';
import binaryWgsl from '../../shaders/binary.wgsl';

const binarySource = wgslWithLibrary(binaryWgsl, 'broadcast-index');

type BinaryOp = 'add' | 'sub' | 'mul' | 'div';
type BinaryEntry = 'same4' | 'same' | 'broadcast4' | 'broadcast';

/** OP codes of shaders/binary.wgsl. */
const BINARY_CODES: Record<BinaryOp, number> = { add: 0, sub: 1, mul: 2, div: 3 };

const kernels = new Map<string, KernelDefinition>();

function binaryKernel(op: BinaryOp, entryPoint: BinaryEntry): KernelDefinition {
  const name = `binary:${op}:${entryPoint}`;
  let kernel = kernels.get(name);
  if (!kernel) {
    kernel = defineKernel({ name, source: binarySource, entryPoint, bindings: ['read', 'read', 'write'] });
    kernels.set(name, kernel);
  }
  return kernel;
}

/** Records out = a (op) b under NumPy broadcasting, with no gradient. */
function elementwise(op: BinaryOp, a: Tensor, b: Tensor): Tensor {
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
    const kernel = binaryKernel(op, vectorised ? 'same4' : 'same');
    engine.dispatch(kernel, { ...launch.constants, OP: code }, [a, b, output], launch.workgroups);
    return output;
  }
  const layout = broadcastLayout(op, shape, [a.shape, b.shape]);
  const [D0, D1, D2, D3] = layout.dims;
  const [A0, A1, A2, A3] = layout.strides[0];
  const [B0, B1, B2, B3] = layout.strides[1];
  const vectorised = D3 % 4 === 0;
  const launch = perElementLaunch(vectorised ? output.size / 4 : output.size);
  const kernel = binaryKernel(op, vectorised ? 'broadcast4' : 'broadcast');
  const constants = { ...launch.constants, OP: code, D0, D1, D2, D3, A0, A1, A2, A3, B0, B1, B2, B3 };
  engine.dispatch(kernel, constants, [a, b, output], launch.workgroups);
  return output;
}

/** sumToShape, disposing the unreduced input when the reduction made a new tensor. */
function reduceTo(gradient: Tensor, input: Tensor): Tensor {
  const reduced = sumToShape(gradient, input.shape);
  if (reduced !== gradient) gradient.dispose();
  return reduced;
}

/** a + b with broadcasting. */
export function add(a: Tensor, b: Tensor): Tensor {
  const output = elementwise('add', a, b);
  return record('add', [a, b], output, (gradOutput, needed) => [
    needed[0] ? sumToShape(gradOutput, a.shape) : null,
    needed[1] ? sumToShape(gradOutput, b.shape) : null,
  ]);
}

/** a - b with broadcasting. */
export function sub(a: Tensor, b: Tensor): Tensor {
  const output = elementwise('sub', a, b);
  return record('sub', [a, b], output, (gradOutput, needed) => [
    needed[0] ? sumToShape(gradOutput, a.shape) : null,
    needed[1] ? reduceTo(mapElements('neg', gradOutput), b) : null,
  ]);
}

/** a · b elementwise, with broadcasting. */
export function mul(a: Tensor, b: Tensor): Tensor {
  const output = elementwise('mul', a, b);
  return record('mul', [a, b], output, (gradOutput, needed) => [
    needed[0] ? reduceTo(elementwise('mul', gradOutput, b), a) : null,
    needed[1] ? reduceTo(elementwise('mul', gradOutput, a), b) : null,
  ]);
}

/** a / b elementwise, with broadcasting (IEEE results for division by zero). */
export function div(a: Tensor, b: Tensor): Tensor {
  const output = elementwise('div', a, b);
  return record('div', [a, b], output, (gradOutput, needed) => {
    const gradA = needed[0] ? reduceTo(elementwise('div', gradOutput, b), a) : null;
    let gradB: Tensor | null = null;
    if (needed[1]) {
      // d(a/b)/db = -(a/b)/b: reuses the output instead of squaring b.
      const scaled = elementwise('mul', gradOutput, output);
      const quotient = elementwise('div', scaled, b);
      scaled.dispose();
      gradB = reduceTo(mapElements('neg', quotient), b);
      quotient.dispose();
    }
    return [gradA, gradB];
  });
}

export function neg(a: Tensor): Tensor {
  const output = mapElements('neg', a);
  return record('neg', [a], output, (gradOutput) => [mapElements('neg', gradOutput)]);
}

/** a + s for a number s, baked into the kernel as a constant (each distinct s builds a pipeline). */
export function addScalar(a: Tensor, s: number): Tensor {
  requireFinite('addScalar', 'the scalar', s);
  const output = mapElements('addScalar', a, s);
  return record('addScalar', [a], output, (gradOutput) => [gradOutput]);
}

/** a · s for a number s, baked into the kernel as a constant (each distinct s builds a pipeline). */
export function mulScalar(a: Tensor, s: number): Tensor {
  requireFinite('mulScalar', 'the scalar', s);
  const output = mapElements('mulScalar', a, s);
  return record('mulScalar', [a], output, (gradOutput) => [mapElements('mulScalar', gradOutput, s)]);
}
