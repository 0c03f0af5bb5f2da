import type { Command } from './commands.js';
import type { PooledBuffer } from './buffer-pool.js';
import type { Tensor } from '../tensor/tensor.js';
import type { DeviceMemory } from './device-memory.js';
import type { SubmissionQueue } from './submission-queue.js';
import { collectTensors, type TensorScopes } from './tensor-scopes.js';
import { GUARD_KERNEL } from './numerics-guard.js';
import type { PlannedBuffer } from './planned-buffer.js';
import type { BufferPlanReport } from './buffer-plan.js';

export interface CaptureOptions {
  /**
   * Let intermediates whose lifetimes do not overlap share buffers (buffer-plan.ts). On by default; off,
   * every tensor made in the step keeps a buffer of its own, as a check on the plan.
   */
  planBuffers?: boolean;
}

/** What a capture collects while the step runs once. */
export interface Recording {
  /** Tensors made during the capture: their buffers stay with the captured step. */
  readonly tensors: Tensor[];
  /** Refill per-step uniforms (optimizer step counts, RNG counters) before each replay. */
  readonly uniformWriters: (() => void)[];
  /** Buffers the step replays into; the pools have them back when the step is disposed. */
  readonly owned: PooledBuffer[];
  own(pooled: PooledBuffer): void;
  /** Whether tensors made in the step get planned buffers, placed when the capture ends. */
  readonly plansBuffers: boolean;
  /** The planned buffers of the tensors made in the step. */
  readonly planned: PlannedBuffer[];
}

/** What a captured step needs of its engine. */
export interface CaptureHost {
  readonly memory: DeviceMemory;
  readonly queue: SubmissionQueue;
  readonly scopes: TensorScopes;
  /** Places the step's planned buffers and makes the bind groups that waited for them. */
  place(recording: Recording, commands: readonly Command[]): BufferPlanReport | null;
  /** Submits the step's commands after the pending work (re-pointing tuned dispatches first). */
  replay(commands: readonly Command[], hasDomainChecks: boolean): void;
}

/**
 * Runs `step` once, recording every dispatch it makes, and returns a handle that replays the same
 * dispatches with one submit (see `engine.capture`). Every buffer acquired or released meanwhile goes to
 * the recording; a step that throws leaves nothing behind.
 */
export function captureStep<T>(host: CaptureHost, step: () => T, options: CaptureOptions = {}): CapturedStep<T> {
  if (host.memory.recording) throw new Error('capture: already capturing a step; captures do not nest.');
  host.queue.flush();
  const recording = createRecording(options.planBuffers ?? true);
  host.memory.recording = recording;
  let outputs: T;
  try {
    outputs = host.scopes.run(step);
  } catch (error) {
    host.memory.recording = null;
    host.queue.takePending();
    host.memory.releaseRecording(recording, host.queue.lastUse);
    throw error;
  } finally {
    host.memory.recording = null;
  }
  const commands = host.queue.takePending();
  for (const tensor of collectTensors(outputs)) host.scopes.keep(tensor);
  let plan: BufferPlanReport | null;
  try {
    plan = host.place(recording, commands);
  } catch (error) {
    host.memory.releaseRecording(recording, host.queue.lastUse);
    throw error;
  }
  const captured = new CapturedStep(host, outputs, commands, recording, plan);
  host.replay(commands, captured.hasDomainChecks);
  return captured;
}

function createRecording(plansBuffers: boolean): Recording {
  return {
    tensors: [],
    uniformWriters: [],
    owned: [],
    plansBuffers,
    planned: [],
    own(pooled) {
      pooled.owner = this;
      this.owned.push(pooled);
    },
  };
}

/**
 * A training step recorded once and replayed: each `run()` costs the CPU only the per-step uniform
 * writes and the encoding of pre-built dispatches into one submit. Its outputs (e.g. the loss tensor)
 * are refreshed in place by every run; read them whenever you like.
 */
export class CapturedStep<T> {
  /** Whether the step checks op inputs on the GPU (see NumericsGuard): each run then dirties the flags. */
  readonly hasDomainChecks: boolean;
  private disposed = false;
  // The capture ran the step once: its uniforms were written while recording.
  private runs = 1;

  constructor(
    private readonly host: CaptureHost,
    /** What the step function returned, refreshed by each run. */
    readonly outputs: T,
    private readonly commands: readonly Command[],
    private readonly recording: Recording,
    /** How the step's intermediates share buffers; null when captured with `planBuffers: false`. */
    readonly plan: BufferPlanReport | null,
  ) {
    this.hasDomainChecks = commands.some((command) => command.kind === 'dispatch' && command.label === GUARD_KERNEL);
  }

  /** How many dispatches and copies one run submits. */
  get commandCount(): number {
    return this.commands.length;
  }

  /** Runs done so far, counting the one made while capturing. */
  get runCount(): number {
    return this.runs;
  }

  /** Replays the step once. Write new inputs before calling it. */
  run(): void {
    if (this.disposed) throw new Error('CapturedStep.run: this step was disposed; capture it again.');
    for (const writeUniform of this.recording.uniformWriters) writeUniform();
    this.host.replay(this.commands, this.hasDomainChecks);
    this.runs++;
  }

  /** Gives the step's buffers back to the engine; its outputs are disposed with them. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.host.memory.releaseRecording(this.recording, this.host.queue.lastUse);
  }
}
