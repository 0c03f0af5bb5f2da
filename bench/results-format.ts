// The shape of bench/results/<date>.json: per workload, each system's median time and, for each peer,
// `ratio` = peer time / our time (above 1: we are faster).
import type { PeerName, PeerStatus } from './peers/peer.js';

export const OURS = 'webgpu-aae';

/** The suite's workload groups (`--only` picks among them), in the order it runs them. */
export const GROUPS = ['aae-step', 'vae-gan-step', 'matmul', 'elementwise', 'reduction', 'fused-linear'] as const;
export type SystemName = typeof OURS | PeerName;

export interface SystemResult {
  status: 'ok' | 'unavailable' | 'mismatch' | 'error';
  /** Why there is no time, when status is not ok. */
  reason?: string;
  /** Per operation (kernel workloads) or per training step (aae-step, vae-gan-step). */
  medianMs?: number;
  minMs?: number;
  maxMs?: number;
  samples?: number;
  /** GFLOP/s or GB/s at the median, when the workload has a unit. */
  throughput?: number;
  /** Peer median / our median; only on peers. */
  ratio?: number;
  /** Training steps: the first step, pipeline compilation included. */
  firstStepMs?: number;
  /** Training steps: peak GPU (or tensor) bytes. */
  peakBytes?: number;
}

export interface WorkloadResult {
  name: string;
  group: string;
  unit?: string;
  /** Operations per timed run (kernel workloads); times are per operation. */
  operationsPerRun?: number;
  systems: Partial<Record<SystemName, SystemResult>>;
  /** Training steps: the loss-agreement check against each peer. */
  agreement?: Partial<Record<PeerName, { agrees: boolean; summary: string }>>;
}

export interface BenchResults {
  date: string;
  command: string;
  /** Set while a run is under way (or was stopped): not every workload is in. */
  partial?: boolean;
  options: Record<string, unknown>;
  machine: { cpus: number; cpuModel: string; memoryGiB: number; platform: string; node: string };
  adapter: Record<string, unknown>;
  peers: PeerStatus[];
  workloads: WorkloadResult[];
  targets: { name: string; target: string; measured: string; met: boolean | null }[];
}
