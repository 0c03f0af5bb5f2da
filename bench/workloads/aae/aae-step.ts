// The AAE training step workload: the same step on our engine and on each tfjs peer, from the same
// weights and minibatches (see ../training-step/run-training-step.ts for how it is checked and timed).
import type { Engine } from '../../../src/device/engine.js';
import type { LabelledImages } from '../../../src/data/mnist.js';
import type { TimingPlan } from '../../harness.js';
import type { Peer } from '../../peers/peer.js';
import { jaxAae } from './jax.js';
import type { WorkloadResult } from '../../results-format.js';
import { runTrainingStep } from '../training-step/run-training-step.js';
import { ourAae } from './ours.js';
import { initialState, makeBatches, type AaeArchitecture } from './setup.js';
import { LOSS_NAMES } from './stepper.js';
import { tfjsAae } from './tfjs.js';

export interface AaeWorkloadOptions {
  architecture: AaeArchitecture;
  seed: number;
  agreementSteps: number;
  plan: TimingPlan;
  log(line: string): void;
  /** MNIST's training images, where the caller has them (a browser); loaded here otherwise. */
  trainImages?: LabelledImages;
}

export async function runAaeWorkload(engine: Engine, peers: readonly Peer[], options: AaeWorkloadOptions): Promise<WorkloadResult> {
  const { architecture, seed } = options;
  const state = initialState(architecture, seed);
  const batches = await makeBatches(Math.max(options.agreementSteps, 4), seed, options.trainImages);
  return runTrainingStep(
    {
      name: `aae-step (hidden ${architecture.hidden.join('-')}, batch 100)`,
      group: 'aae-step',
      lossNames: LOSS_NAMES,
      batches,
      ours: () => ourAae(engine, architecture, state),
      theirs: (peer) => (peer.kind === 'tfjs' ? tfjsAae(peer, state) : jaxAae(peer, state)),
    },
    peers,
    options,
  );
}
