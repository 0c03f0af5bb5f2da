import { createRaster, drawText, fillRect, textHeight, textWidth, type Raster, type Rgb } from './raster.js';

/**
 * Grids of small grayscale images (MNIST digits, samples, reconstructions) as one RGB raster.
 * Images come as one Float32Array of n x height x width intensities in [0, 1], row-major, as the
 * decoder's sigmoid output reads back from the GPU. Values outside [0, 1] are clamped; NaN and
 * infinities are painted magenta so a diverged model is visible at a glance.
 */
export interface GridOptions {
  /** Rows of the grid; by default enough for every image. */
  rows?: number;
  /** Columns of the grid; by default about the square root of the count. */
  columns?: number;
  /** Size of one image in pixels before scaling (28 x 28 for MNIST). */
  height?: number;
  width?: number;
  /** Pixels between images and around the edge. */
  padding?: number;
  /** Each image pixel becomes a `scale` x `scale` square. */
  scale?: number;
  /** The colour of the padding and of empty cells. */
  background?: Rgb;
}

/** Distinct from both black digits' background and white strokes. */
export const GRID_BACKGROUND: Rgb = [110, 110, 110];
const NOT_FINITE: Rgb = [255, 0, 255];

interface CellLayout {
  height: number;
  width: number;
  padding: number;
  scale: number;
  background: Rgb;
  /** Pixels of one image after scaling. */
  cellHeight: number;
  cellWidth: number;
}

/**
 * Lays images out row by row, `columns` to a row. When rows x columns is less than the count, only the
 * first rows x columns images are shown; extra cells stay empty.
 */
export function imageGrid(images: Float32Array, options: GridOptions = {}): Raster {
  const layout = cellLayout('imageGrid', options);
  const count = imageCount('imageGrid', images, layout);
  const { rows, columns } = gridShape('imageGrid', count, options);
  const { padding, cellWidth, cellHeight } = layout;
  const raster = createRaster(padding + columns * (cellWidth + padding), padding + rows * (cellHeight + padding), layout.background);
  for (let index = 0; index < Math.min(count, rows * columns); index++) {
    const row = Math.floor(index / columns);
    const column = index % columns;
    paintImage(raster, images, index, layout, padding + column * (cellWidth + padding), padding + row * (cellHeight + padding));
  }
  return raster;
}

/**
 * Reconstructions: pairs of columns, the input on the left and its reconstruction on the right, with a
 * wider gap between pairs than within one. `columns` counts pairs per row.
 */
export function sideBySide(inputs: Float32Array, outputs: Float32Array, options: GridOptions = {}): Raster {
  const layout = cellLayout('sideBySide', options);
  const count = imageCount('sideBySide', inputs, layout);
  const outputCount = imageCount('sideBySide', outputs, layout);
  if (outputCount !== count) {
    throw new Error(`sideBySide: ${count} inputs but ${outputCount} outputs; pass one reconstruction per input.`);
  }
  const shape = gridShape('sideBySide', count, { ...options, columns: options.columns ?? Math.max(1, Math.ceil(Math.sqrt(count / 2))) });
  const { padding, cellWidth, cellHeight } = layout;
  const pairGap = Math.max(2 * padding, padding + 4);
  const pairWidth = 2 * cellWidth + padding;
  const raster = createRaster(
    2 * padding + shape.columns * pairWidth + (shape.columns - 1) * pairGap,
    padding + shape.rows * (cellHeight + padding),
    layout.background,
  );
  for (let index = 0; index < Math.min(count, shape.rows * shape.columns); index++) {
    const x = padding + (index % shape.columns) * (pairWidth + pairGap);
    const y = padding + Math.floor(index / shape.columns) * (cellHeight + padding);
    paintImage(raster, inputs, index, layout, x, y);
    paintImage(raster, outputs, index, layout, x + cellWidth + padding, y);
  }
  return raster;
}

export interface LabelledGridOptions extends GridOptions {
  /** Column headings; by default the digits '0' to '9'. Their count fixes the number of columns. */
  labels?: readonly string[];
  /** The headings' colour; by default white or black, whichever reads better on the background. */
  textColor?: Rgb;
}

/**
 * The supervised AAE's style/content picture: each row keeps one style code, each column one class, under
 * a header row naming the classes. `images` holds rows x labels.length images, row after row.
 */
export function styleContentGrid(images: Float32Array, options: LabelledGridOptions = {}): Raster {
  const labels = options.labels ?? ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];
  if (labels.length === 0) throw new Error('styleContentGrid: labels is empty; give one heading per column.');
  const layout = cellLayout('styleContentGrid', options);
  const count = imageCount('styleContentGrid', images, layout);
  const columns = labels.length;
  if (options.columns !== undefined && options.columns !== columns) {
    throw new Error(`styleContentGrid: columns is ${options.columns} but there are ${columns} labels; the labels fix the columns.`);
  }
  const rows = options.rows ?? Math.ceil(count / columns);
  if (options.rows === undefined && count % columns !== 0) {
    throw new Error(`styleContentGrid: ${count} images do not fill rows of ${columns} (one per label); pass rows x ${columns} images.`);
  }
  const { padding, cellWidth, cellHeight } = layout;
  const textScale = Math.max(1, Math.floor(Math.min(cellWidth, cellHeight) / 14));
  const headerHeight = textHeight(textScale) + 2 * padding + 6;
  const width = padding + columns * (cellWidth + padding);
  const raster = createRaster(width, headerHeight + rows * (cellHeight + padding), layout.background);
  const textColor = options.textColor ?? readableOn(layout.background);
  labels.forEach((label, column) => {
    const x = padding + column * (cellWidth + padding) + Math.floor((cellWidth - textWidth(label, textScale)) / 2);
    drawText(raster, label, x, padding + 3, textColor, textScale);
  });
  for (let index = 0; index < Math.min(count, rows * columns); index++) {
    const x = padding + (index % columns) * (cellWidth + padding);
    const y = headerHeight + Math.floor(index / columns) * (cellHeight + padding);
    paintImage(raster, images, index, layout, x, y);
  }
  return raster;
}

function cellLayout(caller: string, options: GridOptions): CellLayout {
  const { height = 28, width = 28, padding = 2, scale = 1, background = GRID_BACKGROUND } = options;
  for (const [name, value, least] of [['height', height, 1], ['width', width, 1], ['scale', scale, 1], ['padding', padding, 0]] as const) {
    if (!Number.isInteger(value) || value < least) throw new Error(`${caller}: ${name} is ${value}; it must be an integer >= ${least}.`);
  }
  return { height, width, padding, scale, background, cellHeight: height * scale, cellWidth: width * scale };
}

function imageCount(caller: string, images: Float32Array, { height, width }: CellLayout): number {
  if (images.length === 0 || images.length % (height * width) !== 0) {
    throw new Error(
      `${caller}: ${images.length} values are not a whole number of ${height}x${width} images; pass n x ${height * width} values (or set height and width).`,
    );
  }
  return images.length / (height * width);
}

function gridShape(caller: string, count: number, options: GridOptions): { rows: number; columns: number } {
  for (const name of ['rows', 'columns'] as const) {
    const value = options[name];
    if (value !== undefined && (!Number.isInteger(value) || value < 1)) throw new Error(`${caller}: ${name} is ${value}; it must be a positive integer.`);
  }
  const columns = options.columns ?? (options.rows !== undefined ? Math.ceil(count / options.rows) : Math.ceil(Math.sqrt(count)));
  const rows = options.rows ?? Math.ceil(count / columns);
  return { rows, columns };
}

/** Paints image `index` as gray levels with its top-left corner at (x, y). */
function paintImage(raster: Raster, images: Float32Array, index: number, layout: CellLayout, x: number, y: number): void {
  const { height, width, scale } = layout;
  const offset = index * height * width;
  for (let row = 0; row < height; row++) {
    for (let column = 0; column < width; column++) {
      const value = images[offset + row * width + column];
      let color: Rgb;
      if (Number.isFinite(value)) {
        const level = Math.round(Math.min(1, Math.max(0, value)) * 255);
        color = [level, level, level];
      } else {
        color = NOT_FINITE;
      }
      fillRect(raster, x + column * scale, y + row * scale, scale, scale, color);
    }
  }
}

function readableOn(background: Rgb): Rgb {
  const luminance = 0.299 * background[0] + 0.587 * background[1] + 0.114 * background[2];
  return luminance < 140 ? [255, 255, 255] : [0, 0, 0];
}
