import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inflateSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeSafetensors, encodeSafetensors } from '../../src/checkpoint/safetensors.js';
import { syntheticImages } from '../../src/data/toy2d.js';
import { decodePng } from '../../src/image/png.js';
import { defaultConfig } from '../../src/models/config.js';
import { RUN_DEFAULTS } from '../../src/training/run-settings.js';
import { createModel } from '../../src/models/create-model.js';
import { saveModelCheckpoint } from '../../src/training/model-checkpoint.js';
import { CHECKPOINT_FILE, train } from '../../src/training/trainer.js';
import { bundleCli, EXIT_USAGE, type CliProcess } from '../helpers/cli-process.js';
import { useEngine } from '../helpers/engine.js';

/**
 * The command-line tool, run as users run it, in its own process per case (test/helpers/cli-process.ts).
 * The refusals here need no MNIST training; their checkpoints are tiny ones made through the library on
 * synthetic 8x8 images.
 */

const gpu = useEngine();
let cli: CliProcess['run'];
let expectUsageError: CliProcess['expectUsageError'];
let tool: CliProcess;

let root: string;
/** A run folder trained for one epoch on synthetic images: an aae with 2-D codes and 64-pixel images. */
let runFolder: string;
let checkpoint: string;
let checkpointBytes: Buffer;
/** An untrained aae of MNIST's size (784 pixels, one hidden layer of 16): for the commands that need MNIST to fit. */
let mnistCheckpoint: string;
/** A plain file, for output paths that run into one. */
let plainFile: string;

beforeAll(async () => {
  root = await mkdtemp(join(tmpdir(), 'webgpu-aae-cli-'));
  tool = await bundleCli(root);
  ({ run: cli, expectUsageError } = tool);
  runFolder = join(root, 'synthetic-aae');
  await train(gpu.engine, {
    config: defaultConfig({ model: 'aae', hidden: [32, 32], pixels: 64, latent: 2 }),
    settings: { ...RUN_DEFAULTS, batchSize: 50, validation: 100 },
    epochs: 1,
    out: runFolder,
    data: { train: syntheticImages(600, { seed: 1 }), test: syntheticImages(200, { seed: 2 }) },
  });
  checkpoint = join(runFolder, CHECKPOINT_FILE);
  checkpointBytes = await readFile(checkpoint);
  mnistCheckpoint = join(root, 'mnist-aae.safetensors');
  const mnistModel = createModel(gpu.engine, defaultConfig({ model: 'aae', hidden: [16], latent: 2 }));
  await saveModelCheckpoint(mnistCheckpoint, mnistModel, { epoch: 0, steps: 0 }, RUN_DEFAULTS);
  mnistModel.dispose();
  plainFile = join(root, 'plain-file');
  await writeFile(plainFile, 'not a folder');
});

afterAll(async () => {
  await rm(root, { recursive: true, force: true });
  await tool?.dispose();
});

describe('help', () => {
  for (const args of [['--help'], ['-h'], ['help']]) {
    it(`'${args.join(' ')}' prints the commands and exits 0`, async () => {
      const result = await cli(...args);
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(/^usage: webgpu-aae <command>/m);
      expect(result.stdout).toMatch(/train .*\n.*sample .*\n.*eval /);
    });
  }

  it('without a command prints the usage and exits 2', async () => {
    const result = await cli();
    expect(result.code).toBe(EXIT_USAGE);
    expect(result.stdout).toMatch(/^usage: webgpu-aae <command>/m);
  });

  const optionShown: Record<string, string> = { train: '--epochs', sample: '--n', eval: '--metric', gmm: '--k' };
  for (const command of ['train', 'sample', 'eval', 'gmm']) {
    it(`'${command} --help' prints its options and exits 0`, async () => {
      const result = await cli(command, '--help');
      expect(result.code).toBe(0);
      expect(result.stdout).toMatch(new RegExp(`^usage: webgpu-aae ${command} `));
      expect(result.stdout).toContain(optionShown[command]);
    });
  }
});

describe('bad commands and options exit 2, naming the option and the value', () => {
  const cases: [string[], RegExp | string][] = [
    [['frobnicate'], "unknown command 'frobnicate'; choose train, sample, eval, gmm, export or reproduce"],
    [['train', '--model', 'vqvae'], "--model: unknown value 'vqvae'; choose one of ae, vae, gan, aae, supervised-aae, semi-supervised-aae, clustering-aae, dimensionality-reduction-aae, vae-gan."],
    [['train', '--prior', 'cube'], "--prior: unknown value 'cube'; choose one of gaussian, mog10, swissroll."],
    [['train', '--posterior', 'magic'], "--posterior: unknown value 'magic'; choose one of deterministic, gaussian, universal."],
    [['train', '--size', 'huge'], "--size: unknown value 'huge'"],
    [['train', '--bogus'], /train: Unknown option '--bogus'\. See 'webgpu-aae train --help'\./],
    [['sample', '--checkpoint', 'x', 'extra'], /sample: Unexpected argument 'extra'/],
    [['train', '--latent', 'two'], "--latent: 'two' is not a whole number >= 1."],
    [['train', '--epochs', '1.5'], "--epochs: '1.5' is not a whole number >= 1."],
    [['train', '--batch-size', '0'], "--batch-size: '0' is not a whole number >= 1."],
    [['train', '--seed', ''], "--seed: '' is not a whole number >= 0."],
    [['train', '--train-size', '0x10'], "--train-size: '0x10' is not a whole number >= 1."],
    [['train', '--labels', 'some'], "--labels: 'some' is not a whole number >= 1."],
    [['train', '--lr=-1'], "--lr: '-1' is not a positive number."],
    [['train', '--adversarial-lr', 'fast'], "--adversarial-lr: 'fast' is not a positive number."],
    [['train', '--prior-scale', 'Infinity'], "--prior-scale: 'Infinity' is not a positive number."],
    [['train', '--style-noise=-1'], "--style-noise: '-1' is not a number >= 0."],
    [['train', '--style-noise', ''], "--style-noise: '' is not a number >= 0."],
    [['train', '--style-noise', '0.5'], 'train: model config: styleNoise is for the categorical and supervised AAEs, not aae.'],
    [['train', '--epochs'], /train: Option '--epochs <value>' argument missing/],
    [['train', '--prior', 'mog10', '--latent', '3'], 'train: model config: the mog10 prior is 2-D: use latent 2 (got 3).'],
    [['train', '--conditional'], 'train: model config: label-conditioned regularization needs a prior with components: mog10 or swissroll.'],
    [['eval', '--metric', 'fid', '--checkpoint', 'x'], "--metric: unknown value 'fid'; choose one of reconstruction, test-error, cluster-error, parzen."],
    [['eval', '--eval-size', 'many'], "--eval-size: 'many' is not a whole number >= 1."],
    [['sample', '--n', '0'], "--n: '0' is not a whole number >= 1."],
    [['sample'], 'sample: --checkpoint FILE is required'],
    [['eval'], 'eval: --checkpoint FILE is required'],
  ];
  for (const [args, message] of cases) {
    it(args.length > 0 ? args.join(' ') : '(empty)', async () => {
      await expectUsageError(args, message);
    });
  }
});

describe('unusable checkpoints exit 2 with a clear message', () => {
  it('a missing file or a folder', async () => {
    await expectUsageError(['sample', '--checkpoint', 'missing.safetensors'], 'sample: no checkpoint at missing.safetensors: the file does not exist.');
    await expectUsageError(['eval', '--checkpoint', runFolder], `eval: ${runFolder} is a folder; give the checkpoint.safetensors inside it.`);
  });

  it('random bytes', async () => {
    const path = join(root, 'random.safetensors');
    await writeFile(path, Uint8Array.from({ length: 4096 }, (_, i) => (i * 2654435761) >>> 24));
    await expectUsageError(['sample', '--checkpoint', path], `${path} is not a valid safetensors file:`);
  });

  it('a truncated checkpoint', async () => {
    const path = join(root, 'truncated.safetensors');
    await writeFile(path, checkpointBytes.subarray(0, Math.floor(checkpointBytes.length / 2)));
    await expectUsageError(['eval', '--checkpoint', path], new RegExp(`${path} is not a valid safetensors file: .*truncated`));
  });

  it('a safetensors file that is not a webgpu-aae checkpoint', async () => {
    const path = join(root, 'foreign.safetensors');
    await writeFile(path, encodeSafetensors({ weight: { shape: [2], data: Float32Array.of(1, 2) } }, { producer: 'someone else' }));
    await expectUsageError(['sample', '--checkpoint', path], `${path} is not a webgpu-aae checkpoint (format 'missing', expected 'webgpu-aae/checkpoint-v1').`);
  });

  it('a checkpoint whose config describes another architecture than its tensors', async () => {
    const path = join(root, 'latent3.safetensors');
    await writeFile(path, withConfig(checkpointBytes, { latent: 3 }));
    const { stderr } = await expectUsageError(['sample', '--checkpoint', path], `${path} does not fit the aae it describes:`);
    expect(stderr).toMatch(/'encoder\.mean\.weight' is \[\d+, 2\] in the checkpoint but \[\d+, 3\]|\[2\] in the checkpoint but \[3\]/);
  });

  it('eval of a model trained on 8x8 images says MNIST does not fit', async () => {
    await expectUsageError(['eval', '--checkpoint', checkpoint], `eval: ${checkpoint} holds a model of 64-pixel images, but MNIST's have 784 (28×28)`);
  });

  it('parzen and gmm of a model trained on 8x8 images say MNIST does not fit', async () => {
    await expectUsageError(['eval', '--metric', 'parzen', '--checkpoint', checkpoint], `eval: ${checkpoint} holds a model of 64-pixel images, but MNIST's have 784`);
    await expectUsageError(['gmm', '--checkpoint', checkpoint, '--k', '3'], `gmm: ${checkpoint} holds a model of 64-pixel images, but MNIST's have 784`);
  });

  it('test-error and cluster-error name the models they are for', async () => {
    await expectUsageError(['eval', '--metric', 'test-error', '--checkpoint', checkpoint], 'eval --metric test-error is for the semi-supervised-aae or dimensionality-reduction-aae;');
    await expectUsageError(['eval', '--metric', 'cluster-error', '--checkpoint', checkpoint], 'eval --metric cluster-error is for the clustering-aae;');
  });

  it('gmm without a checkpoint, or with a bad covariance, is a usage error', async () => {
    await expectUsageError(['gmm'], 'gmm: --checkpoint FILE is required');
    await expectUsageError(['gmm', '--checkpoint', checkpoint, '--covariance', 'spherical'], "--covariance: unknown value 'spherical'; choose one of diagonal, full.");
  });

  it('eval of a GAN says it has no encoder', async () => {
    const path = join(root, 'gan.safetensors');
    const gan = createModel(gpu.engine, defaultConfig({ model: 'gan', hidden: [16], pixels: 64, latent: 2 }));
    await saveModelCheckpoint(path, gan, { epoch: 0, steps: 0 }, RUN_DEFAULTS);
    await expectUsageError(['eval', '--checkpoint', path], 'eval --metric reconstruction: the gan has no encoder, so it cannot reconstruct.');
  });
});

/** The checkpoint's bytes with some config fields replaced (tensors unchanged). */
function withConfig(bytes: Uint8Array, changes: Record<string, unknown>): Uint8Array {
  const { tensors, metadata } = decodeSafetensors(bytes);
  return encodeSafetensors(tensors, { ...metadata, config: JSON.stringify({ ...JSON.parse(metadata.config), ...changes }) });
}

describe('train --resume', () => {
  it('refuses architecture options that disagree with the checkpoint, before any work', async () => {
    for (const args of [
      ['--model', 'vae'],
      ['--model=vae'],
      ['--latent', '3'],
      ['--size', 'small'],
      ['--batch-size', '100'],
    ]) {
      const { stderr } = await expectUsageError(['train', '--resume', '--out', runFolder, ...args], `--resume: ${checkpoint} holds a checkpoint of another architecture`);
      expect(stderr).toMatch(/Drop --(model|latent|size|batch-size), or use another --out\./);
    }
    expect(await cli('train', '--resume', '--out', runFolder, '--model', 'vae').then((r) => r.stderr)).toContain('(model "aae", but --model asks for "vae")');
    // Nothing was written.
    expect(Buffer.compare(await readFile(checkpoint), checkpointBytes)).toBe(0);
  });

  it('refuses a folder without a checkpoint', async () => {
    const empty = join(root, 'empty-run');
    await mkdir(empty);
    await expectUsageError(['train', '--resume', '--out', empty], `--resume: no checkpoint at ${join(empty, CHECKPOINT_FILE)}; train without --resume first.`);
  });

  it('refuses to continue a model of 8x8 images on MNIST, after saying which options the run keeps its own values of', async () => {
    const { stderr } = await expectUsageError(
      ['train', '--resume', '--out', runFolder, '--epochs', '2', '--lr', '0.5', '--seed', '3'],
      `train: ${checkpoint} holds a model of 64-pixel images, but the data has 784 pixels per image.`,
    );
    expect(stderr).toContain("webgpu-aae: --resume keeps the run's own settings; ignoring --lr, --seed.");
    expect(Buffer.compare(await readFile(checkpoint), checkpointBytes)).toBe(0);
  });

  it('refuses a checkpoint whose tensors do not fit its config', async () => {
    const folder = join(root, 'mismatched-run');
    await mkdir(folder);
    const path = join(folder, CHECKPOINT_FILE);
    await writeFile(path, withConfig(checkpointBytes, { latent: 3 }));
    await expectUsageError(['train', '--resume', '--out', folder], `train --resume: ${path} does not fit the aae it describes:`);
  });

  it('refuses a checkpoint holding a NaN, before any work, and leaves it as it was', async () => {
    const folder = join(root, 'nan-run');
    await mkdir(folder);
    const path = join(folder, CHECKPOINT_FILE);
    const { tensors, metadata } = decodeSafetensors(checkpointBytes);
    tensors['optimizer.discriminator.0.firstMoment'].data[1] = NaN;
    const bytes = encodeSafetensors(tensors, metadata);
    await writeFile(path, bytes);
    await expectUsageError(['train', '--resume', '--out', folder, '--epochs', '2'], `--resume: ${path}: tensor 'optimizer.discriminator.0.firstMoment' holds NaN at value 1 of`);
    expect(Buffer.compare(await readFile(path), bytes)).toBe(0);
  });
});

describe('train', () => {
  it('refuses a training subset larger than MNIST has, before training', async () => {
    await expectUsageError(['train', '--size', 'tiny', '--train-size', '60000', '--out', join(root, 'too-big')], /train: splitMnist: trainSize 60000 must be a whole number no larger than the 50000 images left/);
  });

  // Two steps of a tiny model on 200 MNIST images: the second step's losses are NaN.
  it('stops a diverging run with exit code 1 and says why', async () => {
    const out = join(root, 'diverging');
    const result = await cli('train', '--size', 'tiny', '--train-size', '200', '--batch-size', '100', '--eval-size', '100', '--lr', '1e38', '--epochs', '1', '--out', out);
    expect(result.code, result.stderr).toBe(1);
    expect(result.stderr).toMatch(/^training stopped: the \w+ loss became (NaN|-?Infinity) in epoch 1, step 2\. No checkpoint of this run had been written yet\. Try a lower learning rate\.$/m);
    expect(result.stderr).not.toMatch(/\n\s+at /);
    await expect(readFile(join(out, CHECKPOINT_FILE))).rejects.toThrow(/ENOENT/);
  });
});

describe('sample', () => {
  it('decodes --n prior samples of a checkpoint into a PNG grid', async () => {
    const out = join(root, 'pictures', 'x.png');
    const result = await cli('sample', '--checkpoint', checkpoint, '--n', '20', '--out', out, '--seed', '3');
    expect(result.code, result.stderr).toBe(0);
    expect(result.stderr).toContain(`wrote 20 samples of the aae to ${out}`);
    const picture = decodePng(new Uint8Array(await readFile(out)), (bytes) => inflateSync(bytes));
    // 20 images of 8x8 at scale 2, in 5 columns and 4 rows, 2 pixels apart.
    expect([picture.width, picture.height, picture.channels]).toEqual([2 + 5 * 18, 2 + 4 * 18, 3]);
    expect(new Set(picture.pixels).size).toBeGreaterThan(10);
  });
});

describe('command lines that cannot work exit 2 before any work', () => {
  const quick = ['--size', 'tiny', '--train-size', '200', '--batch-size', '100', '--eval-size', '100', '--epochs', '1'];
  // [the command line, what its one line must say]; built inside the tests, where the paths are known.
  const cases: [string, () => [string[], string | RegExp]][] = [
    ['train --out under a file', () => [['train', ...quick, '--out', join(plainFile, 'run')], `--out ${join(plainFile, 'run')}: ${plainFile} is a file, so no folder can be made under it`]],
    ['train --out a file', () => [['train', ...quick, '--out', plainFile], `--out ${plainFile}: it is a file, not a folder`]],
    ['sample --out under a file', () => [['sample', '--checkpoint', checkpoint, '--out', join(plainFile, 's.png')], `--out ${join(plainFile, 's.png')}: ${plainFile} is a file, not a folder`]],
    ['sample --out a folder', () => [['sample', '--checkpoint', checkpoint, '--out', root], `--out ${root}: it is a folder; give a file's path inside it, such as ${root}/samples.png.`]],
    ['sample --n past the adapter', () => [['sample', '--checkpoint', checkpoint, '--n', '100000000', '--out', join(root, 'never.png')], /--n 100000000: this adapter decodes at most \d+ images of this aae at once .*; ask for fewer\.$/]],
    ['eval --samples past the adapter', () => [['eval', '--checkpoint', mnistCheckpoint, '--metric', 'parzen', '--samples', '100000000', '--eval-size', '10'], /--samples 100000000: this adapter decodes at most \d+ images/]],
    ['gmm --k above the codes', () => [['gmm', '--checkpoint', mnistCheckpoint, '--k', '100000'], '--k 100000: more components than the 10000 codes to fit (one per test image, --eval-size); use --k 10000 or fewer.']],
    ['gmm --k above a smaller --eval-size', () => [['gmm', '--checkpoint', mnistCheckpoint, '--k', '11', '--eval-size', '10'], '--k 11: more components than the 10 codes to fit']],
    ['train clustering-aae --clusters 1', () => [['train', ...quick, '--model', 'clustering-aae', '--clusters', '1', '--out', join(root, 'one-cluster')], 'train: model config: the clustering-aae needs at least 2 clusters of y, got 1.']],
    ['train --clusters above the training images', () => [['train', ...quick, '--model', 'clustering-aae', '--clusters', '201', '--out', join(root, 'many-clusters')], '--clusters 201: more clusters than the 200 training images; use --clusters 200 or fewer.']],
    [
      'train --batch-size above the training images',
      () => [['train', '--size', 'tiny', '--train-size', '200', '--batch-size', '201', '--out', join(root, 'big-batch')], '--batch-size 201: larger than the 200 training images; use --batch-size 200 or fewer.'],
    ],
    [
      'train semi-supervised-aae --labels below the batch size',
      () => [
        ['train', '--model', 'semi-supervised-aae', '--size', 'tiny', '--train-size', '200', '--batch-size', '100', '--labels', '50', '--out', join(root, 'few-labels')],
        "--labels 50: the semi-supervised-aae's labelled phase draws batches of --batch-size 100 labelled images; give --labels 100 or more, or a smaller --batch-size.",
      ],
    ],
    ['train --latent past the adapter', () => [['train', ...quick, '--latent', '100000000', '--out', join(root, 'huge-latent')], /^webgpu-aae: train: Linear\(32 -> 100000000\): its \[32, 100000000\] weight needs 12207\.0 MiB, over this adapter's largest storage binding/]],
  ];
  for (const [name, commandLine] of cases) {
    it(name, async () => {
      await expectUsageError(...commandLine());
    });
  }

  it('gmm --k past what one binding holds of the codes\' responsibilities', async () => {
    const codes = 10_000;
    const largest = Math.floor(gpu.engine.limits.maxStorageBufferBindingSize / (4 * codes));
    // An adapter whose binding holds [10000, 10000] has nothing to refuse below the codes' own bound (tested above).
    if (largest >= codes) return;
    await expectUsageError(
      ['gmm', '--checkpoint', mnistCheckpoint, '--k', String(largest + 1)],
      `--k ${largest + 1}: the responsibilities of ${codes} codes to ${largest + 1} components take`,
    );
  });

  it('leaves nothing behind: no run folder, no picture', async () => {
    for (const path of ['one-cluster', 'many-clusters', 'big-batch', 'few-labels', 'never.png']) await expect(readFile(join(root, path))).rejects.toThrow(/ENOENT/);
    expect(await readFile(plainFile, 'utf8')).toBe('not a folder');
  });
});
