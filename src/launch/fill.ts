import type { Engine } from '../device/engine.js';
import { defineKernel, perElementLaunch } from '../kernels/kernel.js';
import type { Shape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';
import fillSource from '../../shaders/fill.wgsl';

const fillKernel = defineKernel({ name: 'fill', source: fillSource, bindings: ['write'] });

/** A new f32 tensor with every element `value`. Constants, so no gradient. */
export function fill(engine: Engine, shape: Shape, value: number): Tensor {
  const output = engine.empty(shape);
  const launch = perElementLaunch(output.size);
  engine.dispatch(fillKernel, { ...launch.constants, VALUE: value }, [output], launch.workgroups);
  return output;
}

export function zeros(engine: Engine, shape: Shape): Tensor {
  return fill(engine, shape, 0);
}

export function ones(engine: Engine, shape: Shape): Tensor {
  return fill(engine, shape, 1);
}

/** A new tensor with the same contents (no gradient flows through a copy). */
export function copy(source: Tensor): Tensor {
  const output = source.engine.empty(source.shape, source.dtype);
  source.engine.copy(source, output);
  return output;
}
