import { createRaster, drawLine, drawText, fillCircle, fillRect, strokeRect, textHeight, textWidth, type Raster, type Rgb } from './raster.js';

/**
 * Scatter plots of 2-D codes coloured by class (the AAE paper's latent-space figures), and a PCA to bring
 * wider codes down to two dimensions.
 */

/** Tableau's ten categorical colours (matplotlib's tab10): distinct, and readable on white. */
export const LABEL_PALETTE: readonly Rgb[] = [
  [31, 119, 180], // blue
  [255, 127, 14], // orange
  [44, 160, 44], // green
  [214, 39, 40], // red
  [148, 103, 189], // purple
  [140, 86, 75], // brown
  [227, 119, 194], // pink
  [127, 127, 127], // gray
  [188, 189, 34], // olive
  [23, 190, 207], // cyan
];

/** Points without labels. */
export const UNLABELLED_COLOR: Rgb = [31, 119, 180];

/** The colour of class `label`; the palette repeats after ten classes. */
export function labelColor(label: number): Rgb {
  return LABEL_PALETTE[((label % LABEL_PALETTE.length) + LABEL_PALETTE.length) % LABEL_PALETTE.length];
}

export interface ScatterOptions {
  /** Width and height of the picture in pixels. */
  size?: number;
  /** Margin around everything, in pixels. */
  padding?: number;
  title?: string;
  /** Radius of each dot; by default smaller as the count grows. */
  pointRadius?: number;
  /**
   * Fixed axis limits (e.g. to compare epochs); by default the data's range plus a 5 % margin. With
   * `equalAspect` one of them may be widened about its centre; the range given is always in view.
   */
  range?: { x: readonly [number, number]; y: readonly [number, number] };
  /** One data unit the same length on both axes, so a circular prior looks circular. Default true. */
  equalAspect?: boolean;
}

/** Where a scatter's plot box sits and how data coordinates map into it. */
export interface ScatterLayout {
  /** The plot box in pixels: the frame is drawn on its edge, points inside. */
  box: { x: number; y: number; width: number; height: number };
  xRange: [number, number];
  yRange: [number, number];
  /** Pixel position (continuous) of a data point; y grows upwards in data, downwards in pixels. */
  toPixel(x: number, y: number): [number, number];
  textScale: number;
  /** The labels present, ascending, as the legend lists them (empty without labels). */
  legend: number[];
  legendX: number;
  titleY: number;
}

const AXIS_COLOR: Rgb = [40, 40, 40];
const ZERO_LINE_COLOR: Rgb = [215, 215, 215];

/**
 * A scatter of `points` (n x 2, row-major) coloured by `labels` (one per point; null for one colour), with a
 * framed plot box, its limits written at the ends of each axis, a legend of the classes present and an
 * optional title. Non-finite points are skipped. Points are drawn in the order given, so later ones cover
 * earlier ones: shuffle first if the classes are sorted.
 */
export function latentScatter(points: Float32Array, labels: ArrayLike<number> | null, options: ScatterOptions = {}): Raster {
  const layout = scatterLayout(points, labels, options);
  const size = options.size ?? 600;
  const raster = createRaster(size, size);
  const { box, textScale } = layout;
  const count = points.length / 2;

  // Light lines through the origin, when it is in view: priors are centred there.
  const [originX, originY] = layout.toPixel(0, 0).map(Math.floor);
  if (originX > box.x && originX < box.x + box.width - 1) drawLine(raster, originX, box.y + 1, originX, box.y + box.height - 2, ZERO_LINE_COLOR);
  if (originY > box.y && originY < box.y + box.height - 1) drawLine(raster, box.x + 1, originY, box.x + box.width - 2, originY, ZERO_LINE_COLOR);

  const radius = options.pointRadius ?? (count <= 1000 ? 2.5 : count <= 5000 ? 2 : 1.5);
  for (let i = 0; i < count; i++) {
    const x = points[2 * i];
    const y = points[2 * i + 1];
    if (!Number.isFinite(x) || !Number.isFinite(y)) continue;
    // Points beyond fixed limits are not drawn.
    if (x < layout.xRange[0] || x > layout.xRange[1] || y < layout.yRange[0] || y > layout.yRange[1]) continue;
    const [px, py] = layout.toPixel(x, y);
    fillCircle(raster, px, py, radius, labels ? labelColor(labels[i]) : UNLABELLED_COLOR);
  }
  // Dots near the edge may spill past the frame: clear the margins, then draw the frame over the edge.
  const white: Rgb = [255, 255, 255];
  fillRect(raster, 0, 0, size, box.y, white);
  fillRect(raster, 0, box.y + box.height, size, size - box.y - box.height, white);
  fillRect(raster, 0, 0, box.x, size, white);
  fillRect(raster, box.x + box.width, 0, size - box.x - box.width, size, white);
  drawAxes(raster, layout);
  drawLegend(raster, layout, size);
  if (options.title) {
    // A long title is drawn smaller rather than cut off at the edges.
    let titleScale = textScale;
    while (titleScale > 1 && textWidth(options.title, titleScale) > size - 8) titleScale--;
    drawText(raster, options.title, Math.max(0, Math.round((size - textWidth(options.title, titleScale)) / 2)), layout.titleY, AXIS_COLOR, titleScale);
  }
  return raster;
}

/** The geometry `latentScatter` uses for these arguments (exported for tests and for overlays). */
export function scatterLayout(points: Float32Array, labels: ArrayLike<number> | null, options: ScatterOptions = {}): ScatterLayout {
  const { size = 600, title, equalAspect = true } = options;
  if (!Number.isInteger(size) || size < 100) throw new Error(`latentScatter: size is ${size}; it must be an integer of at least 100 pixels.`);
  if (points.length % 2 !== 0) throw new Error(`latentScatter: points has ${points.length} values; pass n x 2 (x, y pairs). For wider codes use project2d first.`);
  const count = points.length / 2;
  if (labels && labels.length !== count) throw new Error(`latentScatter: ${labels.length} labels for ${count} points; pass one label per point or null.`);
  const textScale = size >= 400 ? 2 : 1;
  const padding = options.padding ?? Math.round(size / 40);
  if (!Number.isInteger(padding) || padding < 0) throw new Error(`latentScatter: padding is ${padding}; it must be a non-negative integer.`);

  let xRange: [number, number];
  let yRange: [number, number];
  if (options.range) {
    xRange = [...options.range.x];
    yRange = [...options.range.y];
    for (const [name, [low, high]] of [['x', xRange], ['y', yRange]] as const) {
      if (!(Number.isFinite(low) && Number.isFinite(high) && low < high)) {
        throw new Error(`latentScatter: range.${name} is [${low}, ${high}]; it needs finite limits with low < high.`);
      }
    }
  } else {
    xRange = paddedRange(points, 0);
    yRange = paddedRange(points, 1);
  }

  const legend = labels ? [...new Set(Array.from(labels))].sort((a, b) => a - b) : [];
  const glyph = textHeight(textScale);
  const yTickWidth = Math.max(textWidth(formatTick(yRange[0]), textScale), textWidth(formatTick(yRange[1]), textScale));
  const legendWidth = legend.length > 0 ? Math.max(...legend.map((label) => textWidth(String(label), textScale))) + glyph + 3 * textScale + 2 * padding : 0;
  const left = padding + yTickWidth + 2 * textScale + 4;
  const top = padding + (title ? glyph + padding : 0);
  const right = size - padding - legendWidth;
  const bottom = size - padding - glyph - 4;
  const box = { x: left, y: top, width: right - left, height: bottom - top };
  if (box.width < 40 || box.height < 40) throw new Error(`latentScatter: size ${size} leaves no room to plot; make it larger or the padding smaller.`);

  if (equalAspect) {
    // Widen the narrower range about its centre until a data unit is as long in x as in y.
    const inside = { width: box.width - 2, height: box.height - 2 };
    const unitsPerPixel = Math.max((xRange[1] - xRange[0]) / inside.width, (yRange[1] - yRange[0]) / inside.height);
    xRange = widen(xRange, unitsPerPixel * inside.width);
    yRange = widen(yRange, unitsPerPixel * inside.height);
  }
  const [x0, x1] = xRange;
  const [y0, y1] = yRange;
  // The limits map to the inner edges of the frame, so the inside of the frame is exactly the range.
  const toPixel = (x: number, y: number): [number, number] => [
    box.x + 1 + ((x - x0) / (x1 - x0)) * (box.width - 2),
    box.y + 1 + ((y1 - y) / (y1 - y0)) * (box.height - 2),
  ];
  return { box, xRange, yRange, toPixel, textScale, legend, legendX: right + padding, titleY: padding };
}

function drawAxes(raster: Raster, layout: ScatterLayout): void {
  const { box, xRange, yRange, textScale } = layout;
  strokeRect(raster, box.x, box.y, box.width, box.height, AXIS_COLOR);
  const tick = 3 * textScale;
  const bottom = box.y + box.height;
  // x: limits under the two ends of the bottom edge, kept inside the picture.
  const xLow = formatTick(xRange[0]);
  const xHigh = formatTick(xRange[1]);
  drawLine(raster, box.x, bottom, box.x, bottom + tick - 1, AXIS_COLOR);
  drawLine(raster, box.x + box.width - 1, bottom, box.x + box.width - 1, bottom + tick - 1, AXIS_COLOR);
  drawText(raster, xLow, box.x, bottom + tick + 1, AXIS_COLOR, textScale);
  drawText(raster, xHigh, box.x + box.width - textWidth(xHigh, textScale), bottom + tick + 1, AXIS_COLOR, textScale);
  // y: limits left of the two ends of the left edge, right-aligned.
  const yLow = formatTick(yRange[0]);
  const yHigh = formatTick(yRange[1]);
  drawLine(raster, box.x - tick, box.y, box.x - 1, box.y, AXIS_COLOR);
  drawLine(raster, box.x - tick, bottom - 1, box.x - 1, bottom - 1, AXIS_COLOR);
  drawText(raster, yHigh, box.x - tick - 2 - textWidth(yHigh, textScale), box.y, AXIS_COLOR, textScale);
  drawText(raster, yLow, box.x - tick - 2 - textWidth(yLow, textScale), bottom - textHeight(textScale), AXIS_COLOR, textScale);
}

function drawLegend(raster: Raster, layout: ScatterLayout, size: number): void {
  const { legend, textScale, box } = layout;
  const glyph = textHeight(textScale);
  const lineHeight = glyph + 4 * textScale;
  const radius = glyph / 2;
  let y = box.y + 2 * textScale;
  for (let index = 0; index < legend.length; index++) {
    if (y + lineHeight > size) {
      // More classes than rows: say so rather than silently dropping them.
      drawText(raster, '...', layout.legendX, y, AXIS_COLOR, textScale);
      return;
    }
    const label = legend[index];
    fillCircle(raster, layout.legendX + radius, y + radius, radius, labelColor(label));
    drawText(raster, String(label), layout.legendX + glyph + 3 * textScale, y, AXIS_COLOR, textScale);
    y += lineHeight;
  }
}

/** The data's range on one axis plus 5 % on each side; a single value gets +-1. */
function paddedRange(points: Float32Array, axis: 0 | 1): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (let i = axis; i < points.length; i += 2) {
    const value = points[i];
    if (!Number.isFinite(value)) continue;
    if (value < low) low = value;
    if (value > high) high = value;
  }
  if (low === Infinity) return [-1, 1];
  if (low === high) return [low - 1, high + 1];
  const margin = 0.05 * (high - low);
  return [low - margin, high + margin];
}

function widen([low, high]: [number, number], span: number): [number, number] {
  const centre = (low + high) / 2;
  return [centre - span / 2, centre + span / 2];
}

/** Short labels for axis limits: three significant digits, exponents only for very large or small values. */
export function formatTick(value: number): string {
  if (value === 0 || Object.is(value, -0)) return '0';
  const magnitude = Math.abs(value);
  if (magnitude >= 1e4 || magnitude < 1e-3) return value.toExponential(1);
  if (magnitude >= 100) return value.toFixed(0);
  return String(Number(value.toPrecision(3)));
}

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
