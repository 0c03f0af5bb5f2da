/** One side's training: each call is one full step ending with its losses on the CPU. */
export interface TrainingStepper<Batch> {
  /** Before each call: untimed preparation (switching tfjs's backend). */
  before?(): Promise<void>;
  /** The step's losses, in the order of the workload's loss names. */
  step(batch: Batch): Promise<number[]>;
  /** Peak device (or tensor) bytes of this side's training, measured over one more step on `batch`; absent where the library does not say. */
  peakBytes?(batch: Batch): Promise<number>;
  dispose(): void;
}
