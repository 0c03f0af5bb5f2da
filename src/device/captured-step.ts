import type { Command } from './commands.js';
import type { PooledBuffer } from './buffer-pool.js';
import type { Tensor } from '../tensor/tensor.js';
import type { DeviceMemory } from './device-memory.js';
import type { SubmissionQueue } from './submission-queue.js';
import { collectTensors, type TensorScopes } from './tensor-scopes.js';
import { GUARD_KERNEL } from './numerics-guard.js';

/** What a capture collects while the step runs once. */
export interface Recording {
  /** Tensors made during the capture: their buffers stay with the captured step. */
  readonly tensors: Tensor[];
  /** Refill per-step uniforms (optimizer step counts, RNG counters) before each replay. */
  readonly uniformWriters: (() => void)[];
  /** Buffers the step replays into; the pools have them back when the step is disposed. */
  readonly owned: PooledBuffer[];
  own(pooled: PooledBuffer): void;
}

/** What a captured step needs of its engine. */
export interface CaptureHost {
  readonly memory: DeviceMemory;
  readonly queue: SubmissionQueue;
  readonly scopes: TensorScopes;
  /** Submits the step's commands after the pending work (re-pointing tuned dispatches first). */
  replay(commands: readonly Command[], hasDomainChecks: boolean): void;
}

/**
 * Runs `step` once, recording every dispatch it makes, and returns a handle that replays the same
 * dispatches with one submit (see `engine.capture`). Every buffer acquired or released meanwhile goes to
 * the recording; a step that throws leaves nothing behind.
 */
export function captureStep<T>(host: CaptureHost, step: () => T): CapturedStep<T> {
  if (host.memory.recording) throw new Error('capture: already capturing a step; captures do not nest.');
  host.queue.flush();
  const recording = createRecording();
  host.memory.recording = recording;
  let outputs: T;
  try {
    outputs = host.scopes.run(step);
  } catch (error) {
    host.memory.recording = null;
    host.queue.takePending();
    host.memory.releaseRecording(recording, host.queue.submitted + 1);
    throw error;
  } finally {
    host.memory.recording = null;
  }
  const commands = host.queue.takePending();
  for (const tensor of collectTensors(outputs)) host.scopes.keep(tensor);
  const captured = new CapturedStep(host, outputs, commands, recording);
  host.replay(commands, captured.hasDomainChecks);
  return captured;
}

function createRecording(): Recording {
  return {
    tensors: [],
    uniformWriters: [],
    owned: [],
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
    this.host.memory.releaseRecording(this.recording, this.host.queue.submitted + 1);
  }
}
