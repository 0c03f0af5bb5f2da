// The benchmark suite against TensorFlow.js: `npm run bench [-- options]`. Runs each workload on this
// engine and on each tfjs peer in one process, interleaved, and writes a table, a JSON file and a chart.
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createEngine } from '../src/device/create-engine.js';
import { ratioChart } from './chart.js';
import { timeInterleaved, type Runner, type TimingPlan } from './harness.js';
import { loadPeers } from './peers/load-peers.js';
import { PEER_NAMES, type PeerName } from './peers/peer.js';
import { addRatios, formatTable, formatTargets, targets, writeResults } from './report.js';
import { GROUPS, OURS, type BenchResults, type WorkloadResult } from './results-format.js';
import { runAaeWorkload } from './workloads/aae/aae-step.js';
import { runVaeGanWorkload } from './workloads/vae-gan/vae-gan-step.js';
import { bandwidthWorkloads } from './workloads/bandwidth.js';
import { fusedLinearWorkloads } from './workloads/fused-linear.js';
import { matmulWorkloads } from './workloads/matmul.js';
import { compareResults, type RunScale, type Workload } from './workloads/workload.js';

export { GROUPS };
const SIZES = { small: [256, 256], paper: [1000, 1000] } as const;

export interface BenchOptions {
  quick: boolean;
  only: readonly string[];
  size: keyof typeof SIZES;
  /** Overrides `size`'s hidden widths (tests use tiny networks). */
  hidden?: readonly number[];
  peers: readonly PeerName[];
  outDir: string;
  seed: number;
  log(line: string): void;
}

export function parseArguments(argv: readonly string[]): Omit<BenchOptions, 'log' | 'outDir'> & { outDir?: string } {
  const options: Omit<BenchOptions, 'log' | 'outDir'> & { outDir?: string } = { quick: false, only: GROUPS, size: 'paper', peers: PEER_NAMES, seed: 1 };
  let sizeGiven = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    const value = () => {
      const next = argv[++i];
      if (next === undefined) throw new Error(`${arg} needs a value`);
      return next;
    };
    const list = () => value().split(',').map((s) => s.trim()).filter(Boolean);
    if (arg === '--quick') options.quick = true;
    else if (arg === '--only') {
      const only = list();
      const unknown = only.filter((g) => !(GROUPS as readonly string[]).includes(g));
      if (unknown.length) throw new Error(`--only: unknown workload ${unknown.join(', ')}; choose from ${GROUPS.join(', ')}`);
      options.only = only;
    } else if (arg === '--size') {
      const size = value();
      if (size !== 'small' && size !== 'paper') throw new Error(`--size: '${size}' is not small or paper`);
      options.size = size;
      sizeGiven = true;
    } else if (arg === '--hidden') options.hidden = list().map(Number);
    else if (arg === '--peers') {
      const peers = list();
      const unknown = peers.filter((p) => !(PEER_NAMES as readonly string[]).includes(p));
      if (unknown.length) throw new Error(`--peers: unknown peer ${unknown.join(', ')}; choose from ${PEER_NAMES.join(', ')}`);
      options.peers = peers as PeerName[];
    } else if (arg === '--out') options.outDir = value();
    else if (arg === '--seed') options.seed = Number(value());
    else if (arg === '--help' || arg === '-h') {
      console.log(
        'npm run bench -- [--quick] [--only aae-step,vae-gan-step,matmul,elementwise,reduction,fused-linear] [--size small|paper]\n' +
          '                 [--hidden 256,256] [--peers tfjs-webgpu,tfjs-wasm,tfjs-cpu,tfjs-node,jax-webgpu,jax-wasm] [--out bench/results] [--seed 1]',
      );
      process.exit(0);
    } else throw new Error(`unknown option '${arg}' (try --help)`);
  }
  if (options.quick && !sizeGiven) options.size = 'small';
  return options;
}

function plans(scale: RunScale): { kernels: TimingPlan; aae: TimingPlan; agreementSteps: number } {
  if (scale === 'quick') return { kernels: { warmup: 1, minSamples: 2, maxSamples: 3, budgetMs: 300 }, aae: { warmup: 1, minSamples: 2, maxSamples: 3, budgetMs: 2000 }, agreementSteps: 2 };
  // A GPU runs a training step in milliseconds: more samples for the same budget.
  const maxSteps = scale === 'gpu' ? 60 : 12;
  return { kernels: { warmup: 2, minSamples: 4, maxSamples: 15, budgetMs: 2500 }, aae: { warmup: 2, minSamples: 5, maxSamples: maxSteps, budgetMs: 40_000 }, agreementSteps: 3 };
}

async function runKernelWorkload(workload: Workload, engine: Awaited<ReturnType<typeof createEngine>>, peers: Awaited<ReturnType<typeof loadPeers>>['peers'], plan: TimingPlan): Promise<WorkloadResult> {
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

export async function runBench(options: BenchOptions): Promise<{ results: BenchResults; files: { json: string; svg: string }; table: string }> {
  const { log } = options;
  const engine = await createEngine();
  try {
    const { peers, statuses } = await loadPeers(options.peers, engine);
    for (const status of statuses) log(`${status.name}: ${status.available ? `ready ${JSON.stringify(status.details)}` : status.reason}`);
    const hidden = options.hidden ?? SIZES[options.size];
    const scale: RunScale = options.quick ? 'quick' : engine.kind;
    const { kernels, aae, agreementSteps } = plans(scale);
    const workloads: WorkloadResult[] = [];
    const gather = (complete: boolean): BenchResults => {
      const { limits: _limits, ...adapter } = engine.info();
      return {
        date: new Date().toISOString().slice(0, 10),
        command: `npm run bench -- ${process.argv.slice(2).join(' ')}`.trim(),
        ...(complete ? {} : { partial: true }),
        options: { quick: options.quick, scale, only: options.only, size: options.size, hidden, peers: options.peers, seed: options.seed, kernelPlan: kernels, aaePlan: aae, agreementSteps },
        machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), platform: `${process.platform} ${process.arch}`, node: process.version },
        adapter: adapter as unknown as Record<string, unknown>,
        peers: statuses,
        workloads,
        targets: targets(workloads, engine.kind),
      };
    };
    // After each workload the results so far are written (marked partial): a run stopped at a time
    // budget (the GPU lab's) keeps what it measured.
    const saveSoFar = () => {
      const partial = gather(false);
      writeResults(options.outDir, partial, ratioChart(partial));
    };
    // The training steps run first: their first-step times are then their own. Before each, the engine
    // drops its pooled buffers and starts its peak afresh, so each step's peak bytes are its own.
    const steps = [
      ['aae-step', runAaeWorkload],
      ['vae-gan-step', runVaeGanWorkload],
    ] as const;
    for (const [group, runStep] of steps) {
      if (!options.only.includes(group)) continue;
      log(`${group}, hidden ${hidden.join('-')}:`);
      await engine.sync();
      engine.trimMemory();
      const result = await runStep(engine, peers, { architecture: { hidden }, seed: options.seed, agreementSteps, plan: aae, log });
      addRatios(result);
      workloads.push(result);
      saveSoFar();
    }
    const kernelWorkloads = [...matmulWorkloads(scale), ...bandwidthWorkloads(scale), ...fusedLinearWorkloads(scale)].filter((w) => options.only.includes(w.group));
    for (const workload of kernelWorkloads) {
      const result = await runKernelWorkload(workload, engine, peers, kernels);
      const summary = Object.entries(result.systems).map(([name, s]) => `${name} ${s.status === 'ok' ? `${s.medianMs!.toFixed(3)} ms${s.ratio ? ` (${s.ratio.toFixed(2)}x)` : ''}` : s.status}`);
      log(`${workload.name}: ${summary.join(', ')}`);
      workloads.push(result);
      saveSoFar();
    }
    const results = gather(true);
    const files = writeResults(options.outDir, results, ratioChart(results));
    return { results, files, table: formatTable(results) };
  } finally {
    engine.dispose();
  }
}

async function main(): Promise<void> {
  let parsed: ReturnType<typeof parseArguments>;
  try {
    parsed = parseArguments(process.argv.slice(2));
  } catch (error) {
    console.error(`bench: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(2);
  }
  const root = findPackageRoot();
  const { results, files, table } = await runBench({ ...parsed, outDir: parsed.outDir ?? join(root, 'bench', 'results'), log: (line) => console.error(line) });
  console.log(`\n${results.machine.cpuModel} (${results.machine.cpus} cores), adapter: ${String(results.adapter.description || results.adapter.device)}\n`);
  console.log(table);
  console.log(`\n${formatTargets(results)}\n\nwrote ${files.json} and ${files.svg}`);
}

function findPackageRoot(): string {
  // The bundle runs from node_modules/.cache/...; the package root is the folder above node_modules.
  const here = dirname(fileURLToPath(import.meta.url));
  const marker = here.lastIndexOf('/node_modules/');
  return marker >= 0 ? here.slice(0, marker) : join(here, '..');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  main().then(
    () => process.exit(0),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
