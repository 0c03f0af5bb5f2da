import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors } from '../../../src/checkpoint/safetensors.js';
import { CHECKPOINT_FILE, METRICS_FILE } from '../../../src/training/trainer.js';
import { bundleCli, type CliProcess, type CliResult } from '../../helpers/cli-process.js';

/**
 * `train` as users run it, on MNIST: a tiny network on 200 images, two steps an epoch, so that each
 * process takes seconds. Same seed, same adapter: the same bytes, whether run twice or resumed.
 */

let tool: CliProcess;
let root: string;
const quick = ['--size', 'tiny', '--train-size', '200', '--batch-size', '100', '--eval-size', '100', '--seed', '5'];

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'webgpu-aae-train-'));
  tool = await bundleCli(root);
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await tool?.dispose();
});

function succeeded(result: CliResult): CliResult {
  expect(result.code, result.stderr).toBe(0);
  return result;
}

async function metricsOf(folder: string): Promise<Record<string, unknown>[]> {
  const lines = (await readFile(join(folder, METRICS_FILE), 'utf8')).trim().split('\n');
  return lines.map((line) => JSON.parse(line));
}

/** A metrics line without its timings, which differ from run to run. */
function untimed({ seconds, stepsPerSecond, ...rest }: Record<string, unknown>) {
  expect(seconds).toBeGreaterThan(0);
  expect(stepsPerSecond).toBeGreaterThan(0);
  return rest;
}

describe('train', () => {
  const [first, second, straight] = ['first', 'second', 'straight'];

  it('two processes with the same seed write byte-identical checkpoints and the same metrics', async () => {
    const [a, b] = await Promise.all([first, second].map((name) => tool.run('train', ...quick, '--epochs', '1', '--out', join(root, name))));
    for (const [result, name] of [[a, first], [b, second]] as const) {
      succeeded(result);
      expect(result.stderr).toMatch(/^epoch 1 done in [\d.]+ s \([\d.]+ steps\/s\), test reconstruction BCE [\d.]+$/m);
      expect(result.stderr).toContain(`wrote ${join(root, name)}/: metrics.jsonl, curves.png, samples.png, reconstructions.png, latent.png, ${CHECKPOINT_FILE}`);
    }
    const [bytesA, bytesB] = await Promise.all([first, second].map((name) => readFile(join(root, name, CHECKPOINT_FILE))));
    expect(Buffer.compare(bytesA, bytesB)).toBe(0);
    const { metadata } = decodeSafetensors(bytesA);
    expect(metadata).toMatchObject({ epoch: '1', steps: '2', batchSize: '100', split: '{"labels":"all","validation":10000,"trainSize":200}' });
    expect(JSON.parse(metadata.config)).toMatchObject({ model: 'aae', hidden: [32, 32], latent: 2, pixels: 784, seed: 5 });

    const [metricsA, metricsB] = await Promise.all([first, second].map((name) => metricsOf(join(root, name))));
    expect(metricsA).toHaveLength(1);
    expect(untimed(metricsA[0])).toEqual(untimed(metricsB[0]));
    expect(metricsA[0]).toMatchObject({ epoch: 1, steps: 2 });
    expect(Object.keys(metricsA[0].losses as object)).toEqual(['reconstruction', 'discriminator', 'generator']);
    expect(metricsA[0].reconstructionBce).toBeGreaterThan(0);
  });

  it('--resume continues a run to the same bytes as an uninterrupted one', async () => {
    const [resumed, uninterrupted] = await Promise.all([
      // The evaluation size is each command's own (it may change on resume), so it is given again.
      tool.run('train', '--resume', '--out', join(root, second), '--epochs', '2', '--eval-size', '100'),
      tool.run('train', ...quick, '--epochs', '2', '--out', join(root, straight)),
    ]);
    succeeded(resumed);
    succeeded(uninterrupted);
    expect(resumed.stderr).not.toMatch(/^epoch 1 done/m);
    expect(resumed.stderr).toMatch(/^epoch 2 done/m);
    expect(resumed.stderr).not.toContain('ignoring');
    const [bytesResumed, bytesStraight] = await Promise.all([second, straight].map((name) => readFile(join(root, name, CHECKPOINT_FILE))));
    expect(decodeSafetensors(bytesResumed).metadata).toMatchObject({ epoch: '2', steps: '4' });
    expect(Buffer.compare(bytesResumed, bytesStraight)).toBe(0);

    const [metricsResumed, metricsStraight] = await Promise.all([second, straight].map((name) => metricsOf(join(root, name))));
    expect(metricsResumed.map((line) => line.epoch)).toEqual([1, 2]);
    expect(metricsResumed.map(untimed)).toEqual(metricsStraight.map(untimed));
  });

  it('--resume to the epochs already trained does nothing, and says so', async () => {
    const before = await readFile(join(root, first, CHECKPOINT_FILE));
    const result = succeeded(await tool.run('train', '--resume', '--out', join(root, first), '--epochs', '1'));
    expect(result.stderr).toContain(`nothing to do: ${join(root, first)} has already trained the epochs asked for.`);
    expect(Buffer.compare(await readFile(join(root, first, CHECKPOINT_FILE)), before)).toBe(0);
  });
});
