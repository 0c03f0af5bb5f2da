import { seededUniform } from '../random/seeded.js';
import type { LabelledImages } from './mnist.js';
import type { ToyDataset } from './spirals.js';

/**
 * Small synthetic data sets, made from a seed in milliseconds, for testing models without MNIST:
 * 2-D Gaussian blobs (next to `spirals` in ./spirals.ts), and tiny labelled images shaped like MNIST.
 */

export interface BlobOptions {
  classes?: number;
  seed?: number;
  /** Standard deviation of each blob. */
  spread?: number;
  /** Blob centres sit evenly on a circle of this radius around the origin. */
  radius?: number;
}

/** `count` 2-D points in `classes` Gaussian blobs, point i in blob i % classes. */
export function gaussianBlobs(count: number, { classes = 4, seed = 1, spread = 0.1, radius = 1 }: BlobOptions = {}): ToyDataset {
  if (!Number.isInteger(classes) || classes < 1) throw new Error(`gaussianBlobs: classes must be a positive whole number, got ${String(classes)}.`);
  const random = seededUniform(seed);
  const points = new Float32Array(count * 2);
  const labels = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % classes;
    const angle = (2 * Math.PI * label) / classes;
    const [dx, dy] = gaussianPair(random);
    points[2 * i] = radius * Math.cos(angle) + spread * dx;
    points[2 * i + 1] = radius * Math.sin(angle) + spread * dy;
    labels[i] = label;
  }
  return { points, labels, count, classes };
}

export interface SyntheticImageOptions {
  seed?: number;
  /** Number of shapes used, 2..10 (default 10, like the digits). */
  classes?: number;
  /** Images are size × size pixels (default 8, so 64 pixels). */
  size?: number;
  /** Background noise: each pixel gets up to noise × 255 (default 0.1). */
  noise?: number;
}

/**
 * Shapes drawn on a size × size grid; `inside(x, y)` for the pixel at column x, row y, within a box
 * from `low` to `high` (inclusive) whose centre is `middle`.
 */
type ShapeRule = (x: number, y: number, low: number, high: number, middle: number) => boolean;

const SHAPES: { name: string; inside: ShapeRule }[] = [
  { name: 'horizontal bar', inside: (x, y, low, high, middle) => Math.abs(y - middle) <= 0.5 && x >= low && x <= high },
  { name: 'vertical bar', inside: (x, y, low, high, middle) => Math.abs(x - middle) <= 0.5 && y >= low && y <= high },
  { name: 'diagonal', inside: (x, y) => Math.abs(x - y) <= 1 },
  { name: 'antidiagonal', inside: (x, y, low, high) => Math.abs(x + y - low - high) <= 1 },
  { name: 'square outline', inside: (x, y, low, high) => x === low || x === high || y === low || y === high },
  { name: 'filled block', inside: (x, y, _low, _high, middle) => Math.abs(x - middle) <= 1.5 && Math.abs(y - middle) <= 1.5 },
  { name: 'plus', inside: (x, y, _low, _high, middle) => Math.abs(x - middle) <= 0.5 || Math.abs(y - middle) <= 0.5 },
  { name: 'cross', inside: (x, y, low, high) => x === y || x + y === low + high },
  { name: 'corner', inside: (x, y, low, high) => x === low || y === high },
  { name: 'tee', inside: (x, y, low, _high, middle) => y === low || Math.abs(x - middle) <= 0.5 },
];

/** What each class of `syntheticImages` draws. */
export const SYNTHETIC_SHAPES: readonly string[] = SHAPES.map((shape) => shape.name);

/**
 * `count` labelled grey images of simple shapes (bars, diagonals, outlines, crosses, ...), each moved
 * by up to one pixel, drawn at a random brightness over faint noise. The same structure as MNIST
 * (`loadMnist().train`), so models and splits can be tested in seconds. Labels are drawn at random.
 */
export function syntheticImages(count: number, { seed = 1, classes = SHAPES.length, size = 8, noise = 0.1 }: SyntheticImageOptions = {}): LabelledImages {
  const op = 'syntheticImages';
  if (!Number.isInteger(count) || count < 1) throw new Error(`${op}: count must be a positive whole number, got ${String(count)}.`);
  if (!Number.isInteger(classes) || classes < 2 || classes > SHAPES.length) {
    throw new Error(`${op}: classes must be a whole number from 2 to ${SHAPES.length}, got ${String(classes)}.`);
  }
  if (!Number.isInteger(size) || size < 6) throw new Error(`${op}: size must be a whole number of at least 6 pixels, got ${String(size)}.`);
  const random = seededUniform(seed);
  const pixels = size * size;
  const images = new Uint8Array(count * pixels);
  const labels = new Uint8Array(count);
  // A margin of one pixel, so a shift by one never pushes a shape off the image.
  const low = 1;
  const high = size - 2;
  const middle = (low + high) / 2;
  for (let i = 0; i < count; i++) {
    const label = Math.floor(random() * classes);
    const inside = SHAPES[label].inside;
    const shiftX = Math.floor(random() * 3) - 1;
    const shiftY = Math.floor(random() * 3) - 1;
    const brightness = 0.7 + 0.3 * random();
    const image = images.subarray(i * pixels, (i + 1) * pixels);
    for (let y = 0; y < size; y++) {
      for (let x = 0; x < size; x++) {
        const [u, v] = [x - shiftX, y - shiftY];
        const onShape = u >= low && u <= high && v >= low && v <= high && inside(u, v, low, high, middle);
        const value = onShape ? brightness : noise * random();
        image[y * size + x] = Math.round(255 * Math.min(1, value));
      }
    }
    labels[i] = label;
  }
  return { images, labels, count, pixels, width: size, height: size, classes };
}

function gaussianPair(random: () => number): [number, number] {
  const radius = Math.sqrt(-2 * Math.log(Math.max(random(), 1e-12)));
  const angle = 2 * Math.PI * random();
  return [radius * Math.cos(angle), radius * Math.sin(angle)];
}
