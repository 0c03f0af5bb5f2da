// `npm run bench:plan`: the benchmark's AAE and VAE-GAN steps captured with buffer planning and without
// (engine.capture's `planBuffers`), side by side on one engine. For each step: the losses of both over the
// same minibatches (they must be bit-identical), the peak GPU bytes of each (from a trimmed pool, weights
// and optimizer state included, as the main suite measures them), the plan (`engine.memory().plan`), and
// the step times interleaved A B A B after warm-up.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { createEngine } from '../src/device/create-engine.js';
import type { Engine } from '../src/device/engine.js';
import type { CapturePlanStats } from '../src/device/device-memory.js';
import { summarize, type TimingStats } from './harness.js';
import * as aae from './workloads/aae/setup.js';
import { ourAae } from './workloads/aae/ours.js';
import * as vaeGan from './workloads/vae-gan/setup.js';
import { ourVaeGan } from './workloads/vae-gan/ours.js';
import type { TrainingStepper } from './workloads/training-step/stepper.js';

export interface BufferPlanOptions {
  hidden: number[];
  /** Steps whose losses are compared. */
  steps: number;
  rounds: number;
  out: string;
  seed: number;
}

export interface StepComparison {
  name: string;
  steps: number;
  identicalLosses: boolean;
  /** The first loss that differs, when one does. */
  firstDifference?: { step: number; loss: number; planned: number; unplanned: number };
  peakBytes: { planned: number; unplanned: number };
  plan: CapturePlanStats;
  timing: { planned: TimingStats; unplanned: TimingStats };
  /** The median over rounds of planned time / unplanned time in the same round: above 1, planning is slower. */
  timeRatio: number;
  /** The first and third quartiles of those ratios. */
  timeRatioQuartiles: [number, number];
}

type StepperFactory = (planBuffers: boolean) => TrainingStepper<unknown>;

function parseOptions(argv: readonly string[]): BufferPlanOptions {
  const options: BufferPlanOptions = { hidden: [1000, 1000], steps: 20, rounds: 30, out: 'bench/results', seed: 1 };
  for (let i = 0; i < argv.length; i++) {
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`bench:plan: ${argv[i - 1]} needs a value.`);
      return next;
    };
    const arg = argv[i];
    if (arg === '--hidden') options.hidden = value().split(',').map(Number);
    else if (arg === '--steps') options.steps = Number(value());
    else if (arg === '--rounds') options.rounds = Number(value());
    else if (arg === '--out') options.out = value();
    else if (arg === '--seed') options.seed = Number(value());
    else throw new Error(`bench:plan: unknown option '${arg}'. Usage: npm run bench:plan -- [--hidden 1000,1000] [--steps 20] [--rounds 30] [--out bench/results] [--seed 1]`);
  }
  if (options.hidden.some((width) => !Number.isInteger(width) || width < 1)) throw new Error(`bench:plan: --hidden takes whole widths, got ${options.hidden.join(',')}.`);
  for (const key of ['steps', 'rounds'] as const) {
    if (!Number.isInteger(options[key]) || options[key] < 1) throw new Error(`bench:plan: --${key} takes a whole number of at least 1, got ${options[key]}.`);
  }
  return options;
}

/** Trains `steps` steps from a trimmed pool; returns the losses, the peak bytes and the plan. */
async function trainFresh(engine: Engine, make: StepperFactory, planBuffers: boolean, batches: readonly unknown[], steps: number) {
  await engine.sync();
  engine.trimMemory();
  const stepper = make(planBuffers);
  try {
    const losses: number[][] = [];
    for (let i = 0; i < steps; i++) losses.push(await stepper.step(batches[i % batches.length]));
    return { losses, peakBytes: engine.memory().peakBytes, plan: engine.memory().plan };
  } finally {
    stepper.dispose();
  }
}

async function compare(engine: Engine, name: string, make: StepperFactory, batches: readonly unknown[], options: BufferPlanOptions): Promise<StepComparison> {
  const unplanned = await trainFresh(engine, make, false, batches, options.steps);
  const planned = await trainFresh(engine, make, true, batches, options.steps);
  let firstDifference: StepComparison['firstDifference'];
  planned.losses.forEach((losses, step) =>
    losses.forEach((value, loss) => {
      const other = unplanned.losses[step]![loss]!;
      if (!firstDifference && !Object.is(value, other)) firstDifference = { step, loss, planned: value, unplanned: other };
    }),
  );

  const steppers = { planned: make(true), unplanned: make(false) };
  try {
    const timing = await timePaired(steppers.planned, steppers.unplanned, batches, options.rounds);
    return {
      name,
      steps: options.steps,
      identicalLosses: firstDifference === undefined,
      ...(firstDifference ? { firstDifference } : {}),
      peakBytes: { planned: planned.peakBytes, unplanned: unplanned.peakBytes },
      plan: planned.plan,
      timing: { planned: timing.planned, unplanned: timing.unplanned },
      timeRatio: timing.ratio,
      timeRatioQuartiles: timing.ratioQuartiles,
    };
  } finally {
    for (const stepper of Object.values(steppers)) stepper.dispose();
  }
}

/**
 * Times both steppers in rounds after 3 warm-up rounds, each round running both, in turn A B then B A (so
 * that neither always runs first). Each round gives one ratio of the two times; on a shared machine whose
 * speed drifts, the median of those paired ratios is steadier than the ratio of the two medians.
 */
async function timePaired(planned: TrainingStepper<unknown>, unplanned: TrainingStepper<unknown>, batches: readonly unknown[], rounds: number) {
  let next = 0;
  const time = async (stepper: TrainingStepper<unknown>) => {
    const batch = batches[next++ % batches.length];
    const start = performance.now();
    await stepper.step(batch);
    return performance.now() - start;
  };
  const times = { planned: [] as number[], unplanned: [] as number[] };
  const ratios: number[] = [];
  for (let round = -3; round < rounds; round++) {
    const [first, second] = round % 2 === 0 ? (['planned', 'unplanned'] as const) : (['unplanned', 'planned'] as const);
    const firstMs = await time(first === 'planned' ? planned : unplanned);
    const secondMs = await time(second === 'planned' ? planned : unplanned);
    if (round < 0) continue;
    times[first].push(firstMs);
    times[second].push(secondMs);
    ratios.push(times.planned.at(-1)! / times.unplanned.at(-1)!);
  }
  const sorted = [...ratios].sort((a, b) => a - b);
  const quantile = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { planned: summarize(times.planned), unplanned: summarize(times.unplanned), ratio: summarize(ratios).medianMs, ratioQuartiles: [quantile(0.25), quantile(0.75)] as [number, number] };
}

const mebibytes = (bytes: number) => `${(bytes / 2 ** 20).toFixed(1)} MiB`;

function table(comparisons: readonly StepComparison[]): string {
  const lines = [
    '| step | losses, planned vs not | peak unplanned | peak planned | ratio | intermediates -> buffers (most alive at once) | median unplanned | median planned | time ratio (quartiles) |',
    '|---|---|---|---|---|---|---|---|---|',
  ];
  for (const c of comparisons) {
    const identical = c.identicalLosses ? `bit-identical over ${c.steps} steps` : `DIFFER at step ${c.firstDifference!.step}`;
    lines.push(
      `| ${c.name} | ${identical} | ${mebibytes(c.peakBytes.unplanned)} | ${mebibytes(c.peakBytes.planned)} | ${(c.peakBytes.planned / c.peakBytes.unplanned).toFixed(2)} | ` +
        `${c.plan.intermediates} (${mebibytes(c.plan.intermediateBytes)}) -> ${c.plan.buffers} (${mebibytes(c.plan.bufferBytes)}; ${mebibytes(c.plan.mostBytesAlive)}) | ` +
        `${c.timing.unplanned.medianMs.toFixed(2)} ms | ${c.timing.planned.medianMs.toFixed(2)} ms | ${c.timeRatio.toFixed(3)} (${c.timeRatioQuartiles.map((q) => q.toFixed(3)).join('-')}) |`,
    );
  }
  return lines.join('\n');
}

export interface BufferPlanResults {
  date: string;
  command: string;
  partial?: boolean;
  options: BufferPlanOptions;
  adapter: Record<string, unknown>;
  comparisons: StepComparison[];
}

/** Compares both steps, writing `<date>-buffer-plan.json` into `options.out` after each (partial until the last). */
export async function compareBufferPlans(engine: Engine, options: BufferPlanOptions, log: (line: string) => void = () => {}): Promise<{ results: BufferPlanResults; file: string }> {
  const architecture = { hidden: options.hidden };
  const widths = options.hidden.join('-');
  const { limits: _limits, ...adapter } = engine.info();
  const date = new Date().toISOString().slice(0, 10);
  const file = join(options.out, `${date}-buffer-plan.json`);
  const results: BufferPlanResults = { date, command: `npm run bench:plan -- ${process.argv.slice(2).join(' ')}`.trim(), options, adapter: adapter as unknown as Record<string, unknown>, comparisons: [] };
  // A run stopped at a time budget (the GPU lab's) keeps what it measured.
  const save = (partial: boolean) => {
    if (partial) results.partial = true;
    else delete results.partial;
    mkdirSync(options.out, { recursive: true });
    writeFileSync(file, `${JSON.stringify(results, null, 2)}\n`);
  };
  const aaeState = aae.initialState(architecture, options.seed);
  const aaeBatches = await aae.makeBatches(4, options.seed);
  results.comparisons.push(await compare(engine, `aae-step (hidden ${widths})`, (planBuffers) => ourAae(engine, architecture, aaeState, { planBuffers }) as unknown as TrainingStepper<unknown>, aaeBatches, options));
  save(true);
  log(table(results.comparisons));
  const vaeGanState = vaeGan.initialState(architecture, options.seed);
  const vaeGanBatches = await vaeGan.makeBatches(4, options.seed);
  results.comparisons.push(await compare(engine, `vae-gan-step (hidden ${widths})`, (planBuffers) => ourVaeGan(engine, architecture, vaeGanState, { planBuffers }) as unknown as TrainingStepper<unknown>, vaeGanBatches, options));
  save(false);
  return { results, file };
}

async function main(): Promise<void> {
  let options: BufferPlanOptions;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(error instanceof Error ? error.message : String(error));
    process.exit(2);
  }
  const engine = await createEngine();
  try {
    console.log(engine.describe());
    const { results, file } = await compareBufferPlans(engine, options, (line) => console.log(line));
    console.log(
      `\n${table(results.comparisons)}\n\nTime ratio = the median over rounds of planned / unplanned time in the same round, with its quartiles (above 1: ` +
        `planning is slower). Peaks from a trimmed pool, weights and optimizer state included.\nwrote ${file}`,
    );
    if (results.comparisons.some((c) => !c.identicalLosses)) process.exitCode = 1;
  } finally {
    engine.dispose();
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await main();
