import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gmmOfCodes } from '../../../src/evaluation/codes-mixture.js';
import { uploadImages } from '../../../src/data/gpu-images.js';
import { loadMnist } from '../../../src/data/mnist.js';
import { loadModelCheckpoint } from '../../../src/training/model-checkpoint.js';
import { bundleCli, type CliProcess } from '../../helpers/cli-process.js';
import { useEngine } from '../../helpers/engine.js';
import { writeFreshCheckpoint } from '../../helpers/model-checkpoint-file.js';

/**
 * `gmm` as users run it, on a fresh MNIST-sized aae: its JSON must be the mixture the library fits in
 * this process to the same codes (same adapter, same numbers), and a mixture at all.
 */

const gpu = useEngine();
let tool: CliProcess;
let root: string;
let checkpoint: string;
const COUNT = 200;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'webgpu-aae-gmm-'));
  tool = await bundleCli(root);
  checkpoint = join(root, 'aae.safetensors');
  await writeFreshCheckpoint(gpu.engine, checkpoint, { model: 'aae', latent: 3 });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await tool?.dispose();
});

describe('gmm', () => {
  for (const covariance of ['full', 'diagonal'] as const) {
    it(`--covariance ${covariance} prints the mixture fitted to the codes of the first --eval-size test images`, async () => {
      const result = await tool.run('gmm', '--checkpoint', checkpoint, '--k', '4', '--covariance', covariance, '--eval-size', String(COUNT), '--seed', '3');
      expect(result.code, result.stderr).toBe(0);
      const json = JSON.parse(result.stdout);

      const mnist = await loadMnist();
      const { model } = await loadModelCheckpoint(gpu.engine, checkpoint);
      const images = uploadImages(gpu.engine, mnist.test.images.subarray(0, COUNT * mnist.test.pixels), COUNT, mnist.test.pixels);
      const expected = await gmmOfCodes(gpu.engine, model, images, 4, covariance, 3);
      images.tensor.dispose();
      model.dispose();
      expect(json).toEqual({ checkpoint, model: 'aae', codes: 'test set', ...expected });

      expect(json).toMatchObject({ images: COUNT, k: 4, covariance });
      expect(json.weights.reduce((sum: number, weight: number) => sum + weight, 0)).toBeCloseTo(1, 6);
      expect(json.means).toHaveLength(4);
      for (const mean of json.means) expect(mean).toHaveLength(3);
      expect(json.logLikelihoods).toHaveLength(json.iterations + 1);
      expect(json.logLikelihood).toBe(json.logLikelihoods.at(-1));
      // EM never lowers the likelihood (up to float32 rounding).
      for (let i = 1; i < json.logLikelihoods.length; i++) expect(json.logLikelihoods[i]).toBeGreaterThan(json.logLikelihoods[i - 1] - 1e-4);
    });
  }
});
