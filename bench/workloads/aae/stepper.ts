import type { AaeBatch } from './setup.js';

/** Reconstruction, discriminator and generator loss of one step. */
export type Losses = [number, number, number];
export const LOSS_NAMES = ['reconstruction', 'discriminator', 'generator'] as const;

/** One side's AAE training: each call is one full step ending with the three losses on the CPU. */
export interface AaeStepper {
  /** Before each call: untimed preparation (switching tfjs's backend). */
  before?(): Promise<void>;
  step(batch: AaeBatch): Promise<Losses>;
  /** Peak device (or tensor) bytes of this side's training, measured over one more step on `batch`. */
  peakBytes(batch: AaeBatch): Promise<number>;
  dispose(): void;
}
