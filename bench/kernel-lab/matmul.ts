// Matmul kernel lab: numbered variants (naive first) checked against a float64 CPU reference and
// timed per shape, then the shipped kernel (shaders/matmul.wgsl chosen by planMatmul) compared
// with the best lab variant on the model's forward and backward shapes.
// Options: --quick (few shapes, few samples), --shapes=text,... (only shapes whose label contains
// one of the texts), --no-sweep / --sweep-only (skip / only run the shipped kernel's correctness sweep).
// Env LAB_DEBUG=1 prints every timing sample.
import { ACTIVATION_CODES, planMatmul, quadsFit, type Activation, type MatmulProblem } from '../../src/kernels/matmul-plan.js';
import { acquireGpu, gentleWait, readProjectText } from './gpu.js';

interface Shape extends MatmulProblem {
  label: string;
  model: boolean; // counts towards the shipped-vs-lab ratio
}

interface Dispatch {
  source: string;
  entryPoint: string;
  constants: Record<string, number>;
  workgroups: [number, number, number];
}

interface Variant {
  name: string;
  describe: string;
  fits(p: MatmulProblem): boolean;
  dispatch(p: MatmulProblem): Dispatch;
}

// ---------------------------------------------------------------- shapes

function problem(M: number, K: number, N: number, transposeA = false, transposeB = false, hasBias = false, activation: Activation = 'none'): MatmulProblem {
  return { M, N, K, transposeA, transposeB, hasBias, activation, leakySlope: 0.2 };
}

/** Forward y = x·W (+bias, relu) of a layer with batch×inputs·inputs×outputs, and its two backward products. */
function layerShapes(batch: number, inputs: number, outputs: number): Shape[] {
  return [
    { label: `${batch}x${inputs}·${inputs}x${outputs}`, model: true, ...problem(batch, inputs, outputs, false, false, true, 'relu') },
    { label: `dW ${inputs}x${batch}ᵀ·${batch}x${outputs}`, model: true, ...problem(inputs, batch, outputs, true, false) },
    { label: `dX ${batch}x${outputs}·${outputs}x${inputs}ᵀ`, model: true, ...problem(batch, outputs, inputs, false, true) },
  ];
}

function labShapes(quick: boolean): Shape[] {
  if (quick) {
    return [
      { label: '100x784·784x1000', model: true, ...problem(100, 784, 1000, false, false, true, 'relu') },
      { label: '100x1000·1000x8', model: true, ...problem(100, 1000, 8, false, false, true, 'relu') },
      { label: 'dW 784x100ᵀ·100x1000', model: true, ...problem(784, 100, 1000, true, false) },
    ];
  }
  const square = (n: number): Shape => ({ label: `${n}³`, model: false, ...problem(n, n, n) });
  return [
    ...layerShapes(100, 784, 1000),
    ...layerShapes(100, 1000, 1000),
    ...layerShapes(100, 1000, 8),
    ...layerShapes(100, 8, 1000),
    square(256),
    square(512),
    square(1024),
  ];
}

// ---------------------------------------------------------------- variants

const ceilDiv = (a: number, b: number) => Math.ceil(a / b);

function problemConstants(p: MatmulProblem): Record<string, number> {
  return {
    M: p.M, N: p.N, K: p.K,
    TRANSPOSE_A: +p.transposeA, TRANSPOSE_B: +p.transposeB,
    HAS_BIAS: +p.hasBias, ACTIVATION: ACTIVATION_CODES[p.activation], LEAKY_SLOPE: p.leakySlope,
  };
}

/**
 * Lab shader = the shipped shaders/matmul.wgsl (its constants, bindings, loads, block multiply and
 * epilogue) + the variant file's entry points, with a scalar variant's `const LAB_TILE_M/N` rewritten.
 */
function labSource(file: string, tileM?: number, tileN?: number): string {
  let body = readProjectText(`bench/kernel-lab/shaders/${file}`);
  if (tileM !== undefined) body = body.replace(/const LAB_TILE_M: u32 = \d+u;/, `const LAB_TILE_M: u32 = ${tileM}u;`);
  if (tileN !== undefined) body = body.replace(/const LAB_TILE_N: u32 = \d+u;/, `const LAB_TILE_N: u32 = ${tileN}u;`);
  return readProjectText('shaders/matmul.wgsl') + '\n' + body;
}


function naive(wg: number): Variant {
  const source = labSource('naive.wgsl');
  return {
    name: 'naive', describe: `1 output/invocation, workgroup ${wg}x${wg}`, fits: () => true,
    dispatch: (p) => ({ source, entryPoint: 'main', constants: { ...problemConstants(p), WG_X: wg, WG_Y: wg },
      workgroups: [ceilDiv(p.N, wg), ceilDiv(p.M, wg), 1] }),
  };
}

function scalarBlocked(tileM: number, tileN: number, wgX: number, wgY: number): Variant {
  const source = labSource('scalar-blocked.wgsl', tileM, tileN);
  return {
    name: `s${tileM}x${tileN}`, describe: `scalar loads, ${tileM}x${tileN} outputs/invocation, workgroup ${wgX}x${wgY}`, fits: () => true,
    dispatch: (p) => ({ source, entryPoint: 'main', constants: { ...problemConstants(p), WG_X: wgX, WG_Y: wgY },
      workgroups: [ceilDiv(p.N, tileN * wgX), ceilDiv(p.M, tileM * wgY), 1] }),
  };
}

function quads(tileM: number, tileN: number, wgX: number, wgY: number, lanesAlongM = false): Variant {
  const source = labSource('vec4-blocked.wgsl');
  const along = lanesAlongM ? 'm' : 'n';
  return {
    name: `q${tileM}x${tileN}${lanesAlongM ? 'm' : ''}${wgX === 8 && wgY === 8 ? '' : `/${wgX}x${wgY}`}`,
    describe: `vec4 quads, ${tileM}x${tileN} outputs/invocation, workgroup ${wgX}x${wgY}, lanes along ${along}`,
    fits: quadsFit,
    dispatch: (p) => {
      const rowTiles = ceilDiv(p.M, tileM);
      const colTiles = ceilDiv(p.N, tileN);
      const workgroups: [number, number, number] = lanesAlongM
        ? [ceilDiv(rowTiles, wgX), ceilDiv(colTiles, wgY), 1]
        : [ceilDiv(colTiles, wgX), ceilDiv(rowTiles, wgY), 1];
      return { source, entryPoint: 'main', constants: { ...problemConstants(p), TILE_M: tileM, TILE_N: tileN, WG_X: wgX, WG_Y: wgY, LANES_ALONG_M: +lanesAlongM }, workgroups };
    },
  };
}

function quadsRowUniform(tileM: number, tileN: number, wgX: number): Variant {
  const source = labSource('vec4-blocked.wgsl');
  return {
    name: `u${tileM}x${tileN}/${wgX}`, describe: `vec4 quads, ${tileM}x${tileN} outputs/invocation, workgroup ${wgX}x1, rows uniform per workgroup`,
    fits: quadsFit,
    dispatch: (p) => ({ source, entryPoint: 'main_row_uniform', constants: { ...problemConstants(p), TILE_M: tileM, TILE_N: tileN, WG_X: wgX, WG_Y: 1 },
      workgroups: [ceilDiv(p.N, tileN * wgX), ceilDiv(p.M, tileM), 1] }),
  };
}

function quadsColUniform(tileM: number, tileN: number, wgX: number): Variant {
  const source = labSource('vec4-blocked.wgsl');
  return {
    name: `c${tileM}x${tileN}/${wgX}`, describe: `vec4 quads, ${tileM}x${tileN} outputs/invocation, workgroup ${wgX}x1, columns uniform per workgroup`,
    fits: quadsFit,
    dispatch: (p) => ({ source, entryPoint: 'main_col_uniform', constants: { ...problemConstants(p), TILE_M: tileM, TILE_N: tileN, WG_X: wgX, WG_Y: 1 },
      workgroups: [ceilDiv(p.M, tileM * wgX), ceilDiv(p.N, tileN), 1] }),
  };
}

function labVariants(): Variant[] {
  return [
    naive(8),
    scalarBlocked(4, 4, 8, 8),
    quads(4, 4, 8, 8),
    quads(4, 8, 8, 8),
    quads(8, 4, 8, 8),
    quads(8, 8, 8, 8),
    quads(4, 8, 8, 8, true),
    quads(8, 4, 8, 8, true),
    quads(4, 4, 8, 2, true),
    quads(4, 8, 8, 1, true),
    quadsRowUniform(4, 8, 16),
    quadsColUniform(4, 8, 16),
    quadsColUniform(8, 8, 16),
    quads(4, 8, 5, 8, true),
  ];
}

function shippedVariant(): Variant {
  const source = readProjectText('shaders/matmul.wgsl');
  return {
    name: 'shipped', describe: 'shaders/matmul.wgsl as planned by planMatmul', fits: () => true,
    dispatch: (p) => {
      const plan = planMatmul(p);
      return { source, entryPoint: plan.entryPoint, constants: plan.constants, workgroups: plan.workgroups };
    },
  };
}

// ---------------------------------------------------------------- data and reference

/** Deterministic pseudo-random values in [-1, 1). */
function randomArray(length: number, seed: number): Float32Array<ArrayBuffer> {
  const out = new Float32Array(length);
  let state = seed >>> 0 || 1;
  for (let i = 0; i < length; i++) {
    state ^= state << 13; state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5; state >>>= 0;
    out[i] = state / 2 ** 31 - 1;
  }
  return out;
}

function activateF64(x: number, activation: Activation, slope: number): number {
  switch (activation) {
    case 'relu': return Math.max(x, 0);
    case 'leakyRelu': return x >= 0 ? x : x * slope;
    case 'sigmoid': return 1 / (1 + Math.exp(-x));
    case 'tanh': return Math.tanh(x);
    default: return x;
  }
}

function referenceMatmul(p: MatmulProblem, a: Float32Array, b: Float32Array, bias: Float32Array): Float64Array {
  const { M, N, K } = p;
  const out = new Float64Array(M * N);
  // op(B) as a K×N float64 copy so the inner loop is contiguous.
  const bk = new Float64Array(K * N);
  for (let k = 0; k < K; k++) for (let n = 0; n < N; n++) bk[k * N + n] = p.transposeB ? b[n * K + k] : b[k * N + n];
  const row = new Float64Array(N);
  for (let m = 0; m < M; m++) {
    row.fill(0);
    for (let k = 0; k < K; k++) {
      const av = p.transposeA ? a[k * M + m] : a[m * K + k];
      const base = k * N;
      for (let n = 0; n < N; n++) row[n] += av * bk[base + n];
    }
    for (let n = 0; n < N; n++) out[m * N + n] = activateF64(row[n] + (p.hasBias ? bias[n] : 0), p.activation, p.leakySlope);
  }
  return out;
}

/** f32 accumulation error grows with K; values are O(sqrt(K)). */
const tolerance = (p: MatmulProblem) => 1e-5 + 2e-6 * p.K;

// ---------------------------------------------------------------- GPU runner

class Runner {
  private modules = new Map<string, GPUShaderModule>();
  private pipelines = new Map<string, GPUComputePipeline>();
  constructor(readonly device: GPUDevice) {}

  async pipeline(d: Dispatch): Promise<GPUComputePipeline> {
    const key = `${d.source.length}:${hash(d.source)}|${d.entryPoint}|${JSON.stringify(d.constants)}`;
    const cached = this.pipelines.get(key);
    if (cached) return cached;
    let module = this.modules.get(d.source);
    if (!module) {
      module = this.device.createShaderModule({ code: d.source });
      const info = await gentleWait(module.getCompilationInfo());
      const errors = info.messages.filter((m) => m.type === 'error');
      if (errors.length) throw new Error(errors.map((m) => `${m.lineNum}:${m.linePos} ${m.message}`).join('\n'));
      this.modules.set(d.source, module);
    }
    this.device.pushErrorScope('validation');
    const pipeline = await gentleWait(this.device.createComputePipelineAsync({
      layout: 'auto', compute: { module, entryPoint: d.entryPoint, constants: d.constants },
    }));
    const error = await gentleWait(this.device.popErrorScope());
    if (error) throw new Error(error.message);
    this.pipelines.set(key, pipeline);
    return pipeline;
  }

  storage(data: Float32Array<ArrayBuffer>): GPUBuffer {
    const buffer = this.device.createBuffer({ size: data.byteLength, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_DST | GPUBufferUsage.COPY_SRC });
    this.device.queue.writeBuffer(buffer, 0, data);
    return buffer;
  }

  bindGroup(pipeline: GPUComputePipeline, buffers: GPUBuffer[]): GPUBindGroup {
    return this.device.createBindGroup({
      layout: pipeline.getBindGroupLayout(0),
      entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer, size: buffer.size } })),
    });
  }

  encode(pipeline: GPUComputePipeline, group: GPUBindGroup, workgroups: [number, number, number], times: number): GPUCommandBuffer {
    const encoder = this.device.createCommandEncoder();
    const pass = encoder.beginComputePass();
    pass.setPipeline(pipeline);
    pass.setBindGroup(0, group);
    for (let i = 0; i < times; i++) pass.dispatchWorkgroups(...workgroups);
    pass.end();
    return encoder.finish();
  }

  async run(pipeline: GPUComputePipeline, group: GPUBindGroup, workgroups: [number, number, number], times: number): Promise<number> {
    const commands = this.encode(pipeline, group, workgroups, times);
    const started = performance.now();
    this.device.queue.submit([commands]);
    await gentleWait(this.device.queue.onSubmittedWorkDone());
    return performance.now() - started;
  }

  async read(buffer: GPUBuffer): Promise<Float32Array> {
    const staging = this.device.createBuffer({ size: buffer.size, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    const encoder = this.device.createCommandEncoder();
    encoder.copyBufferToBuffer(buffer, 0, staging, 0, buffer.size);
    this.device.queue.submit([encoder.finish()]);
    await gentleWait(staging.mapAsync(GPUMapMode.READ));
    const out = new Float32Array(staging.getMappedRange().slice(0));
    staging.destroy();
    return out;
  }
}

function hash(text: string): number {
  let h = 2166136261;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 16777619);
  return h >>> 0;
}

interface Operands { a: Float32Array<ArrayBuffer>; b: Float32Array<ArrayBuffer>; bias: Float32Array<ArrayBuffer>; buffers: GPUBuffer[]; reference: Float64Array }

function makeOperands(runner: Runner, p: MatmulProblem, seed: number): Operands {
  const a = randomArray(p.M * p.K, seed);
  const b = randomArray(p.K * p.N, seed + 1);
  const bias = p.hasBias ? randomArray(p.N, seed + 2) : new Float32Array(1);
  const c = new Float32Array(p.M * p.N).fill(NaN); // unwritten outputs show up as errors
  return { a, b, bias, reference: referenceMatmul(p, a, b, bias), buffers: [a, b, bias, c].map((x) => runner.storage(x)) };
}

async function maxError(runner: Runner, d: Dispatch, ops: Operands): Promise<number> {
  runner.device.queue.writeBuffer(ops.buffers[3]!, 0, new Float32Array(ops.reference.length).fill(NaN));
  const pipeline = await runner.pipeline(d);
  await runner.run(pipeline, runner.bindGroup(pipeline, ops.buffers), d.workgroups, 1);
  const got = await runner.read(ops.buffers[3]!);
  let worst = 0;
  for (let i = 0; i < got.length; i++) {
    const err = Math.abs(got[i]! - ops.reference[i]!);
    if (!(err <= worst)) worst = Number.isNaN(err) ? Infinity : err;
  }
  return worst;
}

interface Timed {
  pipeline: GPUComputePipeline;
  group: GPUBindGroup;
  workgroups: [number, number, number];
  times: number; // dispatches per sample
  samples: (number | undefined)[]; // ms per dispatch, indexed by round (undefined: round skipped)
}

/**
 * Warm-up, then pick how many dispatches one sample submits. Every submit-and-wait costs up to
 * ~1-2 ms of its own (the gentle wait polls every millisecond), so a sample must be long enough to
 * hide that: the count is doubled until a sample takes half the target, then scaled to the target.
 */
async function prepareTiming(runner: Runner, d: Dispatch, ops: Operands, sampleMs: number): Promise<Timed> {
  const pipeline = await runner.pipeline(d);
  const group = runner.bindGroup(pipeline, ops.buffers);
  await runner.run(pipeline, group, d.workgroups, 1);
  let times = 1;
  let ms = await runner.run(pipeline, group, d.workgroups, times);
  while (ms < sampleMs / 2 && times < 1024) {
    times *= 2;
    ms = await runner.run(pipeline, group, d.workgroups, times);
  }
  times = Math.max(1, Math.min(2048, Math.round((times * sampleMs) / ms)));
  return { pipeline, group, workgroups: d.workgroups, times, samples: [] };
}

/**
 * Takes samples round-robin over the entries: every round times each entry once, back to back,
 * so that load from elsewhere on this shared machine hits all variants alike. Entries whose
 * single dispatch outlasts a sample (naive on big shapes) stop after 3 samples.
 */
async function timeRoundRobin(runner: Runner, entries: Timed[], rounds: number, sampleMs: number): Promise<void> {
  for (let round = 0; round < rounds; round++) {
    // Each round starts at a different entry, so no variant always runs right after the same one.
    for (let i = 0; i < entries.length; i++) {
      const e = entries[(i + round) % entries.length]!;
      const taken = e.samples.filter((x) => x !== undefined);
      if (e.times === 1 && taken.length >= 3 && taken[0]! > 2 * sampleMs) continue;
      e.samples[round] = (await runner.run(e.pipeline, e.group, e.workgroups, e.times)) / e.times;
    }
  }
  if (process.env.LAB_DEBUG) for (const e of entries) console.log(e.times, e.samples.map((x) => x?.toFixed(3) ?? '-').join(' '));
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}

const medianMs = (e: Timed) => median(e.samples.filter((x): x is number => x !== undefined));

/**
 * Speed of `a` relative to `b` (above 1: a is faster) as the median over rounds of the ratio of
 * their samples within the same round. The speed of this shared machine drifts (up to 2x over
 * seconds); samples from the same round see the same conditions, so this ratio is far steadier
 * than a ratio of two medians taken over the whole run.
 */
function pairedSpeedRatio(a: Timed, b: Timed): number {
  const ratios: number[] = [];
  a.samples.forEach((ta, round) => {
    const tb = b.samples[round];
    if (ta !== undefined && tb !== undefined) ratios.push(tb / ta);
  });
  return median(ratios);
}

// ---------------------------------------------------------------- correctness sweep of the shipped kernel

async function sweepShipped(runner: Runner, shipped: Variant, quick: boolean): Promise<string[]> {
  const sizes = quick ? [1, 7, 8, 33] : [1, 2, 7, 8, 10, 33, 100];
  const activations: Activation[] = ['none', 'relu', 'leakyRelu', 'sigmoid', 'tanh'];
  const cases: MatmulProblem[] = [];
  let pick = 0;
  for (const M of sizes) for (const N of sizes) for (const K of sizes) {
    pick++;
    if (pick % (quick ? 2 : 3) !== 0) continue; // part of the cube, spread over all sizes
    const layout = pick % 4;
    cases.push({ M, N, K, transposeA: layout === 1 || layout === 3, transposeB: layout >= 2, hasBias: pick % 2 === 0,
      activation: activations[pick % activations.length]!, leakySlope: 0.1 });
  }
  // Autoencoder heads, narrow K, odd large shapes, every layout.
  for (let layout = 0; layout < 4; layout++) {
    for (const [M, N, K] of [[100, 1, 1000], [100, 2, 784], [100, 8, 1000], [100, 10, 1000], [100, 1000, 2], [100, 1000, 8], [33, 784, 100], [1000, 10, 100], [7, 1000, 33]] as const) {
      if (quick && layout > 0 && M !== 100) continue;
      cases.push({ M, N, K, transposeA: layout === 1 || layout === 3, transposeB: layout >= 2, hasBias: true,
        activation: activations[(M + N + K + layout) % activations.length]!, leakySlope: 0.1 });
    }
  }
  if (!quick) {
    // Outputs so wide that the workgroups exceed 65535 in one grid dimension.
    cases.push({ M: 2, N: 4_500_000, K: 4, transposeA: false, transposeB: false, hasBias: true, activation: 'relu', leakySlope: 0.1 });
    cases.push({ M: 3, N: 4_500_001, K: 3, transposeA: true, transposeB: true, hasBias: false, activation: 'none', leakySlope: 0.1 });
  }
  const failures: string[] = [];
  let seed = 1000;
  for (const p of cases) {
    const ops = makeOperands(runner, p, seed += 7);
    const err = await maxError(runner, shipped.dispatch(p), ops);
    if (!(err <= tolerance(p))) {
      failures.push(`${p.M}x${p.K}${p.transposeA ? 'ᵀ' : ''}·${p.K}x${p.N}${p.transposeB ? 'ᵀ' : ''} ${p.activation} bias=${p.hasBias} (${planMatmul(p).variant}): err ${err.toExponential(2)} > ${tolerance(p).toExponential(1)}`);
    }
    for (const buffer of ops.buffers) buffer.destroy();
  }
  console.log(`correctness sweep of the shipped kernel: ${cases.length - failures.length}/${cases.length} cases within tolerance`);
  for (const f of failures) console.log(`  FAIL ${f}`);
  return failures;
}

// ---------------------------------------------------------------- main

export async function runMatmulLab(args: string[]): Promise<void> {
  const quick = args.includes('--quick');
  const gpu = await acquireGpu();
  try {
    const runner = new Runner(gpu.device);
    const variants = labVariants();
    const shipped = shippedVariant();
    // --shapes=dW,x8 keeps only shapes whose label contains one of the given texts.
    const filter = args.find((arg) => arg.startsWith('--shapes='))?.slice('--shapes='.length).split(',');
    const shapes = labShapes(quick).filter((s) => !filter || filter.some((f) => s.label.includes(f)));
    console.log(`matmul kernel lab on ${gpu.adapterName}${quick ? ' (quick)' : ''}`);
    variants.forEach((v, i) => console.log(`  ${`v${i}`.padEnd(4)} ${v.name.padEnd(13)} ${v.describe}`));
    console.log(`  shipped            ${shipped.describe}\n`);

    if (!args.includes('--no-sweep')) {
      await sweepShipped(runner, shipped, quick);
      console.log('');
      if (args.includes('--sweep-only')) return;
    }

    const sampleMs = quick ? 20 : 25;
    const rounds = quick ? 9 : 25;
    const columns = [...variants.map((_, i) => `v${i}`), 'shipped'];
    const labelWidth = 26;
    console.log(`GFLOP/s per shape: medians of ${rounds} samples of ~${sampleMs} ms each, taken round-robin over the variants;`);
    console.log(`'-' = variant does not fit the shape, '!' = wrong result. vs best = shipped speed / best lab variant's speed,`);
    console.log(`as the median over rounds of the two samples' ratio within each round (steadier than a ratio of medians here).`);
    console.log(`${'shape'.padEnd(labelWidth)}${columns.map((c) => c.padStart(8)).join('')} vs best   shipped plan`);
    const ratios: number[] = [];
    const errorRows: string[] = [];
    let seed = 1;
    for (const shape of shapes) {
      const ops = makeOperands(runner, shape, seed += 10);
      const all = [...variants, shipped];
      const fitting = all.filter((v) => v.fits(shape));
      const errors = new Map<Variant, number>();
      const timed: Timed[] = [];
      for (const v of fitting) {
        const d = v.dispatch(shape);
        errors.set(v, await maxError(runner, d, ops));
        timed.push(await prepareTiming(runner, d, ops, sampleMs));
      }
      await timeRoundRobin(runner, timed, rounds, sampleMs);
      const timing = new Map(fitting.map((v, i) => [v, timed[i]!]));
      const flop = 2 * shape.M * shape.N * shape.K;
      const ok = (v: Variant) => errors.get(v)! <= tolerance(shape);
      const cells = all.map((v) => (timing.has(v) ? `${(flop / (medianMs(timing.get(v)!) * 1e6)).toFixed(2)}${ok(v) ? '' : '!'}` : '-'));
      const errs = all.map((v) => (errors.has(v) ? errors.get(v)!.toExponential(0) : '-'));
      // Shipped vs the best correct lab variant, each compared with the shipped kernel round by round.
      const rivals = variants.filter((v) => timing.has(v) && ok(v));
      const vsBest = ok(shipped) ? Math.min(...rivals.map((v) => pairedSpeedRatio(timing.get(shipped)!, timing.get(v)!))) : 0;
      for (const buffer of ops.buffers) buffer.destroy();
      console.log(`${shape.label.padEnd(labelWidth)}${cells.map((c) => c.padStart(8)).join('')}${vsBest.toFixed(2).padStart(8)}   ${planMatmul(shape).variant}`);
      errorRows.push(`${shape.label.padEnd(labelWidth)}${errs.map((c) => c.padStart(8)).join('')}   tol ${tolerance(shape).toExponential(0)}`);
      if (shape.model) ratios.push(vsBest);
    }
    console.log(`\nmax |error| vs float64 reference per shape`);
    console.log(`${'shape'.padEnd(labelWidth)}${columns.map((c) => c.padStart(8)).join('')}`);
    for (const row of errorRows) console.log(row);
    console.log(`\nmatmul vs lab best: min ratio ${Math.min(...ratios).toFixed(3)} over model shapes`);
  } finally {
    gpu.release();
  }
}
