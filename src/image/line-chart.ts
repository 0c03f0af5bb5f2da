import { labelColor } from './label-colors.js';
import { createRaster, drawLine, drawText, fillCircle, textHeight, textWidth, type Raster, type Rgb } from './raster.js';
import { drawPlotFrame } from './plot-frame.js';

/**
 * Small multiples of line series: one panel per series, each on its own vertical scale (a reconstruction
 * BCE of ~150 and a discriminator loss of ~1.4 share no useful axis), all on one horizontal scale so that
 * panels line up. What the browser page draws on canvases, as a raster for PNG files.
 */

export interface ChartPoint {
  x: number;
  y: number;
}

export interface ChartSeries {
  name: string;
  /** In drawing order (ascending x for a curve); a non-finite y breaks the line there. */
  points: readonly ChartPoint[];
}

export interface LineChartOptions {
  /** Size of one panel in pixels. */
  panelWidth?: number;
  panelHeight?: number;
  /** Panels per row; by default 1 for up to 3 series, else 2. */
  columns?: number;
  /** The shared horizontal range; by default the points' smallest and largest x. */
  xRange?: readonly [number, number];
  /** Written under the middle of each panel's horizontal axis. */
  xLabel?: string;
}

/** One panel's place in the picture, and where its data go. */
export interface PanelLayout {
  /** The plot box in pixels: the frame is drawn on its edge, lines inside. */
  box: { x: number; y: number; width: number; height: number };
  xRange: [number, number];
  yRange: [number, number];
  /** Pixel position of a data point: the ranges' limits map to the frame's inner pixels. */
  toPixel(x: number, y: number): [number, number];
}

export interface LineChartLayout {
  width: number;
  height: number;
  panels: PanelLayout[];
}

const AXIS_COLOR: Rgb = [40, 40, 40];
const TEXT_COLOR: Rgb = [40, 40, 40];
/** Points get a dot of their own when there are this few, so that a one-point series (one epoch) shows. */
const MOST_DOTTED_POINTS = 40;
const PADDING = 6;
const TICK = 3;
/**
 * Room left of each box for its vertical limits, in characters: formatTick's longest usual labels
 * ('-2.5e+4', '-0.0123'). A fixed width lines the boxes of a column up, whatever their scales.
 */
const Y_LABEL_CHARACTERS = 7;

/** The geometry `drawLineChart` uses for these arguments; where the boxes are depends only on the options. */
export function lineChartLayout(series: readonly ChartSeries[], options: LineChartOptions = {}): LineChartLayout {
  const { panelWidth = 300, panelHeight = 130 } = options;
  if (series.length === 0) throw new Error('lineChart: no series to draw; pass at least one.');
  for (const [name, value, least] of [['panelWidth', panelWidth, 120], ['panelHeight', panelHeight, 60]] as const) {
    if (!Number.isInteger(value) || value < least) throw new Error(`lineChart: ${name} is ${value}; it must be a whole number of at least ${least} pixels.`);
  }
  const columns = options.columns ?? (series.length <= 3 ? 1 : 2);
  if (!Number.isInteger(columns) || columns < 1) throw new Error(`lineChart: columns is ${columns}; it must be a whole number of at least 1.`);
  const xRange = options.xRange ? checkedRange(options.xRange) : rangeOf(series.flatMap((one) => one.points.map((point) => point.x)));
  const glyph = textHeight();
  const panels = series.map((one, index) => {
    const left = (index % columns) * panelWidth;
    const top = Math.floor(index / columns) * panelHeight;
    const yRange = rangeOf(one.points.map((point) => point.y));
    // Title above the box, limits left of it and under it.
    const box = {
      x: left + PADDING + textWidth('0'.repeat(Y_LABEL_CHARACTERS)) + TICK + 2,
      y: top + PADDING + glyph + 4,
      width: 0,
      height: 0,
    };
    box.width = left + panelWidth - PADDING - box.x;
    box.height = top + panelHeight - PADDING - glyph - TICK - 2 - box.y;
    const [x0, x1] = xRange;
    const [y0, y1] = yRange;
    const toPixel = (x: number, y: number): [number, number] => [
      box.x + 1 + ((x - x0) / (x1 - x0)) * (box.width - 3),
      box.y + 1 + ((y1 - y) / (y1 - y0)) * (box.height - 3),
    ];
    return { box, xRange: [x0, x1] as [number, number], yRange, toPixel };
  });
  return { width: columns * panelWidth, height: Math.ceil(series.length / columns) * panelHeight, panels };
}

/**
 * Each series in its own framed panel, in the palette's colours: its name and latest value above, its
 * vertical limits at the left, the shared horizontal limits under it. Points outside `xRange` are clipped.
 */
export function drawLineChart(series: readonly ChartSeries[], options: LineChartOptions = {}): Raster {
  const layout = lineChartLayout(series, options);
  const raster = createRaster(layout.width, layout.height);
  series.forEach((one, index) => drawPanel(raster, one, layout.panels[index], labelColor(index), options.xLabel));
  return raster;
}

function drawPanel(raster: Raster, series: ChartSeries, panel: PanelLayout, color: Rgb, xLabel: string | undefined): void {
  const { box, xRange, yRange, toPixel } = panel;
  const glyph = textHeight();
  const latest = [...series.points].reverse().find((point) => Number.isFinite(point.y));
  const title = `${series.name}: ${latest ? formatValue(latest.y) : '-'}`;
  drawText(raster, title, box.x, box.y - glyph - 4, TEXT_COLOR);

  drawPlotFrame(raster, box, xRange, yRange, AXIS_COLOR);
  const bottom = box.y + box.height;
  if (xLabel) drawText(raster, xLabel, box.x + Math.round((box.width - textWidth(xLabel)) / 2), bottom + TICK + 1, TEXT_COLOR);

  const inside = (x: number) => x >= xRange[0] && x <= xRange[1];
  const dotted = series.points.length <= MOST_DOTTED_POINTS;
  let previous: [number, number] | null = null;
  for (const point of series.points) {
    if (!Number.isFinite(point.y) || !inside(point.x)) {
      previous = null;
      continue;
    }
    const [px, py] = toPixel(point.x, point.y).map(Math.round);
    if (previous) drawLine(raster, previous[0], previous[1], px, py, color);
    else drawLine(raster, px, py, px, py, color);
    if (dotted) fillCircle(raster, px + 0.5, py + 0.5, 1.5, color);
    previous = [px, py];
  }
}

/** The finite values' smallest and largest; one value v gets v +- 10 % (or +-1 at zero), none gets [0, 1]. */
function rangeOf(values: readonly number[]): [number, number] {
  let low = Infinity;
  let high = -Infinity;
  for (const value of values) {
    if (!Number.isFinite(value)) continue;
    low = Math.min(low, value);
    high = Math.max(high, value);
  }
  if (low === Infinity) return [0, 1];
  if (low === high) {
    const margin = Math.abs(low) * 0.1 || 1;
    return [low - margin, high + margin];
  }
  return [low, high];
}

function checkedRange([low, high]: readonly [number, number]): [number, number] {
  if (!(Number.isFinite(low) && Number.isFinite(high) && low < high)) {
    throw new Error(`lineChart: xRange is [${low}, ${high}]; it needs finite limits with low < high.`);
  }
  return [low, high];
}

/** A panel title's latest value: four significant digits, exponents only for very large or small values. */
function formatValue(value: number): string {
  const magnitude = Math.abs(value);
  if (magnitude !== 0 && (magnitude >= 1e5 || magnitude < 1e-3)) return value.toExponential(2);
  return String(Number(value.toPrecision(4)));
}
