import { record } from '../autograd/tape.js';
import { binary } from '../launch/binary.js';
import type { Tensor } from '../tensor/tensor.js';
import { requireFinite } from './checks.js';
import { sumToShape } from './reduce.js';
import { mapElements } from './unary.js';

/** sumToShape, disposing the unreduced input when the reduction made a new tensor. */
function reduceTo(gradient: Tensor, input: Tensor): Tensor {
  const reduced = sumToShape(gradient, input.shape);
  if (reduced !== gradient) gradient.dispose();
  return reduced;
}

/** a + b with broadcasting. */
export function add(a: Tensor, b: Tensor): Tensor {
  const output = binary('add', a, b);
  return record('add', [a, b], output, (gradOutput, needed) => [
    needed[0] ? sumToShape(gradOutput, a.shape) : null,
    needed[1] ? sumToShape(gradOutput, b.shape) : null,
  ]);
}

/** a - b with broadcasting. */
export function sub(a: Tensor, b: Tensor): Tensor {
  const output = binary('sub', a, b);
  return record('sub', [a, b], output, (gradOutput, needed) => [
    needed[0] ? sumToShape(gradOutput, a.shape) : null,
    needed[1] ? reduceTo(mapElements('neg', gradOutput), b) : null,
  ]);
}

/** a · b elementwise, with broadcasting. */
export function mul(a: Tensor, b: Tensor): Tensor {
  const output = binary('mul', a, b);
  return record('mul', [a, b], output, (gradOutput, needed) => [
    needed[0] ? reduceTo(binary('mul', gradOutput, b), a) : null,
    needed[1] ? reduceTo(binary('mul', gradOutput, a), b) : null,
  ]);
}

/** a / b elementwise, with broadcasting (IEEE results for division by zero). */
export function div(a: Tensor, b: Tensor): Tensor {
  const output = binary('div', a, b);
  return record('div', [a, b], output, (gradOutput, needed) => {
    const gradA = needed[0] ? reduceTo(binary('div', gradOutput, b), a) : null;
    let gradB: Tensor | null = null;
    if (needed[1]) {
      // d(a/b)/db = -(a/b)/b: reuses the output instead of squaring b.
      const scaled = binary('mul', gradOutput, output);
      const quotient = binary('div', scaled, b);
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
