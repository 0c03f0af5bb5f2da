// Chooses the entry point, pipeline constants and dispatch size of shaders/matmul.wgsl for one
// matrix product. Pure: no GPU calls. The choices come from bench/kernel-lab/matmul.ts
// (`npm run bench:kernels`), measured on lavapipe (Dawn on a CPU Vulkan driver).

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

export interface MatmulPlan {
  entryPoint: string;
  constants: Record<string, number>;
  workgroups: [number, number, number];
  variant: string;
}

/** Codes of the shader's ACTIVATION constant. */
export const ACTIVATION_CODES: Readonly<Record<Activation, number>> = { none: 0, relu: 1, leakyRelu: 2, sigmoid: 3, tanh: 4 };

const MAX_WORKGROUPS_PER_DIMENSION = 65535;

/** How the output is cut into per-invocation blocks and how blocks are grouped. */
interface Blocking {
  entryPoint: 'matmul_quads' | 'matmul_quads_store4' | 'matmul_scalar';
  tileM: number; // rows of C per invocation
  tileN: number; // columns of C per invocation
  lanesAlongM: boolean; // neighbouring invocations take neighbouring row blocks
  wgX: number; // invocations along the lanes direction
  wgY: number; // invocations along the other direction
}

/** matmul_quads reads vec4s along each buffer's contiguous dimension, so those must be multiples of 4. */
export function quadsFit(p: MatmulProblem): boolean {
  return p.K % 4 === 0 && (!p.transposeA || p.M % 4 === 0) && (p.transposeB || p.N % 4 === 0);
}

function chooseBlocking(p: MatmulProblem): Blocking {
  if (!quadsFit(p)) return withWorkgroup(p, 'matmul_scalar', 4, 4);
  const quads = p.N % 4 === 0 ? 'matmul_quads_store4' : 'matmul_quads';
  // Short products (K ≤ 16, e.g. a decoder's first layer) are bound by writing C: bigger blocks,
  // and neighbouring invocations on neighbouring columns when B's rows run along N too.
  if (p.K <= 16) return withWorkgroup(p, quads, 8, 8, !p.transposeB);
  return withWorkgroup(p, quads, 4, 8);
}

/**
 * Neighbouring invocations (SIMD lanes on a CPU adapter) take neighbouring row blocks, so they
 * read the same op(B) values at the same time, unless C has too few row blocks to fill 8 lanes
 * (M = 8): then they run along the columns. A workgroup spans up to 8 blocks along the lanes and
 * up to 8 across, no wider across than C is, so small outputs still spread over several
 * workgroups (i.e. CPU threads).
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
 * Workgroup size along the lanes: 8, unless that leaves over 10 % of the invocations idle in the
 * last workgroup, as for M = 100 in blocks of 4 rows (25 blocks: 8 wide → 32 slots, 5 wide → 25;
 * a 5×8 workgroup is still 5 whole groups of 8 lanes). Measured: 5×8 beat 8×8 on M = 100.
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

export function planMatmul(p: MatmulProblem): MatmulPlan {
  for (const [name, value] of [['M', p.M], ['N', p.N], ['K', p.K]] as const) {
    if (!Number.isInteger(value) || value < 1) throw new Error(`planMatmul: ${name} must be a positive integer, got ${value}`);
  }
  const blocking = chooseBlocking(p);
  const { tileM, tileN, lanesAlongM, wgX, wgY } = blocking;

  // Workgroups cover wgX blocks along the lanes direction and wgY along the other; the shader
  // numbers them linearly, so the grid only has to hold their count within the per-dimension limit.
  const blocksAlongLanes = lanesAlongM ? Math.ceil(p.M / tileM) : Math.ceil(p.N / tileN);
  const blocksAcross = lanesAlongM ? Math.ceil(p.N / tileN) : Math.ceil(p.M / tileM);
  const total = Math.ceil(blocksAlongLanes / wgX) * Math.ceil(blocksAcross / wgY);
  const x = Math.min(total, MAX_WORKGROUPS_PER_DIMENSION);
  const y = Math.ceil(total / x);
  if (y > MAX_WORKGROUPS_PER_DIMENSION) throw new Error(`planMatmul: ${p.M}x${p.N} output needs too many workgroups (${total})`);

  const constants: Record<string, number> = {
    M: p.M,
    N: p.N,
    K: p.K,
    TRANSPOSE_A: +p.transposeA,
    TRANSPOSE_B: +p.transposeB,
    HAS_BIAS: +p.hasBias,
    ACTIVATION: ACTIVATION_CODES[p.activation],
    LEAKY_SLOPE: p.leakySlope,
    LANES_ALONG_M: +lanesAlongM,
    WG_X: wgX,
    WG_Y: wgY,
  };
  if (blocking.entryPoint !== 'matmul_scalar') Object.assign(constants, { TILE_M: tileM, TILE_N: tileN });
  const name = { matmul_quads: 'quads', matmul_quads_store4: 'quads+store4', matmul_scalar: 'scalar' }[blocking.entryPoint];
  return {
    entryPoint: blocking.entryPoint,
    constants,
    workgroups: [x, y, 1],
    variant: `${name} ${tileM}x${tileN} lanes-${lanesAlongM ? 'm' : 'n'} wg${wgX}x${wgY}`,
  };
}
