// `npm run soak [-- --steps 10000]`: does a long run keep memory flat? Trains a small AAE on synthetic
// 8x8 images for many steps, as the trainer does (captured steps replayed, losses read back every 50
// steps, an eager evaluation pass at every report), and every `--every` steps reports the engine's live
// tensors, live and pooled GPU bytes, the process's resident memory (RSS) and the steps per second.
// Exits 1 if live tensors or live bytes ever exceed what they were at the first report: anything a step
// leaves behind would add up over a long run. RSS and speed are reported, never judged (both are noisy).
// A 1,000-step version runs in the test suite (test/bench/soak.test.ts).
import { realpathSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import { createEngine } from '../src/device/create-engine.js';
import type { Engine } from '../src/device/engine.js';
import { uploadImages } from '../src/data/gpu-images.js';
import { splitMnist } from '../src/data/mnist.js';
import { syntheticImages } from '../src/data/toy2d.js';
import { defaultConfig } from '../src/models/config.js';
import { createModel } from '../src/models/create-model.js';
import { reconstructionBce } from '../src/training/evaluate.js';
import { TrainingSteps } from '../src/training/training-steps.js';

export interface SoakOptions {
  steps: number;
  /** Steps between two reports; the first report is the baseline the others are held to. */
  every: number;
  hidden: number[];
  batchSize: number;
  seed: number;
  /** Steps between two readbacks of the losses (the trainer's default is 50). */
  readEvery: number;
}

export const SOAK_DEFAULTS: SoakOptions = { steps: 10_000, every: 1_000, hidden: [128, 128], batchSize: 100, seed: 1, readEvery: 50 };

export interface SoakReport {
  step: number;
  liveTensors: number;
  liveBytes: number;
  pooledBytes: number;
  peakBytes: number;
  rssBytes: number;
  /** The JavaScript heap in use (part of RSS): tells a leak of JS objects from native or driver memory. */
  heapUsedBytes: number;
  /** Over the steps since the previous report (since the first step, for the first). */
  stepsPerSecond: number;
  /** The test-set reconstruction BCE of the eager evaluation pass: the model is training, not stuck. */
  reconstructionBce: number;
}

export interface SoakResult {
  reports: SoakReport[];
  /** The reports whose live tensors or live bytes exceed the first report's; empty when memory held flat. */
  growth: { step: number; what: string }[];
}

/** A usage error: the option named, what it takes. The script exits 2 on it. */
export class SoakUsageError extends Error {
  override name = 'SoakUsageError';
}

const USAGE = 'Usage: npm run soak -- [--steps 10000] [--every 1000] [--hidden 128,128] [--batch-size 100] [--seed 1]';

export function parseSoakArguments(argv: readonly string[]): SoakOptions {
  const options: SoakOptions = { ...SOAK_DEFAULTS, hidden: [...SOAK_DEFAULTS.hidden] };
  const whole = (flag: string, text: string | undefined, least: number): number => {
    // Digits only, as the CLI's options: '1e4' or '0x10' are more likely slips than meant.
    const value = Number(text);
    if (text === undefined || !/^\d+$/.test(text) || value < least) {
      throw new SoakUsageError(`${flag}: '${text ?? ''}' is not a whole number >= ${least}. ${USAGE}`);
    }
    return value;
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, inline] = argv[i].split(/=(.*)/s, 2);
    const value = () => (inline !== undefined ? inline : argv[++i]);
    if (flag === '--steps') options.steps = whole(flag, value(), 1);
    else if (flag === '--every') options.every = whole(flag, value(), 1);
    else if (flag === '--batch-size') options.batchSize = whole(flag, value(), 1);
    else if (flag === '--seed') options.seed = whole(flag, value(), 0);
    else if (flag === '--hidden') {
      const text = value();
      options.hidden = (text ?? '').split(',').map((width) => whole(flag, width, 1));
    } else throw new SoakUsageError(`unknown option '${argv[i]}'. ${USAGE}`);
  }
  if (options.every > options.steps) throw new SoakUsageError(`--every ${options.every} is more than --steps ${options.steps}; report at most once a step count. ${USAGE}`);
  return options;
}

/** Trains `options.steps` steps of a fresh AAE on `engine`, reporting every `options.every` steps. */
export async function runSoak(engine: Engine, options: SoakOptions, onReport: (report: SoakReport) => void = () => {}): Promise<SoakResult> {
  const train = syntheticImages(2_000, { seed: options.seed });
  const test = syntheticImages(500, { seed: options.seed + 1 });
  const model = createModel(engine, defaultConfig({ model: 'aae', hidden: options.hidden, pixels: train.pixels, latent: 2, seed: options.seed }));
  const trainImages = uploadImages(engine, train.images, train.count, train.pixels);
  const testImages = uploadImages(engine, test.images, test.count, test.pixels);
  const split = splitMnist({ train }, { validation: 0, seed: options.seed });
  const steps = new TrainingSteps(model, { images: trainImages, train, split, batchSize: options.batchSize });
  const reports: SoakReport[] = [];
  try {
    let since = performance.now();
    for (let step = 1; step <= options.steps; step++) {
      steps.step();
      if (step % options.readEvery === 0 || step % options.every === 0) {
        const losses = await steps.readLosses();
        const bad = Object.entries(losses).find(([, value]) => !Number.isFinite(value));
        if (bad) throw new Error(`soak: the ${bad[0]} loss became ${bad[1]} at step ${step}.`);
      }
      if (step % options.every !== 0) continue;
      const stepsPerSecond = options.every / ((performance.now() - since) / 1000);
      const bce = await reconstructionBce(model, testImages, test.labels);
      await engine.sync();
      const memory = engine.memory();
      const report: SoakReport = {
        step,
        liveTensors: memory.liveTensors,
        liveBytes: memory.liveBytes,
        pooledBytes: memory.pooledBytes,
        peakBytes: memory.peakBytes,
        rssBytes: process.memoryUsage().rss,
        heapUsedBytes: process.memoryUsage().heapUsed,
        stepsPerSecond,
        reconstructionBce: bce,
      };
      reports.push(report);
      onReport(report);
      since = performance.now();
    }
  } finally {
    steps.dispose();
    trainImages.tensor.dispose();
    testImages.tensor.dispose();
    model.dispose();
  }
  return { reports, growth: memoryGrowth(reports) };
}

/** Each later report whose live tensors or live bytes exceed the first report's. */
export function memoryGrowth(reports: readonly SoakReport[]): SoakResult['growth'] {
  const [first, ...later] = reports;
  const growth: SoakResult['growth'] = [];
  for (const report of later) {
    if (report.liveTensors > first.liveTensors) growth.push({ step: report.step, what: `live tensors ${first.liveTensors} -> ${report.liveTensors}` });
    if (report.liveBytes > first.liveBytes) growth.push({ step: report.step, what: `live bytes ${first.liveBytes} -> ${report.liveBytes}` });
  }
  return growth;
}

const MiB = 2 ** 20;

export function formatReport(report: SoakReport): string {
  return (
    `step ${String(report.step).padStart(6)}: ${report.liveTensors} live tensors, ${(report.liveBytes / MiB).toFixed(2)} MiB live, ` +
    `${(report.pooledBytes / MiB).toFixed(2)} MiB pooled, ${(report.peakBytes / MiB).toFixed(2)} MiB peak, RSS ${(report.rssBytes / MiB).toFixed(1)} MiB (JS heap ${(report.heapUsedBytes / MiB).toFixed(1)}), ` +
    `${report.stepsPerSecond.toFixed(1)} steps/s, test BCE ${report.reconstructionBce.toFixed(2)}`
  );
}

async function main(argv: readonly string[]): Promise<number> {
  let options: SoakOptions;
  try {
    options = parseSoakArguments(argv);
  } catch (error) {
    if (!(error instanceof SoakUsageError)) throw error;
    console.error(`soak: ${error.message}`);
    return 2;
  }
  const engine = await createEngine();
  try {
    console.error(`soak: ${options.steps} steps of an AAE (hidden ${options.hidden.join('-')}, batch ${options.batchSize}) on synthetic 8x8 images, a report every ${options.every}`);
    const { reports, growth } = await runSoak(engine, options, (report) => console.log(formatReport(report)));
    const [first, last] = [reports[0], reports.at(-1)!];
    console.log(
      `live bytes ${first.liveBytes} at step ${first.step}, ${last.liveBytes} at step ${last.step}; ` +
        `live tensors ${first.liveTensors} -> ${last.liveTensors}; RSS ${(first.rssBytes / MiB).toFixed(1)} -> ${(last.rssBytes / MiB).toFixed(1)} MiB ` +
        `(JS heap ${(first.heapUsedBytes / MiB).toFixed(1)} -> ${(last.heapUsedBytes / MiB).toFixed(1)} MiB)`,
    );
    if (growth.length === 0) {
      console.log('memory held flat: live tensors and live bytes never exceeded the first report.');
      return 0;
    }
    console.log(`memory grew: ${growth.map((g) => `step ${g.step}: ${g.what}`).join('; ')}`);
    return 1;
  } finally {
    engine.dispose();
  }
}

// Run as a script (not imported by a test); realpath, since node_modules may be a link to another checkout's.
if (process.argv[1] && import.meta.url === pathToFileURL(realpathSync(process.argv[1])).href) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
