// A kernel workload: the same operation on both sides, repeated a few times per timed run so that
// even the tiny shapes take long enough to time; the run ends by reading back the sum of the last
// result (one number: reading a whole 4096×4096 result would time the copy to the CPU, not the kernel).
import type { Engine } from '../../src/device/engine.js';
import type { Tensor } from '../../src/tensor/tensor.js';
import type { Tensor as TfTensor } from '@tensorflow/tfjs';
import { seededUniform } from '../../src/random/seeded.js';
import { sum } from '../../src/ops/reduce.js';
import type { Runner } from '../harness.js';
import type { Peer } from '../peers/peer.js';
import type { Tf } from '../peers/tfjs.js';
import type { Jax, JaxArray, JaxPeer } from '../peers/jax.js';

export type ThroughputUnit = 'GFLOP/s' | 'GB/s';

export interface Workload {
  name: string;
  /** What `--only` selects by (e.g. 'matmul'). */
  group: string;
  unit: ThroughputUnit;
  /** FLOPs or bytes moved by one operation. */
  amountPerOperation: number;
  /** Operations per timed run. */
  operationsPerRun: number;
  ours(engine: Engine): Runner;
  peer(peer: Peer): Promise<Runner>;
}

export interface RepeatedOperation {
  name: string;
  group: string;
  unit: ThroughputUnit;
  amountPerOperation: number;
  /** Shapes of the inputs, filled with the same seeded uniform values on both sides. */
  inputShapes: readonly (readonly number[])[];
  ours(inputs: Tensor[]): Tensor;
  theirs(tf: Tf, inputs: TfTensor[]): TfTensor;
  /** The same in jax-js, compiled with its `jit`; it owns `inputs` (jax-js's reference counting). */
  jax(jax: Jax, inputs: JaxArray[]): JaxArray;
  /** How much work each timed run does. */
  scale: RunScale;
}

/**
 * 'quick': the test's smoke run; 'cpu': a full run on a CPU adapter; 'gpu': a full run on a GPU, which
 * does the same work about a thousand times faster and so needs more of it per run.
 */
export type RunScale = 'quick' | 'cpu' | 'gpu';

/**
 * Enough operations per run that each run does about this much work (FLOPs or bytes): every run ends
 * with a submit and a wait for one number (on both sides), and with too few operations per run that
 * wait, not the kernel, is what gets timed. On a GPU a 100×1000·1000×1000 product takes microseconds:
 * 256 of them make a run of a few milliseconds.
 */
const RUN_SIZES: Record<RunScale, { workPerRun: number; maxOperationsPerRun: number }> = {
  quick: { workPerRun: 40e6, maxOperationsPerRun: 32 },
  cpu: { workPerRun: 1e9, maxOperationsPerRun: 32 },
  gpu: { workPerRun: 5e10, maxOperationsPerRun: 256 },
};
/**
 * Memory-bound operations on a GPU: every output of a run stays allocated until the run ends (ours are
 * recorded into one submit), so a run moves at most about 2 GB (16M floats added: 10 operations).
 */
const GPU_BYTES_PER_RUN = 2e9;

export function repeatedOperation(spec: RepeatedOperation): Workload {
  const size = RUN_SIZES[spec.scale];
  const workPerRun = spec.scale === 'gpu' && spec.unit === 'GB/s' ? GPU_BYTES_PER_RUN : size.workPerRun;
  const { maxOperationsPerRun } = size;
  const operationsPerRun = Math.max(1, Math.min(maxOperationsPerRun, Math.ceil(workPerRun / spec.amountPerOperation)));
  const values = () => spec.inputShapes.map((shape, i) => seededValues(shape.reduce((a, b) => a * b, 1), 1000 + i));
  return {
    name: spec.name,
    group: spec.group,
    unit: spec.unit,
    amountPerOperation: spec.amountPerOperation,
    operationsPerRun,
    ours(engine) {
      const inputs = values().map((data, i) => engine.keep(engine.tensor(data, [...spec.inputShapes[i]])));
      return {
        async run() {
          const total = engine.noGrad(() =>
            engine.scope(() => {
              let output = spec.ours(inputs);
              for (let i = 1; i < operationsPerRun; i++) output = spec.ours(inputs);
              return sum(output);
            }),
          );
          await total.read();
          total.dispose();
        },
        dispose: () => inputs.forEach((t) => t.dispose()),
        async result() {
          const output = engine.noGrad(() => engine.scope(() => spec.ours(inputs)));
          const values = (await output.read()) as Float32Array;
          output.dispose();
          return values;
        },
      };
    },
    async peer(peer) {
      await peer.activate();
      if (peer.kind === 'jax') return jaxRunner(peer, spec, values(), operationsPerRun);
      const tf = peer.tf;
      const inputs = values().map((data, i) => tf.tensor(data, [...spec.inputShapes[i]]));
      return {
        before: () => peer.activate(),
        async run() {
          let output = spec.theirs(tf, inputs);
          for (let i = 1; i < operationsPerRun; i++) {
            output.dispose();
            output = spec.theirs(tf, inputs);
          }
          const total = tf.sum(output);
          await peer.wait(total.data());
          total.dispose();
          output.dispose();
        },
        dispose: () => inputs.forEach((t) => t.dispose()),
        async result() {
          await peer.activate();
          const output = spec.theirs(tf, inputs);
          const values = (await peer.wait(output.data())) as Float32Array;
          output.dispose();
          return values;
        },
      };
    },
  };
}

/** A jax-js peer's runner: the operation jitted once, repeated, then the sum of its last result read back. */
function jaxRunner(peer: JaxPeer, spec: RepeatedOperation, values: Float32Array[], operationsPerRun: number): Runner {
  const { numpy: np, jit } = peer.jax;
  const inputs = values.map((data, i) => np.array(data).reshape([...spec.inputShapes[i]!]));
  const operation = jit((...arrays: JaxArray[]) => spec.jax(peer.jax, arrays));
  return {
    before: () => peer.activate(),
    async run() {
      // jax-js is lazy: an output disposed before anything needs it is never computed. So every output is
      // kept until all are ready (as ours are, recorded into one submit), then the last one's sum is read.
      const outputs = Array.from({ length: operationsPerRun }, () => operation(...inputs.map((input) => input.ref)));
      await peer.wait(peer.jax.blockUntilReady(outputs));
      const total = outputs.pop()!.sum();
      for (const output of outputs) output.dispose();
      await peer.wait(total.data());
    },
    dispose: () => {
      for (const input of inputs) input.dispose();
      operation.dispose();
    },
    async result() {
      await peer.activate();
      return (await peer.wait(operation(...inputs.map((input) => input.ref)).data())) as Float32Array;
    },
  };
}

/** Results agree when the largest difference is within 1e-3 of the reference's largest magnitude. */
export const RESULT_TOLERANCE = 1e-3;

/** Compares a peer's result with ours: whether they agree, and a line saying by how much. */
export function compareResults(ours: Float32Array, theirs: Float32Array): { agrees: boolean; summary: string } {
  if (ours.length !== theirs.length) return { agrees: false, summary: `${theirs.length} values, ours ${ours.length}` };
  let largest = 0;
  let worst = 0;
  let at = 0;
  for (let i = 0; i < ours.length; i++) {
    largest = Math.max(largest, Math.abs(ours[i]!));
    const difference = Math.abs(ours[i]! - theirs[i]!);
    if (!(difference <= worst)) {
      worst = difference;
      at = i;
    }
  }
  const relative = worst / Math.max(largest, Number.MIN_VALUE);
  const agrees = Number.isFinite(relative) && relative <= RESULT_TOLERANCE;
  return { agrees, summary: `largest difference ${worst.toExponential(2)} at element ${at} (${relative.toExponential(2)} of the largest value; tolerance ${RESULT_TOLERANCE})` };
}

export function seededValues(count: number, seed: number): Float32Array {
  const next = seededUniform(seed);
  const values = new Float32Array(count);
  for (let i = 0; i < count; i++) values[i] = 2 * next() - 1;
  return values;
}
