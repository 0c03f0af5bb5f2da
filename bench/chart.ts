// A hand-written SVG bar chart: for each workload, one bar per peer, its length the ratio (peer time /
// our time) on a log scale, with the line at 1x where the two are even.
import type { PeerName } from './peers/peer.js';
import { OURS, type BenchResults } from './results-format.js';

const COLOURS: Record<PeerName, string> = {
  'tfjs-webgpu': '#1f77b4',
  'tfjs-wasm': '#ff7f0e',
  'tfjs-cpu': '#2ca02c',
  'tfjs-node': '#9467bd',
  'jax-webgpu': '#d62728',
  'jax-wasm': '#8c564b',
};

const escape = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

export function ratioChart(results: BenchResults): string {
  const peers = results.peers.filter((p) => p.available).map((p) => p.name);
  const rows = results.workloads;
  const bar = 12;
  const rowHeight = Math.max(1, peers.length) * bar + 10;
  const [labelWidth, plotWidth, top, left] = [330, 520, 60, 10];
  const ratios = rows.flatMap((w) => peers.map((p) => w.systems[p]?.ratio).filter((r): r is number => r !== undefined && r > 0));
  const low = Math.min(0.1, ...ratios.map((r) => 10 ** Math.floor(Math.log10(r))));
  const high = Math.max(10, ...ratios.map((r) => 10 ** Math.ceil(Math.log10(r))));
  const x = (ratio: number) => left + labelWidth + ((Math.log10(ratio) - Math.log10(low)) / (Math.log10(high) - Math.log10(low))) * plotWidth;
  const height = top + rows.length * rowHeight + 40;
  const width = left + labelWidth + plotWidth + 30;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="sans-serif" font-size="11">`,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${left}" y="18" font-size="14" font-weight="bold">${escape(`${OURS} against TensorFlow.js: peer time / our time (log scale; right of 1x = ${OURS} faster)`)}</text>`,
    `<text x="${left}" y="34">${escape(`${results.date} · ${results.machine.cpuModel} (${results.machine.cpus} cores) · ${String(results.adapter.description ?? results.adapter.device ?? '')}`)}</text>`,
  ];
  peers.forEach((peer, i) => {
    parts.push(`<rect x="${left + labelWidth + i * 110}" y="42" width="10" height="10" fill="${COLOURS[peer]}"/>`);
    parts.push(`<text x="${left + labelWidth + i * 110 + 14}" y="51">${peer}</text>`);
  });
  for (let decade = Math.log10(low); decade <= Math.log10(high) + 1e-9; decade++) {
    const gx = x(10 ** decade);
    parts.push(`<line x1="${gx}" y1="${top - 4}" x2="${gx}" y2="${height - 34}" stroke="${decade === 0 ? '#000' : '#ddd'}"/>`);
    parts.push(`<text x="${gx}" y="${height - 20}" text-anchor="middle">${10 ** decade >= 1 ? (10 ** decade).toFixed(0) : (10 ** decade).toPrecision(1)}x</text>`);
  }
  rows.forEach((workload, r) => {
    const y0 = top + r * rowHeight;
    parts.push(`<text x="${left}" y="${y0 + rowHeight / 2 + 3}">${escape(workload.name)}</text>`);
    peers.forEach((peer, i) => {
      const system = workload.systems[peer];
      const y = y0 + 4 + i * bar;
      if (system?.ratio === undefined) {
        parts.push(`<text x="${x(1) + 4}" y="${y + bar - 3}" fill="#888">${escape(system ? system.status : 'not run')}</text>`);
        return;
      }
      const [a, b] = [x(1), x(system.ratio)];
      parts.push(`<rect x="${Math.min(a, b)}" y="${y}" width="${Math.max(1, Math.abs(b - a))}" height="${bar - 2}" fill="${COLOURS[peer]}"/>`);
      parts.push(`<text x="${Math.max(a, b) + 3}" y="${y + bar - 3}">${system.ratio.toFixed(2)}x</text>`);
    });
  });
  parts.push('</svg>');
  return parts.join('\n') + '\n';
}
