import { seededUniform } from '../random/seeded.js';

/**
 * Interleaved 2-D spirals, one arm per class: a small problem that a linear model cannot solve and
 * a two-layer MLP learns in a few hundred steps. Used by the tests and the toy example.
 */
export interface ToyDataset {
  /** Points, row-major [count, 2]. */
  points: Float32Array;
  /** Class of each point, in [0, classes). */
  labels: Uint32Array;
  count: number;
  classes: number;
}

export function spirals(count: number, { classes = 3, noise = 0.05, seed = 1, turns = 1.25 } = {}): ToyDataset {
  const random = seededUniform(seed);
  const points = new Float32Array(count * 2);
  const labels = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    const label = i % classes;
    const along = random(); // position along the arm, 0 at the centre
    const angle = (2 * Math.PI * label) / classes + along * turns * 2 * Math.PI;
    const radius = 0.1 + 0.9 * along;
    points[2 * i] = radius * Math.cos(angle) + noise * gaussian(random);
    points[2 * i + 1] = radius * Math.sin(angle) + noise * gaussian(random);
    labels[i] = label;
  }
  return { points, labels, count, classes };
}

function gaussian(random: () => number): number {
  const u = Math.max(random(), 1e-12);
  return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * random());
}
