import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPERIMENT_NAMES, SCALES } from '../../src/reproduce/experiments.js';
import type { RunOutcome } from '../../src/reproduce/outcome.js';
import { resultsMarkdown, resultsOf } from '../../src/reproduce/results.js';
import { ForeignOutput, newState, readState, writeState, type ReproduceRequest } from '../../src/reproduce/run-state.js';

const request: ReproduceRequest = { size: 'small', seeds: 2, budgetSeconds: 1800, experiments: ['semi-supervised-1000', 'clustering-16', 'parzen-8d'] };
const outcome = (seed: number, value: number): RunOutcome => ({ seed, value, epoch: 30, epochs: 40, steps: 20_000, seconds: 1790 });

describe('the results table', () => {
  const state = newState(request, 'lavapipe', { 'semi-supervised-1000': 45, 'clustering-16': 40, 'parzen-8d': 30 });
  state.runs['semi-supervised-1000/seed-1'] = { status: 'done', seconds: 1790, epochs: 40, outcome: outcome(1, 2.5) };
  state.runs['semi-supervised-1000/seed-2'] = { status: 'done', seconds: 1795, epochs: 40, outcome: outcome(2, 3.5) };
  state.runs['clustering-16/seed-1'] = { status: 'failed', seconds: 300, epochs: 3, failure: 'training diverged (seed 1): the reconstruction loss became NaN' };
  state.runs['clustering-16/seed-2'] = { status: 'failed', seconds: 200, epochs: 2, failure: 'training diverged (seed 2): the reconstruction loss became NaN' };
  state.runs['parzen-8d/seed-1'] = { status: 'training', seconds: 600, epochs: 20 };
  const results = resultsOf(state, SCALES.small, { 'semi-supervised-1000': '784-256-256-8' });

  it('has a row for every experiment: a number, or why there is none', () => {
    expect(results.rows.map((row) => row.experiment)).toEqual(EXPERIMENT_NAMES);
    const byName = Object.fromEntries(results.rows.map((row) => [row.experiment, row]));
    expect(byName['semi-supervised-1000'].ours).toBe(3);
    expect(byName['semi-supervised-1000'].spread).toBeCloseTo(Math.SQRT1_2, 12);
    expect(byName['semi-supervised-1000'].seconds).toBe(3585);
    expect(byName['clustering-16'].ours).toBe('skipped: training diverged (seed 1): the reconstruction loss became NaN');
    expect(byName['parzen-8d'].ours).toMatch(/^skipped: not run yet; run the same command again/);
    expect(byName['vae-gan'].ours).toBe('skipped: not asked for (--only)');
    for (const row of results.rows) expect(typeof row.ours === 'number' || row.ours.startsWith('skipped: ')).toBe(true);
    expect(results.complete).toBe(false);
  });

  it('reads as a page: the paper beside ours, what is unfinished said so', () => {
    const markdown = resultsMarkdown(results);
    expect(markdown).toContain('| semi-supervised classification, 1,000 labels | ours [1] | test error (lower is better) | 1.60 % ± 0.08 | **3.00 %** ± 0.71 | 30 of 40, 30 of 40 | 784-256-256-8 | 59:45 |');
    expect(markdown).toContain('**not finished**');
    expect(markdown).toContain('| unsupervised clustering, K = 16 | paper method | cluster error');
    // One note for the three semi-supervised rows, said once.
    expect(markdown.match(/Gaussian noise of standard deviation 0\.3/g)).toHaveLength(1);
    expect(markdown).toContain('| semi-supervised classification, 100 labels | ours [1] |');
  });
});

describe('the state of a reproduction in its folder', () => {
  let root: string;
  beforeAll(async () => {
    root = await mkdtemp(join(tmpdir(), 'webgpu-aae-state-'));
  });
  afterAll(() => rm(root, { recursive: true, force: true }));

  it('is nothing yet for a missing or empty folder, and what was saved for the same request', async () => {
    expect(await readState(join(root, 'missing'), request)).toBeNull();
    expect(await readState(root, request)).toBeNull();
    const state = newState(request, 'lavapipe', { 'semi-supervised-1000': 45 });
    state.runs['semi-supervised-1000/seed-1'] = { status: 'training', seconds: 90, epochs: 2 };
    await writeState(root, state);
    expect(await readState(root, { ...request, experiments: [...request.experiments] })).toEqual(state);
  });

  it('refuses another request in the same folder, naming what differs', async () => {
    await expect(readState(root, { ...request, budgetSeconds: 600 })).rejects.toThrow(/asked for --budget 1800s, not --budget 600s/);
    await expect(readState(root, { ...request, seeds: 1, size: 'paper' })).rejects.toThrow(/--size small, --seeds 2, not --size paper, --seeds 1/);
  });

  it('refuses a folder of other files, or a state file it cannot read', async () => {
    const other = await mkdtemp(join(root, 'other-'));
    await writeFile(join(other, 'checkpoint.safetensors'), 'x');
    await expect(readState(other, request)).rejects.toThrow(ForeignOutput);
    const broken = await mkdtemp(join(root, 'broken-'));
    await writeFile(join(broken, 'reproduce-state.json'), '{"format": "something else"}');
    await expect(readState(broken, request)).rejects.toThrow(/is not a webgpu-aae\/reproduce-v1 state file/);
    await writeFile(join(broken, 'reproduce-state.json'), '{cut off');
    await expect(readState(broken, request)).rejects.toThrow(/cannot be read as a reproduction's state/);
  });
});
