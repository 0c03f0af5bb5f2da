import { textHeight, textWidth } from './raster.js';

/** Where a scatter plot's box, axis limits, legend and title go, before anything is drawn. */

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
