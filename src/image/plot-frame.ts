import { drawLine, drawText, strokeRect, textHeight, textWidth, type Raster, type Rgb } from './raster.js';
import { formatTick } from './scatter-layout.js';

/** A plot's box in pixels: the frame is drawn on its edge, the data inside. */
export interface PlotBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * A plot's frame and its limits, the same on the latent maps and the loss curves: the box, the vertical
 * limits right-aligned left of its top and bottom edges beside short ticks, and the horizontal limits
 * under its two ends (`xTicks` adds a short tick under each end too).
 */
export function drawPlotFrame(raster: Raster, box: PlotBox, xRange: readonly [number, number], yRange: readonly [number, number], color: Rgb, options: { textScale?: number; xTicks?: boolean } = {}): void {
  const textScale = options.textScale ?? 1;
  const tick = 3 * textScale;
  const bottom = box.y + box.height;
  strokeRect(raster, box.x, box.y, box.width, box.height, color);
  const xLow = formatTick(xRange[0]);
  const xHigh = formatTick(xRange[1]);
  if (options.xTicks) {
    drawLine(raster, box.x, bottom, box.x, bottom + tick - 1, color);
    drawLine(raster, box.x + box.width - 1, bottom, box.x + box.width - 1, bottom + tick - 1, color);
  }
  drawText(raster, xLow, box.x, bottom + tick + 1, color, textScale);
  drawText(raster, xHigh, box.x + box.width - textWidth(xHigh, textScale), bottom + tick + 1, color, textScale);
  const yLow = formatTick(yRange[0]);
  const yHigh = formatTick(yRange[1]);
  drawLine(raster, box.x - tick, box.y, box.x - 1, box.y, color);
  drawLine(raster, box.x - tick, bottom - 1, box.x - 1, bottom - 1, color);
  drawText(raster, yHigh, box.x - tick - 2 - textWidth(yHigh, textScale), box.y, color, textScale);
  drawText(raster, yLow, box.x - tick - 2 - textWidth(yLow, textScale), bottom - textHeight(textScale), color, textScale);
}
