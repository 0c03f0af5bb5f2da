import type { Engine } from '../device/engine.js';
import { fill } from '../launch/fill.js';
import type { Shape } from '../tensor/shape.js';
import type { Tensor } from '../tensor/tensor.js';

/**
 * Constant tensors (discriminator targets of 1 and 0) made once per shape and value and kept. One made
 * inside a captured step belongs to that capture and goes with it; it is then made again.
 */
export class ConstantCache {
  private readonly tensors = new Map<string, Tensor>();

  constructor(private readonly engine: Engine) {}

  get(shape: Shape, value: number): Tensor {
    const key = `${shape.join('x')}=${value}`;
    let tensor = this.tensors.get(key);
    if (!tensor || tensor.disposed) {
      tensor = this.engine.keep(fill(this.engine, shape, value));
      this.tensors.set(key, tensor);
    }
    return tensor;
  }
}
