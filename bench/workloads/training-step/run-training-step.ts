// A training-step workload (the AAE step, the VAE-GAN step): agreement first (refuse to time a peer that
// disagrees), then interleaved timing, then peak bytes. Time to first step comes from the agreement
// run's first step.
import { timeInterleaved, type Runner, type TimingPlan } from '../../harness.js';
import { PeerUnavailable, type Peer } from '../../peers/peer.js';
import { OURS, type SystemName, type WorkloadResult } from '../../results-format.js';
import { compareLosses, describeAgreement, trainSteps } from './agreement.js';
import type { TrainingStepper } from './stepper.js';

export interface TrainingStepWorkload<Batch> {
  name: string;
  group: string;
  lossNames: readonly string[];
  /** The minibatches both sides train on, in order. */
  batches: readonly Batch[];
  ours(): TrainingStepper<Batch>;
  /** The peer's version of the step; throws PeerUnavailable where there is none. */
  theirs(peer: Peer): Promise<TrainingStepper<Batch>>;
}

export interface TrainingStepOptions {
  agreementSteps: number;
  plan: TimingPlan;
  log(line: string): void;
}

export async function runTrainingStep<Batch>(workload: TrainingStepWorkload<Batch>, peers: readonly Peer[], options: TrainingStepOptions): Promise<WorkloadResult> {
  const { batches, lossNames } = workload;
  const { agreementSteps, log } = options;
  const result: WorkloadResult = { name: workload.name, group: workload.group, systems: {}, agreement: {} };
  const steppers = new Map<SystemName, TrainingStepper<Batch>>();
  const format = (losses: number[][]) => losses.map((l) => l.map((v) => v.toFixed(4)).join('/')).join(', ');
  try {
    const ours = workload.ours();
    steppers.set(OURS, ours);
    const reference = await trainSteps(ours, batches, agreementSteps);
    result.systems[OURS] = { status: 'ok', firstStepMs: reference.firstStepMs };
    log(`  ${OURS}: first step ${reference.firstStepMs.toFixed(0)} ms; losses (${lossNames.join('/')}) ${format(reference.losses)}`);

    for (const peer of peers) {
      try {
        const theirs = await workload.theirs(peer);
        steppers.set(peer.name, theirs);
        const run = await trainSteps(theirs, batches, agreementSteps);
        const agreement = compareLosses(reference.losses, run.losses, lossNames);
        result.agreement![peer.name] = { agrees: agreement.agrees, summary: describeAgreement(agreement) };
        log(`  ${peer.name}: first step ${run.firstStepMs.toFixed(0)} ms; ${describeAgreement(agreement)}`);
        if (agreement.agrees) {
          result.systems[peer.name] = { status: 'ok', firstStepMs: run.firstStepMs };
        } else {
          result.systems[peer.name] = { status: 'mismatch', reason: describeAgreement(agreement), firstStepMs: run.firstStepMs };
          theirs.dispose();
          steppers.delete(peer.name);
        }
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        result.systems[peer.name] = error instanceof PeerUnavailable ? { status: 'unavailable', reason } : { status: 'error', reason };
        steppers.get(peer.name)?.dispose();
        steppers.delete(peer.name);
      }
    }

    const runners = new Map<string, Runner>();
    for (const [name, stepper] of steppers) {
      let next = 0;
      runners.set(name, {
        before: stepper.before?.bind(stepper),
        run: async () => void (await stepper.step(batches[next++ % batches.length])),
        dispose: () => {},
      });
    }
    const outcomes = await timeInterleaved(runners, options.plan);
    for (const [name, outcome] of outcomes) {
      const system = result.systems[name as SystemName]!;
      if (outcome.ok) Object.assign(system, outcome.stats);
      else Object.assign(system, { status: 'error', reason: outcome.error });
    }
    for (const [name, stepper] of steppers) {
      await stepper.before?.();
      if (stepper.peakBytes) result.systems[name]!.peakBytes = await stepper.peakBytes(batches[0]);
    }
  } finally {
    for (const stepper of steppers.values()) stepper.dispose();
  }
  return result;
}
