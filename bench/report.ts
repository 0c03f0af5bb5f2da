// Turns results into what people read: ratios, the stdout table, the targets (no Node modules: run.ts writes the files).
import { OURS, type BenchResults, type SystemName, type WorkloadResult } from './results-format.js';
import type { PeerName } from './peers/peer.js';

/** Fills each peer's `ratio` (peer median / our median) and each system's throughput. */
export function addRatios(workload: WorkloadResult, amountPerOperation?: number): void {
  const ours = workload.systems[OURS];
  for (const [name, system] of Object.entries(workload.systems)) {
    if (!system || system.status !== 'ok' || system.medianMs === undefined) continue;
    if (amountPerOperation !== undefined) system.throughput = amountPerOperation / (system.medianMs * 1e6);
    if (name !== OURS && ours?.status === 'ok' && ours.medianMs) system.ratio = system.medianMs / ours.medianMs;
  }
}

/**
 * The performance issue's targets (issue 11), for the adapter kind the run was on: on a CPU adapter
 * against tfjs-webgpu and tfjs-wasm on the same machine; on a GPU the paper-sized AAE step's own time,
 * its ratio, the model-shape matmuls and the f32 rate of the biggest square product.
 */
export function targets(workloads: readonly WorkloadResult[], kind: 'cpu' | 'gpu' = 'cpu'): BenchResults['targets'] {
  const found: BenchResults['targets'] = [];
  const ratioTarget = (group: string, peer: PeerName, at: number) => {
    const ratio = workloads.find((w) => w.group === group)?.systems[peer]?.ratio;
    if (!workloads.some((w) => w.group === group)) return;
    found.push({ name: `${group} vs ${peer}`, target: `>= ${at}x faster`, measured: ratio === undefined ? 'not measured' : `${ratio.toFixed(2)}x`, met: ratio === undefined ? null : ratio >= at });
  };
  if (kind === 'cpu') {
    ratioTarget('aae-step', 'tfjs-webgpu', 4);
    ratioTarget('aae-step', 'tfjs-wasm', 4);
    ratioTarget('vae-gan-step', 'tfjs-webgpu', 4);
    ratioTarget('vae-gan-step', 'tfjs-wasm', 3);
  } else {
    ratioTarget('aae-step', 'tfjs-webgpu', 5);
    const aae = workloads.find((w) => w.group === 'aae-step')?.systems[OURS];
    if (aae) found.push({ name: 'aae-step time', target: '<= 2 ms', measured: aae.medianMs === undefined ? 'not measured' : `${aae.medianMs.toFixed(2)} ms`, met: aae.medianMs === undefined ? null : aae.medianMs <= 2 });
  }
  const isSquare = (w: WorkloadResult) => /^matmul (\d+)x\1·\1x\1$/.test(w.name);
  const modelShapes = workloads.filter((w) => w.group === 'matmul' && !isSquare(w));
  const ratios = modelShapes.map((w) => w.systems['tfjs-webgpu']?.ratio).filter((r): r is number => r !== undefined);
  const least = kind === 'cpu' ? 2 : 1.5;
  if (modelShapes.length > 0) {
    const worst = ratios.length > 0 ? Math.min(...ratios) : undefined;
    found.push({
      name: 'matmul at every model shape vs tfjs-webgpu (GFLOP/s)',
      target: `>= ${least}x on every shape`,
      measured: worst === undefined ? 'not measured' : `lowest ${worst.toFixed(2)}x over ${ratios.length} shapes (${ratios.filter((r) => r >= least).length} at >= ${least}x)`,
      met: worst === undefined ? null : ratios.length === modelShapes.length && worst >= least,
    });
  }
  const biggest = workloads.filter(isSquare).at(-1);
  const rate = biggest?.systems[OURS]?.throughput;
  if (kind === 'gpu' && biggest) {
    found.push({ name: `${biggest.name} f32 rate`, target: '>= 25000 GFLOP/s', measured: rate === undefined ? 'not measured' : `${rate.toFixed(0)} GFLOP/s`, met: rate === undefined ? null : rate >= 25_000 });
  }
  return found;
}

/** Workloads that time whole training steps (and report first-step time and peak bytes). */
const TRAINING_STEP_GROUPS = ['aae-step', 'vae-gan-step'];

const formatMs = (ms: number | undefined) => (ms === undefined ? '-' : ms >= 100 ? ms.toFixed(0) : ms >= 1 ? ms.toFixed(2) : ms.toFixed(3));
const formatBytes = (bytes: number | undefined) => (bytes === undefined ? '-' : `${(bytes / 2 ** 20).toFixed(1)} MiB`);

/** A Markdown table: one row per workload, per system its median (throughput) and ratio. */
export function formatTable(results: BenchResults): string {
  const systems: SystemName[] = [OURS, ...results.peers.filter((p) => p.available).map((p) => p.name)];
  const header = ['workload', ...systems.map((s) => (s === OURS ? `${s} median` : `${s} median (ratio)`))];
  const lines = [`| ${header.join(' | ')} |`, `|${header.map(() => '---').join('|')}|`];
  for (const workload of results.workloads) {
    const cells = systems.map((name) => {
      const system = workload.systems[name];
      if (!system) return '-';
      if (system.status !== 'ok') return system.status;
      const unit = workload.unit && system.throughput !== undefined ? ` (${system.throughput.toFixed(workload.unit === 'GB/s' ? 2 : 1)} ${workload.unit})` : '';
      const ratio = system.ratio !== undefined ? ` **${system.ratio.toFixed(2)}x**` : '';
      return `${formatMs(system.medianMs)} ms${unit}${ratio}`;
    });
    lines.push(`| ${workload.name} | ${cells.join(' | ')} |`);
  }
  for (const step of results.workloads.filter((w) => TRAINING_STEP_GROUPS.includes(w.group))) {
    lines.push('', `| ${step.group} | ` + systems.join(' | ') + ' |', `|---|${systems.map(() => '---').join('|')}|`);
    lines.push(`| time to first step | ${systems.map((s) => (step.systems[s]?.firstStepMs !== undefined ? `${formatMs(step.systems[s]!.firstStepMs)} ms` : '-')).join(' | ')} |`);
    lines.push(`| min-max per step | ${systems.map((s) => (step.systems[s]?.status === 'ok' ? `${formatMs(step.systems[s]!.minMs)}-${formatMs(step.systems[s]!.maxMs)} ms` : '-')).join(' | ')} |`);
    lines.push(`| peak bytes | ${systems.map((s) => formatBytes(step.systems[s]?.peakBytes)).join(' | ')} |`);
  }
  const unavailable = results.peers.filter((p) => !p.available);
  if (unavailable.length > 0) lines.push('', ...unavailable.map((p) => `${p.name}: ${p.reason}`));
  lines.push('', 'Ratio = peer time / our time (above 1: webgpu-aae is faster). Kernel times are per operation.');
  return lines.join('\n');
}

export function formatTargets(results: BenchResults): string {
  return results.targets.map((t) => `${t.name}: target ${t.target}, measured ${t.measured} -> ${t.met === null ? 'not measured' : t.met ? 'met' : 'NOT met'}`).join('\n');
}

