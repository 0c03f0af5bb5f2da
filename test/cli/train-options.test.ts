import { describe, expect, it } from 'vitest';
import { TRAIN_HELP } from '../../src/cli/help.js';
import { checkAgainstCheckpoint } from '../../src/cli/resume.js';
import { TRAIN_OPTION_ENTRIES } from '../../src/cli/train-options.js';
import { givenOptions, newRunOf, TRAIN_PARSE_SPEC, withDefaults } from '../../src/cli/train-request.js';
import { UsageError } from '../../src/cli/usage-error.js';
import { parseOptions } from '../../src/cli/options.js';
import { defaultConfig } from '../../src/models/config.js';
import type { DecodedCheckpoint } from '../../src/training/model-checkpoint.js';
import { RUN_DEFAULTS } from '../../src/training/run-settings.js';

/** What `webgpu-aae train ARGS` asks for, without training. */
function newRunFor(...args: string[]) {
  const request = withDefaults(givenOptions(parseOptions('train', args, TRAIN_PARSE_SPEC)));
  return { request, ...newRunOf(request) };
}

describe('train options: one table', () => {
  it('keeps the defaults the CLI has always had', () => {
    const { request, config, settings } = newRunFor();
    expect(request).toEqual({
      model: 'aae',
      posterior: 'deterministic',
      prior: 'gaussian',
      priorScale: 1,
      conditional: false,
      latent: 2,
      clusters: 10,
      styleNoise: 0,
      mutualInformation: 0,
      inputNoise: 0,
      gating: false,
      gamma: 1,
      priorWeight: 0.1,
      hidden: [1000, 1000],
      epochs: 5,
      batchSize: 100,
      learningRate: 1e-3,
      adversarialLearningRate: 1e-3,
      learningRateHalfLife: 0,
      labels: 'all',
      trainSize: undefined,
      evaluationSize: undefined,
      seed: 1,
      out: 'runs/aae-gaussian',
      resume: false,
      verbose: false,
    });
    expect(config).toEqual(defaultConfig());
    expect(settings).toEqual({ ...RUN_DEFAULTS, trainSize: undefined });
    expect(settings).toEqual({ batchSize: 100, labels: 'all', validation: 10_000, trainSize: undefined });
  });

  it("gives the README's quick start the same config as before", () => {
    const { request, config, settings } = newRunFor('--model', 'aae', '--prior', 'mog10', '--conditional', '--latent', '2', '--size', 'small', '--epochs', '3', '--out', 'runs/quickstart');
    expect(config).toEqual({
      model: 'aae',
      posterior: 'deterministic',
      prior: 'mog10',
      priorScale: 1,
      conditional: true,
      latent: 2,
      hidden: [256, 256],
      pixels: 784,
      classes: 10,
      clusters: 10,
      noise: 8,
      styleNoise: 0,
      mutualInformation: 0,
      inputNoise: 0,
      learningRateHalfLife: 0,
      gating: false,
      gamma: 1,
      priorWeight: 0.1,
      learningRate: 1e-3,
      adversarialLearningRate: 1e-3,
      beta1: 0.5,
      seed: 1,
    });
    expect(settings).toEqual({ batchSize: 100, labels: 'all', validation: 10_000, trainSize: undefined });
    expect([request.epochs, request.out]).toEqual([3, 'runs/quickstart']);
  });

  it('takes defaults that depend on the model from the model', () => {
    expect(newRunFor('--model', 'gan').config.adversarialLearningRate).toBe(2e-4);
    const clustering = newRunFor('--model', 'clustering-aae').config;
    expect([clustering.clusters, clustering.styleNoise, clustering.mutualInformation]).toEqual([16, 0.7, 0]);
    expect(newRunFor('--model', 'clustering-aae', '--mutual-information', '3').config.mutualInformation).toBe(3);
    const semiSupervised = newRunFor('--model', 'semi-supervised-aae').config;
    expect([semiSupervised.inputNoise, semiSupervised.learningRateHalfLife]).toEqual([0.3, 5000]);
    const paperMethod = newRunFor('--model', 'semi-supervised-aae', '--input-noise', '0', '--lr-half-life', '0').config;
    expect([paperMethod.inputNoise, paperMethod.learningRateHalfLife]).toEqual([0, 0]);
    expect(newRunFor('--model', 'clustering-aae', '--lr-half-life', '2500').config.learningRateHalfLife).toBe(2500);
    expect(newRunFor('--model', 'vae-gan', '--prior', 'mog10').request.out).toBe('runs/vae-gan-mog10');
    // The VAEs' posterior is Gaussian whatever is asked.
    expect(newRunFor('--model', 'vae', '--posterior', 'deterministic').config.posterior).toBe('gaussian');
  });

  it('lists every option in the help, each with its default', () => {
    for (const [, option] of TRAIN_OPTION_ENTRIES) expect(TRAIN_HELP).toMatch(new RegExp(`^  --${option.flag}\\b`, 'm'));
    expect(TRAIN_HELP).toMatch(/^  --adversarial-lr R +discriminator and generator learning rate +\(default 0\.001; gan 0\.0002\)$/m);
    expect(TRAIN_HELP).toMatch(/^  --size NAME +paper \(1000-1000 hidden\) \| small \(256-256\) \| tiny \(32-32\) +\(default paper\)$/m);
    expect(TRAIN_HELP).toMatch(/^  --clusters K .*\(default 10; clustering-aae 16\)$/m);
    expect(TRAIN_HELP).toMatch(/^  --labels N\|all .*\(default all\)$/m);
    expect(TRAIN_HELP).toMatch(/^  --mutual-information W categorical AAEs: .*\(0: paper method\) +\(default 0\)$/m);
    expect(TRAIN_HELP).toMatch(/^  --out DIR .*\(default runs\/<model>-<prior>\)$/m);
    expect(TRAIN_HELP).not.toMatch(/^  --(conditional|gate|resume|verbose)\b.*\(default/m);
    expect(TRAIN_HELP).toMatch(/^model:\n[^]*^training:\n[^]*^output:\n/m);
  });
});

describe('train --resume: each option by its resume rule', () => {
  const checkpoint: DecodedCheckpoint = {
    path: 'run/checkpoint.safetensors',
    config: defaultConfig({ prior: 'mog10', conditional: true }),
    settings: { ...RUN_DEFAULTS, batchSize: 50, labels: 100 },
    position: { epoch: 1, steps: 10 },
    tensors: {},
    optimizerSteps: {},
    random: { seed: 1, blocks: 0 },
  };
  const given = (...args: string[]) => givenOptions(parseOptions('train', args, TRAIN_PARSE_SPEC));

  it('accepts what agrees with the checkpoint, and says which options the run keeps its own values of', () => {
    expect(checkAgainstCheckpoint(given('--prior', 'mog10', '--conditional', '--batch-size', '50', '--epochs', '9', '--eval-size', '10'), checkpoint)).toEqual([]);
    expect(checkAgainstCheckpoint(given('--lr', '0.5', '--labels', 'all', '--seed', '2', '--size', 'paper'), checkpoint)).toEqual(['--lr', '--labels', '--seed']);
    expect(checkAgainstCheckpoint(given('--input-noise', '0.1', '--lr-half-life', '100'), checkpoint)).toEqual(['--input-noise', '--lr-half-life']);
  });

  it("keeps the checkpoint's weight of the mutual-information term, as it keeps its learning rates", () => {
    const clustering = { ...checkpoint, config: defaultConfig({ model: 'clustering-aae', mutualInformation: 2 }) };
    expect(checkAgainstCheckpoint(given('--model', 'clustering-aae', '--mutual-information', '5'), clustering)).toEqual(['--mutual-information']);
  });

  it('refuses another architecture or batch size', () => {
    const refusals: [string[], string][] = [
      [['--model', 'vae'], '(model "aae", but --model asks for "vae")'],
      [['--latent', '3'], '(latent 2, but --latent asks for 3)'],
      [['--size', 'small'], '(hidden [1000,1000], but --size asks for [256,256])'],
      [['--batch-size', '100'], '(batchSize 50, but --batch-size asks for 100). Drop --batch-size, or use another --out.'],
    ];
    for (const [args, message] of refusals) {
      expect(() => checkAgainstCheckpoint(given(...args), checkpoint)).toThrow(UsageError);
      expect(() => checkAgainstCheckpoint(given(...args), checkpoint)).toThrow(message);
    }
  });
});
