// The suite's workloads, in the order they run, on an engine and peers already made: shared by the Node
// front end (run.ts) and anything else that runs the suite where it finds an engine. No Node modules here.
import type { Engine } from '../src/device/engine.js';
import type { LabelledImages } from '../src/data/mnist.js';
import { timeInterleaved, type Runner, type TimingPlan } from './harness.js';
import type { Peer } from './peers/peer.js';
import { addRatios } from './report.js';
import { OURS, type WorkloadResult } from './results-format.js';
import { runAaeWorkload } from './workloads/aae/aae-step.js';
import { runVaeGanWorkload } from './workloads/vae-gan/vae-gan-step.js';
import { bandwidthWorkloads } from './workloads/bandwidth.js';
import { fusedLinearWorkloads } from './workloads/fused-linear.js';
import { matmulWorkloads } from './workloads/matmul.js';
import { compareResults, type RunScale, type Workload } from './workloads/workload.js';

export interface SuiteOptions {
  /** The workload groups to run (GROUPS). */
  only: readonly string[];
  /** Hidden widths of the training steps' networks. */
  hidden: readonly number[];
  seed: number;
  scale: RunScale;
  log(line: string): void;
  /** Called after each workload with every result so far (to save them as they come). */
  onWorkload?(): void;
  /** MNIST's training images for the training steps, where the caller has them (a browser). */
  trainImages?: LabelledImages;
  /** Kernel workloads to run instead of the suite's own (tests). */
  kernelWorkloads?: readonly Workload[];
}

export function timingPlans(scale: RunScale): { kernels: TimingPlan; aae: TimingPlan; agreementSteps: number } {
  if (scale === 'quick') return { kernels: { warmup: 1, minSamples: 2, maxSamples: 3, budgetMs: 300 }, aae: { warmup: 1, minSamples: 2, maxSamples: 3, budgetMs: 2000 }, agreementSteps: 2 };
  // A GPU runs a training step in milliseconds: more samples for the same budget.
  const maxSteps = scale === 'gpu' ? 60 : 12;
  return { kernels: { warmup: 2, minSamples: 4, maxSamples: 15, budgetMs: 2500 }, aae: { warmup: 2, minSamples: 5, maxSamples: maxSteps, budgetMs: 40_000 }, agreementSteps: 3 };
}

export async function runKernelWorkload(workload: Workload, engine: Engine, peers: readonly Peer[], plan: TimingPlan): Promise<WorkloadResult> {
  const result: WorkloadResult = { name: workload.name, group: workload.group, unit: workload.unit, operationsPerRun: workload.operationsPerRun, systems: {} };
  const runners = new Map<string, Runner>();
  try {
    const ours = workload.ours(engine);
    runners.set(OURS, ours);
    // Before any time: each peer's result of one operation must match ours, or it is not timed.
    const reference = await ours.result!();
    result.agreement = {};
    for (const peer of peers) {
      try {
        const runner = await workload.peer(peer);
        const agreement = compareResults(reference, await runner.result!());
        result.agreement[peer.name] = agreement;
        if (agreement.agrees) {
          runners.set(peer.name, runner);
        } else {
          runner.dispose();
          result.systems[peer.name] = { status: 'mismatch', reason: agreement.summary };
        }
      } catch (error) {
        result.systems[peer.name] = { status: 'error', reason: error instanceof Error ? error.message : String(error) };
      }
    }
    const outcomes = await timeInterleaved(runners, plan);
    for (const [name, outcome] of outcomes) {
      const perOperation = (ms: number) => ms / workload.operationsPerRun;
      result.systems[name as keyof WorkloadResult['systems']] = outcome.ok
        ? { status: 'ok', medianMs: perOperation(outcome.stats.medianMs), minMs: perOperation(outcome.stats.minMs), maxMs: perOperation(outcome.stats.maxMs), samples: outcome.stats.samples }
        : { status: 'error', reason: outcome.error };
    }
  } finally {
    for (const runner of runners.values()) runner.dispose();
  }
  addRatios(result, workload.amountPerOperation);
  return result;
}


/**
 * Runs the chosen workloads, pushing each result into `workloads` as it finishes. The training steps run
 * first: their first-step times are then their own. Before each, the engine drops its pooled buffers and
 * starts its peak afresh, so each step's peak bytes are its own.
 */
export async function runSuite(engine: Engine, peers: readonly Peer[], options: SuiteOptions, workloads: WorkloadResult[]): Promise<WorkloadResult[]> {
  const { only, hidden, seed, scale, log } = options;
  const { kernels, aae, agreementSteps } = timingPlans(scale);
  const steps = [
    ['aae-step', runAaeWorkload],
    ['vae-gan-step', runVaeGanWorkload],
  ] as const;
  for (const [group, runStep] of steps) {
    if (!only.includes(group)) continue;
    log(`${group}, hidden ${hidden.join('-')}:`);
    const name = `${group} (hidden ${hidden.join('-')}, batch 100)`;
    const result = await orFailure(name, group, async () => {
      await engine.sync();
      engine.trimMemory();
      return runStep(engine, peers, { architecture: { hidden: [...hidden] }, seed, agreementSteps, plan: aae, log, trainImages: options.trainImages });
    });
    addRatios(result);
    workloads.push(result);
    options.onWorkload?.();
  }
  const kernelWorkloads = (options.kernelWorkloads ?? [...matmulWorkloads(scale), ...bandwidthWorkloads(scale), ...fusedLinearWorkloads(scale)]).filter((w) => only.includes(w.group));
  for (const workload of kernelWorkloads) {
    const result = await orFailure(workload.name, workload.group, () => runKernelWorkload(workload, engine, peers, kernels), workload.unit);
    const summary = Object.entries(result.systems).map(([name, s]) => `${name} ${s.status === 'ok' ? `${s.medianMs!.toFixed(3)} ms${s.ratio ? ` (${s.ratio.toFixed(2)}x)` : ''}` : s.status}`);
    log(`${workload.name}: ${summary.join(', ')}`);
    workloads.push(result);
    options.onWorkload?.();
  }
  return workloads;
}

/**
 * A workload that fails on our side (out of GPU memory on a small device, a lost device) is reported as an
 * error with its reason, and the suite goes on with the next.
 */
async function orFailure(name: string, group: string, run: () => Promise<WorkloadResult>, unit?: string): Promise<WorkloadResult> {
  try {
    return await run();
  } catch (error) {
    return { name, group, ...(unit ? { unit } : {}), systems: { [OURS]: { status: 'error', reason: error instanceof Error ? error.message : String(error) } } };
  }
}
