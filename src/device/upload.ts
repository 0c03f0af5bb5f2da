import type { Tensor } from '../tensor/tensor.js';

/**
 * `data` as the typed array `tensor`'s buffer takes, after checking that it fits: as many values as the
 * tensor holds, floats for f32 and unsigned 32-bit integers for u32. `op` names the caller in errors.
 */
export function typedDataFor(tensor: Tensor, data: ArrayLike<number>, op: string): Float32Array | Uint32Array {
  if (data.length !== tensor.size) {
    throw new Error(`${op}: ${data.length} values given for ${tensor.describe()}, which holds ${tensor.size}.`);
  }
  if (tensor.dtype === 'f32' && (data instanceof Uint32Array || data instanceof Int32Array)) {
    throw new Error(`${op}: integer data (${data.constructor.name}) given for f32 tensor ${tensor.describe()}; pass a Float32Array or number[].`);
  }
  if (tensor.dtype === 'u32' && data instanceof Float32Array) {
    throw new Error(`${op}: Float32Array given for u32 tensor ${tensor.describe()}; pass a Uint32Array of indices.`);
  }
  if (tensor.dtype === 'f32') return data instanceof Float32Array ? data : Float32Array.from(data);
  if (data instanceof Uint32Array) return data;
  for (let i = 0; i < data.length; i++) {
    const value = data[i];
    if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
      throw new Error(`${op}: value ${value} at index ${i} is not an unsigned 32-bit integer (u32 tensor ${tensor.describe()}).`);
    }
  }
  return Uint32Array.from(data);
}
