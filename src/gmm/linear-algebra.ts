/**
 * The small dense float64 algebra the mixture needs on the CPU: k covariances of d×d are tiny next to
 * the n×k×d work on the GPU, so their factorisations stay here.
 */

/**
 * The lower Cholesky factor L of a symmetric positive-definite d×d matrix (row-major), Σ = L·Lᵀ, or
 * null when the matrix is not positive definite.
 */
export function cholesky(matrix: ArrayLike<number>, d: number): Float64Array | null {
  const factor = new Float64Array(d * d);
  for (let row = 0; row < d; row++) {
    for (let col = 0; col <= row; col++) {
      let value = matrix[row * d + col];
      for (let k = 0; k < col; k++) value -= factor[row * d + k] * factor[col * d + k];
      if (row === col) {
        if (!(value > 0)) return null;
        factor[row * d + row] = Math.sqrt(value);
      } else {
        factor[row * d + col] = value / factor[col * d + col];
      }
    }
  }
  return factor;
}

/** The inverse of a lower-triangular d×d matrix (row-major), itself lower triangular, by forward substitution. */
export function invertLower(lower: ArrayLike<number>, d: number): Float64Array {
  const inverse = new Float64Array(d * d);
  for (let col = 0; col < d; col++) {
    inverse[col * d + col] = 1 / lower[col * d + col];
    for (let row = col + 1; row < d; row++) {
      let value = 0;
      for (let k = col; k < row; k++) value -= lower[row * d + k] * inverse[k * d + col];
      inverse[row * d + col] = value / lower[row * d + row];
    }
  }
  return inverse;
}

/**
 * The Cholesky factor of `matrix`, adding `jitter`·I (growing tenfold) until it factors: a covariance
 * that rounding left barely indefinite still gets a usable factor. Returns the factor and the jitter used.
 */
export function choleskyWithJitter(matrix: Float64Array, d: number, jitter: number): { factor: Float64Array; added: number } {
  let factor = cholesky(matrix, d);
  if (factor) return { factor, added: 0 };
  let scale = 0;
  for (let i = 0; i < d; i++) scale = Math.max(scale, Math.abs(matrix[i * d + i]));
  let added = Math.max(jitter, 1e-12 * Math.max(scale, 1));
  const shifted = Float64Array.from(matrix);
  for (let attempt = 0; attempt < 30; attempt++) {
    for (let i = 0; i < d; i++) shifted[i * d + i] = matrix[i * d + i] + added;
    factor = cholesky(shifted, d);
    if (factor) return { factor, added };
    added *= 10;
  }
  throw new Error(`choleskyWithJitter: a ${d}×${d} covariance stayed indefinite after adding ${added}·I; the data hold NaN or Infinity?`);
}
