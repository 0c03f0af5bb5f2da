import type { Engine } from '../device/engine.js';
import type { GpuImageSet } from '../data/gpu-images.js';
import { splitMnist, type Mnist } from '../data/mnist.js';
import type { ModelConfig } from '../models/config.js';
import { createModel } from '../models/create-model.js';
import type { RunSettings } from '../training/run-settings.js';
import { TrainingSteps } from '../training/training-steps.js';

/** The probe times windows of steps for about this long in all (after the step is captured and warmed up). */
const PROBE_SECONDS = 1.5;
const WARM_STEPS = 4;
/** Steps per timed window, each ended by a read: training reads every 50, and a read's wait would weigh on fewer. */
const STEPS_PER_WINDOW = 10;
const MOST_WINDOWS = 6;

export interface StepRate {
  stepsPerSecond: number;
  stepsPerEpoch: number;
  /** Training alone; the per-epoch evaluation comes on top. */
  epochSeconds: number;
}

/**
 * How fast a model trains on this adapter: the model is built, its step captured and replayed a few
 * times, then timed in short windows. The fastest window counts: on a shared machine the others measure
 * the neighbours too, and the rate is used to refuse a budget that cannot hold one epoch, which must not
 * refuse one that can. Nothing is written; the model is freed.
 */
export async function measureStepRate(engine: Engine, config: ModelConfig, settings: RunSettings, data: Mnist, trainImages: GpuImageSet): Promise<StepRate> {
  const model = createModel(engine, config);
  const split = splitMnist(data, { validation: settings.validation, labelled: settings.labels, seed: config.seed, trainSize: settings.trainSize });
  const steps = new TrainingSteps(model, { images: trainImages, train: data.train, split, batchSize: settings.batchSize });
  try {
    for (let i = 0; i < WARM_STEPS + 1; i++) steps.step();
    await steps.readLosses();
    const started = performance.now();
    let fastest = Infinity;
    // Reading the losses waits for the GPU, so each window of steps is timed to its end.
    for (let window = 0; window < MOST_WINDOWS && (window < 2 || (performance.now() - started) / 1000 < PROBE_SECONDS); window++) {
      const windowStarted = performance.now();
      for (let i = 0; i < STEPS_PER_WINDOW; i++) steps.step();
      await steps.readLosses();
      fastest = Math.min(fastest, (performance.now() - windowStarted) / 1000);
    }
    const stepsPerSecond = STEPS_PER_WINDOW / fastest;
    return { stepsPerSecond, stepsPerEpoch: steps.stepsPerEpoch, epochSeconds: steps.stepsPerEpoch / stepsPerSecond };
  } finally {
    steps.dispose();
    model.dispose();
  }
}
