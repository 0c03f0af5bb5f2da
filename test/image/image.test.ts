import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { GRID_BACKGROUND, imageGrid, sideBySide, styleContentGrid } from '../../src/image/grid.js';
import { crc32, decodePng, encodePng, type PngFilter } from '../../src/image/png.js';
import {
  createRaster,
  drawLine,
  drawText,
  fillCircle,
  getPixel,
  setPixel,
  strokeRect,
  textWidth,
  type Raster,
  type Rgb,
} from '../../src/image/raster.js';
import { labelColor } from '../../src/image/label-colors.js';
import { principalComponents, project2d } from '../../src/image/principal-components.js';
import { latentScatter } from '../../src/image/scatter.js';
import { formatTick, scatterLayout } from '../../src/image/scatter-layout.js';
import { nodeDeflate, nodeInflate, readPng, writePng } from '../../src/image/write-png.js';
import { seededUniform } from '../../src/random/seeded.js';

const scratch = mkdtempSync(join(tmpdir(), 'webgpu-aae-image-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

function randomBytes(count: number, seed: number): Uint8Array {
  const random = seededUniform(seed);
  return Uint8Array.from({ length: count }, () => Math.floor(random() * 256));
}

/** A smooth picture, where the predicting filters (unlike on noise) have something to predict. */
function gradient(width: number, height: number, channels: number): Uint8Array {
  const pixels = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    for (let x = 0; x < width; x++) {
      for (let c = 0; c < channels; c++) pixels[(y * width + x) * channels + c] = (x * 7 + y * 3 + c * 50 + ((x * y) % 5)) & 0xff;
    }
  }
  return pixels;
}

describe('crc32', () => {
  it('matches the standard check value and continues across pieces', () => {
    const text = new TextEncoder().encode('123456789');
    expect(crc32(text)).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    expect(crc32(text.subarray(4), crc32(text.subarray(0, 4)))).toBe(0xcbf43926);
    // The CRC of PNG's IEND chunk type with no data, fixed in every PNG file.
    expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082);
  });
});

describe('PNG', () => {
  const sizes: [number, number][] = [[1, 1], [29, 31], [31, 29], [1, 17], [64, 3]];
  const filters: PngFilter[] = ['adaptive', 0, 1, 2, 3, 4];

  it('round-trips grayscale and RGB images of odd sizes through every filter', () => {
    for (const channels of [1, 3] as const) {
      for (const [width, height] of sizes) {
        for (const [seed, pixels] of [[0, gradient(width, height, channels)], [1, randomBytes(width * height * channels, width * 100 + height)]] as const) {
          for (const filter of filters) {
            const png = encodePng({ width, height, channels, pixels }, nodeDeflate, { filter });
            const decoded = decodePng(png, nodeInflate);
            const what = `${width}x${height}x${channels}, filter ${filter}, input ${seed}`;
            expect({ width: decoded.width, height: decoded.height, channels: decoded.channels }, what).toEqual({ width, height, channels });
            expect(Buffer.from(decoded.pixels).equals(Buffer.from(pixels)), what).toBe(true);
          }
        }
      }
    }
  });

  it('writes the signature, an IHDR with the right fields, and ends with IEND', () => {
    const png = encodePng({ width: 29, height: 31, pixels: gradient(29, 31, 3) }, nodeDeflate);
    expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
    const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
    expect(view.getUint32(8)).toBe(13);
    expect(new TextDecoder().decode(png.subarray(12, 16))).toBe('IHDR');
    expect(view.getUint32(16)).toBe(29);
    expect(view.getUint32(20)).toBe(31);
    expect([...png.subarray(24, 29)]).toEqual([8, 2, 0, 0, 0]); // 8-bit RGB, deflate, filter method 0, no interlace
    expect(view.getUint32(29)).toBe(crc32(png.subarray(12, 29)));
    expect([...png.subarray(png.length - 12)]).toEqual([0, 0, 0, 0, 0x49, 0x45, 0x4e, 0x44, 0xae, 0x42, 0x60, 0x82]);
    const gray = encodePng({ width: 1, height: 1, channels: 1, pixels: Uint8Array.of(7) }, nodeDeflate);
    expect(gray[25]).toBe(0); // colour type 0, grayscale
  });

  it('splits large image data over several IDAT chunks and reads them back', () => {
    const pixels = randomBytes(200 * 150 * 3, 7); // noise does not compress: ~90 KB of IDAT
    const png = encodePng({ width: 200, height: 150, pixels }, nodeDeflate);
    const idatCount = new TextDecoder('latin1').decode(png).split('IDAT').length - 1;
    expect(idatCount).toBeGreaterThan(1);
    expect(Buffer.from(decodePng(png, nodeInflate).pixels).equals(Buffer.from(pixels))).toBe(true);
  });

  it('refuses bad input with clear errors', () => {
    expect(() => encodePng({ width: 2, height: 2, pixels: new Uint8Array(11) }, nodeDeflate)).toThrow(/11 pixel bytes, but 2x2 with 3 channel\(s\) needs 12/);
    expect(() => encodePng({ width: 0, height: 2, pixels: new Uint8Array(0) }, nodeDeflate)).toThrow(/0x2; both sizes must be positive/);
    const png = encodePng({ width: 5, height: 4, channels: 1, pixels: gradient(5, 4, 1) }, nodeDeflate);
    expect(() => decodePng(png.subarray(1), nodeInflate)).toThrow(/PNG signature/);
    expect(() => decodePng(png.subarray(0, png.length - 5), nodeInflate)).toThrow(/truncated/);
    const corrupt = png.slice();
    corrupt[45] ^= 0xff; // inside the IDAT data
    expect(() => decodePng(corrupt, nodeInflate)).toThrow(/chunk 'IDAT' at byte 33 has CRC .* \(corrupt file\)/);
  });

  it('writePng writes atomically and readPng reads it back', async () => {
    const path = join(scratch, 'picture.png');
    const raster = createRaster(29, 31, [10, 20, 30]);
    setPixel(raster, 28, 30, [200, 100, 50]);
    await writePng(path, raster);
    const decoded = await readPng(path);
    expect(decoded.channels).toBe(3);
    expect(Buffer.from(decoded.pixels).equals(Buffer.from(raster.pixels))).toBe(true);
    expect(readdirSync(scratch)).toEqual(['picture.png']);
  });
});

describe('raster', () => {
  it('draws lines end to end, discs, rectangles and clips outside the picture', () => {
    const raster = createRaster(20, 10);
    const red: Rgb = [255, 0, 0];
    drawLine(raster, 2, 1, 17, 8, red);
    expect(getPixel(raster, 2, 1)).toEqual(red);
    expect(getPixel(raster, 17, 8)).toEqual(red);
    expect(countColor(raster, red)).toBe(16); // one pixel per column for a shallow line
    drawLine(raster, -5, -5, 30, 30, red); // clipped, no throw
    const disc = createRaster(11, 11);
    fillCircle(disc, 5.5, 5.5, 3, red);
    expect(getPixel(disc, 5, 5)).toEqual(red);
    expect(getPixel(disc, 5, 2)).toEqual(red);
    expect(getPixel(disc, 2, 2)).toEqual([255, 255, 255]);
    expect(countColor(disc, red)).toBe(29); // the lattice points within distance 3 of the centre
    const tiny = createRaster(3, 3);
    fillCircle(tiny, 1.2, 1.7, 0.2, red);
    expect(countColor(tiny, red)).toBe(1); // never vanishes
    strokeRect(raster, 0, 0, 20, 10, [0, 0, 255]);
    expect(getPixel(raster, 19, 9)).toEqual([0, 0, 255]);
    expect(getPixel(raster, 10, 9)).toEqual([0, 0, 255]);
    expect(() => getPixel(raster, 20, 0)).toThrow(/outside the 20x10 raster/);
  });

  it('draws the 5x7 font: the digit 1 looks like a 1, and widths add up', () => {
    const raster = createRaster(12, 9);
    const width = drawText(raster, '1', 1, 1, [0, 0, 0]);
    expect(width).toBe(5);
    const ink = Array.from({ length: 7 }, (_, row) =>
      Array.from({ length: 5 }, (_, column) => (getPixel(raster, 1 + column, 1 + row)[0] === 0 ? '#' : '.')).join(''),
    );
    expect(ink).toEqual(['..#..', '.##..', '..#..', '..#..', '..#..', '..#..', '.###.']);
    expect(textWidth('12', 1)).toBe(11);
    expect(textWidth('12', 3)).toBe(33);
    const scaled = createRaster(40, 30);
    drawText(scaled, 'a', 0, 0, [0, 0, 0], 3); // lower case drawn as upper case, each font pixel 3x3
    expect(getPixel(scaled, 3, 0)).toEqual([0, 0, 0]); // the A's top bar starts at column 1
    expect(getPixel(scaled, 2, 0)).toEqual([255, 255, 255]);
  });
});

describe('image grids', () => {
  // Three 2x3 images, each a constant level, so every cell is recognisable.
  const h = 2;
  const w = 3;
  const levels = [0, 0.5, 1];
  const images = Float32Array.from(levels.flatMap((level) => new Array<number>(h * w).fill(level)));

  it('imageGrid places image i at row i / columns, column i % columns, scaled, with padding', () => {
    const grid = imageGrid(images, { columns: 2, height: h, width: w, padding: 1, scale: 2 });
    const cellW = w * 2;
    const cellH = h * 2;
    expect(grid.width).toBe(1 + 2 * (cellW + 1));
    expect(grid.height).toBe(1 + 2 * (cellH + 1));
    levels.forEach((level, index) => {
      const x = 1 + (index % 2) * (cellW + 1);
      const y = 1 + Math.floor(index / 2) * (cellH + 1);
      const gray = Math.round(level * 255);
      for (const [dx, dy] of [[0, 0], [cellW - 1, cellH - 1]]) expect(getPixel(grid, x + dx, y + dy)).toEqual([gray, gray, gray]);
      expect(getPixel(grid, x - 1, y)).toEqual(GRID_BACKGROUND); // padding
    });
    expect(getPixel(grid, 1 + cellW + 1, 1 + cellH + 1)).toEqual(GRID_BACKGROUND); // the fourth cell is empty
  });

  it('imageGrid clamps, paints non-finite values magenta, and checks its input', () => {
    const odd = Float32Array.of(-1, 2, NaN, Infinity);
    const grid = imageGrid(odd, { height: 2, width: 2, padding: 0 });
    expect([getPixel(grid, 0, 0), getPixel(grid, 1, 0), getPixel(grid, 0, 1), getPixel(grid, 1, 1)]).toEqual([
      [0, 0, 0], [255, 255, 255], [255, 0, 255], [255, 0, 255],
    ]);
    expect(() => imageGrid(new Float32Array(785))).toThrow(/785 values are not a whole number of 28x28 images/);
    expect(() => imageGrid(images, { height: h, width: w, rows: 0 })).toThrow(/rows is 0/);
    // Default layout: about square.
    expect(imageGrid(new Float32Array(10 * 784), { padding: 0 })).toMatchObject({ width: 4 * 28, height: 3 * 28 });
  });

  it('sideBySide pairs each input with its reconstruction', () => {
    const inputs = images;
    const outputs = images.map((value) => 1 - value);
    const grid = sideBySide(inputs, outputs, { columns: 2, height: h, width: w, padding: 1 });
    const gap = 5; // max(2 * padding, padding + 4)
    const pairWidth = 2 * w + 1;
    expect(grid.width).toBe(2 + 2 * pairWidth + gap);
    levels.forEach((level, index) => {
      const x = 1 + (index % 2) * (pairWidth + gap);
      const y = 1 + Math.floor(index / 2) * (h + 1);
      const input = Math.round(level * 255);
      const output = Math.round((1 - level) * 255);
      expect(getPixel(grid, x, y)).toEqual([input, input, input]);
      expect(getPixel(grid, x + w + 1, y)).toEqual([output, output, output]);
    });
    expect(() => sideBySide(inputs, outputs.subarray(0, h * w), { height: h, width: w })).toThrow(/3 inputs but 1 outputs/);
  });

  it('styleContentGrid puts one style per row, one digit per column, under digit headings', () => {
    const rows = 2;
    const data = new Float32Array(rows * 10 * 784);
    for (let row = 0; row < rows; row++) {
      for (let digit = 0; digit < 10; digit++) data.fill((row * 10 + digit) / 19, (row * 10 + digit) * 784, (row * 10 + digit + 1) * 784);
    }
    const grid = styleContentGrid(data, { padding: 2, background: [0, 0, 0] });
    const header = grid.height - rows * 30;
    expect(grid.width).toBe(2 + 10 * 30);
    for (let row = 0; row < rows; row++) {
      for (let digit = 0; digit < 10; digit++) {
        const gray = Math.round(((row * 10 + digit) / 19) * 255);
        expect(getPixel(grid, 2 + digit * 30 + 13, header + row * 30 + 13)).toEqual([gray, gray, gray]);
      }
    }
    // Each heading is the digit drawn in white over its own column, at text scale 2.
    for (let digit = 0; digit < 10; digit++) {
      const heading = createRaster(10, 14, [0, 0, 0]);
      drawText(heading, String(digit), 0, 0, [255, 255, 255], 2);
      const x = 2 + digit * 30 + Math.floor((28 - textWidth(String(digit), 2)) / 2);
      expect(crop(grid, x, 5, 10, 14).pixels).toEqual(heading.pixels);
    }
    expect(() => styleContentGrid(new Float32Array(15 * 784))).toThrow(/15 images do not fill rows of 10/);
  });
});

describe('latent scatter', () => {
  it('draws a title too long for its scale smaller instead of cutting it off', () => {
    const title = 'DIMENSIONALITY-REDUCTION-AAE CODES OF 10000 TEST DIGITS';
    const picture = latentScatter(Float32Array.from([0, 0, 1, 1]), [0, 1], { size: 600, title });
    const { titleY } = scatterLayout(Float32Array.from([0, 0, 1, 1]), [0, 1], { size: 600, title });
    // Nothing is drawn in the outermost columns of the title band, and something is drawn inside it.
    const inkAt = (x: number, y: number) => picture.pixels[3 * (y * picture.width + x)] < 200;
    let edgeInk = false;
    let ink = false;
    for (let y = titleY; y < titleY + 14; y++) {
      for (const x of [0, 1, picture.width - 2, picture.width - 1]) edgeInk ||= inkAt(x, y);
      for (let x = 0; x < picture.width; x++) ink ||= inkAt(x, y);
    }
    expect(edgeInk).toBe(false);
    expect(ink).toBe(true);
  });

  it('draws each point in its label colour where the layout puts it, and a legend of the labels', () => {
    const points = Float32Array.of(-2, -1, 2, 1, 0, 0, -1.5, 0.8, 1e9, 0, NaN, 3);
    const labels = Uint8Array.of(0, 1, 2, 3, 4, 5);
    const options = { size: 300, range: { x: [-2, 2], y: [-1, 1] }, equalAspect: false, pointRadius: 3, title: 'Codes' } as const;
    const raster = latentScatter(points, labels, options);
    const layout = scatterLayout(points, labels, options);
    expect(raster).toMatchObject({ width: 300, height: 300 });
    // Inside the frame, the centre pixel of points 2 and 3 (away from the frame) has their label's colour.
    for (const index of [2, 3]) {
      const [px, py] = layout.toPixel(points[2 * index], points[2 * index + 1]);
      expect(getPixel(raster, Math.floor(px), Math.floor(py)), `point ${index}`).toEqual(labelColor(labels[index]));
    }
    // Corner points sit at the inner corners of the frame: bottom-left (label 0) and top-right (label 1).
    const { box } = layout;
    expect(getPixel(raster, box.x + 1, box.y + box.height - 2)).toEqual(labelColor(0));
    expect(getPixel(raster, box.x + box.width - 2, box.y + 1)).toEqual(labelColor(1));
    expect(getPixel(raster, box.x, box.y + 5)).toEqual([40, 40, 40]); // the frame is on top
    // Out-of-range (label 4) and non-finite (label 5) points are not drawn, though the legend lists their labels.
    const inside = crop(raster, box.x + 1, box.y + 1, box.width - 2, box.height - 2);
    expect(countColor(inside, labelColor(4))).toBe(0);
    expect(countColor(inside, labelColor(5))).toBe(0);
    expect(layout.legend).toEqual([0, 1, 2, 3, 4, 5]);
    const legend = crop(raster, layout.legendX, 0, 300 - layout.legendX, 300);
    for (const label of layout.legend) expect(countColor(legend, labelColor(label)), `legend ${label}`).toBeGreaterThan(10);
  });

  it('keeps one data unit the same length on both axes, and fits the data by default', () => {
    const points = Float32Array.of(0, 0, 10, 1);
    const layout = scatterLayout(points, null, { size: 400 });
    const [x0, y0] = layout.toPixel(0, 0);
    const [x1, y1] = layout.toPixel(1, 1);
    expect(x1 - x0).toBeCloseTo(y0 - y1, 6);
    expect(layout.xRange[0]).toBeCloseTo(-0.5, 6); // 5 % margin on the wider axis
    expect(layout.xRange[1]).toBeCloseTo(10.5, 6);
    expect(layout.legend).toEqual([]);
    // A fixed range is kept in view: with equal units, the narrower axis is widened about its centre.
    const fixed = scatterLayout(points, null, { size: 400, range: { x: [-1, 1], y: [-5, 5] } });
    expect(fixed.yRange[0]).toBeCloseTo(-5, 9);
    expect(fixed.yRange[1]).toBeCloseTo(5, 9);
    expect(fixed.xRange[0]).toBeLessThan(-1);
    expect(fixed.xRange[0] + fixed.xRange[1]).toBeCloseTo(0, 9);
    const raster = latentScatter(points, null, { size: 400 });
    expect(countColor(raster, labelColor(0))).toBeGreaterThan(0);
    expect(() => latentScatter(Float32Array.of(1, 2, 3), null)).toThrow(/pass n x 2/);
    expect(() => latentScatter(points, Uint8Array.of(1), {})).toThrow(/1 labels for 2 points/);
  });

  it('formats axis limits briefly', () => {
    expect([formatTick(0), formatTick(-7.2912), formatTick(123.7), formatTick(0.05), formatTick(25000), formatTick(0.0001234)]).toEqual([
      '0', '-7.29', '124', '0.05', '2.5e+4', '1.2e-4',
    ]);
  });
});

describe('project2d', () => {
  /** Codes with independent variances along the columns of a rotation, so the principal axes are known. */
  function knownCodes(count: number, variances: number[], seed: number): { codes: Float32Array; rotation: number[][] } {
    const dims = variances.length;
    const random = seededUniform(seed);
    // A rotation from Gram-Schmidt on random vectors.
    const rotation: number[][] = [];
    while (rotation.length < dims) {
      const vector = Array.from({ length: dims }, () => random() - 0.5);
      for (const previous of rotation) {
        const along = previous.reduce((total, value, j) => total + value * vector[j], 0);
        previous.forEach((value, j) => (vector[j] -= along * value));
      }
      const norm = Math.hypot(...vector);
      rotation.push(vector.map((value) => value / norm));
    }
    const codes = new Float32Array(count * dims);
    for (let i = 0; i < count; i++) {
      // Symmetric +-1 draws, paired so every coordinate's sample variance is exact and cross terms cancel.
      for (let k = 0; k < dims; k++) {
        const sign = (Math.floor(i / 2 ** k) % 2) * 2 - 1;
        const amount = Math.sqrt(variances[k]) * sign;
        for (let j = 0; j < dims; j++) codes[i * dims + j] += amount * rotation[k][j];
      }
      for (let j = 0; j < dims; j++) codes[i * dims + j] += 3; // an offset the PCA must remove
    }
    return { codes, rotation };
  }

  it('finds the two leading axes and their variances', () => {
    const variances = [9, 4, 1, 0.5, 0.25];
    const { codes, rotation } = knownCodes(64, variances, 3); // 64 = 2^6 rows: every sign pattern twice
    const result = principalComponents(codes, 5);
    expect(result.variances[0]).toBeCloseTo(9, 4);
    expect(result.variances[1]).toBeCloseTo(4, 4);
    for (const [axis, expected] of [[result.axes[0], rotation[0]], [result.axes[1], rotation[1]]] as const) {
      const alignment = Math.abs(axis.reduce((total, value, j) => total + value * expected[j], 0));
      expect(alignment).toBeCloseTo(1, 6);
    }
    for (const value of result.mean) expect(value).toBeCloseTo(3, 5);
    // The projected points have those variances, and project2d gives the same points every time.
    const points = project2d(codes, 5);
    expect(Array.from(points)).toEqual(Array.from(result.points));
    expect(Array.from(project2d(codes, 5))).toEqual(Array.from(points));
    const firstVariance = points.filter((_, i) => i % 2 === 0).reduce((total, value) => total + value * value, 0) / 64;
    expect(firstVariance).toBeCloseTo(9, 3);
  });

  it('copes with equal leading variances, rank one and constant codes', () => {
    const equal = principalComponents(knownCodes(16, [4, 4, 1], 5).codes, 3);
    expect(equal.variances[0]).toBeCloseTo(4, 6);
    expect(equal.variances[1]).toBeCloseTo(4, 6);
    const line = Float32Array.from({ length: 30 }, (_, i) => Math.floor(i / 3) * (i % 3 === 0 ? 1 : 2)); // rows (t, 2t, 2t)
    const rankOne = principalComponents(line, 3);
    expect(rankOne.variances[1]).toBeCloseTo(0, 9);
    expect(Math.abs(rankOne.axes[0][0])).toBeCloseTo(1 / 3, 6);
    expect(Array.from(project2d(new Float32Array(12).fill(2), 4))).toEqual(new Array(6).fill(0));
    expect(Array.from(project2d(Float32Array.of(1, 2, 3, 4), 2))).toEqual([1, 2, 3, 4]);
    expect(Array.from(project2d(Float32Array.of(1, 2), 1))).toEqual([1, 0, 2, 0]);
    expect(() => project2d(new Float32Array(7), 3)).toThrow(/7 values are not a whole number of 3-dimensional codes/);
  });
});

function countColor(raster: Raster, color: Rgb): number {
  let count = 0;
  for (let i = 0; i < raster.pixels.length; i += 3) {
    if (raster.pixels[i] === color[0] && raster.pixels[i + 1] === color[1] && raster.pixels[i + 2] === color[2]) count++;
  }
  return count;
}

function crop(raster: Raster, x: number, y: number, width: number, height: number): Raster {
  const out = createRaster(width, height);
  for (let row = 0; row < height; row++) {
    out.pixels.set(raster.pixels.subarray(((y + row) * raster.width + x) * 3, ((y + row) * raster.width + x + width) * 3), row * width * 3);
  }
  return out;
}
