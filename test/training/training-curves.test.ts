import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { syntheticImages } from '../../src/data/toy2d.js';
import { labelColor } from '../../src/image/label-colors.js';
import { lineChartLayout } from '../../src/image/line-chart.js';
import { getPixel, type Raster } from '../../src/image/raster.js';
import { readPng } from '../../src/image/write-png.js';
import { defaultConfig } from '../../src/models/config.js';
import { RUN_DEFAULTS } from '../../src/training/run-settings.js';
import { CURVES_FILE, readRunCheckpoint, train } from '../../src/training/trainer.js';
import { TrainingCurves } from '../../src/training/training-curves.js';
import { useEngine } from '../helpers/engine.js';

const gpu = useEngine();

// 600 training images less 100 for validation, in batches of 50: ten steps an epoch.
const data = { train: syntheticImages(600, { seed: 1 }), test: syntheticImages(200, { seed: 2 }) };
const config = defaultConfig({ model: 'aae', hidden: [32, 32], pixels: 64, latent: 2 });
const settings = { ...RUN_DEFAULTS, batchSize: 50, validation: 100 };

let root: string;
beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'webgpu-aae-curves-'));
});
afterAll(async () => {
  await rm(root, { recursive: true, force: true });
});

/** Pixels inside a panel's frame that are not white. */
function inkInside(picture: Raster, box: { x: number; y: number; width: number; height: number }, color?: readonly number[]): number {
  let ink = 0;
  for (let y = box.y + 1; y < box.y + box.height - 1; y++) {
    for (let x = box.x + 1; x < box.x + box.width - 1; x++) {
      const pixel = getPixel(picture, x, y);
      if (color ? pixel.every((value, i) => value === color[i]) : pixel.some((value) => value !== 255)) ink++;
    }
  }
  return ink;
}

describe('training curves', () => {
  it('keep every loss read and each epoch figure a model reports, losses first, at their steps', () => {
    const curves = new TrainingCurves(['reconstruction', 'discriminator']);
    expect(curves.picture()).toBeNull();
    curves.addLosses(4, { reconstruction: 40, discriminator: 1.4 });
    curves.addLosses(8, { reconstruction: 35, discriminator: 1.3 });
    curves.addEpoch({ steps: 10, losses: { reconstruction: 37, discriminator: 1.35 }, reconstructionBce: 30, stepsPerSecond: 50 });
    expect(curves.series()).toEqual([
      { name: 'reconstruction', points: [{ x: 4, y: 40 }, { x: 8, y: 35 }] },
      { name: 'discriminator', points: [{ x: 4, y: 1.4 }, { x: 8, y: 1.3 }] },
      { name: 'reconstructionBce', points: [{ x: 10, y: 30 }] },
      { name: 'steps/s', points: [{ x: 10, y: 50 }] },
    ]);
    // An earlier epoch of a resumed run stands for its reads with its mean losses.
    const resumed = new TrainingCurves(['reconstruction']);
    resumed.addEarlierEpoch({ steps: 10, losses: { reconstruction: 37 }, clusterError: 0.4 });
    expect(resumed.series()).toEqual([
      { name: 'reconstruction', points: [{ x: 10, y: 37 }] },
      { name: 'clusterError', points: [{ x: 10, y: 0.4 }] },
    ]);
  });

  it('a train run writes curves.png after each epoch: a panel per loss and metric, each with its curve', async () => {
    const out = join(root, 'run');
    // The file as each epoch ends: it is drawn anew every epoch.
    const written: Buffer[] = [];
    await train(gpu.engine, { config, settings, epochs: 2, out, data, readEvery: 4, onEpoch: () => written.push(readFileSync(join(out, CURVES_FILE))) });
    expect(written).toHaveLength(2);
    expect(written[0].equals(written[1])).toBe(false);
    const picture = await readPng(join(out, CURVES_FILE));
    expect(written[1].equals(readFileSync(join(out, CURVES_FILE)))).toBe(true);
    // Three losses, the reconstruction BCE and steps/s: five panels of 300 x 130 in two columns.
    const names = ['reconstruction', 'discriminator', 'generator', 'reconstructionBce', 'steps/s'];
    const series = names.map((name) => ({ name, points: [] }));
    const layout = lineChartLayout(series, { xRange: [0, 20] });
    expect([picture.width, picture.height, picture.channels]).toEqual([layout.width, layout.height, 3]);
    expect([picture.width, picture.height]).toEqual([600, 390]);
    layout.panels.forEach(({ box }, index) => {
      expect(inkInside(picture, box, labelColor(index)), names[index]).toBeGreaterThan(0);
    });
    // Losses read at steps 4, 8, 10, 14, 18, 20: a line, not a lone dot, in each loss panel.
    for (const index of [0, 1, 2]) expect(inkInside(picture, layout.panels[index].box, labelColor(index))).toBeGreaterThan(100);
  });

  it('a resumed run draws its earlier epochs from metrics.jsonl', async () => {
    const out = join(root, 'resumed');
    await train(gpu.engine, { config, settings, epochs: 1, out, data, readEvery: 4 });
    const first = await readPng(join(out, CURVES_FILE));
    await train(gpu.engine, { resumeFrom: await readRunCheckpoint(out), epochs: 2, out, data, readEvery: 4 });
    const second = await readPng(join(out, CURVES_FILE));
    expect([second.width, second.height]).toEqual([first.width, first.height]);
    // Each per-epoch panel now has two points joined by a line where the first run had a lone dot.
    const layout = lineChartLayout(['a', 'b', 'c', 'd', 'e'].map((name) => ({ name, points: [] })), { xRange: [0, 20] });
    for (const index of [3, 4]) {
      const { box } = layout.panels[index];
      expect(inkInside(second, box, labelColor(index))).toBeGreaterThan(inkInside(first, box, labelColor(index)) + 20);
    }
  });
});
