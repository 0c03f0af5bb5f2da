import { createEngine } from '../src/device/create-engine.js';
import type { Engine } from '../src/device/engine.js';
import type { Mnist } from '../src/data/mnist.js';
import { ratioChart } from '../bench/chart.js';
import { loadPeers } from '../bench/peers/load-peers.js';
import type { PeerName, PeerStatus } from '../bench/peers/peer.js';
import { targets } from '../bench/report.js';
import { GROUPS, OURS, type BenchResults, type SystemResult, type WorkloadResult } from '../bench/results-format.js';
import { runSuite, timingPlans } from '../bench/suite.js';
import type { RunScale } from '../bench/workloads/workload.js';
import { loadPageMnist } from './load-mnist.js';
import { engineOptionsFromAddress, missingWebGpuMessage, showProblem } from './webgpu-support.js';

/**
 * The benchmark page: the suite's own workloads (bench/suite.ts: the same definitions, weights, data and
 * agreement checks as `npm run bench`) on this page's WebGPU device, against the peers chosen, with a live
 * table, the ratio chart and the results as a JSON file in the format of bench/results/*.json, so that the
 * Node report and chart read it. `window.webgpuAaeBench` exposes the state for the browser test.
 */

const SIZES = { tiny: [32, 32], small: [256, 256], paper: [1000, 1000] } as const;

interface BenchPageApi {
  ready: boolean;
  error: string | null;
  running: boolean;
  done: boolean;
  adapter: string;
  /** Milliseconds from navigation until the page could start measuring. */
  readyMs: number;
  results(): BenchResults | null;
}
declare global {
  interface Window {
    webgpuAaeBench: BenchPageApi;
  }
}

const element = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const status = element<HTMLParagraphElement>('status');
const start = element<HTMLButtonElement>('start');
const checked = (fieldset: string) => Array.from(element(fieldset).querySelectorAll<HTMLInputElement>('input[type=checkbox]')).filter((box) => box.checked).map((box) => box.value);

let current: BenchResults | null = null;
const page: BenchPageApi = { ready: false, error: null, running: false, done: false, adapter: '', readyMs: 0, results: () => current };
window.webgpuAaeBench = page;

/** One cell: the median (and throughput), or for a peer its ratio, or why there is no time. */
function cell(system: SystemResult | undefined, unit: string | undefined, isPeer: boolean): HTMLTableCellElement {
  const td = document.createElement('td');
  if (!system) {
    td.textContent = '…';
    return td;
  }
  if (system.status !== 'ok' || system.medianMs === undefined) {
    // "unavailable: why", "mismatch: by how much", "error: what": never a time. The whole reason is the tooltip.
    const reason = (system.reason ?? '').replace(/^unavailable: /, '');
    td.textContent = reason ? `${system.status}: ${reason.length > 90 ? `${reason.slice(0, 87)}...` : reason}` : system.status;
    td.title = system.reason ?? '';
    td.className = 'not-timed';
    return td;
  }
  const time = system.medianMs >= 100 ? `${system.medianMs.toFixed(0)} ms` : `${system.medianMs.toFixed(2)} ms`;
  const rate = system.throughput !== undefined && unit ? ` (${system.throughput.toFixed(1)} ${unit})` : '';
  td.textContent = `${time}${rate}`;
  if (isPeer && system.ratio !== undefined) {
    const ratio = document.createElement('strong');
    ratio.textContent = ` ${system.ratio.toFixed(2)}x`;
    ratio.className = system.ratio >= 1 ? 'faster' : 'slower';
    td.append(ratio);
  }
  return td;
}

function render(results: BenchResults, peers: readonly PeerName[]): void {
  const head = element<HTMLTableRowElement>('results-head');
  head.replaceChildren(...['workload', OURS, ...peers].map((name) => Object.assign(document.createElement('th'), { textContent: name })));
  const body = element<HTMLTableSectionElement>('results-body');
  body.replaceChildren(
    ...results.workloads.map((workload: WorkloadResult) => {
      const row = document.createElement('tr');
      row.dataset.group = workload.group;
      row.append(Object.assign(document.createElement('td'), { textContent: workload.name }));
      row.append(cell(workload.systems[OURS], workload.unit, false));
      for (const peer of peers) row.append(cell(workload.systems[peer], workload.unit, true));
      return row;
    }),
  );
  element('chart').innerHTML = results.workloads.length > 0 ? ratioChart(results) : '';
}

function offerDownload(results: BenchResults): void {
  const link = element<HTMLAnchorElement>('download');
  if (link.href) URL.revokeObjectURL(link.href);
  link.href = URL.createObjectURL(new Blob([`${JSON.stringify(results, null, 2)}\n`], { type: 'application/json' }));
  link.download = `${results.date}-browser.json`;
  link.hidden = false;
}

async function run(engine: Engine, mnist: Mnist): Promise<void> {
  const only = checked('workloads').filter((group) => (GROUPS as readonly string[]).includes(group));
  const chosenPeers = checked('peers') as PeerName[];
  const size = element<HTMLSelectElement>('size').value as keyof typeof SIZES;
  const quick = element<HTMLInputElement>('quick').checked;
  const hidden = [...SIZES[size]];
  const scale: RunScale = quick ? 'quick' : engine.kind;
  page.running = true;
  page.done = false;
  start.disabled = true;
  status.textContent = `Loading ${chosenPeers.join(', ') || 'no peers'}…`;
  const { peers, statuses } = await loadPeers(chosenPeers, engine);
  const { kernels, aae, agreementSteps } = timingPlans(scale);
  const { limits: _limits, ...adapter } = engine.info();
  const workloads: WorkloadResult[] = [];
  const gather = (complete: boolean): BenchResults => ({
    date: new Date().toISOString().slice(0, 10),
    command: `bench page ${location.pathname} (${size}${quick ? ', quick' : ''})`,
    ...(complete ? {} : { partial: true }),
    options: { quick, scale, only, size, hidden, peers: chosenPeers, seed: 1, kernelPlan: kernels, aaePlan: aae, agreementSteps, browser: navigator.userAgent },
    machine: { cpus: navigator.hardwareConcurrency ?? 0, cpuModel: 'unknown (a browser does not say)', memoryGiB: (navigator as { deviceMemory?: number }).deviceMemory ?? 0, platform: navigator.platform, node: '' },
    adapter: adapter as unknown as Record<string, unknown>,
    peers: statuses as PeerStatus[],
    workloads,
    targets: targets(workloads, engine.kind),
  });
  const unavailable = statuses.filter((peer) => !peer.available).map((peer) => `${peer.name} ${peer.reason}`);
  try {
    await runSuite(
      engine,
      peers,
      {
        only,
        hidden,
        seed: 1,
        scale,
        trainImages: mnist.train,
        log: (line) => (status.textContent = `${line}${unavailable.length ? ` (not measured: ${unavailable.join('; ')})` : ''}`),
        onWorkload: () => {
          current = gather(false);
          render(current, chosenPeers);
        },
      },
      workloads,
    );
    current = gather(true);
    render(current, chosenPeers);
    offerDownload(current);
    status.textContent = `Done: ${workloads.length} workloads. Ratio = peer time / our time (above 1: webgpu-aae is faster).`;
  } catch (error) {
    page.error = error instanceof Error ? error.message : String(error);
    status.textContent = `Stopped: ${page.error}`;
    if (current) offerDownload(current);
  } finally {
    page.running = false;
    page.done = true;
    start.disabled = false;
  }
}

/**
 * ?adapter=compatibility: where the browser offers an adapter only at the compatibility level (Chromium on
 * Mesa's lavapipe, see the README), the peers must ask for it too, or they would measure on another adapter
 * (SwiftShader) than ours. They call navigator.gpu.requestAdapter themselves: it gets the level added.
 */
function askPeersForCompatibility(gpu: GPU): void {
  const request = gpu.requestAdapter.bind(gpu);
  gpu.requestAdapter = (options?: GPURequestAdapterOptions) => request({ ...options, featureLevel: 'compatibility' } as GPURequestAdapterOptions);
}

async function main(): Promise<void> {
  const missing = missingWebGpuMessage('nothing can be measured here (in Node: npm run bench)');
  if (missing) {
    page.error = 'no navigator.gpu';
    showProblem(missing);
    return;
  }
  let engine: Engine;
  let mnist: Mnist;
  try {
    const options = engineOptionsFromAddress();
    if (options.featureLevel === 'compatibility') askPeersForCompatibility(navigator.gpu);
    [engine, mnist] = await Promise.all([createEngine(options), loadPageMnist()]);
  } catch (error) {
    page.error = (error as Error).message;
    showProblem(`WebGPU could not start: ${(error as Error).message}`);
    return;
  }
  const info = engine.info();
  page.adapter = `${info.vendor} ${info.architecture} ${info.device} ${info.description}`.replace(/\s+/g, ' ').trim();
  element('adapter').textContent = `WebGPU adapter: ${page.adapter || 'unnamed'} (${engine.kind === 'cpu' ? 'a software adapter: kernel sizes for a CPU' : 'a GPU'}).`;
  start.disabled = false;
  start.addEventListener('click', () => void run(engine, mnist));
  status.textContent = 'Ready: choose and press Start.';
  page.readyMs = performance.now();
  page.ready = true;
}

void main();
