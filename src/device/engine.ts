import { Tensor, type DType, type TensorData } from '../tensor/tensor.js';
import { checkShape, formatShape, sizeOf, type Shape } from '../tensor/shape.js';
import type { KernelConstants, KernelDefinition } from '../kernels/kernel.js';
import type { PooledBuffer } from './buffer-pool.js';
import type { GpuProvider } from './gpu-provider.js';
import { formatInfo, type EngineInfo } from './adapter-info.js';
import type { TunableDispatch } from '../tuning/tuner.js';
import { profileWork, type KernelProfile } from './profiler.js';
import { captureStep, type CaptureOptions, type CapturedStep } from './captured-step.js';
import type { Domain } from './numerics-guard.js';
import type { MemoryStats, UniformBlock } from './device-memory.js';
import { typedDataFor } from './upload.js';
import { assembleEngineParts, type EngineParts, type EngineSettings } from './engine-parts.js';

export type { CaptureOptions, EngineSettings, MemoryStats, UniformBlock };

/**
 * The engine owns the device and everything on it. Ops record dispatches here; nothing is sent to the
 * GPU until a read, a write, `flush()` or `sync()` needs it. It is a façade over one part per concern:
 * memory and scopes, dispatch recording and tuning, the submission queue, readback, capture, the
 * numerics guard and profiling (docs/engine-internals.md).
 */
export class Engine {
  /** Off inside `noGrad`: ops then record nothing on the tape. */
  gradEnabled = true;
  readonly limits: Readonly<Record<string, number>>;
  /** 'cpu' for software adapters, 'gpu' otherwise: kernels are planned for one or the other. */
  readonly kind: EngineInfo['kind'];
  /** The device's optional features the engine turned on ('timestamp-query', 'subgroups'). */
  readonly features: ReadonlySet<string>;

  private readonly parts: EngineParts;

  constructor(
    private readonly provider: GpuProvider,
    readonly device: GPUDevice,
    private readonly adapterInfo: EngineInfo,
    settings: EngineSettings,
  ) {
    this.limits = adapterInfo.limits;
    this.kind = adapterInfo.kind;
    this.features = device.features as unknown as ReadonlySet<string>;
    this.parts = assembleEngineParts(this, provider, device, adapterInfo, settings);
  }

  /** The adapter, the limits the engine asked for, and what kernel tuning measured and picked. */
  info(): EngineInfo {
    return { ...this.adapterInfo, tuning: this.parts.recorder.tuner.report() };
  }

  /** The `GPU` object of this engine's adapter: a benchmark hands it to another library to share the adapter. */
  get gpu(): GPU {
    return this.provider.gpu;
  }

  /** Awaits a Dawn promise made outside the engine (another library's readback) with the same gentle polling. */
  waitGently<T>(promise: Promise<T>): Promise<T> {
    return this.parts.polling.wait(promise);
  }

  describe(): string {
    return formatInfo(this.adapterInfo);
  }

  // ---- tensors and their lifetimes ---------------------------------------------------------

  /** Uploads `data` as a new tensor. Plain arrays become f32 unless `dtype` says otherwise. */
  tensor(data: ArrayLike<number>, shape: Shape, dtype?: DType): Tensor {
    const tensor = this.allocate(shape, dtype ?? (data instanceof Uint32Array ? 'u32' : 'f32'), true);
    try {
      const typed = typedDataFor(tensor, data, 'tensor');
      this.device.queue.writeBuffer(tensor.buffer, 0, typed.buffer, typed.byteOffset, typed.byteLength);
    } catch (error) {
      tensor.dispose();
      throw error;
    }
    return tensor;
  }

  /** A tensor whose contents are undefined until a kernel writes them. */
  empty(shape: Shape, dtype: DType = 'f32'): Tensor {
    return this.allocate(shape, dtype, false);
  }

  /** A new tensor; `forUpload` when the CPU writes it at once (its buffer must not be one pending work still reads). */
  private allocate(shape: Shape, dtype: DType, forUpload: boolean): Tensor {
    this.parts.health.checkUsable('empty');
    checkShape('tensor', shape);
    const tensor = new Tensor(this, shape, dtype, this.parts.memory.acquire(sizeOf(shape) * 4, `${formatShape(shape)} ${dtype}`, forUpload));
    this.parts.scopes.adopt(tensor);
    this.parts.memory.recording?.tensors.push(tensor);
    return tensor;
  }

  /** Takes `tensor` out of every scope, so it lives until disposed by hand. Returns it. */
  keep<T extends Tensor>(tensor: T): T {
    this.parts.scopes.keep(tensor);
    return tensor;
  }

  /** Runs `fn` and disposes every tensor made inside it, except those it returns (a tensor, or arrays and objects of them). */
  scope<T>(fn: () => T): T {
    return this.parts.scopes.run(fn);
  }

  /** Runs `fn` without recording gradients. */
  noGrad<T>(fn: () => T): T {
    const previous = this.gradEnabled;
    this.gradEnabled = false;
    try {
      return fn();
    } finally {
      this.gradEnabled = previous;
    }
  }

  /** Called by Tensor.dispose: kernels recorded from now on may reuse the buffer; uploads once the work recorded so far has run. */
  releaseStorage(_tensor: Tensor, pooled: PooledBuffer): void {
    this.parts.memory.release(pooled, this.parts.queue.lastUse);
  }

  // ---- recording work ------------------------------------------------------------------------

  /** Records one kernel dispatch; `bindings` follow the kernel's binding order. */
  dispatch(kernel: KernelDefinition, constants: KernelConstants, bindings: readonly (Tensor | UniformBlock)[], workgroups: readonly [number, number, number]): void {
    this.parts.health.checkUsable(kernel.name);
    this.parts.recorder.dispatch(kernel, constants, bindings, workgroups);
  }

  /** Records a dispatch of the tuner's pick for `tunable` (its fallback until measured, at the next read or sync). */
  dispatchTuned(tunable: TunableDispatch, bindings: readonly (Tensor | UniformBlock)[]): void {
    this.parts.health.checkUsable(tunable.fallback.kernel.name);
    this.parts.recorder.dispatchTuned(tunable, bindings);
  }

  /** Measures the tunable dispatches recorded since the last measurement (reads and syncs do it first on their own). */
  tune(): Promise<void> {
    return this.parts.recorder.tune();
  }

  /** Records a GPU-side check that every element of `input` lies in `domain`, reported by the next read or sync. */
  checkDomain(op: string, input: Tensor, domain: Domain, advice: string): void {
    this.parts.numerics.check(op, input, domain, advice);
  }

  /** Records a whole-tensor copy. */
  copy(source: Tensor, destination: Tensor): void {
    if (source.byteLength !== destination.byteLength) throw new Error(`copy: ${source.describe()} and ${destination.describe()} differ in size.`);
    this.parts.queue.record({ kind: 'copy', source: source.pooled, destination: destination.pooled, byteLength: source.byteLength });
  }

  /** A uniform block for per-step values; `fill` runs now and, in a captured step, before every replay. */
  uniform(byteLength: number, fill: () => ArrayBufferView): UniformBlock {
    this.parts.health.checkUsable('uniform');
    return this.parts.memory.uniform(byteLength, fill, this.parts.queue.submitted + 1);
  }

  /** Sends the recorded work to the GPU. */
  flush(): void {
    if (this.parts.memory.recording) throw new Error('flush: not allowed while a step is being captured (reads and writes must happen outside it).');
    this.parts.queue.flush();
  }

  /** Sends the recorded work and waits for the GPU to finish it; throws any GPU error seen so far. */
  async sync(): Promise<void> {
    await this.tune();
    this.flush();
    await this.parts.queue.drain();
    await this.parts.throwGpuErrors();
    if (this.parts.numerics.dirty) await this.read(this.parts.numerics.flags);
  }

  // ---- moving data ---------------------------------------------------------------------------

  /** Copies `tensor` to the CPU after the work recorded so far. Throws at once when misused inside a capture. */
  read(tensor: Tensor): Promise<TensorData> {
    if (this.parts.memory.recording) throw new Error(`read: ${tensor.describe()} cannot be read while a step is being captured; read it after capture() returns.`);
    this.parts.health.checkUsable('read');
    // The numerics guard's counts ride along when it has checks to report.
    return this.tune().then(() => this.parts.readback.readTensor(tensor));
  }

  write(tensor: Tensor, data: ArrayLike<number>): void {
    if (this.parts.memory.recording) throw new Error(`write: ${tensor.describe()} cannot be written while a step is being captured; write inputs before each run().`);
    const typed = typedDataFor(tensor, data, 'write');
    // Work recorded before this write may read the old contents: it must reach the queue first.
    this.flush();
    this.device.queue.writeBuffer(tensor.buffer, 0, typed.buffer, typed.byteOffset, typed.byteLength);
  }

  /**
   * Runs `step` once, recording every dispatch it makes, and returns a handle that replays them with one
   * submit. Tensors made inside keep their buffers for the handle's life; inputs are tensors made outside,
   * refilled with `write()` before each `run()`. Intermediates whose lifetimes in the step do not overlap
   * share buffers (`options.planBuffers`, on by default; the plan shows in `memory().plan`).
   */
  capture<T>(step: () => T, options?: CaptureOptions): CapturedStep<T> {
    this.parts.health.checkUsable('capture');
    return captureStep(this.parts.capture, step, options);
  }

  // ---- bookkeeping ---------------------------------------------------------------------------

  memory(): MemoryStats {
    // liveTensors leaves out the engine's own numerics flags.
    const { memory, pipelines, queue } = this.parts;
    return { liveTensors: memory.liveTensors - 1, ...memory.stats(), pipelines: pipelines.size, submits: queue.submitted, plan: memory.planStats() };
  }

  /** Runs `work` and times every dispatch it submits on the GPU, summed by kernel and grid (needs 'timestamp-query'). */
  profile(work: () => unknown): Promise<KernelProfile> {
    const { queue, wait } = this.parts;
    const adapterName = this.adapterInfo.description || this.adapterInfo.device || 'unnamed';
    return profileWork({ device: this.device, adapterName, queue, wait, sync: () => this.sync(), flush: () => this.flush() }, work);
  }

  /** Destroys pooled buffers no tensor holds and starts `memory().peakBytes` afresh: the next work's peak is its own. */
  trimMemory(): void {
    this.parts.memory.trim(this.parts.queue.completed);
  }

  /** Frees the device and lets Node exit. The engine is unusable afterwards. */
  dispose(): void {
    if (this.parts.health.isDisposed) return;
    this.parts.health.markDisposed();
    this.parts.queue.takePending();
    this.parts.memory.destroy();
    this.parts.readback.destroy();
    this.device.destroy();
    this.provider.release();
  }
}
