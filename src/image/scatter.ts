import { createRaster, drawLine, drawText, fillCircle, fillRect, textHeight, textWidth, type Raster, type Rgb } from './raster.js';
import { drawPlotFrame } from './plot-frame.js';
import { labelColor, UNLABELLED_COLOR } from './label-colors.js';
import { scatterLayout, type ScatterLayout, type ScatterOptions } from './scatter-layout.js';

/** Scatter plots of 2-D codes coloured by class (the AAE paper's latent-space figures). */

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

function drawAxes(raster: Raster, layout: ScatterLayout): void {
  drawPlotFrame(raster, layout.box, layout.xRange, layout.yRange, AXIS_COLOR, { textScale: layout.textScale, xTicks: true });
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
