/** A PCA to bring codes wider than two dimensions down to two, for scatter plots. */

/** Projections of codes onto their two leading principal axes, and what they capture. */
export interface PrincipalComponents {
  /** n x 2, row-major: each code minus the mean, dotted with the two axes. */
  points: Float32Array;
  /** Unit vectors of length `dims`, largest variance first; each signed so that its largest entry is positive. */
  axes: [Float64Array, Float64Array];
  /** Variance of the codes along each axis (the covariance's two largest eigenvalues). */
  variances: [number, number];
  mean: Float64Array;
}

/**
 * The codes (n x dims, row-major) projected to 2-D by PCA, for plotting codes wider than two dimensions.
 * Codes of two dimensions are returned unchanged (a copy); one-dimensional codes get a zero second column.
 */
export function project2d(codes: Float32Array, dims: number): Float32Array {
  if (dims === 2) {
    checkCodes(codes, dims);
    return codes.slice();
  }
  if (dims === 1) {
    checkCodes(codes, dims);
    const points = new Float32Array(codes.length * 2);
    for (let i = 0; i < codes.length; i++) points[2 * i] = codes[i];
    return points;
  }
  return principalComponents(codes, dims).points;
}

/**
 * PCA on the CPU in float64: the covariance (O(n dims^2)), then subspace (block power) iteration on two
 * vectors from a fixed start, and a final 2x2 rotation to separate the two axes. Deterministic: the same
 * codes give the same picture, run after run. Subspace iteration converges even when the two leading
 * variances are equal, where single-vector power iteration would stall.
 */
export function principalComponents(codes: Float32Array, dims: number): PrincipalComponents {
  checkCodes(codes, dims);
  if (dims < 2) throw new Error(`principalComponents: dims is ${dims}; two axes need codes of at least 2 dimensions.`);
  const count = codes.length / dims;
  const mean = new Float64Array(dims);
  for (let i = 0; i < count; i++) for (let j = 0; j < dims; j++) mean[j] += codes[i * dims + j];
  for (let j = 0; j < dims; j++) mean[j] /= count;

  const covariance = new Float64Array(dims * dims);
  const centred = new Float64Array(dims);
  for (let i = 0; i < count; i++) {
    for (let j = 0; j < dims; j++) centred[j] = codes[i * dims + j] - mean[j];
    for (let j = 0; j < dims; j++) {
      const scaled = centred[j];
      if (scaled === 0) continue;
      const row = j * dims;
      for (let k = j; k < dims; k++) covariance[row + k] += scaled * centred[k];
    }
  }
  for (let j = 0; j < dims; j++) {
    for (let k = j; k < dims; k++) {
      covariance[j * dims + k] /= count;
      covariance[k * dims + j] = covariance[j * dims + k];
    }
  }
  const scale = Math.sqrt(covariance.reduce((total, value) => total + value * value, 0));

  // A fixed, irregular start that no eigenvector is orthogonal to except by a coincidence of measure zero.
  let basis: Float64Array[] = [0, 1].map((column) => Float64Array.from({ length: dims }, (_, j) => Math.sin(12.9898 * (j + 1) + 78.233 * (column + 1))));
  basis = orthonormalize(basis);
  if (scale > 0) {
    for (let iteration = 0; iteration < 2000; iteration++) {
      const product = basis.map((vector) => multiply(covariance, vector, dims));
      // Residual of the subspace: C V - V (V^T C V); zero once V spans the leading eigenvectors.
      let residual = 0;
      for (let a = 0; a < 2; a++) {
        const r = product[a].slice();
        for (let b = 0; b < 2; b++) {
          const coefficient = dot(basis[b], product[a]);
          for (let j = 0; j < dims; j++) r[j] -= coefficient * basis[b][j];
        }
        residual += dot(r, r);
      }
      basis = orthonormalize(product);
      if (Math.sqrt(residual) <= 1e-12 * scale) break;
    }
  }

  // Rayleigh-Ritz in the 2-D subspace: rotate so the first axis carries the larger variance.
  const c0 = multiply(covariance, basis[0], dims);
  const c1 = multiply(covariance, basis[1], dims);
  const h00 = dot(basis[0], c0);
  const h01 = dot(basis[0], c1);
  const h11 = dot(basis[1], c1);
  const angle = 0.5 * Math.atan2(2 * h01, h00 - h11);
  const cos = Math.cos(angle);
  const sin = Math.sin(angle);
  const axes = [
    basis[0].map((value, j) => cos * value + sin * basis[1][j]),
    basis[0].map((value, j) => -sin * value + cos * basis[1][j]),
  ] as [Float64Array, Float64Array];
  for (const axis of axes) {
    let largest = 0;
    for (let j = 1; j < dims; j++) if (Math.abs(axis[j]) > Math.abs(axis[largest]) + 1e-12) largest = j;
    if (axis[largest] < 0) for (let j = 0; j < dims; j++) axis[j] = -axis[j];
  }
  const variances = axes.map((axis) => dot(axis, multiply(covariance, axis, dims))) as [number, number];

  const points = new Float32Array(count * 2);
  for (let i = 0; i < count; i++) {
    let first = 0;
    let second = 0;
    for (let j = 0; j < dims; j++) {
      const value = codes[i * dims + j] - mean[j];
      first += value * axes[0][j];
      second += value * axes[1][j];
    }
    points[2 * i] = first;
    points[2 * i + 1] = second;
  }
  return { points, axes, variances, mean };
}

function checkCodes(codes: Float32Array, dims: number): void {
  if (!Number.isInteger(dims) || dims < 1) throw new Error(`project2d: dims is ${dims}; it must be a positive integer.`);
  if (codes.length === 0 || codes.length % dims !== 0) {
    throw new Error(`project2d: ${codes.length} values are not a whole number of ${dims}-dimensional codes; pass n x ${dims} values.`);
  }
}

function multiply(matrix: Float64Array, vector: Float64Array, dims: number): Float64Array {
  const out = new Float64Array(dims);
  for (let j = 0; j < dims; j++) {
    let total = 0;
    const row = j * dims;
    for (let k = 0; k < dims; k++) total += matrix[row + k] * vector[k];
    out[j] = total;
  }
  return out;
}

function dot(a: Float64Array, b: Float64Array): number {
  let total = 0;
  for (let j = 0; j < a.length; j++) total += a[j] * b[j];
  return total;
}

/**
 * Gram-Schmidt (applied twice, for accuracy). A vector that collapses (the covariance has rank below two)
 * is replaced by the unit basis vector least aligned with the ones before it, orthogonalised.
 */
function orthonormalize(vectors: Float64Array[]): Float64Array[] {
  const result: Float64Array[] = [];
  for (const original of vectors) {
    let vector = original.slice();
    for (let attempt = 0; ; attempt++) {
      const before = Math.sqrt(dot(vector, vector));
      for (let pass = 0; pass < 2; pass++) {
        for (const previous of result) {
          const coefficient = dot(previous, vector);
          for (let j = 0; j < vector.length; j++) vector[j] -= coefficient * previous[j];
        }
      }
      const norm = Math.sqrt(dot(vector, vector));
      if (norm > 1e-10 * before && norm > 0) {
        for (let j = 0; j < vector.length; j++) vector[j] /= norm;
        break;
      }
      if (attempt > vector.length) throw new Error('principalComponents: could not build an orthonormal basis (internal error).');
      vector = new Float64Array(vector.length);
      vector[(result.length + attempt) % vector.length] = 1;
    }
    result.push(vector);
  }
  return result;
}
