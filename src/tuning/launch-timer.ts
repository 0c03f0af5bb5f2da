// The engine's way of measuring a tunable dispatch's candidates: on scratch buffers of the real sizes
// (inputs random, never the caller's tensors), each candidate first checked against the fallback's
// output, then timed: with timestamp queries where the adapter has them (GPU time, all rounds in one
// submit), else by the wall clock around submits. Rounds take the candidates in turn, so that drift on
// a shared machine falls on all of them alike; each candidate's time is its median over the rounds.
import type { KernelLaunch } from '../kernels/kernel.js';
import type { AdapterKind } from '../kernels/matmul-plan.js';
import type { CandidateTimer, CandidateTiming, TunableDispatch } from './tuner.js';

export interface LaunchTimerOptions {
  device: GPUDevice;
  kind: AdapterKind;
  /** Whether to time with 'timestamp-query' (the device must have it, and its timestamps must be fine-grained). */
  timestamps: boolean;
  /** The pipeline for a launch, compiled without blocking (and cached for later dispatches; a second call while it compiles waits for the same compile). */
  compile(launch: KernelLaunch): Promise<{ pipeline: GPUComputePipeline; layout: GPUBindGroupLayout }>;
  /** Awaits a Dawn promise the way the engine waits (gentle polling, device loss). */
  wait<T>(promise: Promise<T>): Promise<T>;
  /** GPU work before the timed passes, to bring the clocks up (default WARM_UP_MS for the kind). */
  warmUpMs?: number;
}

/**
 * Per sample: long enough that the timer's grain and the launch gaps stay small, short enough that
 * tuning a problem costs little. CPU adapters run a big product in tens of milliseconds, so they get
 * fewer, single-dispatch samples.
 */
const SAMPLE_MS: Record<AdapterKind, number> = { gpu: 0.3, cpu: 8 };
/** Wall-clock samples include a submit and a wait (0.1-1 ms): longer samples hide that. */
const CLOCK_SAMPLE_MS: Record<AdapterKind, number> = { gpu: 3, cpu: 10 };
const ROUNDS: Record<AdapterKind, number> = { gpu: 7, cpu: 3 };
/**
 * A GPU idles at a fraction of its clock (an H200: 345 MHz against 1980) and speeds up only under
 * load, so the timed passes follow about this much work in the same submit. Without it the lab on an
 * H200 timed small products 3-4x slower than they run inside a training step.
 */
const WARM_UP_MS: Record<AdapterKind, number> = { gpu: 20, cpu: 0 };
const MAX_WARM_UP_DISPATCHES = 16_384;
const MAX_DISPATCHES_PER_SAMPLE = 256;
/** Outputs are compared on at most this many bytes from the start. */
const CHECKED_BYTES = 4 << 20;

interface Runnable {
  launch: KernelLaunch;
  pipeline: GPUComputePipeline;
  bindGroup: GPUBindGroup;
  problem?: string;
}

export function launchTimer(options: LaunchTimerOptions): CandidateTimer {
  const { device } = options;
  const measure = async (tunable: TunableDispatch): Promise<CandidateTiming[]> => {
    const bindings = tunable.candidates[0].kernel.bindings;
    const buffers = tunable.bindingBytes.map((bytes, i) =>
      device.createBuffer({ size: Math.max(4, Math.ceil(bytes / 4) * 4), usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, label: `tuning scratch ${i}` }),
    );
    try {
      buffers.forEach((buffer, i) => {
        if (bindings[i] !== 'write') device.queue.writeBuffer(buffer, 0, randomValues(buffer.size / 4, i + 1));
      });
      const results: CandidateTiming[] = [];
      const runnable: Runnable[] = [];
      const compiled = await Promise.allSettled(tunable.candidates.map((launch) => options.compile(launch)));
      compiled.forEach((outcome, i) => {
        const launch = tunable.candidates[i];
        if (outcome.status === 'rejected') {
          results.push({ variant: launch.variant, ms: null, problem: `did not compile (${String(outcome.reason?.message ?? outcome.reason).split('\n')[0]})` });
          return;
        }
        const { pipeline, layout } = outcome.value;
        const bindGroup = device.createBindGroup({ layout, entries: buffers.map((buffer, binding) => ({ binding, resource: { buffer } })) });
        runnable.push({ launch, pipeline, bindGroup });
      });
      await checkOutputs(options, runnable, buffers[bindings.lastIndexOf('write')]);
      const correct = runnable.filter((candidate) => !candidate.problem);
      // Measuring must never leak an error into the engine's own work: any GPU error here drops the
      // measurement (the fallback stays) and says why.
      device.pushErrorScope('validation');
      const times = correct.length > 1 ? await (options.timestamps ? timeWithTimestamps(options, correct) : timeWithClock(options, correct)) : correct.map(() => 0);
      const error = await options.wait(device.popErrorScope());
      const failed = error ? `timing failed (${error.message.split('\n')[0]})` : times.some((ms) => !(ms > 0) && correct.length > 1) ? 'timing gave no time' : null;
      correct.forEach((candidate, i) => results.push(failed ? { variant: candidate.launch.variant, ms: null, problem: failed } : { variant: candidate.launch.variant, ms: times[i] }));
      for (const candidate of runnable) if (candidate.problem) results.push({ variant: candidate.launch.variant, ms: null, problem: candidate.problem });
      return results;
    } finally {
      for (const buffer of buffers) buffer.destroy();
    }
  };
  // Every candidate of the queue compiles at once (the driver may use several threads); failures are
  // reported when the measurement itself awaits the same compile.
  const prepare = (tunable: TunableDispatch) => {
    for (const launch of tunable.candidates) options.compile(launch).catch(() => undefined);
  };
  return Object.assign(measure, { prepare });
}

/** Runs each candidate once and compares its output with the first one's; a wrong one gets a problem. */
async function checkOutputs(options: LaunchTimerOptions, runnable: Runnable[], output: GPUBuffer): Promise<void> {
  const { device } = options;
  const checked = Math.min(output.size, CHECKED_BYTES);
  let reference: Float32Array | null = null;
  for (const candidate of runnable) {
    device.queue.writeBuffer(output, 0, new Float32Array(checked / 4).fill(Number.NaN)); // unwritten outputs show
    const staging = device.createBuffer({ size: checked, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'tuning check' });
    const encoder = device.createCommandEncoder({ label: 'tuning check' });
    encodeDispatches(encoder, candidate, 1);
    encoder.copyBufferToBuffer(output, 0, staging, 0, checked);
    device.queue.submit([encoder.finish()]);
    await options.wait(staging.mapAsync(GPUMapMode.READ));
    const values = new Float32Array(staging.getMappedRange().slice(0));
    staging.destroy();
    if (!values.every(Number.isFinite)) candidate.problem = 'wrote non-finite values or left outputs unwritten';
    else if (!reference) reference = values;
    else candidate.problem = disagreement(values, reference) ?? undefined;
  }
}

/** Different kernels add in different orders: allow rounding relative to the output's scale, no more. */
function disagreement(values: Float32Array, reference: Float32Array): string | null {
  let scale = 0;
  for (const value of reference) scale = Math.max(scale, Math.abs(value));
  const tolerance = 1e-4 * (1 + scale);
  for (let i = 0; i < values.length; i++) {
    if (Math.abs(values[i] - reference[i]) > tolerance) return `disagrees with the fallback at element ${i} (${values[i]} against ${reference[i]})`;
  }
  return null;
}

function encodeDispatches(encoder: GPUCommandEncoder, candidate: Runnable, count: number, timestampWrites?: GPUComputePassTimestampWrites): void {
  const pass = encoder.beginComputePass(timestampWrites ? { timestampWrites } : {});
  pass.setPipeline(candidate.pipeline);
  pass.setBindGroup(0, candidate.bindGroup);
  const [x, y, z] = candidate.launch.workgroups;
  for (let i = 0; i < count; i++) pass.dispatchWorkgroups(x, y, z);
  pass.end();
}

/** Dispatches per sample so that a sample lasts about `sampleMs`, from one dispatch's time. */
function dispatchesPerSample(sampleMs: number, singleMs: number): number {
  return Math.max(1, Math.min(MAX_DISPATCHES_PER_SAMPLE, Math.round(sampleMs / Math.max(singleMs, 1e-4))));
}

/** GPU time per dispatch of each candidate, from timestamp queries around passes of repeated dispatches. */
async function timeWithTimestamps(options: LaunchTimerOptions, candidates: Runnable[]): Promise<number[]> {
  const { device, kind } = options;
  const rounds = ROUNDS[kind];
  // Two timestamps per pass: the rounds' passes and the warm-up pass before them.
  const querySet = device.createQuerySet({ type: 'timestamp', count: 2 * (candidates.length * rounds + 1), label: 'tuning' });
  try {
    // One dispatch each (the warm-up too), to size the samples.
    const single = await timedPasses(options, querySet, candidates.map((candidate) => ({ candidate, count: 1 })));
    const counts = single.map((ms) => dispatchesPerSample(SAMPLE_MS[kind], ms));
    const passes: { candidate: Runnable; count: number; index: number }[] = [];
    const warmUp = Math.min(MAX_WARM_UP_DISPATCHES, Math.round((options.warmUpMs ?? WARM_UP_MS[kind]) / Math.max(single[0], 1e-4)));
    if (warmUp > 0) passes.push({ candidate: candidates[0], count: warmUp, index: -1 }); // timed, never used
    for (let round = 0; round < rounds; round++) {
      for (let i = 0; i < candidates.length; i++) {
        const index = (i + round) % candidates.length; // each round starts with another candidate
        passes.push({ candidate: candidates[index], count: counts[index], index });
      }
    }
    const sampleMs = await timedPasses(options, querySet, passes);
    return candidates.map((_, index) => median(passes.flatMap((pass, at) => (pass.index === index ? [sampleMs[at] / pass.count] : []))));
  } finally {
    querySet.destroy();
  }
}

/** Milliseconds each pass took on the GPU: all passes in one submit, one readback. */
async function timedPasses(options: LaunchTimerOptions, querySet: GPUQuerySet, passes: { candidate: Runnable; count: number }[]): Promise<number[]> {
  const { device } = options;
  const bytes = passes.length * 16;
  const resolved = device.createBuffer({ size: bytes, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC, label: 'tuning timestamps' });
  const staging = device.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'tuning timestamps readback' });
  try {
    const encoder = device.createCommandEncoder({ label: 'tuning' });
    passes.forEach(({ candidate, count }, i) => encodeDispatches(encoder, candidate, count, { querySet, beginningOfPassWriteIndex: 2 * i, endOfPassWriteIndex: 2 * i + 1 }));
    encoder.resolveQuerySet(querySet, 0, 2 * passes.length, resolved, 0);
    encoder.copyBufferToBuffer(resolved, 0, staging, 0, bytes);
    device.queue.submit([encoder.finish()]);
    await options.wait(staging.mapAsync(GPUMapMode.READ));
    const stamps = new BigUint64Array(staging.getMappedRange().slice(0));
    return passes.map((_, i) => Math.max(0, Number(stamps[2 * i + 1] - stamps[2 * i])) / 1e6);
  } finally {
    resolved.destroy();
    staging.destroy();
  }
}

/** Wall-clock time per dispatch, each sample a submit of its own that is waited for. */
async function timeWithClock(options: LaunchTimerOptions, candidates: Runnable[]): Promise<number[]> {
  const { kind } = options;
  const sample = async (candidate: Runnable, count: number) => {
    const encoder = options.device.createCommandEncoder({ label: 'tuning' });
    encodeDispatches(encoder, candidate, count);
    const started = performance.now();
    options.device.queue.submit([encoder.finish()]);
    await options.wait(options.device.queue.onSubmittedWorkDone());
    return performance.now() - started;
  };
  const counts: number[] = [];
  for (const candidate of candidates) counts.push(dispatchesPerSample(CLOCK_SAMPLE_MS[kind], await sample(candidate, 1)));
  const samples: number[][] = candidates.map(() => []);
  for (let round = 0; round < ROUNDS[kind]; round++) {
    for (let i = 0; i < candidates.length; i++) {
      const index = (i + round) % candidates.length;
      samples[index].push((await sample(candidates[index], counts[index])) / counts[index]);
    }
  }
  return samples.map(median);
}

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = sorted.length >> 1;
  return sorted.length % 2 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/** Deterministic values in [-1, 1) (xorshift32), so that every run measures on the same data. */
function randomValues(count: number, seed: number): Float32Array<ArrayBuffer> {
  const values = new Float32Array(count);
  let state = (seed * 2654435761) >>> 0 || 1;
  for (let i = 0; i < count; i++) {
    state ^= state << 13;
    state >>>= 0;
    state ^= state >>> 17;
    state ^= state << 5;
    state >>>= 0;
    values[i] = state / 2 ** 31 - 1;
  }
  return values;
}
