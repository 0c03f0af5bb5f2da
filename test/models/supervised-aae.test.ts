import { describe, expect, it } from 'vitest';
import { defaultConfig, type ModelConfig } from '../../src/models/config.js';
import { AdversarialAutoencoder } from '../../src/models/aae.js';
import { useEngine } from '../helpers/engine.js';

const gpu = useEngine();

function supervisedConfig(overrides: Partial<ModelConfig> = {}): ModelConfig {
  return defaultConfig({ model: 'supervised-aae', latent: 6, hidden: [32, 32], ...overrides });
}

describe('supervised AAE: style apart from the digit', () => {
  it('by default matches q(z | y) to N(0, I) for every digit and trains on a noisy style; the other models keep their defaults', () => {
    const config = supervisedConfig();
    expect([config.conditional, config.styleNoise, config.prior]).toEqual([true, 0.7, 'gaussian']);
    const model = new AdversarialAutoencoder(gpu.engine, config);
    // The discriminator sees z beside the digit's one-hot (and the unused "unlabelled" slot).
    expect(model.discriminator.sizes[0]).toBe(6 + 10 + 1);
    model.dispose();

    expect([defaultConfig({ model: 'aae' }).conditional, defaultConfig({ model: 'aae' }).styleNoise]).toEqual([false, 0]);
    expect(defaultConfig({ model: 'semi-supervised-aae' }).conditional).toBe(false);
    // The old behaviour stays a setting away.
    const plain = supervisedConfig({ conditional: false, styleNoise: 0 });
    expect([plain.conditional, plain.styleNoise]).toEqual([false, 0]);
    expect(() => defaultConfig({ model: 'aae', conditional: true })).toThrow('model config: label-conditioned regularization needs a prior with components: mog10 or swissroll.');
    expect(() => defaultConfig({ model: 'vae', conditional: true, prior: 'mog10', latent: 2 })).toThrow(
      'model config: conditional regularization is for the aae and supervised-aae models, not vae.',
    );
  });

  it('training samples N(f(x), styleNoise² I); without noise the code is passed on unchanged', async () => {
    const { engine } = gpu;
    const model = new AdversarialAutoencoder(engine, supervisedConfig({ styleNoise: 0.5 }));
    const rows = 4000;
    const samples = engine.scope(() => engine.noGrad(() => model.sampleStyle(engine.tensor(new Float32Array(rows * 6).fill(-2), [rows, 6]))));
    const values = Array.from(await samples.read());
    samples.dispose();
    const mean = values.reduce((sum, value) => sum + value, 0) / values.length;
    const deviation = Math.sqrt(values.reduce((sum, value) => sum + (value - mean) ** 2, 0) / values.length);
    expect(mean).toBeCloseTo(-2, 1);
    expect(deviation).toBeGreaterThan(0.48);
    expect(deviation).toBeLessThan(0.52);
    model.dispose();

    const noiseless = new AdversarialAutoencoder(engine, supervisedConfig({ styleNoise: 0 }));
    const codes = engine.tensor(new Float32Array(6), [1, 6]);
    expect(noiseless.sampleStyle(codes)).toBe(codes);
    codes.dispose();
    noiseless.dispose();
  });
});
