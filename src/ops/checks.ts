import type { Tensor } from '../tensor/tensor.js';

/** Input checks shared by the ops; each error names the op and the offending tensor or value. */

export function requireFloat(op: string, tensor: Tensor, role = 'input'): void {
  if (tensor.dtype !== 'f32') {
    throw new Error(
      `${op}: ${role} ${tensor.describe()} holds u32 values, but this op works on f32 tensors ` +
        `(u32 is for indices and labels: turn them into f32 with oneHot or gatherRows).`,
    );
  }
}

export function requireIndices(op: string, tensor: Tensor, role = 'indices'): void {
  if (tensor.dtype !== 'u32') {
    throw new Error(`${op}: ${role} ${tensor.describe()} must be a u32 tensor (upload them as a Uint32Array).`);
  }
  if (tensor.shape.length !== 1) {
    throw new Error(`${op}: ${role} ${tensor.describe()} must be 1-D, one index per row.`);
  }
}

export function requireSameEngine(op: string, tensors: readonly Tensor[]): void {
  const engine = tensors[0].engine;
  const stranger = tensors.find((tensor) => tensor.engine !== engine);
  if (stranger) {
    throw new Error(
      `${op}: ${stranger.describe()} belongs to a different engine than ${tensors[0].describe()}; tensors of one op must share an engine.`,
    );
  }
}

/** A finite number for a value baked into a kernel as a constant. */
export function requireFinite(op: string, name: string, value: number): void {
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new Error(`${op}: ${name} must be a finite number, got ${String(value)}.`);
  }
}

/** Turns a possibly negative axis into 0..rank-1. */
export function normalizeAxis(op: string, axis: number, rank: number): number {
  if (!Number.isInteger(axis) || axis < -rank || axis >= rank) {
    throw new Error(`${op}: axis ${String(axis)} is out of range for a tensor of rank ${rank} (use ${-rank} to ${rank - 1}).`);
  }
  return axis < 0 ? axis + rank : axis;
}
