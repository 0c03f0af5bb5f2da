import { describe, expect, it } from 'vitest';
import { labelColor } from '../../src/image/label-colors.js';
import { drawLineChart, lineChartLayout, type ChartSeries } from '../../src/image/line-chart.js';
import { getPixel, type Raster, type Rgb } from '../../src/image/raster.js';

const WHITE: Rgb = [255, 255, 255];

function countInBox(raster: Raster, box: { x: number; y: number; width: number; height: number }, color: Rgb): number {
  let count = 0;
  // Inside the frame only: the frame is drawn on the box's edge.
  for (let y = box.y + 1; y < box.y + box.height - 1; y++) {
    for (let x = box.x + 1; x < box.x + box.width - 1; x++) {
      const [r, g, b] = getPixel(raster, x, y);
      if (r === color[0] && g === color[1] && b === color[2]) count++;
    }
  }
  return count;
}

describe('line chart', () => {
  it('draws a known series through the pixels its layout gives, corner to corner of the frame', () => {
    // A straight line from (0, 0) to (20, 10): its ends are the limits, so they sit on the frame's inner corners.
    const series: ChartSeries[] = [{ name: 'loss', points: [0, 5, 10, 15, 20].map((x) => ({ x, y: x / 2 })) }];
    const options = { panelWidth: 200, panelHeight: 100 };
    const raster = drawLineChart(series, options);
    const [panel] = lineChartLayout(series, options).panels;
    const { box } = panel;
    expect([raster.width, raster.height]).toEqual([200, 100]);
    expect(panel.xRange).toEqual([0, 20]);
    expect(panel.yRange).toEqual([0, 10]);
    const blue = labelColor(0);
    expect(getPixel(raster, box.x + 1, box.y + box.height - 2)).toEqual(blue);
    expect(getPixel(raster, box.x + box.width - 2, box.y + 1)).toEqual(blue);
    for (const { x, y } of series[0].points) {
      const [px, py] = panel.toPixel(x, y).map(Math.round);
      expect(getPixel(raster, px, py), `point (${x}, ${y})`).toEqual(blue);
    }
    // Halfway between two points lies on the line too; a point off the line is background.
    const [midX, midY] = panel.toPixel(12.5, 6.25).map(Math.round);
    expect(getPixel(raster, midX, midY)).toEqual(blue);
    const [offX, offY] = panel.toPixel(5, 8).map(Math.round);
    expect(getPixel(raster, offX, offY)).toEqual(WHITE);
    // The frame is drawn in dark gray on the box's edge.
    expect(getPixel(raster, box.x, box.y + 10)).toEqual([40, 40, 40]);
  });

  it('gives each series its own panel, vertical scale and colour, on one shared horizontal range', () => {
    const series: ChartSeries[] = [
      { name: 'reconstruction', points: [{ x: 10, y: 150 }, { x: 20, y: 120 }, { x: 30, y: 110 }] },
      { name: 'discriminator', points: [{ x: 10, y: 1.4 }, { x: 20, y: 1.3 }, { x: 30, y: 1.38 }] },
      { name: 'generator', points: [{ x: 10, y: 0.7 }, { x: 20, y: NaN }, { x: 30, y: 0.8 }] },
      { name: 'accuracy', points: [{ x: 30, y: 0.5 }] },
    ];
    const options = { xRange: [0, 30] as const, xLabel: 'step' };
    const raster = drawLineChart(series, options);
    const layout = lineChartLayout(series, options);
    // Four series: two columns of 300 x 130 panels.
    expect([raster.width, raster.height]).toEqual([600, 260]);
    expect(layout.panels.map((panel) => panel.yRange)).toEqual([[110, 150], [1.3, 1.4], [0.7, 0.8], [0.45, 0.55]]);
    expect(layout.panels.every((panel) => panel.xRange[0] === 0 && panel.xRange[1] === 30)).toBe(true);
    // The panels do not overlap: each box lies in its own cell of the grid.
    layout.panels.forEach(({ box }, index) => {
      const [left, top] = [(index % 2) * 300, Math.floor(index / 2) * 130];
      expect(box.x).toBeGreaterThan(left);
      expect(box.y).toBeGreaterThan(top);
      expect(box.x + box.width).toBeLessThanOrEqual(left + 300);
      expect(box.y + box.height).toBeLessThanOrEqual(top + 130);
    });
    layout.panels.forEach(({ box }, index) => {
      expect(countInBox(raster, box, labelColor(index)), series[index].name).toBeGreaterThan(0);
      // Only its own colour inside its frame.
      for (const other of [0, 1, 2, 3].filter((i) => i !== index)) expect(countInBox(raster, box, labelColor(other))).toBe(0);
    });
    // A non-finite value breaks the line: nothing is drawn between the generator's two finite points' middles.
    const generator = layout.panels[2];
    const [gapX, gapY] = generator.toPixel(20, 0.75).map(Math.round);
    expect(getPixel(raster, gapX, gapY)).toEqual(WHITE);
  });

  it('refuses what it cannot draw, naming the option', () => {
    const one: ChartSeries[] = [{ name: 'x', points: [{ x: 0, y: 1 }] }];
    expect(() => drawLineChart([])).toThrow('lineChart: no series to draw; pass at least one.');
    expect(() => drawLineChart(one, { panelWidth: 50 })).toThrow('lineChart: panelWidth is 50; it must be a whole number of at least 120 pixels.');
    expect(() => drawLineChart(one, { xRange: [3, 3] })).toThrow('lineChart: xRange is [3, 3]; it needs finite limits with low < high.');
    expect(() => drawLineChart(one, { columns: 0 })).toThrow('lineChart: columns is 0; it must be a whole number of at least 1.');
  });
});
