// The benchmark suite in Node: `npm run bench [-- options]`. Runs each workload (suite.ts) on this engine
// and on each peer (tfjs, jax-js) in one process, interleaved, and writes a table, a JSON file and a chart.
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createEngine } from '../src/device/create-engine.js';
import { ratioChart } from './chart.js';
import { loadPeers } from './peers/load-peers.js';
import { PEER_NAMES, type PeerName } from './peers/peer.js';
import { formatTable, formatTargets, targets } from './report.js';
import { GROUPS, type BenchResults, type WorkloadResult } from './results-format.js';
import { runSuite, timingPlans } from './suite.js';
import type { RunScale } from './workloads/workload.js';

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

export async function runBench(options: BenchOptions): Promise<{ results: BenchResults; files: { json: string; svg: string }; table: string }> {
  const { log } = options;
  const engine = await createEngine();
  try {
    const { peers, statuses } = await loadPeers(options.peers, engine);
    for (const status of statuses) log(`${status.name}: ${status.available ? `ready ${JSON.stringify(status.details)}` : status.reason}`);
    const hidden = options.hidden ?? SIZES[options.size];
    const scale: RunScale = options.quick ? 'quick' : engine.kind;
    const { kernels, aae, agreementSteps } = timingPlans(scale);
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
    await runSuite(engine, peers, { only: options.only, hidden, seed: options.seed, scale, log, onWorkload: saveSoFar }, workloads);
    const results = gather(true);
    const files = writeResults(options.outDir, results, ratioChart(results));
    return { results, files, table: formatTable(results) };
  } finally {
    engine.dispose();
  }
}

export function writeResults(directory: string, results: BenchResults, svg: string): { json: string; svg: string } {
  mkdirSync(directory, { recursive: true });
  const json = join(directory, `${results.date}.json`);
  const chart = join(directory, `${results.date}.svg`);
  writeFileSync(json, JSON.stringify(results, null, 2) + '\n');
  writeFileSync(chart, svg);
  return { json, svg: chart };
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
