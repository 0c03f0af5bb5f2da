import { BufferPool, sizeClass, type PooledBuffer, type PoolStats } from './buffer-pool.js';
import type { Recording } from './captured-step.js';
import type { Command } from './commands.js';
import { checkBufferPlan, planBuffers, type BufferPlanReport } from './buffer-plan.js';
import { PlannedBuffer } from './planned-buffer.js';

export interface MemoryStats extends PoolStats {
  /** Tensors made and not yet disposed. */
  liveTensors: number;
  pipelines: number;
  submits: number;
  /** The buffer plans of the captured steps alive now, summed (see buffer-plan.ts). */
  plan: CapturePlanStats;
}

export interface CapturePlanStats extends BufferPlanReport {
  /** Captured steps alive whose buffers were planned. */
  steps: number;
}

/** A uniform block bound to a kernel: filled once in eager mode, refilled before every replay when captured. */
export interface UniformBlock {
  readonly pooled: PooledBuffer;
  readonly byteLength: number;
}

/**
 * The engine's GPU memory: a pool for tensors and one for uniform blocks, and who may reuse what when.
 * A released buffer waits for the submit that may still read it (`nextSubmission`); during a capture,
 * buffers go to the recording instead, since every replay uses them again.
 */
export class DeviceMemory {
  /** Tensors made and not yet disposed. */
  liveTensors = 0;
  /** The capture in progress: what it acquires or releases stays with the captured step. */
  recording: Recording | null = null;
  private readonly storage: BufferPool;
  private readonly uniforms: BufferPool;
  /** The plans of the captured steps alive now. */
  private readonly plans = new Map<Recording, BufferPlanReport>();

  constructor(
    private readonly device: GPUDevice,
    /** The adapter's maxStorageBufferBindingSize: no tensor may be larger. */
    private readonly maxBinding: number,
  ) {
    this.storage = new BufferPool(device, GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST, 'tensor');
    this.uniforms = new BufferPool(device, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, 'uniform');
  }

  /**
   * A buffer of `byteLength` bytes for a new tensor (`what` describes it in the error when it cannot be
   * bound); `release` gives it back when the tensor is disposed. `forUpload`: its contents will be
   * written from the CPU at once (see BufferPool.acquire). In a capture that plans its buffers, the
   * tensor's buffer is chosen when the capture ends (PlannedBuffer).
   */
  acquire(byteLength: number, what: string, forUpload = false): PooledBuffer {
    if (byteLength > this.maxBinding) {
      throw new Error(
        `tensor ${what} needs ${(byteLength / 2 ** 20).toFixed(1)} MiB, over this adapter's ` +
          `maxStorageBufferBindingSize of ${(this.maxBinding / 2 ** 20).toFixed(1)} MiB. Split it, or keep large data packed (u8 in u32).`,
      );
    }
    this.liveTensors++;
    const recording = this.recording;
    if (recording?.plansBuffers) {
      const planned = new PlannedBuffer(byteLength, sizeClass(byteLength), what, recording, (bytes) => this.acquireFor(recording, bytes, true));
      recording.planned.push(planned);
      return planned;
    }
    const pooled = this.storage.acquire(byteLength, forUpload);
    recording?.own(pooled);
    return pooled;
  }

  release(pooled: PooledBuffer, nextSubmission: number): void {
    this.liveTensors--;
    if (pooled instanceof PlannedBuffer) pooled.released = true;
    if (pooled.owner) return; // a captured step replays into it: it goes back when the step is disposed
    // A tensor made before the capture and disposed during it may be read by the recorded dispatches:
    // the step keeps its buffer, or the pool would hand it out while replays still use it.
    if (this.recording) {
      this.recording.own(pooled);
      return;
    }
    this.storage.release(pooled, nextSubmission);
  }

  /**
   * A uniform block filled by `fill` now and, inside a capture, before every replay. Outside a capture it
   * is fresh from the pool, so nothing pending reads it, and it stays out of reuse until its submit has run.
   */
  uniform(byteLength: number, fill: () => ArrayBufferView, nextSubmission: number): UniformBlock {
    if (!Number.isInteger(byteLength) || byteLength <= 0 || byteLength % 16 !== 0) {
      throw new Error(`uniform: a block of ${byteLength} bytes; uniform blocks must be a positive multiple of 16 bytes (pad the struct).`);
    }
    const pooled = this.uniforms.acquire(byteLength, true);
    const write = () => {
      const data = fill();
      this.device.queue.writeBuffer(pooled.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    };
    write();
    if (this.recording) {
      this.recording.own(pooled);
      this.recording.uniformWriters.push(write);
    } else {
      this.uniforms.release(pooled, nextSubmission);
    }
    return { pooled, byteLength };
  }

  /**
   * Gives the planned buffers of a finished capture their GPU buffers (`planBuffers`), checks the plan
   * against the commands, and reports it. The buffers belong to the captured step.
   */
  placeRecording(recording: Recording, commands: readonly Command[]): BufferPlanReport {
    const report = planBuffers(commands, recording.planned, (bytes) => this.acquireFor(recording, bytes, false));
    checkBufferPlan(commands);
    this.plans.set(recording, report);
    return report;
  }

  /** Gives a disposed captured step's buffers back; reusable once `nextSubmission` has run. */
  releaseRecording(recording: Recording, nextSubmission: number): void {
    this.plans.delete(recording);
    for (const tensor of recording.tensors) tensor.dispose();
    for (const pooled of recording.owned) {
      pooled.owner = null;
      const pool = pooled.buffer.usage & GPUBufferUsage.UNIFORM ? this.uniforms : this.storage;
      pool.release(pooled, nextSubmission);
    }
    recording.owned.length = 0;
  }

  /** Called when every submission up to `submission` has finished on the GPU. */
  reclaim(submission: number): void {
    this.storage.reclaim(submission);
    this.uniforms.reclaim(submission);
  }

  /** Destroys the free buffers and starts the peak afresh (see `engine.trimMemory`). */
  trim(completedSubmission: number): void {
    for (const pool of [this.storage, this.uniforms]) {
      pool.reclaim(completedSubmission);
      pool.trim();
      pool.resetPeak();
    }
  }

  /** The plans of the captured steps alive now, summed. */
  planStats(): CapturePlanStats {
    const total: CapturePlanStats = { steps: 0, intermediates: 0, intermediateBytes: 0, buffers: 0, bufferBytes: 0, mostBytesAlive: 0 };
    for (const report of this.plans.values()) {
      total.steps++;
      total.intermediates += report.intermediates;
      total.intermediateBytes += report.intermediateBytes;
      total.buffers += report.buffers;
      total.bufferBytes += report.bufferBytes;
      total.mostBytesAlive += report.mostBytesAlive;
    }
    return total;
  }

  stats(): PoolStats {
    const storage = this.storage.getStats();
    const uniforms = this.uniforms.getStats();
    return {
      liveBytes: storage.liveBytes,
      liveBuffers: storage.liveBuffers,
      pooledBytes: storage.pooledBytes + uniforms.pooledBytes + uniforms.liveBytes,
      pooledBuffers: storage.pooledBuffers + uniforms.pooledBuffers + uniforms.liveBuffers,
      peakBytes: storage.peakBytes + uniforms.peakBytes,
    };
  }

  /** A pool buffer owned by `recording`: a replay uses it again, so it goes back when the step is disposed. */
  private acquireFor(recording: Recording, byteLength: number, forUpload: boolean): PooledBuffer {
    const pooled = this.storage.acquire(byteLength, forUpload);
    recording.own(pooled);
    return pooled;
  }

  destroy(): void {
    this.storage.destroy();
    this.uniforms.destroy();
  }
}
