import { seededUniform } from '../random/seeded.js';
import type { CovarianceType, MixtureParameters } from './mixture.js';

export type GmmInitialization = 'kmeans++' | 'random';

/** Lloyd iterations run on the sample after seeding the centres. */
const LLOYD_ITERATIONS = 10;

/**
 * A starting mixture from `count` sample rows (float64, [count, d]): centres seeded k-means++ style
 * (each next centre drawn with probability ∝ squared distance to the nearest one so far) and refined by
 * a few Lloyd iterations, or `k` distinct random rows. Each component then takes the weight, mean and
 * covariance of the rows nearest its centre (the whole sample's covariance when it has too few rows),
 * plus the ridge.
 */
export function initialMixture(
  rows: Float64Array,
  count: number,
  d: number,
  k: number,
  covariance: CovarianceType,
  ridge: number,
  seed: number,
  method: GmmInitialization,
): MixtureParameters {
  const random = seededUniform(seed);
  const centres = method === 'random' ? randomRows(rows, count, d, k, random) : kMeansPlusPlus(rows, count, d, k, random);
  let assignment = nearestCentres(rows, count, d, centres, k);
  if (method === 'kmeans++') {
    for (let iteration = 0; iteration < LLOYD_ITERATIONS; iteration++) {
      moveCentres(rows, count, d, centres, k, assignment);
      assignment = nearestCentres(rows, count, d, centres, k);
    }
  }
  const everything = new Uint32Array(count);
  const overall = covarianceOf(rows, count, d, everything, 0, covariance);
  const width = covariance === 'full' ? d * d : d;
  const weights = new Float64Array(k);
  const means = new Float64Array(k * d);
  const covariances = new Float64Array(k * width);
  for (let c = 0; c < k; c++) {
    let members = 0;
    for (let i = 0; i < count; i++) if (assignment[i] === c) members++;
    weights[c] = Math.max(members, 1) / count;
    means.set(centres.subarray(c * d, (c + 1) * d), c * d);
    const own = members > d ? covarianceOf(rows, count, d, assignment, c, covariance).covariance : overall.covariance;
    for (let j = 0; j < width; j++) covariances[c * width + j] = own[j];
    for (let a = 0; a < d; a++) covariances[c * width + (covariance === 'full' ? a * d + a : a)] += ridge;
  }
  const total = weights.reduce((s, w) => s + w, 0);
  for (let c = 0; c < k; c++) weights[c] /= total;
  return { components: k, dimension: d, covariance, weights, means, covariances };
}

function squaredDistance(rows: Float64Array, i: number, centres: Float64Array, c: number, d: number): number {
  let total = 0;
  for (let a = 0; a < d; a++) total += (rows[i * d + a] - centres[c * d + a]) ** 2;
  return total;
}

function randomRows(rows: Float64Array, count: number, d: number, k: number, random: () => number): Float64Array {
  // A partial Fisher-Yates shuffle of the row numbers: k distinct rows.
  const order = Uint32Array.from({ length: count }, (_, i) => i);
  const centres = new Float64Array(k * d);
  for (let c = 0; c < k; c++) {
    const pick = c + Math.floor(random() * (count - c));
    [order[c], order[pick]] = [order[pick], order[c]];
    centres.set(rows.subarray(order[c] * d, (order[c] + 1) * d), c * d);
  }
  return centres;
}

function kMeansPlusPlus(rows: Float64Array, count: number, d: number, k: number, random: () => number): Float64Array {
  const centres = new Float64Array(k * d);
  const first = Math.floor(random() * count);
  centres.set(rows.subarray(first * d, (first + 1) * d), 0);
  const nearest = new Float64Array(count).fill(Infinity);
  for (let c = 1; c < k; c++) {
    let total = 0;
    for (let i = 0; i < count; i++) {
      nearest[i] = Math.min(nearest[i], squaredDistance(rows, i, centres, c - 1, d));
      total += nearest[i];
    }
    let pick = count - 1;
    if (total > 0) {
      let target = random() * total;
      for (let i = 0; i < count; i++) {
        target -= nearest[i];
        if (target < 0) {
          pick = i;
          break;
        }
      }
    } else {
      pick = Math.floor(random() * count); // every row sits on a centre already
    }
    centres.set(rows.subarray(pick * d, (pick + 1) * d), c * d);
  }
  return centres;
}

function nearestCentres(rows: Float64Array, count: number, d: number, centres: Float64Array, k: number): Uint32Array {
  const assignment = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    let best = Infinity;
    for (let c = 0; c < k; c++) {
      const distance = squaredDistance(rows, i, centres, c, d);
      if (distance < best) {
        best = distance;
        assignment[i] = c;
      }
    }
  }
  return assignment;
}

/** Each centre to the mean of its rows; a centre without rows stays where it is. */
function moveCentres(rows: Float64Array, count: number, d: number, centres: Float64Array, k: number, assignment: Uint32Array): void {
  const sums = new Float64Array(k * d);
  const members = new Float64Array(k);
  for (let i = 0; i < count; i++) {
    const c = assignment[i];
    members[c]++;
    for (let a = 0; a < d; a++) sums[c * d + a] += rows[i * d + a];
  }
  for (let c = 0; c < k; c++) {
    if (members[c] === 0) continue;
    for (let a = 0; a < d; a++) centres[c * d + a] = sums[c * d + a] / members[c];
  }
}

/** The (population) covariance of the rows assigned to `component`: variances [d], or [d, d] for full. */
function covarianceOf(
  rows: Float64Array,
  count: number,
  d: number,
  assignment: Uint32Array,
  component: number,
  covariance: CovarianceType,
): { covariance: Float64Array } {
  const mean = new Float64Array(d);
  let members = 0;
  for (let i = 0; i < count; i++) {
    if (assignment[i] !== component) continue;
    members++;
    for (let a = 0; a < d; a++) mean[a] += rows[i * d + a];
  }
  for (let a = 0; a < d; a++) mean[a] /= members;
  const result = new Float64Array(covariance === 'full' ? d * d : d);
  for (let i = 0; i < count; i++) {
    if (assignment[i] !== component) continue;
    for (let a = 0; a < d; a++) {
      const da = rows[i * d + a] - mean[a];
      if (covariance === 'diagonal') result[a] += da * da;
      else for (let b = 0; b < d; b++) result[a * d + b] += da * (rows[i * d + b] - mean[b]);
    }
  }
  for (let j = 0; j < result.length; j++) result[j] /= members;
  return { covariance: result };
}
