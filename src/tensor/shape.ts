/** Shapes are plain arrays of positive integers (see checkShape), row-major, last axis fastest. */
export type Shape = readonly number[];

export function sizeOf(shape: Shape): number {
  let size = 1;
  for (const dim of shape) size *= dim;
  return size;
}

export function formatShape(shape: Shape): string {
  return `[${shape.join(', ')}]`;
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((dim, axis) => dim === b[axis]);
}

/** Throws a clear error unless `shape` is a list of positive integers. */
export function checkShape(op: string, shape: Shape): void {
  if (!Array.isArray(shape) || shape.some((dim) => !Number.isInteger(dim) || dim < 1)) {
    throw new Error(`${op}: shape ${JSON.stringify(shape)} is not a list of positive integers.`);
  }
}

/**
 * NumPy broadcasting: axes are aligned from the right, and a dimension of 1 stretches to the other's.
 * Throws naming the op and both shapes when they cannot broadcast.
 */
export function broadcastShapes(op: string, a: Shape, b: Shape): number[] {
  const rank = Math.max(a.length, b.length);
  const result: number[] = [];
  for (let i = 0; i < rank; i++) {
    const dimA = a[a.length - rank + i] ?? 1;
    const dimB = b[b.length - rank + i] ?? 1;
    if (dimA !== dimB && dimA !== 1 && dimB !== 1) {
      throw new Error(
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast (axis ${i} of the aligned shapes: ${dimA} vs ${dimB}).`,
      );
    }
    result.push(Math.max(dimA, dimB));
  }
  return result;
}

/** Row-major strides of `shape`, with 0 for broadcast axes when viewed inside `target`. */
export function broadcastStrides(shape: Shape, target: Shape): number[] {
  const strides = new Array<number>(target.length).fill(0);
  let stride = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    const axis = target.length - shape.length + i;
    strides[axis] = shape[i] === 1 && target[axis] !== 1 ? 0 : stride;
    stride *= shape[i];
  }
  return strides;
}
