import { existsSync, mkdirSync } from 'node:fs';
import { deflateSync } from 'node:zlib';
import { join } from 'node:path';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadMnist } from '../../src/data/mnist.js';
import type { ModelConfig } from '../../src/models/config.js';
import { traceLosses } from '../../src/training/loss-trace.js';
import { LABEL_PALETTE } from '../../src/image/label-colors.js';
import { encodePng, type PngFilter } from '../../src/image/png.js';
import { seededUniform } from '../../src/random/seeded.js';
import { buildWebPage, serveWebPage } from '../../scripts/web.mjs';
import { useEngine } from '../helpers/engine.js';
import { CHROMIUM, CHROMIUM_FLAGS, haveChromium, requireChromium } from '../helpers/chromium.js';

/** The browser page in a real headless Chromium (test/helpers/chromium.ts), the model the tiny one. */
requireChromium('browser test');

const TRAINING_STEPS = 300;
const SCREENSHOT = join('test-results', 'browser-page.png');

describe.skipIf(!haveChromium)('the browser page', () => {
  const gpu = useEngine();
  let browser: Browser;
  let page: Page;
  let server: { url: string; close(): Promise<void> };
  const pageErrors: string[] = [];

  beforeAll(async () => {
    const { outDir } = await buildWebPage();
    server = await serveWebPage({ directory: outDir, port: 0 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    page = await browser.newPage({ viewport: { width: 1360, height: 1000 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    await page.goto(server.url);
    await page.waitForFunction(() => window.webgpuAaePage?.ready || window.webgpuAaePage?.error, null, { timeout: 120_000 });
    const error = await page.evaluate(() => window.webgpuAaePage.error);
    if (error) throw new Error(`the page could not start: ${error}`);
  }, 240_000);

  afterAll(async () => {
    await browser?.close();
    await server?.close();
  });

  it(`trains ${TRAINING_STEPS} steps live: the loss falls and the latent map and samples are drawn`, async () => {
    await page.selectOption('#size', 'tiny');
    await page.fill('#seed', '3');
    await page.dispatchEvent('#seed', 'change');
    await page.waitForFunction(() => /Ready/.test(document.getElementById('status')!.textContent ?? ''), null, { timeout: 60_000 });
    // The page draws the untrained model at once: keep those pictures to compare.
    await snapshotCanvases(page, ['latent', 'samples']);
    const untrained = await canvasStats(page, 'samples');

    await page.click('#start');
    await page.waitForFunction((steps) => window.webgpuAaePage.steps() >= steps || window.webgpuAaePage.error, TRAINING_STEPS, { timeout: 800_000, polling: 500 });
    await page.click('#pause');
    await page.waitForFunction(() => !window.webgpuAaePage.running(), null, { timeout: 120_000 });
    expect(await page.evaluate(() => window.webgpuAaePage.error)).toBeNull();
    expect(await page.textContent('#status')).toMatch(/Paused at step \d+/);

    // The loss fell: the reconstruction BCE of the last reads against the first ones.
    const points = await page.evaluate(() => window.webgpuAaePage.points().map((point) => point.losses.reconstruction));
    expect(points.length).toBeGreaterThan(10);
    const first = mean(points.slice(0, 3));
    const last = mean(points.slice(-5));
    expect(last).toBeLessThan(0.6 * first);

    // Drawn, in pixels, and redrawn as training went: the latent map shows dots in all ten digit colours
    // and differs from the untrained one; the samples went from the untrained decoder's blotchy greys
    // to digits on dark backgrounds; the loss chart has its curves.
    const latent = await canvasStats(page, 'latent');
    expect(latent.paletteColors).toBe(10);
    expect(await changedShare(page, 'latent')).toBeGreaterThan(0.02);
    const samples = await canvasStats(page, 'samples');
    // Measured: 12 % dark pixels untrained, 65 % after 300 steps.
    expect(samples.dark).toBeGreaterThan(untrained.dark + 0.3);
    expect(await changedShare(page, 'samples')).toBeGreaterThan(0.3);
    const losses = await canvasStats(page, 'losses');
    expect(losses.nonWhite).toBeGreaterThan(0.01);

    mkdirSync('test-results', { recursive: true });
    await page.screenshot({ path: SCREENSHOT, fullPage: true });
    expect(existsSync(SCREENSHOT)).toBe(true);
    expect(pageErrors).toEqual([]);
  }, 1_000_000);

  it('says clearly that WebGPU is missing, and offers no Start, in a browser without it', async () => {
    const bare = await browser.newPage();
    // As in a browser without WebGPU: no navigator.gpu at all.
    await bare.addInitScript(() => delete (Navigator.prototype as { gpu?: unknown }).gpu);
    await bare.goto(server.url);
    await bare.waitForFunction(() => window.webgpuAaePage?.error, null, { timeout: 60_000 });
    expect(await bare.isVisible('#no-webgpu')).toBe(true);
    expect(await bare.textContent('#no-webgpu')).toMatch(/no WebGPU \(navigator\.gpu is missing\).*Chrome or Edge 113/);
    expect(await bare.isDisabled('#start')).toBe(true);
    await bare.close();
  });

  it('computes the same losses as Node for the same seed and data (within float rounding)', async () => {
    const config: Partial<ModelConfig> = { model: 'aae', conditional: true, prior: 'mog10', latent: 2, hidden: [32, 32], seed: 11 };
    const steps = 12;
    const inBrowser = await page.evaluate(([config, steps]) => window.webgpuAaePage.traceLosses(config, steps), [config, steps] as const);
    // Node reads the very files the page fetched.
    const data = await loadMnist({ directory: join('dist', 'web', 'data') });
    const inNode = await traceLosses(gpu.engine, config, data.train, steps);
    expect(inBrowser).toHaveLength(steps);
    const names = Object.keys(inNode[0]);
    expect(names).toEqual(['reconstruction', 'discriminator', 'generator']);
    let largest = 0;
    for (let step = 0; step < steps; step++) {
      for (const name of names) {
        const a = inBrowser[step][name];
        const b = inNode[step][name];
        largest = Math.max(largest, Math.abs(a - b) / Math.max(1, Math.abs(b)));
      }
    }
    console.info(`browser test: page and Node losses differ by at most ${largest.toExponential(1)} (relative) over ${steps} steps`);
    // Measured: about 1e-6 (SwiftShader in Chromium against lavapipe in Node); different arithmetic
    // (another architecture, a missed step, another minibatch) moves these by 1e-2 or more.
    expect(largest).toBeLessThan(1e-4);
    // And the trace is not trivially equal: training changed the losses.
    expect(inNode[steps - 1].reconstruction).toBeLessThan(inNode[0].reconstruction);
  }, 300_000);

  it('decodes the PNGs we write to the same pixels: a decoder that is not ours (Chromium\'s)', async () => {
    const images: { width: number; height: number; channels: 1 | 3; filter: PngFilter; pixels: number[] }[] = [];
    let seed = 1;
    for (const channels of [1, 3] as const) {
      for (const [width, height] of [[1, 1], [29, 31], [64, 3]]) {
        for (const filter of ['adaptive', 0, 1, 2, 3, 4] as PngFilter[]) {
          const random = seededUniform(seed++);
          const pixels = Array.from({ length: width * height * channels }, () => Math.floor(random() * 256));
          images.push({ width, height, channels, filter, pixels });
        }
      }
    }
    const encoded = images.map(({ width, height, channels, filter, pixels }) =>
      Buffer.from(encodePng({ width, height, channels, pixels: Uint8Array.from(pixels) }, (data) => deflateSync(data), { filter })).toString('base64'),
    );
    const decoded = await page.evaluate(async (pngs) => {
      const canvas = document.createElement('canvas');
      const context = canvas.getContext('2d', { willReadFrequently: true })!;
      const results: number[][] = [];
      for (const png of pngs) {
        const image = new Image();
        image.src = `data:image/png;base64,${png}`;
        await image.decode();
        canvas.width = image.naturalWidth;
        canvas.height = image.naturalHeight;
        context.clearRect(0, 0, canvas.width, canvas.height);
        context.drawImage(image, 0, 0);
        results.push([canvas.width, canvas.height, ...context.getImageData(0, 0, canvas.width, canvas.height).data]);
      }
      return results;
    }, encoded);
    images.forEach(({ width, height, channels, filter, pixels }, i) => {
      const [decodedWidth, decodedHeight, ...rgba] = decoded[i];
      const what = `${width}x${height}x${channels}, filter ${filter}`;
      expect([decodedWidth, decodedHeight], what).toEqual([width, height]);
      const expected = Array.from({ length: width * height }, (_, p) =>
        channels === 1 ? [pixels[p], pixels[p], pixels[p], 255] : [pixels[3 * p], pixels[3 * p + 1], pixels[3 * p + 2], 255],
      ).flat();
      expect(rgba, what).toEqual(expected);
    });
  });
});

describe.skipIf(!haveChromium)('kernel tuning in the browser', () => {
  it('measures on the page\'s adapter (SwiftShader here), keeps the picks in localStorage, and trains the same', async () => {
    const { outDir } = await buildWebPage();
    const server = await serveWebPage({ directory: outDir, port: 0 });
    const browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_FLAGS });
    try {
      const page = await browser.newPage();
      await page.goto(`${server.url}?tuning=measure`);
      await page.waitForFunction(() => window.webgpuAaePage?.ready || window.webgpuAaePage?.error, null, { timeout: 120_000 });
      expect(await page.evaluate(() => window.webgpuAaePage.error)).toBeNull();
      const config: Partial<ModelConfig> = { model: 'aae', conditional: true, prior: 'mog10', latent: 2, hidden: [32, 32], seed: 11 };
      const trace = await page.evaluate((config) => window.webgpuAaePage.traceLosses(config, 4), config);
      expect(trace).toHaveLength(4);
      expect(trace.every((losses) => Object.values(losses).every(Number.isFinite))).toBe(true);
      const tuning = (await page.evaluate(() => window.webgpuAaePage.tuning()))!;
      console.info(`browser test: tuning on ${await page.evaluate(() => window.webgpuAaePage.adapter)} measured ${tuning.measured} shapes in ${tuning.tuningMs} ms: ${tuning.picks.map((p) => `${p.key} -> ${p.variant}`).join('; ')}`);
      expect(tuning.mode).toBe('measure');
      expect(tuning.measured).toBeGreaterThan(0);
      expect(tuning.cache).toMatch(/^localStorage\['webgpu-aae:tuning:/);
      const stored = await page.evaluate(() => Object.keys(localStorage).filter((key) => key.startsWith('webgpu-aae:tuning:')));
      expect(stored).toHaveLength(1);
    } finally {
      await browser.close();
      await server.close();
    }
  }, 300_000);
});

function mean(values: number[]): number {
  return values.reduce((sum, value) => sum + value, 0) / values.length;
}

interface CanvasStats {
  /** How many of the scatter's ten digit colours appear. */
  paletteColors: number;
  /** Shares of the pixels: not white; dark grey or black (< 40). */
  nonWhite: number;
  dark: number;
}

/** Pixel statistics of a canvas, read in the page. */
function canvasStats(page: Page, id: string): Promise<CanvasStats> {
  const palette = LABEL_PALETTE.map(([r, g, b]) => (r << 16) | (g << 8) | b);
  return page.evaluate(
    ([id, palette]) => {
      const canvas = document.getElementById(id) as HTMLCanvasElement;
      const { data } = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height);
      const seen = new Set<number>();
      let nonWhite = 0;
      let dark = 0;
      for (let i = 0; i < data.length; i += 4) {
        const [r, g, b] = [data[i], data[i + 1], data[i + 2]];
        seen.add((r << 16) | (g << 8) | b);
        if (r < 250 || g < 250 || b < 250) nonWhite++;
        if (r === g && g === b && r < 40) dark++;
      }
      const pixels = data.length / 4;
      return { paletteColors: palette.filter((color) => seen.has(color)).length, nonWhite: nonWhite / pixels, dark: dark / pixels };
    },
    [id, palette] as const,
  );
}

/** Keeps a copy of each canvas's pixels in the page, for `changedShare`. */
async function snapshotCanvases(page: Page, ids: string[]): Promise<void> {
  await page.evaluate((ids) => {
    const store = ((window as unknown as { canvasSnapshots: Record<string, Uint8ClampedArray> }).canvasSnapshots = {} as Record<string, Uint8ClampedArray>);
    for (const id of ids) {
      const canvas = document.getElementById(id) as HTMLCanvasElement;
      store[id] = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data.slice();
    }
  }, ids);
}

/** The share of a canvas's pixels that differ from its snapshot. */
function changedShare(page: Page, id: string): Promise<number> {
  return page.evaluate((id) => {
    const before = (window as unknown as { canvasSnapshots: Record<string, Uint8ClampedArray> }).canvasSnapshots[id];
    const canvas = document.getElementById(id) as HTMLCanvasElement;
    const now = canvas.getContext('2d')!.getImageData(0, 0, canvas.width, canvas.height).data;
    let changed = 0;
    for (let i = 0; i < now.length; i += 4) if (now[i] !== before[i] || now[i + 1] !== before[i + 1] || now[i + 2] !== before[i + 2]) changed++;
    return changed / (now.length / 4);
  }, id);
}
