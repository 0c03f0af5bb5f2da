import type { Raster } from '../src/index.js';

/** Draws an RGB raster on a canvas, scaled to fit and centred, with crisp (nearest-neighbour) pixels. */
export function drawRaster(canvas: HTMLCanvasElement, raster: Raster): void {
  const { width, height, pixels } = raster;
  const rgba = new Uint8ClampedArray(width * height * 4);
  for (let i = 0, j = 0; i < pixels.length; i += 3, j += 4) {
    rgba[j] = pixels[i];
    rgba[j + 1] = pixels[i + 1];
    rgba[j + 2] = pixels[i + 2];
    rgba[j + 3] = 255;
  }
  const source = document.createElement('canvas');
  source.width = width;
  source.height = height;
  source.getContext('2d')!.putImageData(new ImageData(rgba, width, height), 0, 0);

  const context = canvas.getContext('2d')!;
  const scale = Math.min(canvas.width / width, canvas.height / height);
  context.imageSmoothingEnabled = scale < 1;
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  context.drawImage(source, (canvas.width - width * scale) / 2, (canvas.height - height * scale) / 2, width * scale, height * scale);
}

/** One point of the loss curves: the step it was read after, and the losses by name. */
export interface LossPoint {
  step: number;
  losses: Record<string, number>;
  stepsPerSecond: number;
}

const SERIES_COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#9467bd', '#ff7f0e', '#8c564b'];

/**
 * Small multiples: one strip per loss, plus steps per second, each on its own vertical scale (a
 * reconstruction BCE of ~150 and a discriminator loss of ~1.4 share no useful axis).
 */
export function drawLossChart(canvas: HTMLCanvasElement, points: readonly LossPoint[], names: readonly string[]): void {
  const context = canvas.getContext('2d')!;
  context.fillStyle = '#fff';
  context.fillRect(0, 0, canvas.width, canvas.height);
  const series = [...names.map((name) => ({ name, value: (point: LossPoint) => point.losses[name] })), { name: 'steps/s', value: (point: LossPoint) => point.stepsPerSecond }];
  const strip = canvas.height / series.length;
  const left = 8;
  const right = canvas.width - 8;
  const lastStep = points.length > 0 ? points[points.length - 1].step : 1;
  const firstStep = points.length > 0 ? points[0].step : 0;
  context.font = '12px system-ui, sans-serif';
  series.forEach(({ name, value }, row) => {
    const top = row * strip + 18;
    const bottom = (row + 1) * strip - 6;
    const values = points.map(value).filter(Number.isFinite);
    const low = Math.min(...values);
    const high = Math.max(...values);
    const span = high - low || Math.abs(high) || 1;
    context.strokeStyle = '#e5e5e5';
    context.strokeRect(left, top, right - left, bottom - top);
    context.fillStyle = '#333';
    const latest = values.length > 0 ? values[values.length - 1] : NaN;
    context.fillText(`${name}: ${Number.isFinite(latest) ? latest.toPrecision(4) : '–'}` + (values.length > 1 ? `   (range ${low.toPrecision(3)} – ${high.toPrecision(3)})` : ''), left, top - 5);
    context.strokeStyle = SERIES_COLORS[row % SERIES_COLORS.length];
    context.lineWidth = 1.5;
    context.beginPath();
    let started = false;
    for (const point of points) {
      const y = value(point);
      if (!Number.isFinite(y)) continue;
      const px = left + ((point.step - firstStep) / Math.max(1, lastStep - firstStep)) * (right - left);
      const py = bottom - ((y - low) / span) * (bottom - top);
      if (started) context.lineTo(px, py);
      else context.moveTo(px, py);
      started = true;
    }
    context.stroke();
  });
}
