import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parzenEvaluation, PARZEN_SIGMAS } from '../../../src/evaluation/parzen-evaluation.js';
import { uploadImages, type GpuImageSet } from '../../../src/data/gpu-images.js';
import { loadMnist, type Mnist } from '../../../src/data/mnist.js';
import { CategoricalAae } from '../../../src/models/categorical-aae.js';
import type { GenerativeModel } from '../../../src/models/model.js';
import { categoryLogitsOfImages, classificationError, classifyImages, clusterError, reconstructionBce } from '../../../src/training/evaluate.js';
import { loadModelCheckpoint } from '../../../src/training/model-checkpoint.js';
import { bundleCli, type CliProcess } from '../../helpers/cli-process.js';
import { useEngine } from '../../helpers/engine.js';
import { writeFreshCheckpoint } from '../../helpers/model-checkpoint-file.js';

/**
 * `eval` with each metric, as users run it, on fresh MNIST-sized models: its JSON must hold what the
 * library computes in this process from the same checkpoint (same adapter, same numbers).
 */

const gpu = useEngine();
let tool: CliProcess;
let root: string;
let mnist: Mnist;
const COUNT = 100;
const paths = { aae: '', semiSupervised: '', clustering: '' };

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'webgpu-aae-eval-'));
  tool = await bundleCli(root);
  mnist = await loadMnist();
  paths.aae = join(root, 'aae.safetensors');
  paths.semiSupervised = join(root, 'semi-supervised.safetensors');
  paths.clustering = join(root, 'clustering.safetensors');
  await writeFreshCheckpoint(gpu.engine, paths.aae, { model: 'aae' }, 3);
  await writeFreshCheckpoint(gpu.engine, paths.semiSupervised, { model: 'semi-supervised-aae' });
  await writeFreshCheckpoint(gpu.engine, paths.clustering, { model: 'clustering-aae' });
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await tool?.dispose();
});

/** The command's JSON on stdout, after checking that it succeeded. */
async function evalJson(...args: string[]): Promise<Record<string, unknown>> {
  const result = await tool.run('eval', ...args);
  expect(result.code, result.stderr).toBe(0);
  return JSON.parse(result.stdout);
}

/** The checkpoint's model in this process, and the first COUNT test images. */
async function inProcess<T>(path: string, compute: (model: GenerativeModel, images: GpuImageSet) => Promise<T>): Promise<T> {
  const { model } = await loadModelCheckpoint(gpu.engine, path);
  const images = uploadImages(gpu.engine, mnist.test.images.subarray(0, COUNT * mnist.test.pixels), COUNT, mnist.test.pixels);
  try {
    return await compute(model, images);
  } finally {
    images.tensor.dispose();
    model.dispose();
  }
}

describe('eval', () => {
  it('--metric reconstruction (the default) prints the reconstruction BCE of the first --eval-size test images', async () => {
    const json = await evalJson('--checkpoint', paths.aae, '--eval-size', String(COUNT));
    const expected = await inProcess(paths.aae, (model, images) => reconstructionBce(model, images, mnist.test.labels, COUNT));
    expect(json).toEqual({ checkpoint: paths.aae, model: 'aae', epoch: 3, metric: 'reconstruction', images: COUNT, reconstructionBce: expected });
    expect(expected).toBeGreaterThan(0);
  });

  it('--metric test-error prints the share of wrongly classified test digits', async () => {
    const json = await evalJson('--checkpoint', paths.semiSupervised, '--metric', 'test-error', '--eval-size', String(COUNT));
    const expected = await inProcess(paths.semiSupervised, async (model, images) =>
      classificationError(await classifyImages(model as CategoricalAae, images, COUNT), mnist.test.labels.subarray(0, COUNT), 10),
    );
    expect(json).toEqual({ checkpoint: paths.semiSupervised, model: 'semi-supervised-aae', epoch: 0, metric: 'test-error', images: COUNT, testError: expected });
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(1);
  });

  it('--metric cluster-error labels each cluster by its most confident training image', async () => {
    const json = await evalJson('--checkpoint', paths.clustering, '--metric', 'cluster-error', '--eval-size', String(COUNT));
    const expected = await inProcess(paths.clustering, async (model, images) => {
      const categorical = model as CategoricalAae;
      const train = uploadImages(gpu.engine, mnist.train.images, mnist.train.count, mnist.train.pixels);
      const trainLogits = await categoryLogitsOfImages(categorical, train, mnist.train.count);
      train.tensor.dispose();
      const testLogits = await categoryLogitsOfImages(categorical, images, COUNT);
      return clusterError(trainLogits, mnist.train.labels, testLogits, mnist.test.labels.subarray(0, COUNT), categorical.config.clusters);
    });
    expect(json).toEqual({ checkpoint: paths.clustering, model: 'clustering-aae', epoch: 0, metric: 'cluster-error', images: COUNT, clusterError: expected });
    expect(expected).toBeGreaterThan(0);
    expect(expected).toBeLessThan(1);
  });

  it('--metric parzen prints the window chosen on validation images and the test log-likelihood', async () => {
    const json = await evalJson('--checkpoint', paths.aae, '--metric', 'parzen', '--samples', '50', '--eval-size', String(COUNT), '--seed', '4');
    const expected = await inProcess(paths.aae, (model) => parzenEvaluation(gpu.engine, model, mnist, 50, COUNT, 10_000, 4));
    expect(json).toEqual({ checkpoint: paths.aae, model: 'aae', epoch: 3, metric: 'parzen', images: COUNT, ...expected });
    expect(json).toMatchObject({ samples: 50, validationImages: 10_000, testImages: COUNT });
    expect(PARZEN_SIGMAS).toContain(json.sigma);
    expect((json.sigmaTable as unknown[]).length).toBe(PARZEN_SIGMAS.length);
    expect(Number.isFinite(json.logLikelihood)).toBe(true);
  });
});
