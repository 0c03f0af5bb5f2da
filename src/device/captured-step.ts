import type { Command } from './commands.js';
import type { BufferPool, PooledBuffer } from '../tensor/buffer-pool.js';
import type { Tensor } from '../tensor/tensor.js';
import type { Engine } from './engine.js';

/** What a capture collects while the step runs once. */
export interface Recording {
  /** Tensors made during the capture: their buffers stay with the captured step. */
  tensors: Tensor[];
  /** Refill per-step uniforms (optimizer step counts, RNG counters) before each replay. */
  uniformWriters: (() => void)[];
  owned: PooledBuffer[];
  own(pooled: PooledBuffer): void;
  release(storagePool: BufferPool, uniformPool: BufferPool, lastSubmission: number): void;
}

/**
 * A training step recorded once and replayed: each `run()` costs the CPU only the per-step uniform
 * writes and the encoding of pre-built dispatches into one submit. Its outputs (e.g. the loss tensor)
 * are refreshed in place by every run; read them whenever you like.
 */
export class CapturedStep<T> {
  private disposed = false;
  private runs = 0;
  private readonly hasDomainChecks: boolean;

  constructor(
    private readonly engine: Engine,
    /** What the step function returned, refreshed by each run. */
    readonly outputs: T,
    private readonly commands: readonly Command[],
    private readonly recording: Recording,
  ) {
    this.hasDomainChecks = commands.some((command) => command.kind === 'dispatch' && command.label === 'check-domain');
  }

  /** How many dispatches and copies one run submits. */
  get commandCount(): number {
    return this.commands.length;
  }

  /** Runs done so far, counting the one made while capturing. */
  get runCount(): number {
    return this.runs;
  }

  /** @internal The capture's own first run: its uniforms were already written while recording. */
  submitRecorded(): void {
    this.engine.replay(this.commands, this.hasDomainChecks);
    this.runs = 1;
  }

  /** Replays the step once. Write new inputs before calling it. */
  run(): void {
    if (this.disposed) throw new Error('CapturedStep.run: this step was disposed; capture it again.');
    for (const writeUniform of this.recording.uniformWriters) writeUniform();
    this.engine.replay(this.commands, this.hasDomainChecks);
    this.runs++;
  }

  /** Gives the step's buffers back to the engine; its outputs are disposed with them. */
  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    this.engine.releaseRecording(this.recording);
  }
}
