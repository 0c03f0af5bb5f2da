import type { TrainingStepper } from '../training-step/stepper.js';
import type { AaeBatch } from './setup.js';

/** Reconstruction, discriminator and generator loss of one step. */
export type Losses = [number, number, number];
export const LOSS_NAMES = ['reconstruction', 'discriminator', 'generator'] as const;

/** One side's AAE training: each call is one full step ending with the three losses on the CPU. */
export type AaeStepper = TrainingStepper<AaeBatch>;
