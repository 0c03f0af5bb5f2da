// Which matmul kernels may compute a given product on this adapter, and which one runs when nothing
// has been measured: the candidates the tuner times (src/tuning/) and the fallback for tuning 'off'.
// Pure: no GPU calls. Figures behind the choices: `npm run bench:kernels` (the kernel lab).
import type { KernelLaunch } from './kernel.js';
import { BLOCKED, BLOCKED_QUADS, SPLIT_K, SPLIT_K_SUBGROUPS, TILED, type MatmulProblem, type MatmulVariant } from './matmul-variants.js';

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
 * Products at most this big in C, with a sum at least MIN_SPLIT_K long, may split the sum over a
 * workgroup: a tiled kernel would give them a handful of workgroups (100×8 is one 128×128 tile).
 */
const NARROW_OUTPUT = 16_384;
const MIN_SPLIT_K = 64;

export function planMatmul(p: MatmulProblem, kind: AdapterKind, features: ReadonlySet<string> = new Set()): MatmulPlan {
  for (const [name, value] of [['M', p.M], ['N', p.N], ['K', p.K]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`planMatmul: ${name} must be a positive integer, got ${value}`);
  }
  const key = `matmul ${p.M}x${p.N}x${p.K} ${p.transposeA ? 't' : 'n'}${p.transposeB ? 't' : 'n'}`;
  const usable = (variant: MatmulVariant) => variant.fits(p) && (!variant.feature || features.has(variant.feature));
  const variants = (kind === 'cpu' ? cpuCandidates(p) : gpuCandidates(p, features)).filter(usable);
  const fallbackVariant = kind === 'cpu' ? BLOCKED : gpuFallback(p);
  return { key, fallback: fallbackVariant.launch(p), candidates: distinct([fallbackVariant, ...variants].map((v) => v.launch(p))) };
}

function cpuCandidates(p: MatmulProblem): MatmulVariant[] {
  return [BLOCKED, ...BLOCKED_QUADS.filter((variant) => variant.fits(p))];
}

const isNarrow = (p: MatmulProblem) => p.M * p.N <= NARROW_OUTPUT && p.K >= MIN_SPLIT_K;

function gpuCandidates(p: MatmulProblem, features: ReadonlySet<string>): MatmulVariant[] {
  if (!isNarrow(p)) return [...TILED];
  const smallTiles = TILED.filter((variant) => /^tiled (32|64)x/.test(variant.name) && variant.name.endsWith(' 4x4'));
  return [...smallTiles, ...SPLIT_K, ...(features.has('subgroups') ? SPLIT_K_SUBGROUPS : [])];
}

/** The GPU plan without measurements: split the sum for narrow outputs, else tiles sized to fill the GPU. */
function gpuFallback(p: MatmulProblem): MatmulVariant {
  if (isNarrow(p)) return SPLIT_K[0];
  const byName = (name: string) => TILED.find((variant) => variant.name === name)!;
  if (p.M >= 1024 && p.N >= 1024) return byName('tiled 128x128x8 8x8');
  if (Math.ceil(p.M / 64) * Math.ceil(p.N / 64) >= 128) return byName('tiled 64x64x16 4x4');
  return byName('tiled 32x32x32 4x4');
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
