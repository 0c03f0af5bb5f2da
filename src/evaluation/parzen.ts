import type { Engine } from '../device/engine.js';
import { defineKernel, perElementLaunch } from '../kernels/kernel.js';
import { fill } from '../launch/fill.js';
import { gatherRows } from '../ops/gather.js';
import { matmul } from '../ops/matmul.js';
import { mean, sum } from '../ops/reduce.js';
import { square } from '../ops/unary.js';
import type { Tensor } from '../tensor/tensor.js';
import parzenSource from '../../shaders/parzen.wgsl';

const accumulateKernel = defineKernel({
  name: 'parzen:accumulate',
  source: parzenSource,
  entryPoint: 'accumulate',
  bindings: ['read', 'read', 'read', 'read', 'write', 'write'],
});
const finishKernel = defineKernel({ name: 'parzen:finish', source: parzenSource, entryPoint: 'finish', bindings: ['read', 'read', 'read', 'write'] });

export interface ParzenOptions {
  /** Test points per tile (default 1000). */
  testTile?: number;
  /** Samples per tile (default 1000). The tile's distance block is testTile × sampleTile floats. */
  sampleTile?: number;
}

/** One row of chooseSigma's table. */
export interface SigmaScore {
  sigma: number;
  /** Mean log-likelihood of the validation points under the Parzen window of this width. */
  logLikelihood: number;
}

/** A start below any exponent the kernel can meet, so the first term replaces it (exp of the gap is 0). */
const NO_MAXIMUM = -3.0e38;

/**
 * The Parzen-window (kernel density) log-likelihood of each test point under isotropic Gaussians of
 * width σ placed on the samples, for several σ at once: log (1/m) Σ_j N(x | s_j, σ² I).
 * Computed on the GPU in tiles of test points × samples (squared distances by a matmul, then a running
 * log-sum-exp per test point and σ across the sample tiles), so 10,000 × 10,000 × 784 fits in memory.
 * Returns per-point log-densities as a tensor [σ count, n]; the caller reads and disposes it.
 */
export async function parzenLogDensities(
  engine: Engine,
  samples: Tensor,
  test: Tensor,
  sigmas: readonly number[],
  options: ParzenOptions = {},
): Promise<Tensor> {
  const op = 'parzen';
  for (const [role, tensor] of [['samples', samples], ['test points', test]] as const) {
    if (tensor.dtype !== 'f32' || tensor.shape.length !== 2) throw new Error(`${op}: ${role} ${tensor.describe()} must be a 2-D f32 tensor [count, dimension].`);
  }
  const [m, d] = samples.shape;
  const [n, testDimension] = test.shape;
  if (testDimension !== d) throw new Error(`${op}: samples ${samples.describe()} and test points ${test.describe()} differ in dimension (${d} vs ${testDimension}).`);
  if (sigmas.length === 0 || sigmas.some((sigma) => !(sigma > 0) || !Number.isFinite(sigma))) {
    throw new Error(`${op}: kernel widths [${sigmas.join(', ')}] must be finite numbers > 0 (at least one).`);
  }
  const testTile = options.testTile ?? 1000;
  const sampleTile = options.sampleTile ?? 1000;
  for (const [name, value] of [['testTile', testTile], ['sampleTile', sampleTile]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`${op}: ${name} ${value} must be a whole number >= 1.`);
  }
  const count = sigmas.length;
  const inverseTwoVariances = Float32Array.from(sigmas, (sigma) => 1 / (2 * sigma * sigma));
  const logNormalizers = Float32Array.from(sigmas, (sigma) => -Math.log(m) - 0.5 * d * Math.log(2 * Math.PI * sigma * sigma));

  const state = engine.noGrad(() =>
    engine.scope(() => ({
      testNorms: sum(square(test), 1),
      sampleNorms: sum(square(samples), 1),
      scales: engine.tensor(inverseTwoVariances, [count]),
      runningMax: fill(engine, [count, n], NO_MAXIMUM),
      runningSum: fill(engine, [count, n], 0),
    })),
  );
  try {
    // The sample tiles are gathered once and reused for every test tile.
    const sampleTiles = engine.noGrad(() => engine.scope(() => rowTiles(engine, samples, sampleTile)));
    try {
      for (let testStart = 0; testStart < n; testStart += testTile) {
        engine.noGrad(() =>
          engine.scope(() => {
            const [testRows] = rowTiles(engine, test, testTile, testStart, 1);
            const rows = testRows.tensor.shape[0];
            for (const sampleRows of sampleTiles) {
              const cross = matmul(testRows.tensor, sampleRows.tensor, { transposeB: true });
              const launch = perElementLaunch(count * rows, 64);
              const constants = {
                ...launch.constants,
                TEST_POINTS: n,
                SIGMAS: count,
                TILE_ROWS: rows,
                TILE_COLUMNS: sampleRows.tensor.shape[0],
                TEST_OFFSET: testStart,
                SAMPLE_OFFSET: sampleRows.start,
              };
              engine.dispatch(accumulateKernel, constants, [cross, state.testNorms, state.sampleNorms, state.scales, state.runningMax, state.runningSum], launch.workgroups);
              cross.dispose();
            }
          }),
        );
        // Tiles disposed above return to the pool only once their work has run: wait, so memory stays
        // at one test tile's worth instead of growing with the whole job.
        await engine.sync();
      }
    } finally {
      for (const tile of sampleTiles) if (tile.tensor !== samples) tile.tensor.dispose();
    }
    return engine.noGrad(() =>
      engine.scope(() => {
        const normalizers = engine.tensor(logNormalizers, [count]);
        const logDensity = engine.empty([count, n]);
        const launch = perElementLaunch(count * n, 64);
        const constants = { ...launch.constants, TEST_POINTS: n, SIGMAS: count };
        engine.dispatch(finishKernel, constants, [state.runningMax, state.runningSum, normalizers, logDensity], launch.workgroups);
        return logDensity;
      }),
    );
  } finally {
    for (const tensor of Object.values(state)) tensor.dispose();
  }
}

/** Mean Parzen-window log-likelihood of the test points, one number per σ (see parzenLogDensities). */
export async function parzenLogLikelihoods(
  engine: Engine,
  samples: Tensor,
  test: Tensor,
  sigmas: readonly number[],
  options: ParzenOptions = {},
): Promise<number[]> {
  const logDensity = await parzenLogDensities(engine, samples, test, sigmas, options);
  const means = engine.noGrad(() => mean(logDensity, 1));
  logDensity.dispose();
  const values = await means.read();
  means.dispose();
  return Array.from(values);
}

/**
 * The mean over test points of log( (1/m) Σ_j N(x | s_j, σ² I) ): the Parzen-window log-likelihood of
 * the paper's Table 1 (samples from the generator, σ chosen on validation data with chooseSigma).
 */
export async function parzenLogLikelihood(engine: Engine, samples: Tensor, test: Tensor, sigma: number, options: ParzenOptions = {}): Promise<number> {
  const [value] = await parzenLogLikelihoods(engine, samples, test, [sigma], options);
  return value;
}

/**
 * Picks the kernel width with the highest mean log-likelihood on `validation`, evaluating every candidate
 * in one pass over the distances. Returns it with the whole table (candidates in the given order).
 */
export async function chooseSigma(
  engine: Engine,
  samples: Tensor,
  validation: Tensor,
  candidates: readonly number[],
  options: ParzenOptions = {},
): Promise<{ sigma: number; logLikelihood: number; table: SigmaScore[] }> {
  const values = await parzenLogLikelihoods(engine, samples, validation, candidates, options);
  const table = candidates.map((sigma, i) => ({ sigma, logLikelihood: values[i] }));
  const best = table.reduce((winner, row) => (row.logLikelihood > winner.logLikelihood ? row : winner));
  return { sigma: best.sigma, logLikelihood: best.logLikelihood, table };
}

/** The rows of `source` in consecutive tiles (from `start`, at most `limit` tiles); a single whole tile is `source` itself. */
function rowTiles(engine: Engine, source: Tensor, tile: number, start = 0, limit = Infinity): { start: number; tensor: Tensor }[] {
  const rows = source.shape[0];
  if (start === 0 && tile >= rows) return [{ start: 0, tensor: source }];
  const tiles: { start: number; tensor: Tensor }[] = [];
  for (let first = start; first < rows && tiles.length < limit; first += tile) {
    const length = Math.min(tile, rows - first);
    const indices = engine.tensor(Uint32Array.from({ length }, (_, i) => first + i), [length], 'u32');
    tiles.push({ start: first, tensor: gatherRows(source, indices) });
  }
  return tiles;
}
