import { encodeCommands, type Command } from './commands.js';
import type { Profiler } from './profiler.js';

/**
 * The work recorded since the last submit, and the count of submits sent and finished. Buffers released
 * while submit n may still use them are reusable once n has finished: `onCompleted(n)` says when.
 */
export class SubmissionQueue {
  /** Commands recorded and not yet submitted. */
  pending: Command[] = [];
  /** While profiling, each dispatch gets timestamp writes (see Profiler). */
  profiler: Profiler | null = null;
  private submittedCount = 0;
  private completedCount = 0;

  constructor(
    private readonly device: GPUDevice,
    /** Waits on a Dawn promise (gently polled, failing when the device is lost). */
    private readonly wait: <T>(promise: Promise<T>) => Promise<T>,
    private readonly onCompleted: (submission: number) => void,
  ) {}

  /** Submits sent so far. */
  get submitted(): number {
    return this.submittedCount;
  }

  /**
   * The last submit that may use a buffer released now, when nothing recorded later binds it: the next
   * one while commands wait to be sent, else the last one sent.
   */
  get lastUse(): number {
    return this.pending.length > 0 ? this.submittedCount + 1 : this.submittedCount;
  }

  get completed(): number {
    return this.completedCount;
  }

  record(command: Command): void {
    this.pending.push(command);
  }

  /** Takes the pending commands out, to be kept (a capture) or dropped (a failed capture, dispose). */
  takePending(): Command[] {
    const commands = this.pending;
    this.pending = [];
    return commands;
  }

  /** Submits the pending commands, if any, as one command buffer. */
  flush(): void {
    if (this.pending.length > 0) this.submit(this.takePending(), 'step');
  }

  submit(commands: readonly Command[], label: string): void {
    const profiler = this.profiler;
    const commandBuffer = encodeCommands(this.device, commands, label, profiler ? (dispatch) => profiler.timestampsFor(dispatch) : undefined);
    this.device.queue.submit([commandBuffer]);
    const submission = ++this.submittedCount;
    this.wait(this.device.queue.onSubmittedWorkDone())
      .then(() => this.markCompleted(submission))
      .catch(() => {});
  }

  /** Waits until every submit sent so far has finished on the GPU. */
  async drain(): Promise<void> {
    const last = this.submittedCount;
    await this.wait(this.device.queue.onSubmittedWorkDone());
    this.markCompleted(last);
  }

  markCompleted(submission: number): void {
    if (submission <= this.completedCount) return;
    this.completedCount = submission;
    this.onCompleted(submission);
  }
}
