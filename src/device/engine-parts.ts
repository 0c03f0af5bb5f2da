import { Tensor } from '../tensor/tensor.js';
import type { EngineInfo } from './adapter-info.js';
import type { GpuProvider } from './gpu-provider.js';
import type { Engine } from './engine.js';
import { createTuner, type TuningSetup } from '../tuning/tuning-setup.js';
import type { CaptureHost } from './captured-step.js';
import { DeviceHealth } from './device-health.js';
import { DeviceMemory } from './device-memory.js';
import { DispatchRecorder } from './dispatch-recorder.js';
import { GentlePolling } from './gentle-polling.js';
import { NumericsGuard } from './numerics-guard.js';
import { PipelineCache } from './pipeline-cache.js';
import { Readback } from './readback.js';
import { SubmissionQueue } from './submission-queue.js';
import { TensorScopes } from './tensor-scopes.js';

/** What `createEngine` resolved from its options, the adapter and the tuning cache. */
export interface EngineSettings {
  /** Poll Dawn gently while waiting (see gentle-polling.ts). */
  gentlePolling: boolean;
  tuning: TuningSetup;
}

/** The parts an engine delegates to, one per concern. */
export interface EngineParts {
  readonly health: DeviceHealth;
  readonly polling: GentlePolling;
  /** Waits on a Dawn promise, gently polled, failing at once when the device is lost. */
  readonly wait: <T>(promise: Promise<T>) => Promise<T>;
  readonly memory: DeviceMemory;
  readonly scopes: TensorScopes;
  readonly queue: SubmissionQueue;
  readonly pipelines: PipelineCache;
  readonly recorder: DispatchRecorder;
  readonly numerics: NumericsGuard;
  readonly readback: Readback;
  readonly capture: CaptureHost;
  /** Throws the errors the device and pipeline compilation reported so far. */
  throwGpuErrors(): Promise<void>;
}

/** Makes an engine's parts and wires them together: who waits how, who reclaims what when. */
export function assembleEngineParts(engine: Engine, provider: GpuProvider, device: GPUDevice, adapter: EngineInfo, settings: EngineSettings): EngineParts {
  const health = new DeviceHealth(device);
  const polling = new GentlePolling(provider.runtime === 'node' && settings.gentlePolling);
  const wait = <T>(promise: Promise<T>) => health.race(polling.wait(promise));
  const memory = new DeviceMemory(device, adapter.limits.maxStorageBufferBindingSize);
  // Buffers released up to a submission become reusable once it has run.
  const queue = new SubmissionQueue(device, wait, (submission) => health.isDisposed || memory.reclaim(submission));
  const pipelines = new PipelineCache(device);
  const tuner = createTuner(device, adapter, settings.tuning, (launch) => pipelines.pipelineAsync(launch.kernel, launch.constants), wait);
  const recorder = new DispatchRecorder(device, queue, pipelines, tuner, adapter.limits.maxComputeWorkgroupsPerDimension);
  // The guard's counters: one tensor for the engine's life, in no scope (zeroed: a new buffer is).
  const flagCount = NumericsGuard.byteLength / 4;
  const numerics = new NumericsGuard(new Tensor(engine, [flagCount], 'u32', memory.acquire(flagCount * 4, 'numerics flags')));
  const throwGpuErrors = () => health.throwErrors(pipelines.pendingChecks.splice(0));
  const readback = new Readback(device, queue, wait, throwGpuErrors, numerics);
  const scopes = new TensorScopes();
  const capture: CaptureHost = {
    memory,
    queue,
    scopes,
    place(recording, commands) {
      const plan = recording.plansBuffers ? memory.placeRecording(recording, commands) : null;
      recorder.bindPlanned(commands);
      return plan;
    },
    replay(commands, hasDomainChecks) {
      health.checkUsable('run');
      recorder.retarget(commands);
      if (hasDomainChecks) numerics.dirty = true;
      queue.flush();
      queue.submit(commands, 'captured step');
    },
  };
  return { health, polling, wait, memory, scopes, queue, pipelines, recorder, numerics, readback, capture, throwGpuErrors };
}
