// Matmul kernel lab (`npm run bench:kernels`): every kernel the engine can pick (the catalogue's `direct`,
// one output per invocation straight from device memory, is the naive baseline), plus experiments,
// first checked against a float64 CPU reference (the lab exits 1 on any wrong result), then timed
// shape by shape with the tuner's own timer (timestamp queries where the adapter has them), so that
// the table shows what the tuner sees: GFLOP/s per variant, the planner's fallback, the tuner's pick
// among its candidates, and each against the best of all.
// Options: --quick (the forward shapes only), --shapes=text,... (shapes whose label holds a text),
// --squares=1024,2048 (square sizes; default 256-1024 on CPU adapters, 1024-4096 on GPUs),
// --no-sweep / --sweep-only, --all-cases (every shape in every layout), --json=FILE (results as JSON),
// --experiments (the tilings the engine does not offer; always on GPUs).
import { writeFileSync } from 'node:fs';
import { createEngine } from '../../src/device/create-engine.js';
import type { Engine } from '../../src/device/engine.js';
import { PipelineCache } from '../../src/device/pipeline-cache.js';
import type { KernelLaunch } from '../../src/kernels/kernel.js';
import { planMatmul, type MatmulProblem } from '../../src/kernels/matmul-plan.js';
import { direct, MATMUL_VARIANTS, splitK, tiled, type MatmulVariant } from '../../src/kernels/matmul-variants.js';
import { launchTimer } from '../../src/tuning/launch-timer.js';
import { checkLaunch, describeProblem, makeOperands, matmulCases } from './matmul-check.js';

interface LabShape {
  label: string;
  problem: MatmulProblem;
}

/**
 * Tilings and splits the engine does not offer (yet), tried on GPUs: a winner here earns a place in
 * src/kernels/matmul-variants.ts. They are checked and timed like the rest.
 */
const EXPERIMENTS: MatmulVariant[] = [
  tiled({ tileM: 64, tileN: 64, tileK: 16, threadM: 8, threadN: 8 }),
  tiled({ tileM: 32, tileN: 32, tileK: 32, threadM: 4, threadN: 4 }),
  tiled({ tileM: 128, tileN: 128, tileK: 16, threadM: 8, threadN: 8 }),
  tiled({ tileM: 64, tileN: 128, tileK: 16, threadM: 8, threadN: 8 }),
  tiled({ tileM: 64, tileN: 64, tileK: 32, threadM: 4, threadN: 4 }),
  tiled({ tileM: 32, tileN: 32, tileK: 16, threadM: 4, threadN: 4 }),
  tiled({ tileM: 16, tileN: 64, tileK: 16, threadM: 4, threadN: 4 }),
  splitK(4, 4, 64, false),
  direct(64, 4),
  direct(32, 8),
];

function problem(M: number, K: number, N: number, transposeA = false, transposeB = false, forward = false): MatmulProblem {
  return { M, N, K, transposeA, transposeB, hasBias: forward, activation: forward ? 'relu' : 'none', leakySlope: 0.2 };
}

/** A layer's forward y = relu(x·W + b) at batch 100, and its backward dX = dY·Wᵀ and dW = Xᵀ·dY. */
function layerShapes(inputs: number, outputs: number, quick: boolean): LabShape[] {
  const shapes = [{ label: `100x${inputs}·${inputs}x${outputs}`, problem: problem(100, inputs, outputs, false, false, true) }];
  if (quick) return shapes;
  return [
    ...shapes,
    { label: `dX 100x${outputs}·(${inputs}x${outputs})ᵀ`, problem: problem(100, outputs, inputs, false, true) },
    { label: `dW (100x${inputs})ᵀ·100x${outputs}`, problem: problem(inputs, 100, outputs, true, false) },
  ];
}

function labShapes(quick: boolean, squares: number[]): LabShape[] {
  const layers: [number, number][] = [[784, 1000], [1000, 1000], [1000, 8], [8, 1000], [1000, 1]];
  return [
    ...layers.flatMap(([inputs, outputs]) => layerShapes(inputs, outputs, quick)),
    ...squares.map((n) => ({ label: `${n}³`, problem: problem(n, n, n) })),
  ];
}

function option(args: string[], name: string): string | undefined {
  return args.find((arg) => arg.startsWith(`--${name}=`))?.slice(name.length + 3);
}

export interface LabResults {
  adapter: Record<string, unknown>;
  sweep: { checked: number; failures: string[] } | null;
  shapes: { label: string; gflop: number; fallback: string; pick: string; best: string; timingsMs: Record<string, number>; problems: Record<string, string> }[];
  compileMs: Record<string, number>;
}

/** Every variant on every correctness case it fits; returns the failures (variant, case, what). */
async function sweep(engine: Engine, variants: MatmulVariant[], all: boolean): Promise<{ checked: number; failures: string[] }> {
  const cases = matmulCases(all);
  const failures: string[] = [];
  let checked = 0;
  for (const [i, p] of cases.entries()) {
    const operands = makeOperands(p, 1000 + i);
    for (const variant of variants) {
      if (!variant.fits(p)) continue;
      const failure = await checkLaunch(engine, variant.launch(p), p, operands);
      checked++;
      if (failure) failures.push(`${variant.name} on ${describeProblem(p)}: ${failure}`);
    }
  }
  return { checked, failures };
}

export async function runMatmulLab(args: string[]): Promise<number> {
  const quick = args.includes('--quick');
  const engine = await createEngine({ tuning: 'off' });
  try {
    const info = engine.info();
    const offered = [...MATMUL_VARIANTS, ...(info.kind === 'gpu' || args.includes('--experiments') ? EXPERIMENTS : [])];
    const variants = offered.filter((v) => !v.feature || engine.features.has(v.feature));
    const squaresText = option(args, 'squares');
    const squares = squaresText !== undefined ? squaresText.split(',').filter(Boolean).map(Number) : quick ? [] : info.kind === 'cpu' ? [256, 512, 1024] : [1024, 2048, 4096];
    const filter = option(args, 'shapes')?.split(',');
    const shapes = labShapes(quick, squares).filter((s) => !filter || filter.some((f) => s.label.includes(f)));
    const log = (line = '') => console.log(line);
    log(`matmul kernel lab on ${info.description || info.device} (${info.kind} adapter; features: ${[...engine.features].join(', ') || 'none'})`);
    const ids = new Map(variants.map((v, i) => [v.name, `v${i}`]));
    for (const v of variants) log(`  ${ids.get(v.name)!.padEnd(4)} ${v.name}`);
    const results: LabResults = { adapter: { ...info, limits: undefined, tuning: undefined }, sweep: null, shapes: [], compileMs: {} };
    // Written after every step, so that a lab stopped at a time budget keeps what it measured.
    const json = option(args, 'json');
    const save = () => json && writeFileSync(json, JSON.stringify(results, null, 1) + '\n');

    if (!args.includes('--no-sweep')) {
      const outcome = await sweep(engine, variants, args.includes('--all-cases'));
      results.sweep = outcome;
      log(`\ncorrectness: ${outcome.checked - outcome.failures.length}/${outcome.checked} variant×case checks within tolerance of the float64 reference`);
      for (const failure of outcome.failures) log(`  FAIL ${failure}`);
      save();
    }
    if (!args.includes('--sweep-only')) {
      const pipelines = new PipelineCache(engine.device);
      const timer = launchTimer({
        device: engine.device,
        kind: info.kind,
        timestamps: engine.features.has('timestamp-query'),
        compile: (launch) => pipelines.pipelineAsync(launch.kernel, launch.constants),
        wait: (promise) => engine.waitGently(promise),
        // The lab compiles between shapes, long enough for a GPU to slow down: a longer warm-up.
        warmUpMs: info.kind === 'gpu' ? 250 : 0,
      });
      const compileTimes = new Map<string, number[]>();
      log(`\nGFLOP/s per variant (median of the tuner's rounds; '-' does not fit or is not timed, '!' left out: see problems)`);
      log(`${'shape'.padEnd(30)}${variants.map((v) => ids.get(v.name)!.padStart(8)).join('')}  fallback/best  pick/best  pick`);
      for (const shape of shapes) {
        const p = shape.problem;
        const flop = 2 * p.M * p.N * p.K;
        const plan = planMatmul(p, info.kind, engine.features);
        // One output per invocation on a big product would take minutes on a CPU adapter.
        const timed = variants.filter((v) => v.fits(p) && (v.family !== 'direct' || info.kind === 'gpu' || flop <= 2 ** 28));
        const launches: KernelLaunch[] = [plan.fallback, ...timed.map((v) => v.launch(p)).filter((l) => l.variant !== plan.fallback.variant)];
        for (const launch of launches) {
          const started = performance.now();
          await pipelines.pipelineAsync(launch.kernel, launch.constants).catch(() => undefined);
          compileTimes.set(launch.variant, [...(compileTimes.get(launch.variant) ?? []), performance.now() - started]);
        }
        const bindingBytes = [4 * p.M * p.K, 4 * p.K * p.N, 4 * (p.hasBias ? p.N : 1), 4 * p.M * p.N];
        const timings = await timer({ key: shape.label, fallback: plan.fallback, candidates: launches, bindingBytes });
        const ms = Object.fromEntries(timings.filter((t) => t.ms !== null).map((t) => [t.variant, t.ms as number]));
        const problems = Object.fromEntries(timings.filter((t) => t.problem).map((t) => [t.variant, t.problem as string]));
        const fastest = (names: string[]) => names.filter((n) => ms[n] !== undefined).reduce((a, b) => (ms[b] < ms[a] ? b : a));
        const best = fastest(Object.keys(ms));
        const pick = fastest(plan.candidates.map((c) => c.variant));
        const cells = variants.map((v) => (ms[v.name] !== undefined ? (flop / ms[v.name] / 1e6).toFixed(ms[v.name] < 1e-3 ? 0 : 1) : problems[v.name] ? '!' : '-'));
        log(`${shape.label.padEnd(30)}${cells.map((c) => c.padStart(8)).join('')}  ${(ms[best] / ms[plan.fallback.variant]).toFixed(2).padStart(13)}  ${(ms[best] / ms[pick]).toFixed(2).padStart(9)}  ${pick}`);
        results.shapes.push({ label: shape.label, gflop: flop / 1e9, fallback: plan.fallback.variant, pick, best, timingsMs: ms, problems });
        for (const [variant, times] of compileTimes) results.compileMs[variant] = Math.round([...times].sort((a, b) => a - b)[times.length >> 1]);
        save();
      }
      log(`\nmedian pipeline compile per variant (ms): ${[...compileTimes.keys()].map((v) => `${ids.get(v) ?? v} ${results.compileMs[v]}`).join(', ')}`);
      for (const shape of results.shapes) for (const [variant, problem] of Object.entries(shape.problems)) log(`  ${shape.label}: ${variant} left out: ${problem}`);
    }
    save();
    const wrong = (results.sweep?.failures.length ?? 0) + results.shapes.reduce((n, s) => n + Object.keys(s.problems).length, 0);
    if (wrong > 0) log(`\n${wrong} wrong result(s): the lab fails.`);
    return wrong > 0 ? 1 : 0;
  } finally {
    engine.dispose();
  }
}
