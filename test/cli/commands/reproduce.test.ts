import { spawn } from 'node:child_process';
import { mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { EXPERIMENT_NAMES, EXPERIMENTS } from '../../../src/reproduce/experiments.js';
import type { ReproduceResults } from '../../../src/reproduce/results.js';
import type { ReproduceState } from '../../../src/reproduce/run-state.js';
import { bundleCli, type CliProcess } from '../../helpers/cli-process.js';

/**
 * `webgpu-aae reproduce` as users run it: the whole table at the tiny size, a run killed and continued,
 * and the inputs it must refuse without touching anything.
 */

let tool: CliProcess;
let root: string;
const MINUTES = 60_000;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'webgpu-aae-reproduce-'));
  tool = await bundleCli(root, { timeoutMs: 12 * MINUTES });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await tool?.dispose();
});

async function readJson<T>(path: string): Promise<T> {
  return JSON.parse(await readFile(path, 'utf8')) as T;
}

describe('reproduce --size tiny --budget 20s', () => {
  let results: ReproduceResults;
  const out = () => join(root, 'table');

  beforeAll(async () => {
    const result = await tool.run('reproduce', '--size', 'tiny', '--budget', '20s', '--out', out());
    expect(result.code, result.stderr).toBe(0);
    results = await readJson<ReproduceResults>(join(out(), 'results.json'));
  }, 12 * MINUTES);

  it('has every experiment of the paper as a row, each with a number', () => {
    expect(results.rows.map((row) => row.experiment)).toEqual(EXPERIMENT_NAMES);
    for (const row of results.rows) {
      expect(typeof row.ours === 'number' || /^skipped: .+/.test(row.ours), `${row.experiment}: ${row.ours}`).toBe(true);
      // At this size nothing is expected to diverge: a skipped row here is a fault to look at.
      expect(typeof row.ours, `${row.experiment}: ${row.ours}`).toBe('number');
      expect(Number.isFinite(row.ours)).toBe(true);
      expect(row.runs).toHaveLength(1);
      expect(row.runs[0].epochs).toBeGreaterThanOrEqual(1);
      expect(row.network).toMatch(/^784-32-32-\d+$/);
    }
    expect(results.complete).toBe(true);
    expect(results.size).toBe('tiny');
    expect(results.adapter.length).toBeGreaterThan(0);
  });

  it('fits each run to the budget and chooses epochs on validation', () => {
    for (const row of results.rows) {
      const [run] = row.runs;
      // The next epoch is only started while one more, as long as the last, fits in 20 s: a run may end
      // past the budget by what its last epoch took beyond the one before (this machine may be shared).
      expect(run.seconds, row.experiment).toBeLessThan(2 * 20 + 10);
      const experiment = EXPERIMENTS.find((candidate) => candidate.name === row.experiment)!;
      if (experiment.measure.chooseEpochBy) expect(run.validation, row.experiment).toBeTypeOf('number');
      expect(run.epoch).toBeLessThanOrEqual(run.epochs);
    }
    const parzen = results.rows.find((row) => row.experiment === 'parzen-8d')!;
    expect(parzen.runs[0].details?.sigma).toBeGreaterThan(0);
  });

  it('writes results.md with the paper beside ours, and each run its pictures', async () => {
    const markdown = await readFile(join(out(), 'results.md'), 'utf8');
    for (const experiment of EXPERIMENTS) expect(markdown).toContain(`| ${experiment.title} | ${experiment.method}`);
    expect(markdown).toContain('1.60 % ± 0.08');
    for (const row of results.rows) await expect(stat(join(out(), row.picture!))).resolves.toBeTruthy();
  });

  it('continues a finished reproduction without training again, and refuses other options in its folder', async () => {
    const again = await tool.run('reproduce', '--size', 'tiny', '--budget', '20s', '--out', out());
    expect(again.code, again.stderr).toBe(0);
    expect(again.stderr).toContain(`${EXPERIMENT_NAMES.length} of ${EXPERIMENT_NAMES.length} runs finished`);
    const rerun = await readJson<ReproduceResults>(join(out(), 'results.json'));
    expect(rerun.rows.map((row) => row.ours)).toEqual(results.rows.map((row) => row.ours));

    const before = await readFile(join(out(), 'results.json'), 'utf8');
    await tool.expectUsageError(['reproduce', '--size', 'tiny', '--budget', '30s', '--out', out()], 'asked for --budget 20s, not --budget 30s');
    await tool.expectUsageError(['reproduce', '--size', 'small', '--budget', '20s', '--out', out()], '--size tiny');
    expect(await readFile(join(out(), 'results.json'), 'utf8')).toBe(before);
  });
});

describe('a reproduction killed during a run', () => {
  it('continues that run from its last epoch, with the time it had spent', async () => {
    const out = join(root, 'killed');
    // A budget of several epochs, so that the run is still training when its first epoch is done.
    const args = ['reproduce', '--size', 'tiny', '--budget', '40s', '--only', 'semi-supervised-1000', '--out', out];
    await new Promise<void>((resolve, reject) => {
      const child = spawn(process.execPath, [tool.script, ...args], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'] });
      let stderr = '';
      child.stderr.on('data', (chunk: Buffer) => {
        stderr += chunk.toString();
        if (/seed-1: epoch 1 done/.test(stderr)) child.kill('SIGKILL');
      });
      child.on('exit', (code, signal) => (signal === 'SIGKILL' ? resolve() : reject(new Error(`the run ended by itself (${code}) before it could be killed:\n${stderr}`))));
    });
    const state = await readJson<ReproduceState>(join(out, 'reproduce-state.json'));
    const cut = state.runs['semi-supervised-1000/seed-1'];
    expect(cut.status).toBe('training');
    expect(cut.epochs).toBeGreaterThanOrEqual(1);

    const continued = await tool.run(...args);
    expect(continued.code, continued.stderr).toBe(0);
    expect(continued.stderr).toContain(`resuming after epoch ${cut.epochs}`);
    const lines = (await readFile(join(out, 'semi-supervised-1000', 'seed-1', 'metrics.jsonl'), 'utf8')).trim().split('\n');
    const epochs = lines.map((line) => (JSON.parse(line) as { epoch: number }).epoch);
    expect(epochs).toEqual(Array.from({ length: epochs.length }, (_, i) => i + 1));
    const results = await readJson<ReproduceResults>(join(out, 'results.json'));
    const row = results.rows.find((candidate) => candidate.experiment === 'semi-supervised-1000')!;
    expect(row.ours).toBeTypeOf('number');
    expect(row.runs[0].epochs).toBe(epochs.length);
    expect(row.runs[0].seconds).toBeGreaterThan(cut.seconds);
    expect(results.rows.filter((candidate) => typeof candidate.ours === 'number')).toHaveLength(1);
  }, 6 * MINUTES);
});

describe('reproduce refuses, writing nothing', () => {
  it('an unknown experiment, a budget that is not a time, a bad size', async () => {
    await tool.expectUsageError(['reproduce', '--only', 'clustering-17', '--out', join(root, 'x')], "unknown experiment 'clustering-17'");
    await tool.expectUsageError(['reproduce', '--budget', 'soon', '--out', join(root, 'x')], "'soon' is not a length of time");
    await tool.expectUsageError(['reproduce', '--budget', '0s', '--out', join(root, 'x')], '--budget');
    await tool.expectUsageError(['reproduce', '--size', 'huge', '--out', join(root, 'x')], "unknown value 'huge'");
    await expect(stat(join(root, 'x'))).rejects.toThrow();
  });

  it('a budget too small for one epoch, found by timing steps', async () => {
    const out = join(root, 'short');
    await tool.expectUsageError(['reproduce', '--size', 'tiny', '--budget', '0.05s', '--only', 'semi-supervised-100', '--out', out], /holds less than one epoch of semi-supervised-100 .*give --budget/);
    await expect(stat(out)).rejects.toThrow();
  });

  it('an --out folder holding something else', async () => {
    const out = join(root, 'other');
    await mkdir(out);
    await writeFile(join(out, 'notes.txt'), 'mine');
    await tool.expectUsageError(['reproduce', '--size', 'tiny', '--out', out], 'holds files that are not a reproduction (notes.txt)');
    expect(await readdir(out)).toEqual(['notes.txt']);
    expect(await readFile(join(out, 'notes.txt'), 'utf8')).toBe('mine');
  });
});
