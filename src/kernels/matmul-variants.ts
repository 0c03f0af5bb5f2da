// Every way this engine can compute C = act(op(A)·op(B) + bias): the kernel families in shaders/ and
// the parameters each is offered with. The planner (matmul-plan.ts) picks a default per adapter kind;
// the tuner times the candidates it lists and keeps the fastest. Pure: no GPU calls.
import { defineKernel, linearGrid, type KernelLaunch } from './kernel.js';
import { wgslWithCodes, wgslWithLibrary } from './wgsl-library.js';
import blockedSource from '../../shaders/matmul-blocked.wgsl';
import tiledSource from '../../shaders/matmul-tiled.wgsl';
import splitKSource from '../../shaders/matmul-split-k.wgsl';
import splitKSubgroupsSource from '../../shaders/matmul-split-k-subgroups.wgsl';
import directSource from '../../shaders/matmul-direct.wgsl';

export type Activation = 'none' | 'relu' | 'leakyRelu' | 'sigmoid' | 'tanh';

export interface MatmulProblem {
  M: number;
  N: number;
  K: number;
  transposeA: boolean;
  transposeB: boolean;
  hasBias: boolean;
  activation: Activation;
  leakySlope: number;
}

/** Codes of the shaders' ACTIVATION constant (shaders/lib/matmul-problem.wgsl names them ACTIVATION_RELU, ...). */
export const ACTIVATION_CODES: Readonly<Record<Activation, number>> = { none: 0, relu: 1, leakyRelu: 2, sigmoid: 3, tanh: 4 };

export interface MatmulVariant {
  /** Stable: the tuning cache stores it. */
  readonly name: string;
  readonly family: 'blocked' | 'tiled' | 'split-k' | 'direct';
  /** The adapter feature its kernel needs, if any. */
  readonly feature?: GPUFeatureName;
  fits(p: MatmulProblem): boolean;
  launch(p: MatmulProblem): KernelLaunch;
}

const BINDINGS = ['read', 'read', 'read', 'write'] as const; // A, B, bias (a stand-in when none), C

/** A matmul kernel file with what every one of them uses: the problem, its epilogue and the activations' codes and maths. */
function withProblem(source: string): string {
  return wgslWithLibrary(wgslWithCodes(source, 'ACTIVATION', ACTIVATION_CODES), 'matmul-problem', 'stable-math');
}

const BLOCKED_SOURCE = withProblem(blockedSource);
const TILED_SOURCE = withProblem(tiledSource);
const SPLIT_K_SOURCE = withProblem(splitKSource);
const DIRECT_SOURCE = withProblem(directSource);
// `enable subgroups;` must open the module, so the subgroup entry point goes first.
const SPLIT_K_SUBGROUPS_SOURCE = withProblem(`${splitKSubgroupsSource}\n${splitKSource}`);

/** Every matmul kernel's full text: the tuning cache's revision hashes it. */
export const MATMUL_SOURCES: readonly string[] = [BLOCKED_SOURCE, TILED_SOURCE, SPLIT_K_SOURCE, SPLIT_K_SUBGROUPS_SOURCE, DIRECT_SOURCE];

const kernel = (source: string, entryPoint: string) => defineKernel({ name: `matmul:${entryPoint}`, source, entryPoint, bindings: BINDINGS });
/** Every matmul kernel, by entry point. */
const KERNELS = {
  matmul_quads: kernel(BLOCKED_SOURCE, 'matmul_quads'),
  matmul_quads_store4: kernel(BLOCKED_SOURCE, 'matmul_quads_store4'),
  matmul_scalar: kernel(BLOCKED_SOURCE, 'matmul_scalar'),
  matmul_tiled: kernel(TILED_SOURCE, 'matmul_tiled'),
  matmul_tiled_vec4: kernel(TILED_SOURCE, 'matmul_tiled_vec4'),
  matmul_split_k: kernel(SPLIT_K_SOURCE, 'matmul_split_k'),
  matmul_split_k_subgroups: kernel(SPLIT_K_SUBGROUPS_SOURCE, 'matmul_split_k_subgroups'),
  matmul_direct: kernel(DIRECT_SOURCE, 'matmul_direct'),
} as const;

function problemConstants(p: MatmulProblem): Record<string, number> {
  return {
    M: p.M,
    N: p.N,
    K: p.K,
    TRANSPOSE_A: +p.transposeA,
    TRANSPOSE_B: +p.transposeB,
    HAS_BIAS: +p.hasBias,
    ACTIVATION: ACTIVATION_CODES[p.activation],
    LEAKY_SLOPE: p.leakySlope,
  };
}

// ---- blocked: shaders/matmul-blocked.wgsl, register blocks without workgroup memory (CPU adapters)

/** matmul_quads reads vec4s along each buffer's contiguous dimension, so those must be multiples of 4. */
export function quadsFit(p: MatmulProblem): boolean {
  return p.K % 4 === 0 && (!p.transposeA || p.M % 4 === 0) && (p.transposeB || p.N % 4 === 0);
}

interface Blocking {
  entryPoint: 'matmul_quads' | 'matmul_quads_store4' | 'matmul_scalar';
  tileM: number; // rows of C per invocation
  tileN: number; // columns of C per invocation
  lanesAlongM: boolean; // neighbouring invocations take neighbouring row blocks
  wgX: number; // invocations along the lanes direction
  wgY: number; // invocations along the other direction
}

/**
 * The plan measured best on lavapipe across the model's shapes: 4×8 blocks, 8×8 for short products
 * (K ≤ 16, e.g. a decoder's first layer), which are bound by writing C; scalar reads when vec4s don't fit.
 */
function automaticBlocking(p: MatmulProblem): Blocking {
  if (!quadsFit(p)) return withWorkgroup(p, 'matmul_scalar', 4, 4);
  const entryPoint = p.N % 4 === 0 ? 'matmul_quads_store4' : 'matmul_quads';
  if (p.K <= 16) return withWorkgroup(p, entryPoint, 8, 8, !p.transposeB);
  return withWorkgroup(p, entryPoint, 4, 8);
}

/**
 * Neighbouring invocations (SIMD lanes on a CPU adapter) take neighbouring row blocks, so they read the
 * same op(B) values at the same time, unless C has too few row blocks to fill 8 lanes (M = 8): then they
 * run along the columns; short products whose B rows run along N prefer the columns. A workgroup spans
 * up to 8 blocks along the lanes and up to 8 across, no wider across than C is, so small outputs still
 * spread over several workgroups (i.e. CPU threads).
 */
function withWorkgroup(p: MatmulProblem, entryPoint: Blocking['entryPoint'], tileM: number, tileN: number, preferLanesAlongN = false): Blocking {
  const rowBlocks = Math.ceil(p.M / tileM);
  const colBlocks = Math.ceil(p.N / tileN);
  const lanesAlongM = preferLanesAlongN ? colBlocks < 8 && colBlocks < rowBlocks : rowBlocks >= 8 || rowBlocks >= colBlocks;
  const wgY = Math.min(8, nextPowerOfTwo(lanesAlongM ? colBlocks : rowBlocks));
  // A narrower lanes width only pays when the workgroup still holds whole groups of 8 lanes.
  const wgX = wgY === 8 ? lanesWidth(lanesAlongM ? rowBlocks : colBlocks) : 8;
  return { entryPoint, tileM, tileN, lanesAlongM, wgX, wgY };
}

/**
 * Workgroup size along the lanes: 8, unless that leaves over 10 % of the invocations idle in the last
 * workgroup, as for M = 100 in blocks of 4 rows (25 blocks: 8 wide → 32 slots, 5 wide → 25; a 5×8
 * workgroup is still 5 whole groups of 8 lanes). Measured: 5×8 beat 8×8 on M = 100.
 */
function lanesWidth(blocks: number): number {
  const idle = (width: number) => (Math.ceil(blocks / width) * width - blocks) / blocks;
  if (idle(8) <= 0.1) return 8;
  let best = 8;
  for (const width of [7, 6, 5, 4]) if (idle(width) < idle(best)) best = width;
  return best;
}

function nextPowerOfTwo(n: number): number {
  return 2 ** Math.ceil(Math.log2(Math.max(1, n)));
}

function blockedLaunch(p: MatmulProblem, blocking: Blocking, variant: string): KernelLaunch {
  const { tileM, tileN, lanesAlongM, wgX, wgY } = blocking;
  // Workgroups cover wgX blocks along the lanes direction and wgY along the other, numbered linearly.
  const blocksAlongLanes = lanesAlongM ? Math.ceil(p.M / tileM) : Math.ceil(p.N / tileN);
  const blocksAcross = lanesAlongM ? Math.ceil(p.N / tileN) : Math.ceil(p.M / tileM);
  const workgroups = linearGrid(Math.ceil(blocksAlongLanes / wgX) * Math.ceil(blocksAcross / wgY));
  const constants = { ...problemConstants(p), LANES_ALONG_M: +lanesAlongM, WG_X: wgX, WG_Y: wgY };
  if (blocking.entryPoint !== 'matmul_scalar') Object.assign(constants, { TILE_M: tileM, TILE_N: tileN });
  return { kernel: KERNELS[blocking.entryPoint], constants, workgroups, variant };
}

/** The blocked kernel as lavapipe measurements plan it (shape by shape: see automaticBlocking). */
const blockedAutomatic: MatmulVariant = {
  name: 'blocked',
  family: 'blocked',
  fits: () => true,
  launch: (p) => blockedLaunch(p, automaticBlocking(p), 'blocked'),
};

/** The blocked kernel with vec4 reads and a fixed register block, for the tuner to try. */
function blockedQuads(tileM: 4 | 8, tileN: 4 | 8): MatmulVariant {
  const name = `blocked ${tileM}x${tileN}`;
  return {
    name,
    family: 'blocked',
    fits: quadsFit,
    launch: (p) => blockedLaunch(p, withWorkgroup(p, p.N % 4 === 0 ? 'matmul_quads_store4' : 'matmul_quads', tileM, tileN), name),
  };
}

// ---- tiled: shaders/matmul-tiled.wgsl, workgroup-memory tiles (GPUs)

export interface Tiling {
  tileM: number;
  tileN: number;
  tileK: number;
  threadM: 4 | 8;
  threadN: 4 | 8;
}

/** Needs K % 4, N % 4 and, for Aᵀ, M % 4: vec4 loads along each buffer's contiguous dimension and vec4 stores. */
export function tiledVec4Fit(p: MatmulProblem): boolean {
  return p.K % 4 === 0 && p.N % 4 === 0 && (!p.transposeA || p.M % 4 === 0);
}

/** The tiled kernel with one tiling (the catalogue offers a few; the kernel lab tries more). */
export function tiled(t: Tiling): MatmulVariant {
  const name = `tiled ${t.tileM}x${t.tileN}x${t.tileK} ${t.threadM}x${t.threadN}`;
  return {
    name,
    family: 'tiled',
    fits: () => true,
    launch(p) {
      const entryPoint = tiledVec4Fit(p) ? 'matmul_tiled_vec4' : 'matmul_tiled';
      const tiles = Math.ceil(p.M / t.tileM) * Math.ceil(p.N / t.tileN);
      return {
        kernel: KERNELS[entryPoint],
        constants: { ...problemConstants(p), TILE_M: t.tileM, TILE_N: t.tileN, TILE_K: t.tileK, THREAD_M: t.threadM, THREAD_N: t.threadN },
        workgroups: linearGrid(tiles),
        variant: name,
      };
    },
  };
}

// ---- split-K: shaders/matmul-split-k*.wgsl, a workgroup per small block of C sharing the sum over K

/** The split-K kernel for OUT_M × OUT_N blocks with `split` invocations sharing each sum. */
export function splitK(outM: number, outN: number, split: number, subgroups: boolean): MatmulVariant {
  const name = `split-k${subgroups ? '-subgroups' : ''} ${outM}x${outN}/${split}`;
  const entryPoint = subgroups ? 'matmul_split_k_subgroups' : 'matmul_split_k';
  return {
    name,
    family: 'split-k',
    ...(subgroups ? { feature: 'subgroups' as GPUFeatureName } : {}),
    fits: () => true,
    launch(p) {
      const blocks = Math.ceil(p.M / outM) * Math.ceil(p.N / outN);
      return {
        kernel: KERNELS[entryPoint],
        constants: { ...problemConstants(p), OUT_M: outM, OUT_N: outN, SPLIT: split },
        workgroups: linearGrid(blocks),
        variant: name,
      };
    },
  };
}

// ---- direct: shaders/matmul-direct.wgsl, one element of C per invocation (GPUs, small outputs)

/** One output per invocation, in workgroups of wgX (along N) × wgY (along M). */
export function direct(wgX: number, wgY: number): MatmulVariant {
  const name = `direct ${wgX}x${wgY}`;
  return {
    name,
    family: 'direct',
    fits: () => true,
    launch: (p) => ({
      kernel: KERNELS.matmul_direct,
      constants: { ...problemConstants(p), WG_X: wgX, WG_Y: wgY },
      workgroups: linearGrid(Math.ceil(p.M / wgY) * Math.ceil(p.N / wgX)),
      variant: name,
    }),
  };
}

// ---- the catalogue

export const BLOCKED = blockedAutomatic;
export const BLOCKED_QUADS = [blockedQuads(4, 8), blockedQuads(8, 4), blockedQuads(8, 8), blockedQuads(4, 4)] as const;

/**
 * Tiles offered on GPUs: big ones for big products, small ones to fill the GPU when C is small. The
 * four that won a shape in the kernel lab on an H200; the lab keeps trying others.
 */
export const TILED = [
  tiled({ tileM: 128, tileN: 128, tileK: 8, threadM: 8, threadN: 8 }),
  tiled({ tileM: 128, tileN: 64, tileK: 16, threadM: 8, threadN: 4 }),
  tiled({ tileM: 64, tileN: 64, tileK: 16, threadM: 4, threadN: 4 }),
  tiled({ tileM: 32, tileN: 64, tileK: 16, threadM: 4, threadN: 4 }),
] as const;

export const SPLIT_K = [splitK(4, 4, 128, false), splitK(4, 4, 256, false)] as const;
export const SPLIT_K_SUBGROUPS = [splitK(4, 4, 128, true), splitK(4, 4, 256, true)] as const;

export const DIRECT = direct(16, 16);

export const MATMUL_VARIANTS: readonly MatmulVariant[] = [BLOCKED, ...BLOCKED_QUADS, ...TILED, ...SPLIT_K, ...SPLIT_K_SUBGROUPS, DIRECT];

export function findMatmulVariant(name: string): MatmulVariant | undefined {
  return MATMUL_VARIANTS.find((variant) => variant.name === name);
}
