// Which matmul kernels may compute a given product on this adapter, and which one runs when nothing
// has been measured: the candidates the tuner times (src/tuning/) and the fallback for tuning 'off'.
// Pure: no GPU calls. Figures behind the choices: `npm run bench:kernels` (the kernel lab).
import type { KernelLaunch } from './kernel.js';
import { BLOCKED, BLOCKED_QUADS, DIRECT, SPLIT_K, SPLIT_K_SUBGROUPS, TILED, type MatmulProblem, type MatmulVariant } from './matmul-variants.js';

export { ACTIVATION_CODES, quadsFit, type Activation, type MatmulProblem } from './matmul-variants.js';

/**
 * CPU adapters (lavapipe, SwiftShader) run invocations as SIMD lanes and lose with workgroup memory;
 * GPUs need it. See src/device/adapter-info.ts for how an adapter is classed.
 */
export type AdapterKind = 'cpu' | 'gpu';

export interface MatmulPlan {
  /** What the choice depends on besides the adapter: the shape and the transposes. */
  key: string;
  /** Runs when tuning is off, and until the candidates are measured. */
  fallback: KernelLaunch;
  /** Every launch worth timing for this product, the fallback among them; distinct. */
  candidates: readonly KernelLaunch[];
}

/**
 * How a GPU plan sees a product (figures: the kernel lab on an H200, bench/results/):
 * - narrow: C of at most 16K elements with a long sum (an encoder's 100×8 code, a logit): a tiled
 *   kernel gives it one or two workgroups; splitting the sum over a workgroup ran 10-20x faster;
 * - thin: C of at most 256K elements (100×1000 at batch 100): too few tiles to fill the GPU, so
 *   small tiles, one output per invocation, or (for a long sum) the split sum;
 * - big: everything else, tiled, bigger tiles for bigger products.
 */
type GpuShapeClass = 'narrow' | 'thin' | 'big';
const NARROW_OUTPUT = 16_384;
const THIN_OUTPUT = 262_144;
const LONG_SUM = 256;

function gpuShapeClass(p: MatmulProblem): GpuShapeClass {
  const outputs = p.M * p.N;
  if (outputs <= NARROW_OUTPUT && p.K >= 64) return 'narrow';
  if (outputs <= THIN_OUTPUT) return 'thin';
  return 'big';
}

export function planMatmul(p: MatmulProblem, kind: AdapterKind, features: ReadonlySet<string> = new Set()): MatmulPlan {
  for (const [name, value] of [['M', p.M], ['N', p.N], ['K', p.K]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`planMatmul: ${name} must be a positive integer, got ${value}`);
  }
  const key = `matmul ${p.M}x${p.N}x${p.K} ${p.transposeA ? 't' : 'n'}${p.transposeB ? 't' : 'n'}`;
  const usable = (variant: MatmulVariant) => variant.fits(p) && (!variant.feature || features.has(variant.feature));
  const variants = (kind === 'cpu' ? cpuCandidates(p) : gpuCandidates(p, features)).filter(usable);
  const fallbackVariant = kind === 'cpu' ? BLOCKED : gpuFallback(p, features);
  return { key, fallback: fallbackVariant.launch(p), candidates: distinct([fallbackVariant, ...variants].map((v) => v.launch(p))) };
}

function cpuCandidates(p: MatmulProblem): MatmulVariant[] {
  return [BLOCKED, ...BLOCKED_QUADS.filter((variant) => variant.fits(p))];
}

const tiledNamed = (name: string) => TILED.find((variant) => variant.name === name)!;
const splitSums = (features: ReadonlySet<string>) => (features.has('subgroups') ? SPLIT_K_SUBGROUPS : SPLIT_K);

/**
 * At most four per product, the fallback among them: compiling a candidate costs 50-140 ms on an H200
 * (Vulkan, cold driver cache), and a paper-sized training step has about twenty products.
 */
function gpuCandidates(p: MatmulProblem, features: ReadonlySet<string>): MatmulVariant[] {
  const [split128, split256] = splitSums(features);
  switch (gpuShapeClass(p)) {
    case 'narrow':
      return [split256, split128, DIRECT, tiledNamed('tiled 32x64x16 4x4')];
    case 'thin':
      return [DIRECT, tiledNamed('tiled 32x64x16 4x4'), tiledNamed('tiled 64x64x16 4x4'), ...(p.K >= LONG_SUM ? [split128] : [])];
    case 'big':
      return ['tiled 128x128x8 8x8', 'tiled 64x64x16 4x4', 'tiled 128x64x16 8x4', 'tiled 32x64x16 4x4'].map(tiledNamed);
  }
}

/**
 * The GPU plan without measurements: what the tuner picked on an H200 (bench/results/), shape class by
 * shape class. Narrow: the split sum, 256-wide for a sum of 512 or more. Thin: one output per invocation,
 * or the split sum for dY·Wᵀ (Bᵀ, read along K). Big: 64×64 tiles, 128×128 from 2048² outputs on.
 */
function gpuFallback(p: MatmulProblem, features: ReadonlySet<string>): MatmulVariant {
  const [split128, split256] = splitSums(features);
  switch (gpuShapeClass(p)) {
    case 'narrow':
      return p.K >= 512 ? split256 : split128;
    case 'thin':
      return p.transposeB && p.K >= LONG_SUM ? split128 : DIRECT;
    case 'big':
      if (p.M * p.N >= 2048 * 2048 && p.K >= 1024) return tiledNamed('tiled 128x128x8 8x8');
      return Math.ceil(p.M / 64) * Math.ceil(p.N / 64) >= 128 ? tiledNamed('tiled 64x64x16 4x4') : tiledNamed('tiled 32x64x16 4x4');
  }
}

/** Drops launches that would run the very same pipeline on the same grid (two names, one plan). */
function distinct(launches: KernelLaunch[]): KernelLaunch[] {
  const seen = new Set<string>();
  return launches.filter((launch) => {
    const identity = `${launch.kernel.entryPoint}|${JSON.stringify(launch.constants)}|${launch.workgroups.join(',')}`;
    if (seen.has(identity)) return false;
    seen.add(identity);
    return true;
  });
}
