import type { DispatchCommand } from './commands.js';
import type { SubmissionQueue } from './submission-queue.js';

/** GPU time of one kind of dispatch (a kernel at one grid size: for matmul, one shape). */
export interface KernelTime {
  /** The kernel's name and its workgroup grid, e.g. `matmul [125,13,1]`. */
  name: string;
  dispatches: number;
  milliseconds: number;
  /** Of all the profiled GPU time. */
  share: number;
}

export interface KernelProfile {
  dispatches: number;
  /** Sum of every profiled dispatch's GPU time. */
  milliseconds: number;
  /** Slowest first. */
  kernels: KernelTime[];
  /** Dispatches past the query capacity, run but not timed. */
  untimed: number;
}

/**
 * Times dispatches with WebGPU timestamp queries: while profiling, each dispatch gets a compute pass of
 * its own whose start and end are written to a query set (a pass is the finest grain timestamps have).
 * The separate passes add barriers the normal one-pass encoding avoids, so the total is a little above an
 * unprofiled run's; the split between kernels is what it is for.
 */
export class Profiler {
  private readonly querySet: GPUQuerySet;
  private readonly timed: Pick<DispatchCommand, 'label' | 'workgroups'>[] = [];
  private untimed = 0;

  constructor(
    private readonly device: GPUDevice,
    // WebGPU caps a query set at 4096 queries: two per timed dispatch.
    private readonly capacity = 2048,
  ) {
    this.querySet = device.createQuerySet({ type: 'timestamp', count: 2 * capacity, label: 'profiler' });
  }

  /** The timestamp writes for the pass of `dispatch`, or undefined once the query set is full. */
  timestampsFor(dispatch: DispatchCommand): GPUComputePassTimestampWrites | undefined {
    if (this.timed.length === this.capacity) {
      this.untimed++;
      return undefined;
    }
    const index = this.timed.length;
    this.timed.push({ label: dispatch.label, workgroups: dispatch.workgroups });
    return { querySet: this.querySet, beginningOfPassWriteIndex: 2 * index, endOfPassWriteIndex: 2 * index + 1 };
  }

  /** Resolves the timestamps (after all profiled work was submitted) and sums them by kernel and grid. */
  async finish(wait: <T>(promise: Promise<T>) => Promise<T>): Promise<KernelProfile> {
    const count = 2 * this.timed.length;
    const byteLength = Math.max(8, count * 8);
    const resolved = this.device.createBuffer({ size: byteLength, usage: GPUBufferUsage.QUERY_RESOLVE | GPUBufferUsage.COPY_SRC, label: 'profiler resolve' });
    const staging = this.device.createBuffer({ size: byteLength, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'profiler readback' });
    try {
      const encoder = this.device.createCommandEncoder({ label: 'profiler' });
      if (count > 0) encoder.resolveQuerySet(this.querySet, 0, count, resolved, 0);
      encoder.copyBufferToBuffer(resolved, 0, staging, 0, byteLength);
      this.device.queue.submit([encoder.finish()]);
      await wait(staging.mapAsync(GPUMapMode.READ));
      const stamps = new BigInt64Array(staging.getMappedRange().slice(0));
      staging.unmap();
      const kernels = new Map<string, { dispatches: number; nanoseconds: number }>();
      let total = 0;
      this.timed.forEach(({ label, workgroups }, i) => {
        // A pass whose end precedes its start (a timestamp the adapter could not take) counts as zero.
        const nanoseconds = Math.max(0, Number(stamps[2 * i + 1] - stamps[2 * i]));
        const name = `${label} [${workgroups.join(',')}]`;
        const entry = kernels.get(name) ?? { dispatches: 0, nanoseconds: 0 };
        entry.dispatches++;
        entry.nanoseconds += nanoseconds;
        kernels.set(name, entry);
        total += nanoseconds;
      });
      return {
        dispatches: this.timed.length,
        milliseconds: total / 1e6,
        kernels: [...kernels.entries()]
          .map(([name, { dispatches, nanoseconds }]) => ({ name, dispatches, milliseconds: nanoseconds / 1e6, share: total > 0 ? nanoseconds / total : 0 }))
          .sort((a, b) => b.milliseconds - a.milliseconds),
        untimed: this.untimed,
      };
    } finally {
      resolved.destroy();
      staging.destroy();
      this.querySet.destroy();
    }
  }
}

/** What profiling needs of the engine. */
export interface ProfiledEngine {
  readonly device: GPUDevice;
  /** Names the adapter in the error when it cannot take timestamps. */
  readonly adapterName: string;
  readonly queue: SubmissionQueue;
  sync(): Promise<void>;
  flush(): void;
  wait<T>(promise: Promise<T>): Promise<T>;
}

/** Runs `work` with every dispatch it submits in a timed pass of its own (see `engine.profile`). */
export async function profileWork(engine: ProfiledEngine, work: () => unknown): Promise<KernelProfile> {
  if (!engine.device.features.has('timestamp-query')) {
    throw new Error(`profile: the adapter (${engine.adapterName}) has no 'timestamp-query' feature, so GPU time cannot be measured per kernel; time whole steps instead.`);
  }
  if (engine.queue.profiler) throw new Error('profile: already profiling; profiles do not nest.');
  await engine.sync();
  const profiler = new Profiler(engine.device);
  engine.queue.profiler = profiler;
  try {
    await work();
    engine.flush();
  } finally {
    engine.queue.profiler = null;
  }
  return profiler.finish((promise) => engine.wait(promise));
}
