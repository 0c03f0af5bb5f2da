import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomic } from '../checkpoint/atomic-write.js';
import type { SizePreset } from '../models/architecture.js';
import type { RunOutcome } from './outcome.js';

/**
 * A reproduction's progress, kept in its --out folder and rewritten (atomically) after every epoch, so
 * that a run killed at any point continues where it stopped: finished runs are kept, the one cut short
 * resumes from its last checkpoint with the time it had already spent.
 */

export const STATE_FILE = 'reproduce-state.json';
const STATE_FORMAT = 'webgpu-aae/reproduce-v1';

/** What was asked: a folder continues only the reproduction that asked the same. */
export interface ReproduceRequest {
  size: SizePreset;
  seeds: number;
  /** Wall time for each run (one experiment, one seed): training and its per-epoch evaluation. */
  budgetSeconds: number;
  /** The experiments run, in table order. */
  experiments: string[];
}

export interface RunRecord {
  status: 'training' | 'done' | 'failed';
  /** Wall time spent on completed epochs (an epoch cut short by a kill is not counted). */
  seconds: number;
  epochs: number;
  outcome?: RunOutcome;
  /** Why a failed run has no outcome (training diverged). */
  failure?: string;
}

export interface ReproduceState {
  format: typeof STATE_FORMAT;
  request: ReproduceRequest;
  started: string;
  /** The adapter the reproduction started on. */
  adapter: string;
  /** Each experiment's measured training time per epoch (the step-rate probe), in seconds. */
  epochSeconds: Record<string, number>;
  /** By run folder: `<experiment>/seed-<n>`. */
  runs: Record<string, RunRecord>;
}

/** The folder holds something that is not this reproduction: nothing there may be touched. */
export class ForeignOutput extends Error {
  override name = 'ForeignOutput';
}

export function runFolder(experiment: string, seed: number): string {
  return `${experiment}/seed-${seed}`;
}

export function newState(request: ReproduceRequest, adapter: string, epochSeconds: Record<string, number>): ReproduceState {
  return { format: STATE_FORMAT, request, started: new Date().toISOString(), adapter, epochSeconds, runs: {} };
}

/**
 * The reproduction to continue in `out`: null for a missing or empty folder; the saved state when it
 * asked the same as `request`. Throws ForeignOutput, naming what differs, for a folder holding another
 * reproduction or anything else.
 */
export async function readState(out: string, request: ReproduceRequest): Promise<ReproduceState | null> {
  const entries = await readdir(out).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return null;
    throw error;
  });
  if (entries === null || entries.length === 0) return null;
  if (!entries.includes(STATE_FILE)) {
    throw new ForeignOutput(`${out} holds files that are not a reproduction (${entries.slice(0, 3).join(', ')}${entries.length > 3 ? ', ...' : ''}); choose an empty or new folder.`);
  }
  const path = join(out, STATE_FILE);
  let state: ReproduceState;
  try {
    state = JSON.parse(await readFile(path, 'utf8')) as ReproduceState;
  } catch (error) {
    throw new ForeignOutput(`${path} cannot be read as a reproduction's state (${(error as Error).message}); choose another folder.`);
  }
  if (state?.format !== STATE_FORMAT || typeof state.request !== 'object' || typeof state.runs !== 'object') {
    throw new ForeignOutput(`${path} is not a ${STATE_FORMAT} state file; choose another folder.`);
  }
  const differences = requestDifferences(state.request, request);
  if (differences.length > 0) {
    throw new ForeignOutput(
      `${out} holds a reproduction that asked for ${differences.map(([key, saved]) => `${key} ${saved}`).join(', ')}, not ${differences.map(([key, , asked]) => `${key} ${asked}`).join(', ')}; ` +
        'continue it with the same options, or choose another --out.',
    );
  }
  return state;
}

export async function writeState(out: string, state: ReproduceState): Promise<void> {
  await writeFileAtomic(join(out, STATE_FILE), new TextEncoder().encode(JSON.stringify(state, null, 1) + '\n'));
}

/** [option, saved, asked] for each option that differs, as the command line would say it. */
function requestDifferences(saved: ReproduceRequest, asked: ReproduceRequest): [string, string, string][] {
  const shown: [string, (request: ReproduceRequest) => string][] = [
    ['--size', (request) => String(request.size)],
    ['--seeds', (request) => String(request.seeds)],
    ['--budget', (request) => `${request.budgetSeconds}s`],
    ['--only', (request) => (Array.isArray(request.experiments) ? request.experiments.join(',') : String(request.experiments))],
  ];
  return shown.map(([option, show]) => [option, show(saved), show(asked)] as [string, string, string]).filter(([, a, b]) => a !== b);
}
