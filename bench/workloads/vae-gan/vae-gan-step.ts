// The VAE-GAN training step workload (issue 5): the same step on our engine and on each tfjs peer, from
// the same weights, minibatches and noise (see ../training-step/run-training-step.ts for how it is
// checked and timed).
import type { Engine } from '../../../src/device/engine.js';
import type { LabelledImages } from '../../../src/data/mnist.js';
import type { TimingPlan } from '../../harness.js';
import { PeerUnavailable, type Peer } from '../../peers/peer.js';
import type { WorkloadResult } from '../../results-format.js';
import { runTrainingStep } from '../training-step/run-training-step.js';
import { LOSS_NAMES } from './hyperparameters.js';
import { ourVaeGan } from './ours.js';
import { initialState, makeBatches, type VaeGanArchitecture } from './setup.js';
import { tfjsVaeGan } from './tfjs.js';

export interface VaeGanWorkloadOptions {
  architecture: VaeGanArchitecture;
  seed: number;
  agreementSteps: number;
  plan: TimingPlan;
  log(line: string): void;
  /** MNIST's training images, where the caller has them (a browser); loaded here otherwise. */
  trainImages?: LabelledImages;
}

export async function runVaeGanWorkload(engine: Engine, peers: readonly Peer[], options: VaeGanWorkloadOptions): Promise<WorkloadResult> {
  const { architecture, seed } = options;
  const state = initialState(architecture, seed);
  const batches = await makeBatches(Math.max(options.agreementSteps, 4), seed, options.trainImages);
  return runTrainingStep(
    {
      name: `vae-gan-step (hidden ${architecture.hidden.join('-')}, batch 100)`,
      group: 'vae-gan-step',
      lossNames: LOSS_NAMES,
      batches,
      ours: () => ourVaeGan(engine, architecture, state),
      theirs: async (peer) => {
        if (peer.kind !== 'tfjs') throw new PeerUnavailable(`unavailable: the suite gives ${peer.name} the kernel workloads and the AAE step, not this step`);
        return tfjsVaeGan(peer, state);
      },
    },
    peers,
    options,
  );
}
