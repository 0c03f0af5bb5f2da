import type { Engine } from '../device/engine.js';
import { AdversarialAutoencoder } from './aae.js';
import { Autoencoder } from './autoencoder.js';
import { CategoricalAae } from './categorical-aae.js';
import type { ModelConfig } from './config.js';
import { Gan } from './gan.js';
import { VaeGan } from './vae-gan.js';
import type { GenerativeModel } from './model.js';

/** The model `config` describes, with fresh weights; `config` comes from defaultConfig, which checked it. */
export function createModel(engine: Engine, config: ModelConfig): GenerativeModel {
  switch (config.model) {
    case 'ae':
    case 'vae':
      return new Autoencoder(engine, config);
    case 'gan':
      return new Gan(engine, config);
    case 'aae':
    case 'supervised-aae':
      return new AdversarialAutoencoder(engine, config);
    case 'semi-supervised-aae':
    case 'clustering-aae':
    case 'dimensionality-reduction-aae':
      return new CategoricalAae(engine, config);
    case 'vae-gan':
      return new VaeGan(engine, config);
  }
}
