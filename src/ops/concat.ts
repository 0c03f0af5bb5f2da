import { record } from '../autograd/tape.js';
import { defineKernel, perElementLaunch } from '../kernels/kernel.js';
import { formatShape, sizeOf } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import { normalizeAxis, requireFloat, requireSameEngine } from './checks.js';
import concatSource from '../../shaders/concat.wgsl';

const placeKernel = defineKernel({ name: 'concat:place', source: concatSource, entryPoint: 'place', bindings: ['read', 'write'] });
const takeKernel = defineKernel({ name: 'concat:take', source: concatSource, entryPoint: 'take', bindings: ['read', 'write'] });

/**
 * Joins tensors along `axis` (default the last); all other dimensions must match. [rows, a] and
 * [rows, b] give [rows, a + b]. The gradient splits back into the parts.
 */
export function concat(tensors: readonly Tensor[], axis = -1): Tensor {
  const op = 'concat';
  if (!Array.isArray(tensors as unknown) || tensors.length === 0) throw new Error(`${op}: give a non-empty array of tensors.`);
  tensors.forEach((tensor, i) => requireFloat(op, tensor, `tensor ${i}`));
  requireSameEngine(op, tensors);
  const first = tensors[0];
  const rank = first.shape.length;
  const at = normalizeAxis(op, axis, rank);
  for (const [i, tensor] of tensors.entries()) {
    const matches = tensor.shape.length === rank && tensor.shape.every((dim, d) => d === at || dim === first.shape[d]);
    if (!matches) {
      throw new Error(
        `${op}: tensor ${i} ${formatShape(tensor.shape)} does not match tensor 0 ${formatShape(first.shape)} ` +
          `outside axis ${at}; only the concatenation axis may differ.`,
      );
    }
  }

  const engine = first.engine;
  const after = sizeOf(first.shape.slice(at + 1));
  const shape = [...first.shape];
  shape[at] = tensors.reduce((total, tensor) => total + tensor.shape[at], 0);
  const output = engine.empty(shape);
  const total = shape[at] * after;
  // Each part is a [outer, inner] block of columns of the [outer, total] output.
  const parts: { inner: number; offset: number }[] = [];
  let offset = 0;
  for (const tensor of tensors) {
    const inner = tensor.shape[at] * after;
    parts.push({ inner, offset });
    const launch = perElementLaunch(tensor.size);
    engine.dispatch(placeKernel, { ...launch.constants, INNER: inner, TOTAL: total, OFFSET: offset }, [tensor, output], launch.workgroups);
    offset += inner;
  }

  return record(op, tensors, output, (gradOutput, needed) =>
    tensors.map((tensor, i) => {
      if (!needed[i]) return null;
      const gradient = engine.empty(tensor.shape);
      const launch = perElementLaunch(tensor.size);
      const constants = { ...launch.constants, INNER: parts[i].inner, TOTAL: total, OFFSET: parts[i].offset };
      engine.dispatch(takeKernel, constants, [gradOutput, gradient], launch.workgroups);
      return gradient;
    }),
  );
}
