import { BufferPool, type PooledBuffer, type PoolStats } from '../tensor/buffer-pool.js';
import { Tensor, type DType, type TensorData } from '../tensor/tensor.js';
import { checkShape, formatShape, sizeOf, type Shape } from '../tensor/shape.js';
import type { KernelConstants, KernelDefinition, KernelLaunch } from '../kernels/kernel.js';
import { acquireGpu, type GpuProvider } from './gpu-provider.js';
import { adapterIdentity, describeAdapter, formatInfo, NO_ADAPTER_HELP, REQUESTED_LIMITS, type EngineInfo } from './adapter-info.js';
import { encodeCommands, type Command, type DispatchCommand } from './commands.js';
import { Tuner, type TunableDispatch, type TuningMode, type TuningPick } from '../tuning/tuner.js';
import type { TuningCache } from '../tuning/tuning-cache.js';
import { launchTimer } from '../tuning/launch-timer.js';
import { openTuningCache, tuningMode } from '../tuning/tuning-setup.js';

export { TUNING_VARIABLE } from '../tuning/tuning-setup.js';
import { Profiler, type KernelProfile } from './profiler.js';
import { GentlePolling } from './gentle-polling.js';
import { PipelineCache } from './pipeline-cache.js';
import { BindGroupCache, type Bindable } from './bind-groups.js';
import { CapturedStep, type Recording } from './captured-step.js';
import { NumericsGuard, type Domain } from './numerics-guard.js';

export interface EngineOptions {
  /** Print which adapter the engine got. */
  verbose?: boolean;
  /** Where verbose lines go (default: console.error). */
  log?: (line: string) => void;
  /** Flags for Dawn's `create()` in Node, e.g. `['backend=vulkan']`. */
  dawnFlags?: string[];
  powerPreference?: GPUPowerPreference;
  /**
   * Ask for a 'compatibility' adapter (WebGPU's feature level for older graphics APIs). Browsers that
   * block a CPU Vulkan driver as a core adapter may still offer it this way (Chromium on Mesa's llvmpipe,
   * about 3x faster than its own SwiftShader); every kernel here is compute-only and runs on either.
   */
  featureLevel?: 'core' | 'compatibility';
  /**
   * Poll Dawn gently while waiting (Node only; see gentle-polling.ts). Default: on CPU adapters, whose
   * cores the spinning poll would take; a GPU's waits are short and the 1 ms poll would add to each.
   */
  gentlePolling?: boolean;
  /**
   * Kernel tuning (src/tuning/tuner.ts): 'measure' times the candidate kernels of each new matmul shape
   * on first use and keeps the fastest, 'cached' uses earlier picks only, 'off' the planner's defaults.
   * Default: the WEBGPU_AAE_TUNING environment variable, else 'measure' on a GPU and 'cached' on a CPU
   * adapter, where compiling each candidate costs 0.3-2 s (a cold paper-sized AAE step: 11 s untuned,
   * 61 s measuring). Different picks round differently in the last bits: same seed, same adapter and
   * the same picks give the same numbers.
   */
  tuning?: TuningMode;
  /**
   * Where picks persist: a folder (Node), or false for memory only. Default: $XDG_CACHE_HOME (or
   * ~/.cache)/webgpu-aae/tuning in Node, localStorage in a browser.
   */
  tuningCache?: string | false;
  /**
   * Plan kernels as for this kind of adapter instead of the detected one: 'gpu' runs the workgroup-tiled
   * kernels on a CPU adapter too (tests and the kernel lab use it to check the GPU plans anywhere).
   */
  adapterKind?: 'cpu' | 'gpu';
  /** Where one-line warnings go (an unusable tuning cache, say); default console.warn. */
  warn?: (line: string) => void;
}

const defaultWarn = (line: string) => console.warn(`webgpu-aae: ${line}`);

export interface MemoryStats extends PoolStats {
  /** Tensors made and not yet disposed. */
  liveTensors: number;
  pipelines: number;
  submits: number;
}

/** A uniform block bound to a kernel: filled once in eager mode, refilled before every replay when captured. */
export interface UniformBlock {
  readonly pooled: PooledBuffer;
  readonly byteLength: number;
}

export async function createEngine(options: EngineOptions = {}): Promise<Engine> {
  const provider = await acquireGpu(options.dawnFlags);
  let adapter: GPUAdapter | null = null;
  try {
    adapter = await provider.gpu.requestAdapter({
      powerPreference: options.powerPreference ?? 'high-performance',
      ...(options.featureLevel ? { featureLevel: options.featureLevel } : {}),
    });
  } catch (cause) {
    provider.release();
    throw new Error(`${NO_ADAPTER_HELP} (requestAdapter failed: ${String(cause)})`, { cause });
  }
  if (!adapter) {
    provider.release();
    throw new Error(NO_ADAPTER_HELP);
  }
  const limits: Record<string, number> = {};
  for (const name of REQUESTED_LIMITS) limits[name] = (adapter.limits as unknown as Record<string, number>)[name];
  const info = describeAdapter(adapter, provider.runtime, limits);
  if (options.adapterKind) info.kind = options.adapterKind;
  let mode: TuningMode;
  try {
    mode = tuningMode(options.tuning, info.kind);
  } catch (error) {
    provider.release();
    throw error;
  }
  // Timestamps time kernels (profile, tuning); subgroups let the tuner offer kernels that use them.
  const features = (['timestamp-query', 'subgroups'] as GPUFeatureName[]).filter((feature) => adapter.features.has(feature));
  const device = await adapter.requestDevice({ requiredLimits: limits, requiredFeatures: features, label: 'webgpu-aae' });
  const warn = options.warn ?? defaultWarn;
  const tuning = await openTuningCache(mode, adapterIdentity(info), options.tuningCache, warn);
  const engine = new Engine(provider, device, info, { ...options, tuning: mode, warn }, tuning);
  if (options.verbose) (options.log ?? console.error)(formatInfo(info));
  return engine;
}

/**
 * The engine owns the device and everything on it: the buffer pool, the pipeline cache, the work
 * recorded since the last submit, and the autograd switches. Ops record dispatches here; nothing is
 * sent to the GPU until a read, a write, `flush()` or `sync()` needs it.
 */
export class Engine {
  /** Off inside `noGrad`: ops then record nothing on the tape. */
  gradEnabled = true;

  private readonly storagePool: BufferPool;
  private readonly uniformPool: BufferPool;
  private readonly pipelines: PipelineCache;
  private readonly bindGroups: BindGroupCache;
  private readonly polling: GentlePolling;
  private readonly stagingBuffers = new Map<number, GPUBuffer[]>();
  private pending: Command[] = [];
  private recording: Recording | null = null;
  private submitted = 0;
  private completed = 0;
  private profiler: Profiler | null = null;
  private liveTensors = 0;
  private readonly scopes: Set<Tensor>[] = [];
  private readonly gpuErrors: string[] = [];
  private lostReason: string | null = null;
  private readonly lost: Promise<never>;
  private disposed = false;
  private readonly numerics: NumericsGuard;
  private readonly tuner: Tuner;

  constructor(
    private readonly provider: GpuProvider,
    readonly device: GPUDevice,
    private readonly adapterInfo: EngineInfo,
    options: EngineOptions = {},
    tuning: { cache: TuningCache | null; picks: ReadonlyMap<string, TuningPick> } = { cache: null, picks: new Map() },
  ) {
    const storageUsage = GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST;
    this.storagePool = new BufferPool(device, storageUsage, 'tensor');
    this.uniformPool = new BufferPool(device, GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST, 'uniform');
    this.pipelines = new PipelineCache(device);
    this.bindGroups = new BindGroupCache(device);
    this.polling = new GentlePolling(provider.runtime === 'node' && (options.gentlePolling ?? adapterInfo.kind === 'cpu'));
    device.addEventListener('uncapturederror', (event) => {
      this.gpuErrors.push((event as GPUUncapturedErrorEvent).error.message);
    });
    this.lost = device.lost.then((info) => {
      this.lostReason = `${info.reason}: ${info.message}`;
      throw new Error(`The GPU device was lost (${this.lostReason}). Create a new engine to continue.`);
    });
    this.lost.catch(() => {});
    const flags = this.keep(this.tensor(new Uint32Array(NumericsGuard.byteLength / 4), [NumericsGuard.byteLength / 4], 'u32'));
    this.numerics = new NumericsGuard(flags);
    const timer = launchTimer({
      device,
      kind: adapterInfo.kind,
      // Browsers round timestamps coarsely (Dawn's default): there the wall clock over longer samples is better.
      timestamps: device.features.has('timestamp-query') && adapterInfo.runtime === 'node',
      compile: (launch) => this.pipelines.pipelineAsync(launch.kernel, launch.constants),
      wait: (promise) => this.race(this.polling.wait(promise)),
    });
    this.tuner = new Tuner(options.tuning ?? 'off', timer, tuning.cache, tuning.picks, options.warn ?? defaultWarn);
  }

  get limits(): Readonly<Record<string, number>> {
    return this.adapterInfo.limits;
  }

  /** The adapter, the limits the engine asked for, and what kernel tuning measured and picked. */
  info(): EngineInfo {
    return { ...this.adapterInfo, tuning: this.tuner.report() };
  }

  /** 'cpu' for software adapters, 'gpu' otherwise: kernels are planned for one or the other. */
  get kind(): EngineInfo['kind'] {
    return this.adapterInfo.kind;
  }

  /** The device's optional features the engine turned on ('timestamp-query', 'subgroups'). */
  get features(): ReadonlySet<string> {
    return this.device.features as unknown as ReadonlySet<string>;
  }

  /**
   * The `GPU` object this engine's adapter came from. A benchmark hands it to another WebGPU library
   * (as `navigator.gpu`) so that both run on the same adapter.
   */
  get gpu(): GPU {
    return this.provider.gpu;
  }

  /**
   * Awaits `promise` with this engine's gentle polling in force (see gentle-polling.ts): for waits on
   * Dawn promises made outside the engine, e.g. another library's readback on the same GPU, so that it
   * gets the same treatment as the engine's own waits.
   */
  waitGently<T>(promise: Promise<T>): Promise<T> {
    return this.polling.wait(promise);
  }

  describe(): string {
    return formatInfo(this.adapterInfo);
  }

  // ---- tensors -------------------------------------------------------------------------------

  /** Uploads `data` as a new tensor. Plain arrays become f32 unless `dtype` says otherwise. */
  tensor(data: ArrayLike<number>, shape: Shape, dtype?: DType): Tensor {
    const type = dtype ?? (data instanceof Uint32Array ? 'u32' : 'f32');
    const tensor = this.empty(shape, type);
    try {
      this.upload(tensor, data, 'tensor');
    } catch (error) {
      tensor.dispose();
      throw error;
    }
    return tensor;
  }

  /** A tensor whose contents are undefined until a kernel writes them. */
  empty(shape: Shape, dtype: DType = 'f32'): Tensor {
    this.checkUsable('empty');
    checkShape('tensor', shape);
    const byteLength = sizeOf(shape) * 4;
    const maxBinding = this.limits.maxStorageBufferBindingSize;
    if (byteLength > maxBinding) {
      throw new Error(
        `tensor ${formatShape(shape)} ${dtype} needs ${(byteLength / 2 ** 20).toFixed(1)} MiB, over this adapter's ` +
          `maxStorageBufferBindingSize of ${(maxBinding / 2 ** 20).toFixed(1)} MiB. Split it, or keep large data packed (u8 in u32).`,
      );
    }
    const pooled = this.storagePool.acquire(byteLength);
    if (this.recording) this.recording.own(pooled);
    const tensor = new Tensor(this, shape, dtype, pooled);
    this.liveTensors++;
    this.scopes.at(-1)?.add(tensor);
    this.recording?.tensors.push(tensor);
    return tensor;
  }

  /** Takes `tensor` out of every scope, so it lives until disposed by hand. Returns it. */
  keep<T extends Tensor>(tensor: T): T {
    for (const scope of this.scopes) scope.delete(tensor);
    return tensor;
  }

  /**
   * Runs `fn` and disposes every tensor made inside it, except the tensors it returns (a tensor, or
   * an array or object of them), which move to the enclosing scope.
   */
  scope<T>(fn: () => T): T {
    const made = new Set<Tensor>();
    this.scopes.push(made);
    let result: T;
    try {
      result = fn();
    } catch (error) {
      for (const tensor of made) tensor.dispose();
      throw error;
    } finally {
      this.scopes.pop();
    }
    if (result instanceof Promise) {
      throw new Error('engine.scope: the function returned a Promise; scopes track synchronous work only (await outside the scope).');
    }
    const survivors = new Set(collectTensors(result));
    for (const tensor of made) {
      if (survivors.has(tensor)) this.scopes.at(-1)?.add(tensor);
      else tensor.dispose();
    }
    return result;
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

  /**
   * Records a GPU-side check that every element of `input` lies in `domain`. Offenders are reported,
   * naming `op`, by the next read or sync (no readback now). `advice` tells the user what to do.
   */
  checkDomain(op: string, input: Tensor, domain: Domain, advice: string): void {
    this.numerics.check(op, input, domain, advice);
  }

  /** Called by Tensor.dispose. */
  releaseStorage(_tensor: Tensor, pooled: PooledBuffer): void {
    this.liveTensors--;
    if (pooled.owner) return; // a captured step replays into it: it goes back when the step is disposed
    // A tensor made before the capture and disposed during it may be read by the recorded dispatches:
    // the step keeps its buffer, or the pool would hand it out while replays still use it.
    if (this.recording) {
      this.recording.own(pooled);
      return;
    }
    this.storagePool.release(pooled, this.submitted + 1);
  }

  // ---- recording work ------------------------------------------------------------------------

  /** Records one kernel dispatch; `bindings` follow the kernel's binding order. */
  dispatch(
    kernel: KernelDefinition,
    constants: KernelConstants,
    bindings: readonly (Tensor | UniformBlock)[],
    workgroups: readonly [number, number, number],
  ): void {
    this.checkUsable(kernel.name);
    if (bindings.length !== kernel.bindings.length) {
      throw new Error(`kernel '${kernel.name}' takes ${kernel.bindings.length} bindings, got ${bindings.length}.`);
    }
    const maxGroups = this.limits.maxComputeWorkgroupsPerDimension;
    if (workgroups.some((count) => !Number.isInteger(count) || count < 1 || count > maxGroups)) {
      throw new Error(`kernel '${kernel.name}': workgroup counts [${workgroups.join(', ')}] must be whole numbers from 1 to ${maxGroups}.`);
    }
    const { pipeline, layout } = this.pipelines.pipeline(kernel, constants);
    const resources: Bindable[] = bindings.map((binding) =>
      binding instanceof Tensor ? { pooled: binding.pooled, byteLength: binding.byteLength } : binding,
    );
    const bindGroup = this.bindGroups.get(layout, resources, kernel.name);
    this.pending.push({ kind: 'dispatch', label: kernel.name, pipeline, bindGroup, workgroups });
  }

  /**
   * Records a dispatch of whichever candidate the tuner picks for `tunable` (its fallback until the
   * candidates are measured, at the next read or sync). Every candidate takes `bindings`.
   */
  dispatchTuned(tunable: TunableDispatch, bindings: readonly (Tensor | UniformBlock)[]): void {
    const launch = this.tuner.choose(tunable);
    this.dispatch(launch.kernel, launch.constants, bindings, launch.workgroups);
    const command = this.pending.at(-1) as DispatchCommand;
    command.tuned = { tunable, variant: launch.variant, generation: this.tuner.generation };
  }

  /**
   * Measures the candidates of every tunable dispatch recorded since the last measurement (see
   * `tuning` in EngineOptions); reads and syncs do this first on their own. Work recorded but not yet
   * run, captured steps included, then uses the picks.
   */
  async tune(): Promise<void> {
    if (!this.tuner.hasPending) return;
    await this.tuner.measurePending();
    this.retarget(this.pending);
  }

  /** @internal Points recorded tunable dispatches at the tuner's current picks (cheap when none changed). */
  retarget(commands: readonly Command[]): void {
    const generation = this.tuner.generation;
    for (const command of commands) {
      if (command.kind !== 'dispatch' || !command.tuned || command.tuned.generation === generation) continue;
      const launch: KernelLaunch = this.tuner.choose(command.tuned.tunable);
      if (launch.variant !== command.tuned.variant) {
        command.pipeline = this.pipelines.pipeline(launch.kernel, launch.constants).pipeline;
        command.workgroups = launch.workgroups;
        command.label = launch.kernel.name;
      }
      command.tuned = { ...command.tuned, variant: launch.variant, generation };
    }
  }

  /** Records a whole-tensor copy. */
  copy(source: Tensor, destination: Tensor): void {
    if (source.byteLength !== destination.byteLength) {
      throw new Error(`copy: ${source.describe()} and ${destination.describe()} differ in size.`);
    }
    this.pending.push({ kind: 'copy', source: source.buffer, destination: destination.buffer, byteLength: source.byteLength });
  }

  /**
   * A uniform block for per-step values (an optimizer's step count, an RNG counter). `fill` runs now,
   * and, inside a captured step, again before every replay: so it must advance its own state.
   */
  uniform(byteLength: number, fill: () => ArrayBufferView): UniformBlock {
    this.checkUsable('uniform');
    if (!Number.isInteger(byteLength) || byteLength <= 0 || byteLength % 16 !== 0) {
      throw new Error(`uniform: a block of ${byteLength} bytes; uniform blocks must be a positive multiple of 16 bytes (pad the struct).`);
    }
    const pooled = this.uniformPool.acquire(byteLength);
    const block: UniformBlock = { pooled, byteLength };
    const write = () => {
      const data = fill();
      this.device.queue.writeBuffer(pooled.buffer, 0, data.buffer, data.byteOffset, data.byteLength);
    };
    write();
    if (this.recording) {
      this.recording.own(pooled);
      this.recording.uniformWriters.push(write);
    } else {
      // Fresh from the pool, so nothing pending reads it; it stays out of reuse until this batch has run.
      this.uniformPool.release(pooled, this.submitted + 1);
    }
    return block;
  }

  /** Sends the recorded work to the GPU. */
  flush(): void {
    if (this.recording) throw new Error('flush: not allowed while a step is being captured (reads and writes must happen outside it).');
    if (this.pending.length === 0) return;
    const commands = this.pending;
    this.pending = [];
    this.submit(this.encode(commands, 'step'));
  }

  /** Sends the recorded work and waits for the GPU to finish it; throws any GPU error seen so far. */
  async sync(): Promise<void> {
    await this.tune();
    this.flush();
    await this.race(this.polling.wait(this.device.queue.onSubmittedWorkDone()));
    this.markCompleted(this.submitted);
    await this.throwGpuErrors();
    if (this.numerics.dirty) await this.read(this.numerics.flags);
  }

  // ---- moving data ---------------------------------------------------------------------------

  /** Copies `tensor` to the CPU after the work recorded so far. Throws at once when misused inside a capture. */
  read(tensor: Tensor): Promise<TensorData> {
    if (this.recording) throw new Error(`read: ${tensor.describe()} cannot be read while a step is being captured; read it after capture() returns.`);
    return this.readBack(tensor);
  }

  private async readBack(tensor: Tensor): Promise<TensorData> {
    this.checkUsable('read');
    await this.tune();
    const byteLength = tensor.byteLength;
    // Domain-check counts ride along in the same readback, after the data.
    const flags = this.numerics.flags;
    const withFlags = this.numerics.dirty && tensor !== flags;
    const stagedLength = byteLength + (withFlags ? flags.byteLength : 0);
    const staging = this.takeStaging(stagedLength);
    this.pending.push({ kind: 'copy', source: tensor.buffer, destination: staging, byteLength });
    if (withFlags) this.pending.push({ kind: 'copy', source: flags.buffer, destination: staging, byteLength: flags.byteLength, destinationOffset: byteLength });
    if (withFlags || tensor === flags) this.numerics.dirty = false;
    this.flush();
    const submission = this.submitted;
    try {
      await this.race(this.polling.wait(staging.mapAsync(GPUMapMode.READ, 0, stagedLength)));
    } catch (error) {
      await this.throwGpuErrors();
      throw error;
    }
    this.markCompleted(submission);
    const bytes = staging.getMappedRange(0, stagedLength).slice(0);
    staging.unmap();
    this.returnStaging(staging);
    await this.throwGpuErrors();
    if (withFlags || tensor === flags) {
      const counts = new Uint32Array(bytes, withFlags ? byteLength : 0, flags.size);
      const problem = this.numerics.explain(counts);
      if (problem) {
        this.device.queue.writeBuffer(flags.buffer, 0, new Uint32Array(flags.size));
        throw new Error(problem);
      }
    }
    const data = bytes.slice(0, byteLength);
    return tensor.dtype === 'u32' ? new Uint32Array(data) : new Float32Array(data);
  }

  write(tensor: Tensor, data: ArrayLike<number>): void {
    if (this.recording) throw new Error(`write: ${tensor.describe()} cannot be written while a step is being captured; write inputs before each run().`);
    // Work recorded before this write may read the old contents: it must reach the queue first.
    this.flush();
    this.upload(tensor, data, 'write');
  }

  private upload(tensor: Tensor, data: ArrayLike<number>, op: string): void {
    if (data.length !== tensor.size) {
      throw new Error(`${op}: ${data.length} values given for ${tensor.describe()}, which holds ${tensor.size}.`);
    }
    if (tensor.dtype === 'f32' && (data instanceof Uint32Array || data instanceof Int32Array)) {
      throw new Error(`${op}: integer data (${data.constructor.name}) given for f32 tensor ${tensor.describe()}; pass a Float32Array or number[].`);
    }
    if (tensor.dtype === 'u32' && data instanceof Float32Array) {
      throw new Error(`${op}: Float32Array given for u32 tensor ${tensor.describe()}; pass a Uint32Array of indices.`);
    }
    let typed: Float32Array | Uint32Array;
    if (tensor.dtype === 'f32') {
      typed = data instanceof Float32Array ? data : Float32Array.from(data);
    } else {
      if (!(data instanceof Uint32Array)) {
        for (let i = 0; i < data.length; i++) {
          const value = data[i];
          if (!Number.isInteger(value) || value < 0 || value > 0xffffffff) {
            throw new Error(`${op}: value ${value} at index ${i} is not an unsigned 32-bit integer (u32 tensor ${tensor.describe()}).`);
          }
        }
      }
      typed = data instanceof Uint32Array ? data : Uint32Array.from(data);
    }
    this.device.queue.writeBuffer(tensor.buffer, 0, typed.buffer, typed.byteOffset, typed.byteLength);
  }

  // ---- step capture --------------------------------------------------------------------------

  /**
   * Runs `step` once, recording every dispatch it makes, and returns a handle that replays the same
   * dispatches with one submit. Tensors made inside keep their buffers for the handle's life; inputs
   * (minibatches) are tensors made outside and refilled with `write()` before each `run()`.
   */
  capture<T>(step: () => T): CapturedStep<T> {
    this.checkUsable('capture');
    if (this.recording) throw new Error('capture: already capturing a step; captures do not nest.');
    this.flush();
    const recording: Recording = createRecording();
    this.recording = recording;
    let outputs: T;
    try {
      outputs = this.scope(step);
    } catch (error) {
      this.recording = null;
      this.pending = [];
      recording.release(this.storagePool, this.uniformPool, this.submitted);
      throw error;
    }
    this.recording = null;
    const commands = this.pending;
    this.pending = [];
    for (const tensor of collectTensors(outputs)) this.keep(tensor);
    const captured = new CapturedStep(this, outputs, commands, recording);
    captured.submitRecorded();
    return captured;
  }

  /** @internal Used by CapturedStep. */
  replay(commands: readonly Command[], hasDomainChecks: boolean): void {
    this.checkUsable('run');
    this.retarget(commands);
    if (hasDomainChecks) this.numerics.dirty = true;
    this.flush();
    this.submit(this.encode(commands, 'captured step'));
  }

  /** @internal Used by CapturedStep.dispose. */
  releaseRecording(recording: Recording): void {
    recording.release(this.storagePool, this.uniformPool, this.submitted);
  }

  // ---- bookkeeping ---------------------------------------------------------------------------

  memory(): MemoryStats {
    const storage = this.storagePool.getStats();
    const uniforms = this.uniformPool.getStats();
    return {
      liveTensors: this.liveTensors - 1, // not counting the engine's own numerics flags
      liveBytes: storage.liveBytes,
      liveBuffers: storage.liveBuffers,
      pooledBytes: storage.pooledBytes + uniforms.pooledBytes + uniforms.liveBytes,
      pooledBuffers: storage.pooledBuffers + uniforms.pooledBuffers + uniforms.liveBuffers,
      peakBytes: storage.peakBytes + uniforms.peakBytes,
      pipelines: this.pipelines.size,
      submits: this.submitted,
    };
  }

  /**
   * Runs `work` and times every dispatch it submits on the GPU (timestamp queries), summed by kernel and
   * workgroup grid: where a training step's time goes. Needs the adapter's 'timestamp-query' feature.
   */
  async profile(work: () => unknown): Promise<KernelProfile> {
    if (!this.device.features.has('timestamp-query')) {
      throw new Error(`profile: the adapter (${this.info().description || this.info().device || 'unnamed'}) has no 'timestamp-query' feature, so GPU time cannot be measured per kernel; time whole steps instead.`);
    }
    if (this.profiler) throw new Error('profile: already profiling; profiles do not nest.');
    await this.sync();
    const profiler = new Profiler(this.device);
    this.profiler = profiler;
    try {
      await work();
      this.flush();
    } finally {
      this.profiler = null;
    }
    return profiler.finish((promise) => this.race(this.polling.wait(promise)));
  }

  /**
   * Destroys the pooled buffers no tensor holds (those a submit still uses are kept until it ends), and
   * starts `memory().peakBytes` afresh from what is left: so the peak of the next piece of work is its own,
   * not that of work done before it (the benchmark's second training step, say).
   */
  trimMemory(): void {
    this.storagePool.reclaim(this.completed);
    this.uniformPool.reclaim(this.completed);
    this.storagePool.trim();
    this.uniformPool.trim();
    this.storagePool.resetPeak();
    this.uniformPool.resetPeak();
  }

  /** Frees the device and lets Node exit. The engine is unusable afterwards. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.pending = [];
    this.storagePool.destroy();
    this.uniformPool.destroy();
    for (const list of this.stagingBuffers.values()) for (const buffer of list) buffer.destroy();
    this.stagingBuffers.clear();
    this.device.destroy();
    this.provider.release();
  }

  private encode(commands: readonly Command[], label: string): GPUCommandBuffer {
    const profiler = this.profiler;
    return encodeCommands(this.device, commands, label, profiler ? (dispatch) => profiler.timestampsFor(dispatch) : undefined);
  }

  private submit(commandBuffer: GPUCommandBuffer): void {
    this.device.queue.submit([commandBuffer]);
    const submission = ++this.submitted;
    // Buffers released up to this submission become reusable once it has run.
    this.polling
      .wait(this.device.queue.onSubmittedWorkDone())
      .then(() => this.markCompleted(submission))
      .catch(() => {});
  }

  private markCompleted(submission: number): void {
    if (submission <= this.completed || this.disposed) return;
    this.completed = submission;
    this.storagePool.reclaim(submission);
    this.uniformPool.reclaim(submission);
  }

  private takeStaging(byteLength: number): GPUBuffer {
    const capacity = Math.max(256, 2 ** Math.ceil(Math.log2(byteLength)));
    const reused = this.stagingBuffers.get(capacity)?.pop();
    return reused ?? this.device.createBuffer({ size: capacity, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST, label: 'readback' });
  }

  private returnStaging(buffer: GPUBuffer): void {
    const list = this.stagingBuffers.get(buffer.size);
    if (list) list.push(buffer);
    else this.stagingBuffers.set(buffer.size, [buffer]);
  }

  /** Rejects as soon as the device is lost instead of waiting forever. */
  private race<T>(promise: Promise<T>): Promise<T> {
    return Promise.race([promise, this.lost]);
  }

  private async throwGpuErrors(): Promise<void> {
    const checks = this.pipelines.pendingChecks.splice(0);
    const messages = (await Promise.all(checks)).filter((message): message is string => message !== null);
    messages.push(...this.gpuErrors.splice(0));
    if (messages.length > 0) throw new Error(`GPU error: ${messages.join('\n')}`);
  }

  private checkUsable(op: string): void {
    if (this.disposed) throw new Error(`${op}: this engine was disposed. Create a new one with createEngine().`);
    if (this.lostReason) throw new Error(`${op}: the GPU device was lost (${this.lostReason}). Create a new engine to continue.`);
  }
}

function createRecording(): Recording {
  const owned: PooledBuffer[] = [];
  return {
    tensors: [],
    uniformWriters: [],
    owned,
    own(pooled) {
      pooled.owner = this;
      owned.push(pooled);
    },
    release(storagePool, uniformPool, lastSubmission) {
      for (const tensor of this.tensors) tensor.dispose();
      for (const pooled of owned) {
        pooled.owner = null;
        const pool = pooled.buffer.usage & GPUBufferUsage.UNIFORM ? uniformPool : storagePool;
        pool.release(pooled, lastSubmission + 1);
      }
      owned.length = 0;
    },
  };
}

/** Finds the tensors in a scope's or capture's result: a tensor, or arrays and plain objects of them. */
function collectTensors(value: unknown, found: Tensor[] = []): Tensor[] {
  if (value instanceof Tensor) found.push(value);
  else if (Array.isArray(value)) for (const item of value) collectTensors(item, found);
  else if (value && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
    for (const item of Object.values(value)) collectTensors(item, found);
  }
  return found;
}
